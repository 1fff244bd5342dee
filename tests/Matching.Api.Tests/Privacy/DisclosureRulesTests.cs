using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Matching.Api.Tests.Privacy;

/// <summary>
/// Refusals and unlocks that must not tell or give a caller more than its role may have: a conflict outside the
/// caller's county does not name the holder; an enterprise cannot unlock a worker who has not accepted its offer;
/// every clear name or phone an enterprise reads is audited, lists included; users exist only for real scopes.
/// </summary>
public sealed class DisclosureRulesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Changing_an_own_worker_to_another_countys_id_number_does_not_reveal_who_holds_it()
    {
        const string Weining = Codes.WeiningCounty;
        var foreignId = IdNumbers.Fresh(areaCode: Weining);
        var holder = Http.IdOf(await Seed.WorkerAsync(api, Bodies.Worker(foreignId, Weining)));
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var own = await Seed.WorkerAsync(api);
        var body = Bodies.Worker(foreignId, Codes.DafangCounty);
        body.Remove("birthDate");
        body.Remove("gender");

        using var response = await office.PutAsync($"/api/workers/{Http.IdOf(own)}", body, null);

        var text = await response.Content.ReadAsStringAsync();
        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.False(problem.ContainsKey("existingId"), text);
        Assert.DoesNotContain(holder.ToString(System.Globalization.CultureInfo.InvariantCulture), problem["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Http.IdOf(own), Http.IdOf(await office.GetObjectAsync($"/api/workers/{Http.IdOf(own)}")));
    }

    [Fact]
    public async Task An_enterprise_cannot_unlock_a_worker_by_recording_a_placement_before_the_worker_accepted()
    {
        var chain = await Seed.EmployerChainAsync(api);
        var cohort = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        cohort["status"] = "open";
        (await chain.Enterprise.PutAsync($"/api/cohorts/{chain.CohortId}", cohort, "\"1\"")).EnsureSuccessStatusCode();
        var body = Bodies.Worker(tradeId: Codes.GeneralWorker);
        body["availableFrom"] = "2026-06-10";
        var worker = Http.IdOf(await Seed.WorkerAsync(api, body));
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var enrolment = Http.IdOf(await office.CreateAsync($"/api/cohorts/{chain.CohortId}/enrolments", new JsonObject { ["workerId"] = worker }));

        // Offered, not accepted: the enterprise sees a masked name and may not record a placement itself.
        using (var premature = await chain.Enterprise.PostAsync("/api/placements", Bodies.Placement(worker, chain.EmployerId, chain.OpeningId)))
        {
            await premature.ReadFieldErrorAsync("workerId");
        }
        var masked = await chain.Enterprise.GetObjectAsync($"/api/workers/{worker}");
        Assert.Matches("^王\\*+$", masked["realName"]!.GetValue<string>());
        Assert.False(masked.ContainsKey("phone"));

        // Once the worker accepted, it may, and the name and phone show.
        (await office.PostAsync($"/api/enrolments/{enrolment}/accept", new JsonObject())).EnsureSuccessStatusCode();
        await chain.Enterprise.CreateAsync("/api/placements", Bodies.Placement(worker, chain.EmployerId, chain.OpeningId));
        Assert.Equal("王小勇", (await chain.Enterprise.GetObjectAsync($"/api/workers/{worker}"))["realName"]!.GetValue<string>());

        // Every read of the clear name by the enterprise is audited, in lists as on the worker's page.
        var before = await AuditedReadsAsync(worker);
        await chain.Enterprise.GetObjectAsync("/api/workers?pageSize=200");
        await chain.Enterprise.GetObjectAsync("/api/enrolments?pageSize=200");
        await chain.Enterprise.GetObjectAsync($"/api/cohorts/{chain.CohortId}/enrolments");
        await chain.Enterprise.GetObjectAsync($"/api/enrolments/{enrolment}");
        Assert.Equal(before + 4, await AuditedReadsAsync(worker));
    }

    [Theory]
    [InlineData("enterprise", "999999")]
    [InlineData("county_office", "520599")]
    [InlineData("county_office", "440300")]
    [InlineData("prefecture_office", "529900")]
    [InlineData("prefecture_office", "440300")]
    public async Task A_user_cannot_be_created_for_an_employer_county_or_prefecture_that_does_not_exist(string role, string scope)
    {
        var admin = api.AsAdmin();
        var total = await admin.TotalAsync("/api/users");

        using var response = await admin.PostAsync("/api/users", new JsonObject
        {
            ["name"] = $"用户-{role}-{scope}",
            ["role"] = role,
            ["scopes"] = new JsonArray(scope),
        });

        await response.ReadFieldErrorAsync("scopes");
        Assert.Equal(total, await admin.TotalAsync("/api/users"));
    }

    private async Task<long> AuditedReadsAsync(long worker)
    {
        await using var connection = new SqliteConnection($"Data Source={api.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'worker.read' AND resource_id = @Id AND role = 'enterprise' AND outcome = 'success'",
            new { Id = worker.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
