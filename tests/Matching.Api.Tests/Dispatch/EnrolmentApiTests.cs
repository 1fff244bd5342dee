using System.Net;
using System.Net.Http.Json;
using Dapper;
using Matching.Scheduling.Tests;

namespace Matching.Api.Tests.Dispatch;

/// <summary>Enrolment through HTTP on the real database: capacity under concurrency, waitlist promotion, overlap, Idempotency-Key.</summary>
public sealed class EnrolmentApiTests
{
    [Fact]
    public async Task Fifty_parallel_enrolments_into_a_twenty_seat_cohort_give_twenty_seats_and_thirty_waitlisted()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, capacity: 20, minSize: 5, deadlineInDays: 10, startInDays: 20);
        var workers = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            workers.Add(await world.WorkerAsync());
        }
        var client = await api.ClientAsync("county_office", "520502");

        var responses = await Task.WhenAll(workers.Select(w => client.PostAsJsonAsync($"/api/cohorts/{cohortId}/enrolments", new { workerId = w })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var statuses = await Task.WhenAll(responses.Select(async r => (await Json.ReadAsync(r)).GetProperty("status").GetString()));
        Assert.Equal(20, statuses.Count(s => s == "offered"));
        Assert.Equal(30, statuses.Count(s => s == "waitlisted"));
        await using var connection = await world.Database.OpenAsync();
        Assert.Equal(20, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM enrolments WHERE cohort_id = @Id AND status IN ('offered', 'accepted')", new { Id = cohortId }));
    }

    [Fact]
    public async Task A_declined_offer_goes_to_the_first_on_the_waitlist()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, capacity: 1, minSize: 1, deadlineInDays: 10, startInDays: 20);
        var client = await api.ClientAsync("county_office", "520502");
        var first = await Json.ReadAsync(await client.PostAsJsonAsync($"/api/cohorts/{cohortId}/enrolments", new { workerId = await world.WorkerAsync() }));
        var second = await Json.ReadAsync(await client.PostAsJsonAsync($"/api/cohorts/{cohortId}/enrolments", new { workerId = await world.WorkerAsync() }));
        Assert.Equal("waitlisted", second.GetProperty("status").GetString());
        Assert.Equal(1, second.GetProperty("waitlistPosition").GetInt32());

        var declined = await client.PostAsync($"/api/enrolments/{first.GetProperty("id").GetInt64()}/decline", null);
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        var promoted = await Json.ReadAsync(await client.GetAsync($"/api/enrolments/{second.GetProperty("id").GetInt64()}"));
        Assert.Equal("offered", promoted.GetProperty("status").GetString());
        Assert.Equal("waitlist", promoted.GetProperty("source").GetString());

        // Accepting a declined offer is refused and changes nothing.
        var again = await client.PostAsync($"/api/enrolments/{first.GetProperty("id").GetInt64()}/accept", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("已婉拒", (await Json.ReadAsync(again)).GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_cannot_hold_overlapping_cohorts_and_the_error_names_the_other_cohort()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (_, baseId, openingId) = await world.EmployerAsync();
        var july = await world.CohortAsync(baseId, openingId, 10, 1, 10, 20, lengthDays: 20, name: "普工岗前培训7月A班");
        var overlapping = await world.CohortAsync(baseId, openingId, 10, 1, 10, 30, lengthDays: 20, name: "普工岗前培训7月B班");
        var worker = await world.WorkerAsync();
        var client = await api.ClientAsync("county_office", "520502");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/cohorts/{july}/enrolments", new { workerId = worker })).StatusCode);

        var refused = await client.PostAsJsonAsync($"/api/cohorts/{overlapping}/enrolments", new { workerId = worker });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("普工岗前培训7月A班", (await Json.ReadAsync(refused)).GetProperty("title").GetString(), StringComparison.Ordinal);
        await using var connection = await world.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM enrolments WHERE cohort_id = @Id", new { Id = overlapping }));
    }

    [Fact]
    public async Task A_county_office_cannot_enrol_another_countys_worker()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, 10, 1, 10, 20);
        var foreign = await world.WorkerAsync(county: "520102");
        var client = await api.ClientAsync("county_office", "520502");
        var refused = await client.PostAsJsonAsync($"/api/cohorts/{cohortId}/enrolments", new { workerId = foreign });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var enterprise = await api.ClientAsync("enterprise", "1");
        Assert.Equal(HttpStatusCode.Forbidden, (await enterprise.PostAsJsonAsync($"/api/cohorts/{cohortId}/enrolments", new { workerId = foreign })).StatusCode);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_returns_the_stored_result_and_another_payload_is_422()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, 10, 1, 10, 20);
        var worker = await world.WorkerAsync();
        var other = await world.WorkerAsync();
        var client = await api.ClientAsync("county_office", "520502");

        HttpRequestMessage Request(long workerId) => new(HttpMethod.Post, $"/api/cohorts/{cohortId}/enrolments")
        {
            Content = JsonContent.Create(new { workerId }),
            Headers = { { "Idempotency-Key", "enrol-2026-06-15-001" } },
        };
        var first = await client.SendAsync(Request(worker));
        var retry = await client.SendAsync(Request(worker));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await Json.ReadAsync(first)).GetProperty("id").GetInt64(), (await Json.ReadAsync(retry)).GetProperty("id").GetInt64());

        var mismatch = await client.SendAsync(Request(other));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatch.StatusCode);
        await using var connection = await world.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM enrolments WHERE cohort_id = @Id", new { Id = cohortId }));
    }

    [Fact]
    public async Task A_request_still_in_flight_under_the_same_key_is_409()
    {
        using var world = new TestWorld();
        var store = new Matching.Data.Idempotency.IdempotencyStore(world.Database, world.Environment.Protector, world.Time);
        Assert.Equal(Matching.Data.Idempotency.IdempotencyStart.Started, (await store.BeginAsync(7, "k1", "abc")).Start);
        Assert.Equal(Matching.Data.Idempotency.IdempotencyStart.InFlight, (await store.BeginAsync(7, "k1", "abc")).Start);
        // Keys are per caller: another user's same key is independent.
        Assert.Equal(Matching.Data.Idempotency.IdempotencyStart.Started, (await store.BeginAsync(8, "k1", "abc")).Start);
        // A request that died mid-way holds its key only for the lease.
        world.Time.Advance(Matching.Data.Idempotency.IdempotencyStore.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(Matching.Data.Idempotency.IdempotencyStart.Started, (await store.BeginAsync(7, "k1", "abc")).Start);
    }
}
