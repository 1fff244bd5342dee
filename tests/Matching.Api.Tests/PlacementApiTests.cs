using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>
/// Placements (就业安置) and their follow-ups (跟踪回访) at 1, 3, 6 and 12 months, recorded by the worker's county
/// office (大方县) at employers registered by an admin.
/// </summary>
public sealed class PlacementApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = api.AsCountyOffice(Codes.DafangCounty);

    /// <summary>A new worker placed by the county office at a new employer, with no opening or cohort named.</summary>
    private async Task<(long EmployerId, long WorkerId, JsonObject Placement)> PlacedWorkerAsync()
    {
        var employerId = Http.IdOf(await Seed.EmployerAsync(api));
        var workerId = Http.IdOf(await Seed.WorkerAsync(api));
        return (employerId, workerId, await _client.CreateAsync("/api/placements", Bodies.Placement(workerId, employerId)));
    }

    [Fact]
    public async Task Placement_round_trip_create_read_follow_up_delete()
    {
        var (employerId, _, openingId, cohortId, _) = await Seed.EmployerChainAsync(api);
        var workerId = Http.IdOf(await Seed.WorkerAsync(api));

        using var post = await _client.PostAsync("/api/placements", Bodies.Placement(workerId, employerId, openingId, cohortId));
        var created = await post.ReadObjectAsync(HttpStatusCode.Created);
        var path = $"/api/placements/{Http.IdOf(created)}";
        Assert.Equal(path, post.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", Http.ETagOf(post));
        Assert.Equal("active", created["status"]!.GetValue<string>());
        Assert.Equal(workerId, created["workerId"]!.GetValue<long>());
        Assert.Equal(6200, created["monthlyWage"]!.GetValue<int>());
        // Started 2026-01-10: follow-ups fall due one, three, six and twelve months later, none done yet.
        var followUps = created["followUps"]!.AsArray();
        Assert.Equal([1, 3, 6, 12], followUps.Select(f => f!["month"]!.GetValue<int>()));
        Assert.Equal(["2026-02-10", "2026-04-10", "2026-07-10", "2027-01-10"], followUps.Select(f => f!["dueDate"]!.GetValue<string>()));
        Assert.All(followUps, f => Assert.Null(f!["followedUpOn"]));

        using (var get = await _client.GetAsync(path))
        {
            Assert.Equal("\"1\"", Http.ETagOf(get));
            Crud.AssertSame(created, await get.ReadObjectAsync(HttpStatusCode.OK));
        }

        using var put = await _client.PutAsync($"{path}/follow-ups/1", Bodies.FollowUp(), "\"1\"");
        var followedUp = await put.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("\"2\"", Http.ETagOf(put));
        Assert.Equal(2, followedUp["version"]!.GetValue<int>());
        var first = followedUp["followUps"]![0]!;
        Assert.Equal("2026-02-12", first["followedUpOn"]!.GetValue<string>());
        Assert.True(first["stillEmployed"]!.GetValue<bool>());
        Assert.Equal(6400, first["monthlyWage"]!.GetValue<int>());
        Assert.Equal("适应良好", first["note"]!.GetValue<string>());
        Assert.Equal("active", followedUp["status"]!.GetValue<string>());

        using (var stale = await _client.PutAsync($"{path}/follow-ups/3", Bodies.FollowUp("2026-04-11"), "\"1\""))
        {
            Assert.Equal(2, (await stale.ReadProblemAsync(HttpStatusCode.PreconditionFailed))["currentVersion"]!.GetValue<int>());
        }
        using (var malformed = await _client.PutAsync($"{path}/follow-ups/3", Bodies.FollowUp("2026-04-11"), "latest"))
        {
            await malformed.ReadFieldErrorAsync("If-Match");
        }
        Crud.AssertSame(followedUp, await _client.GetObjectAsync(path));

        await Crud.DeleteAsync(_client, path, currentVersion: 2);
    }

    [Fact]
    public async Task A_follow_up_finding_the_worker_gone_marks_the_placement_as_left()
    {
        var (employerId, workerId, placement) = await PlacedWorkerAsync();
        var path = $"/api/placements/{Http.IdOf(placement)}";

        using var put = await _client.PutAsync($"{path}/follow-ups/3", Bodies.FollowUp("2026-04-12", stillEmployed: false), "\"1\"");
        var left = await put.ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("left", left["status"]!.GetValue<string>());
        Assert.Equal("2026-04-12", left["leftOn"]!.GetValue<string>());
        var listed = await _client.GetObjectAsync($"/api/placements?workerId={workerId}&status=left");
        Assert.Equal(1, listed["total"]!.GetValue<long>());
        // Having left, the worker can be placed again.
        await _client.CreateAsync("/api/placements", Bodies.Placement(workerId, employerId));
    }

    [Fact]
    public async Task Follow_ups_refuse_an_unknown_month_and_a_date_outside_the_placement_and_change_nothing()
    {
        var (_, _, placement) = await PlacedWorkerAsync();
        var path = $"/api/placements/{Http.IdOf(placement)}";

        using (var month = await _client.PutAsync($"{path}/follow-ups/2", Bodies.FollowUp(), "\"1\""))
        {
            await month.ReadFieldErrorAsync("month");
        }
        using (var future = await _client.PutAsync($"{path}/follow-ups/6", Bodies.FollowUp("2026-07-11"), "\"1\""))
        {
            await future.ReadFieldErrorAsync("followedUpOn");
        }
        using (var beforeStart = await _client.PutAsync($"{path}/follow-ups/1", Bodies.FollowUp("2025-12-31"), "\"1\""))
        {
            await beforeStart.ReadFieldErrorAsync("followedUpOn");
        }
        using (var missing = await _client.PutAsync("/api/placements/777777/follow-ups/1", Bodies.FollowUp(), "\"1\""))
        {
            await missing.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        Crud.AssertSame(placement, await _client.GetObjectAsync(path));
    }

    [Fact]
    public async Task A_worker_with_an_active_placement_cannot_be_placed_twice_or_deleted()
    {
        var (employerId, workerId, placement) = await PlacedWorkerAsync();
        var first = Http.IdOf(placement);
        var total = await _client.TotalAsync("/api/placements");

        using var second = await _client.PostAsync("/api/placements", Bodies.Placement(workerId, employerId));
        Assert.Equal(first, (await second.ReadProblemAsync(HttpStatusCode.Conflict))["existingId"]!.GetValue<long>());
        Assert.Equal(total, await _client.TotalAsync("/api/placements"));

        using var deleteWorker = await _client.DeleteAsync($"/api/workers/{workerId}", ifMatch: null);
        await deleteWorker.ReadProblemAsync(HttpStatusCode.Conflict);
        await _client.GetObjectAsync($"/api/workers/{workerId}");
    }

    [Fact]
    public async Task Placing_one_worker_from_several_clients_at_once_stores_one_active_placement()
    {
        var employerId = Http.IdOf(await Seed.EmployerAsync(api));
        var workerId = Http.IdOf(await Seed.WorkerAsync(api));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _client.PostAsync("/api/placements", Bodies.Placement(workerId, employerId))));

        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        var winner = Http.IdOf(await Assert.Single(created).ReadObjectAsync(HttpStatusCode.Created));
        foreach (var loser in responses.Except(created))
        {
            Assert.Equal(winner, (await loser.ReadProblemAsync(HttpStatusCode.Conflict))["existingId"]!.GetValue<long>());
        }
        Assert.Equal(1, await _client.TotalAsync($"/api/placements?workerId={workerId}"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task References_to_missing_or_foreign_records_are_refused_by_field()
    {
        var employerId = Http.IdOf(await Seed.EmployerAsync(api));
        var (_, _, foreignOpening, foreignCohort, _) = await Seed.EmployerChainAsync(api);
        var workerId = Http.IdOf(await Seed.WorkerAsync(api));
        var total = await _client.TotalAsync("/api/placements");

        using (var noWorker = await _client.PostAsync("/api/placements", Bodies.Placement(555_555, employerId)))
        {
            await noWorker.ReadFieldErrorAsync("workerId");
        }
        using (var noEmployer = await _client.PostAsync("/api/placements", Bodies.Placement(workerId, 555_555)))
        {
            await noEmployer.ReadFieldErrorAsync("employerId");
        }
        using (var opening = await _client.PostAsync("/api/placements", Bodies.Placement(workerId, employerId, openingId: foreignOpening)))
        {
            await opening.ReadFieldErrorAsync("openingId");
        }
        using (var cohort = await _client.PostAsync("/api/placements", Bodies.Placement(workerId, employerId, cohortId: foreignCohort)))
        {
            await cohort.ReadFieldErrorAsync("cohortId");
        }
        Assert.Equal(total, await _client.TotalAsync("/api/placements"));
    }
}
