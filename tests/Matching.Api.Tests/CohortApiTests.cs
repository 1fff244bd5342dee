using System.Net;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>
/// Training cohorts (培训班期), run by the enterprise that owns the base: capacity, dates, linked openings and the
/// status lifecycle.
/// </summary>
public sealed class CohortApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Sees every employer's cohorts, so totals show whether anything was written.</summary>
    private readonly HttpClient _admin = api.AsAdmin();

    [Fact]
    public async Task Cohort_round_trip_create_read_replace_delete()
    {
        var (employerId, baseId, openingId, _, enterprise) = await Seed.EmployerChainAsync(api);
        var secondOpening = Http.IdOf(await Seed.OpeningAsync(enterprise, baseId));
        var update = Bodies.Cohort(baseId, openingId, secondOpening);
        update["capacity"] = 60;
        update["status"] = "open";

        var trip = await Crud.RoundTripAsync(enterprise, "/api/cohorts", Bodies.Cohort(baseId, openingId), update);

        Assert.Equal(employerId, trip.Created["employerId"]!.GetValue<long>());
        Assert.Equal("planned", trip.Created["status"]!.GetValue<string>());
        Assert.Equal(40, trip.Created["capacity"]!.GetValue<int>());
        Assert.Equal(0, trip.Created["seatsTaken"]!.GetValue<int>());
        Assert.Equal("2026-07-06", trip.Created["startDate"]!.GetValue<string>());
        Assert.Equal([openingId], trip.Created["linkedOpeningIds"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(60, trip.Updated["capacity"]!.GetValue<int>());
        Assert.Equal("open", trip.Updated["status"]!.GetValue<string>());
        Assert.Equal([openingId, secondOpening], trip.Updated["linkedOpeningIds"]!.AsArray().Select(n => n!.GetValue<long>()));
    }

    [Fact]
    public async Task The_status_only_moves_forward_along_the_lifecycle()
    {
        var (_, baseId, openingId, _, enterprise) = await Seed.EmployerChainAsync(api);
        var cohort = await Seed.CohortAsync(enterprise, baseId, openingId);
        var path = $"/api/cohorts/{Http.IdOf(cohort)}";
        var body = Bodies.Cohort(baseId, openingId);

        // planned → confirmed skips enrolment (open): refused.
        body["status"] = "confirmed";
        using (var skip = await enterprise.PutAsync(path, body, "\"1\""))
        {
            await skip.ReadFieldErrorAsync("status");
        }
        Crud.AssertSame(cohort, await enterprise.GetObjectAsync(path));

        body["status"] = "open";
        using (var open = await enterprise.PutAsync(path, body, "\"1\""))
        {
            await open.ReadObjectAsync(HttpStatusCode.OK);
        }
        body["status"] = "planned";
        using (var back = await enterprise.PutAsync(path, body, "\"2\""))
        {
            await back.ReadFieldErrorAsync("status");
        }
        Assert.Equal("open", (await enterprise.GetObjectAsync(path))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Linking_an_opening_of_another_employer_is_refused()
    {
        var own = await Seed.EmployerChainAsync(api);
        var foreign = await Seed.EmployerChainAsync(api);
        var total = await _admin.TotalAsync("/api/cohorts");

        using var response = await own.Enterprise.PostAsync("/api/cohorts", Bodies.Cohort(own.BaseId, foreign.OpeningId));

        await response.ReadFieldErrorAsync("linkedOpeningIds");
        Assert.Equal(total, await _admin.TotalAsync("/api/cohorts"));
    }

    [Fact]
    public async Task A_cohort_with_a_placement_cannot_be_deleted()
    {
        var (employerId, _, openingId, cohortId, enterprise) = await Seed.EmployerChainAsync(api);
        var workerId = Http.IdOf(await Seed.WorkerAsync(api));
        // The worker's county office records the placement.
        await api.AsCountyOffice(Codes.DafangCounty).CreateAsync("/api/placements", Bodies.Placement(workerId, employerId, openingId, cohortId));

        using var response = await enterprise.DeleteAsync($"/api/cohorts/{cohortId}", ifMatch: null);

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        await _admin.GetObjectAsync($"/api/cohorts/{cohortId}");
    }

    [Fact]
    public async Task Filters_by_status_and_start_dates()
    {
        var (employerId, baseId, openingId, _, enterprise) = await Seed.EmployerChainAsync(api);
        // A county office planning whom to send where reads every employer's cohorts.
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var august = Bodies.Cohort(baseId, openingId);
        august["enrolmentDeadline"] = "2026-07-31";
        august["startDate"] = "2026-08-03";
        august["endDate"] = "2026-08-14";
        var augustId = Http.IdOf(await enterprise.CreateAsync("/api/cohorts", august));

        var ofEmployer = await office.GetObjectAsync($"/api/cohorts?employerId={employerId}&startsFrom=2026-08-01&startsTo=2026-08-31");
        Assert.Equal(1, ofEmployer["total"]!.GetValue<long>());
        Assert.Equal(augustId, Http.IdOf(ofEmployer["items"]![0]!.AsObject()));

        using var reversed = await office.GetAsync("/api/cohorts?startsFrom=2026-09-01&startsTo=2026-08-01");
        await reversed.ReadFieldErrorAsync("startsTo");
        using var unknownStatus = await office.GetAsync("/api/cohorts?status=finished");
        await unknownStatus.ReadFieldErrorAsync("status");
        var planned = await office.GetObjectAsync($"/api/cohorts?employerId={employerId}&status=planned");
        Assert.Equal(2, planned["total"]!.GetValue<long>());
    }
}
