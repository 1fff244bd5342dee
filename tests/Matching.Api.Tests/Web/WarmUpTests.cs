using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Api.Web;
using Microsoft.Extensions.DependencyInjection;
using Database = Matching.Data.Storage.Database;

namespace Matching.Api.Tests.Web;

/// <summary>The service with a small demo set and the start-up warm-up asked for.</summary>
public sealed class WarmUpFixture : ApiFixture
{
    protected override int DemoWorkers => 25;

    protected override bool WarmUp => true;
}

/// <summary>
/// The start-up warm-up renders the sign-in page and each role's first page once, after the service has started, as
/// identities that see nothing real, and leaves no trace a person's visit would: no audit row.
/// </summary>
public sealed class WarmUpTests(WarmUpFixture api) : IClassFixture<WarmUpFixture>
{
    [Fact]
    public async Task After_start_each_roles_first_page_is_rendered_once_as_nobody_and_nothing_is_audited()
    {
        var visits = await api.Services.GetRequiredService<WebWarmUp>().Done.WaitAsync(TimeSpan.FromMinutes(3));

        // Signed out over the service's address: the sign-in page and its files, and a page that sends to sign-in (302).
        Assert.Equal(WebWarmUp.Fetches.Select(p => (p, "signed-out", p == "/dashboard" ? 302 : 200)), visits.Take(WebWarmUp.Fetches.Count).Select(v => (v.Path, v.Role, v.Status)));
        // Then each role's first page, rendered by the real page (200); the enterprise overview of an employer and the
        // institution page of an institution that do not exist are the not-found page (404), as they would be for a person.
        Assert.Equal(WebWarmUp.Renders.Select(r => (r.Path, r.Caller.Role, r.Path is "/enterprise" or "/institution" ? 404 : 200)),
            visits.Skip(WebWarmUp.Fetches.Count).Select(v => (v.Path, v.Role, v.Status)));

        // The service had started (and answered readiness) before the warm-up did its work.
        var log = api.Logs.Entries;
        var started = log.ToList().FindIndex(e => e.Contains("Application started", StringComparison.Ordinal));
        var warmed = log.ToList().FindIndex(e => e.Contains("Warm-up done", StringComparison.Ordinal));
        Assert.True(started >= 0 && warmed > started, "the warm-up ran before the service had started:\n" + string.Join("\n", log));

        // Nothing in the audit log names the warm-up, and no audit row has no user.
        await using var connection = await api.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE user_name = @Name OR user_id = 0", new { WebWarmUp.Name }));
    }
}
