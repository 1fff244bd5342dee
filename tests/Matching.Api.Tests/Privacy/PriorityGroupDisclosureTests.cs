using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Matching.Api.Tests.Privacy;

/// <summary>
/// Priority groups (重点群体) are not for enterprises, and nothing they receive may tell a member from a non-member:
/// the same world with and without one worker's group flags gives the enterprise byte-identical answers on every route
/// that shows it the worker (candidates, recall, workers, enrolments), while an office's ranking does change (so the
/// flags matter and the comparison can fail).
/// </summary>
public sealed class PriorityGroupDisclosureTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task An_enterprise_gets_byte_identical_answers_with_and_without_a_workers_priority_groups()
    {
        var chain = await Seed.EmployerChainAsync(api);
        var cohort = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        cohort["status"] = "open";
        using (var open = await chain.Enterprise.PutAsync($"/api/cohorts/{chain.CohortId}", cohort, "\"1\""))
        {
            await open.ReadObjectAsync(System.Net.HttpStatusCode.OK);
        }
        var office = api.AsCountyOffice(Codes.DafangCounty);
        long? member = null;
        foreach (var groups in new[] { "monitored", "", "poverty-lifted", "", "", "hard-to-employ", "" })
        {
            var body = Bodies.Worker(tradeId: Codes.GeneralWorker);
            body["certificates"] = new JsonArray();
            body["availableFrom"] = "2026-06-10";
            body["priorityGroups"] = groups.Length == 0 ? new JsonArray() : new JsonArray(groups);
            var id = Http.IdOf(await office.CreateAsync("/api/workers", body));
            member ??= id;
        }
        // The member is offered a seat in the enterprise's cohort, so the enterprise sees it in its lists too.
        await office.CreateAsync($"/api/cohorts/{chain.CohortId}/enrolments", new JsonObject { ["workerId"] = member });
        string[] enterpriseViews =
        [
            $"/api/match/openings/{chain.OpeningId}/candidates?top=50",
            $"/api/match/openings/{chain.OpeningId}/candidates-recall",
            "/api/workers?pageSize=200",
            $"/api/workers/{member}",
            "/api/enrolments?pageSize=200",
            $"/api/cohorts/{chain.CohortId}/enrolments?pageSize=200",
        ];
        var officeView = $"/api/match/openings/{chain.OpeningId}/candidates?top=50";

        await SettledAsync();
        var asMember = await ReadAllAsync(chain.Enterprise, enterpriseViews);
        var officeAsMember = await office.GetStringAsync(officeView);
        Assert.StartsWith("200 ", asMember[0], StringComparison.Ordinal);
        Assert.Contains($"\"workerId\":{member}", asMember[0], StringComparison.Ordinal);

        await SetGroupsAsync(member!.Value, "");
        var asNonMember = await ReadAllAsync(chain.Enterprise, enterpriseViews);
        var officeAsNonMember = await office.GetStringAsync(officeView);
        await SetGroupsAsync(member.Value, "|monitored|");

        for (var i = 0; i < enterpriseViews.Length; i++)
        {
            Assert.True(asMember[i] == asNonMember[i], $"GET {enterpriseViews[i]} differs for the enterprise:\n{asMember[i]}\n{asNonMember[i]}");
        }
        Assert.NotEqual(officeAsMember, officeAsNonMember);
        var candidates = JsonNode.Parse(asMember[0][4..])!;
        Assert.Equal(0, candidates["policy"]!["priorityWeight"]!.GetValue<double>());
        Assert.All(candidates["candidates"]!.AsArray(), c => Assert.Equal(0, c!["match"]!["policyBonus"]!.GetValue<double>()));
    }

    /// <summary>Changes only the worker's group flags, as if it had been registered so, and lets the search index follow.</summary>
    private async Task SetGroupsAsync(long worker, string groups)
    {
        await using (var connection = new SqliteConnection($"Data Source={api.DatabasePath};Pooling=False"))
        {
            await connection.ExecuteAsync("""
                UPDATE workers SET priority_groups = @Groups WHERE id = @Id;
                INSERT INTO outbox (entity, entity_id, operation, created_at, attempts) VALUES ('worker', @Id, 'upsert', '2026-06-15T04:00:00.0000000Z', 0);
                """, new { Groups = groups, Id = worker });
        }
        await SettledAsync();
    }

    private async Task SettledAsync()
    {
        using var admin = api.AsAdmin();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await admin.GetFromJsonAsync<JsonObject>("/api/search/admin/outbox"))!["pending"]!.GetValue<long>() > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "the search index did not catch up");
            await Task.Delay(50);
        }
    }

    private static async Task<string[]> ReadAllAsync(HttpClient client, string[] urls)
    {
        var answers = new string[urls.Length];
        for (var i = 0; i < urls.Length; i++)
        {
            using var response = await client.GetAsync(urls[i]);
            answers[i] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        return answers;
    }
}
