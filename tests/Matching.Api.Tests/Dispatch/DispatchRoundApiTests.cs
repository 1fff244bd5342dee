using System.Net;
using System.Net.Http.Json;
using Matching.Scheduling.Tests;

namespace Matching.Api.Tests.Dispatch;

/// <summary>A dispatch round through HTTP: dry run beside the baseline, review per cohort and county with reasons, commit into offers.</summary>
public sealed class DispatchRoundApiTests
{
    [Fact]
    public async Task A_round_is_dry_run_reviewed_and_committed_into_offers_within_capacity()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, capacity: 3, minSize: 1, deadlineInDays: 10, startInDays: 20);
        for (var i = 0; i < 5; i++)
        {
            await world.WorkerAsync(groups: i % 2 == 0 ? ["poverty-lifted"] : []);
        }
        var client = await api.ClientAsync("county_office", "520502");

        var created = await client.PostAsJsonAsync("/api/dispatch-rounds", new { mode = "optimal", countyCode = "520502" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var round = await Json.ReadAsync(created);
        var id = round.GetProperty("id").GetInt64();
        Assert.Equal(3, round.GetProperty("result").GetProperty("seatsFilled").GetInt32());
        Assert.True(round.GetProperty("result").GetProperty("objective").GetDouble() >= round.GetProperty("baseline").GetProperty("objective").GetDouble());

        var byCohort = await Json.ReadAsync(await client.GetAsync($"/api/dispatch-rounds/{id}/cohorts"));
        var cohort = byCohort.GetProperty("items")[0];
        Assert.Equal(cohortId, cohort.GetProperty("cohortId").GetInt64());
        Assert.Equal(3, cohort.GetProperty("assignments").GetArrayLength());
        Assert.Contains(cohort.GetProperty("assignments")[0].GetProperty("reasons").EnumerateArray(), r => r.GetString() == "工种对口：普工");
        // The pairs are scored by the ranking model the service loaded (the shipped one), and say so.
        Assert.All(cohort.GetProperty("assignments").EnumerateArray(), a =>
            Assert.Contains(a.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("模型预测6个月留存率", StringComparison.Ordinal)));
        var byCounty = await Json.ReadAsync(await client.GetAsync($"/api/dispatch-rounds/{id}/counties"));
        Assert.Equal("520502", byCounty.GetProperty("items")[0].GetProperty("countyCode").GetString());

        var committed = await client.PostAsync($"/api/dispatch-rounds/{id}/commit", null);
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        Assert.Equal(3, (await Json.ReadAsync(committed)).GetProperty("offersCreated").GetInt32());
        var offers = await Json.ReadAsync(await client.GetAsync($"/api/cohorts/{cohortId}/enrolments"));
        Assert.Equal(3, offers.GetProperty("total").GetInt32());
        Assert.All(offers.GetProperty("items").EnumerateArray(), e => Assert.Equal("dispatch", e.GetProperty("source").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/dispatch-rounds/{id}/commit", null)).StatusCode);
    }

    [Fact]
    public async Task A_county_office_cannot_run_a_round_over_another_county_nor_the_province()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var client = await api.ClientAsync("county_office", "520502");
        var other = await client.PostAsJsonAsync("/api/dispatch-rounds", new { countyCode = "520102" });
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        var badMode = await client.PostAsJsonAsync("/api/dispatch-rounds", new { mode = "random" });
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await api.ClientAsync("enterprise", "1")).PostAsJsonAsync("/api/dispatch-rounds", new { })).StatusCode);
    }
}
