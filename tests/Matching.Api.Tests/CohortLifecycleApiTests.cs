using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>
/// A cohort's status as people change it (PUT, POST …/cancel) follows the same rule and has the same effects as the
/// scheduled steps: a new cohort starts planned; enrolment opens only before its deadline; a cohort is confirmed only
/// with enough accepted workers, starts on its start date and completes only once its end date has come; cancelling
/// releases the seats and re-offers the workers a later cohort. The service's clock stands at 15 June 2026.
/// </summary>
public sealed class CohortLifecycleApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _admin = api.AsAdmin();

    [Theory]
    [InlineData("status", "\"completed\"")]
    [InlineData("status", "\"open\"")]
    [InlineData("startDate", "\"0001-01-03\"")]
    [InlineData("enrolmentDeadline", "\"0001-01-01\"")]
    [InlineData("startDate", "\"9999-12-29\"")]
    [InlineData("endDate", "\"9999-12-31\"")]
    [InlineData("startDate", "\"2026-05-01\"")]
    public async Task A_cohort_cannot_be_created_past_its_first_state_or_outside_the_date_window(string field, string value)
    {
        var chain = await Seed.EmployerChainAsync(api);
        var body = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        body[field] = JsonNode.Parse(value);
        var total = await _admin.TotalAsync("/api/cohorts");

        using var response = await chain.Enterprise.PostAsync("/api/cohorts", body);

        await response.ReadFieldErrorAsync(field);
        Assert.Equal(total, await _admin.TotalAsync("/api/cohorts"));
    }

    [Fact]
    public async Task Status_steps_by_PUT_follow_the_lifecycle_rule_and_completion_waits_for_the_end_date()
    {
        var chain = await Seed.EmployerChainAsync(api);
        var body = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        body["enrolmentDeadline"] = "2026-06-15";
        body["startDate"] = "2026-06-15";
        body["endDate"] = "2026-06-30";
        body["minSize"] = 1;
        var id = Http.IdOf(await chain.Enterprise.CreateAsync("/api/cohorts", body));
        var path = $"/api/cohorts/{id}";

        await MoveAsync(chain.Enterprise, path, body, "open", HttpStatusCode.OK);
        // Confirmed only with enough accepted workers (minimum size 1, none yet).
        Assert.Contains("最低开班人数", (await MoveAsync(chain.Enterprise, path, body, "confirmed", HttpStatusCode.BadRequest))!, StringComparison.Ordinal);
        var worker = Http.IdOf(await Seed.WorkerAsync(api, GeneralWorker()));
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var enrolment = await office.CreateAsync($"/api/cohorts/{id}/enrolments", new JsonObject { ["workerId"] = worker });
        using (var accepted = await office.PostAsync($"/api/enrolments/{Http.IdOf(enrolment)}/accept", new JsonObject()))
        {
            await accepted.ReadObjectAsync(HttpStatusCode.OK);
        }
        await MoveAsync(chain.Enterprise, path, body, "confirmed", HttpStatusCode.OK);
        await MoveAsync(chain.Enterprise, path, body, "in-training", HttpStatusCode.OK);
        // The end date (30 June) has not come: no completion, and no placement created.
        Assert.Contains("结业日期", (await MoveAsync(chain.Enterprise, path, body, "completed", HttpStatusCode.BadRequest))!, StringComparison.Ordinal);
        Assert.Equal("in-training", (await chain.Enterprise.GetObjectAsync(path))["status"]!.GetValue<string>());
        Assert.Equal(0, await _admin.TotalAsync($"/api/placements?workerId={worker}"));
        // No going back, no skipping.
        await MoveAsync(chain.Enterprise, path, body, "open", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Cancelling_by_the_admin_releases_the_seats_and_re_offers_the_worker_a_later_cohort()
    {
        var chain = await Seed.EmployerChainAsync(api);
        var later = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        later["name"] = "2026年7月下旬普工岗前培训班";
        later["enrolmentDeadline"] = "2026-07-15";
        later["startDate"] = "2026-07-20";
        later["endDate"] = "2026-07-31";
        var laterId = Http.IdOf(await chain.Enterprise.CreateAsync("/api/cohorts", later));
        var path = $"/api/cohorts/{chain.CohortId}";
        await MoveAsync(chain.Enterprise, path, Bodies.Cohort(chain.BaseId, chain.OpeningId), "open", HttpStatusCode.OK);
        await MoveAsync(chain.Enterprise, $"/api/cohorts/{laterId}", later, "open", HttpStatusCode.OK);
        var worker = Http.IdOf(await Seed.WorkerAsync(api, GeneralWorker()));
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var enrolment = await office.CreateAsync($"/api/cohorts/{chain.CohortId}/enrolments", new JsonObject { ["workerId"] = worker });
        Assert.Equal(1, (await _admin.GetObjectAsync(path))["seatsTaken"]!.GetValue<int>());

        // Another enterprise and a county office may not cancel it.
        var stranger = await Seed.EnterpriseAsync(api);
        using (var foreign = await stranger.Client.PostAsync($"{path}/cancel", (HttpContent?)null))
        {
            await foreign.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        using (var officeCancel = await office.PostAsync($"{path}/cancel", (HttpContent?)null))
        {
            await officeCancel.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        using var cancel = await _admin.PostAsync($"{path}/cancel", (HttpContent?)null);
        var cancelled = await cancel.ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(0, cancelled["seatsTaken"]!.GetValue<int>());
        var old = await _admin.GetObjectAsync($"/api/enrolments/{Http.IdOf(enrolment)}");
        Assert.Equal("cancelled", old["status"]!.GetValue<string>());
        Assert.Contains("管理员", old["note"]!.GetValue<string>(), StringComparison.Ordinal);
        var reOffer = Assert.Single((await _admin.GetObjectAsync($"/api/enrolments?workerId={worker}&cohortId={laterId}"))["items"]!.AsArray())!;
        Assert.Equal(("offered", "re-offer"), (reOffer["status"]!.GetValue<string>(), reOffer["source"]!.GetValue<string>()));
        // A cancelled cohort stays cancelled: a second cancel is a conflict, and PUT cannot bring it back.
        using (var again = await chain.Enterprise.PostAsync($"{path}/cancel", (HttpContent?)null))
        {
            await again.ReadProblemAsync(HttpStatusCode.Conflict);
        }
        await MoveAsync(chain.Enterprise, path, Bodies.Cohort(chain.BaseId, chain.OpeningId), "open", HttpStatusCode.BadRequest);
    }

    /// <summary>A 普工 (general worker) of 大方县, willing to go to Shenzhen, available from 10 June: fits the seeded cohorts.</summary>
    private static JsonObject GeneralWorker()
    {
        var body = Bodies.Worker(tradeId: Codes.GeneralWorker);
        body["certificates"] = new JsonArray();
        body["availableFrom"] = "2026-06-10";
        return body;
    }

    /// <summary>PUTs the cohort with a new status; returns the status error's message when refused.</summary>
    private static async Task<string?> MoveAsync(HttpClient enterprise, string path, JsonObject body, string status, HttpStatusCode expected)
    {
        var current = await enterprise.GetObjectAsync(path);
        var replacement = body.Copy();
        replacement["status"] = status;
        replacement["capacity"] = current["capacity"]!.DeepClone();
        using var response = await enterprise.PutAsync(path, replacement, $"\"{current["version"]}\"");
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(status, (await response.ReadObjectAsync(HttpStatusCode.OK))["status"]!.GetValue<string>());
            return null;
        }
        return (await response.ReadFieldErrorAsync("status"))[0];
    }
}
