using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Cohorts;
using Matching.Domain.Placements;

namespace Matching.Data.Tests;

/// <summary>References between employers, bases, openings, cohorts, workers and placements are kept consistent.</summary>
public class ReferentialRulesTests(DataFixture data) : IClassFixture<DataFixture>
{
    private static void Invalid(string field, WriteResult result)
    {
        Assert.Equal(WriteStatus.Invalid, result.Status);
        Assert.Equal(field, result.Field);
        Assert.Contains(result.Message!, c => c is >= '\u4e00' and <= '\u9fff');
    }

    [Fact]
    public async Task Employer_with_a_training_base_cannot_be_deleted()
    {
        var (employerId, baseId) = await data.EmployerWithBaseAsync();

        var result = await data.Employers.DeleteAsync(employerId, null);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.NotNull(await data.Employers.GetAsync(employerId));
        Assert.Equal(WriteStatus.Ok, (await data.Bases.DeleteAsync(baseId, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Employers.DeleteAsync(employerId, null)).Status);
        Assert.Null(await data.Employers.GetAsync(employerId));
    }

    [Fact]
    public async Task Base_for_an_unknown_employer_is_refused_on_employerId()
    {
        var bases = await data.CountAsync("training_bases");
        Invalid("employerId", await data.Bases.CreateAsync(data.Base(987_654)));
        Assert.Equal(bases, await data.CountAsync("training_bases"));
    }

    [Fact]
    public async Task Base_cannot_be_moved_to_another_employer()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var (otherEmployer, _) = await data.EmployerWithBaseAsync();
        Invalid("employerId", await data.Bases.UpdateAsync(baseId, data.Base(otherEmployer), null));
    }

    [Fact]
    public async Task Base_with_openings_cannot_be_deleted()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        DataFixture.Created(await data.Openings.CreateAsync(data.Opening(baseId)));
        Assert.Equal(WriteStatus.Conflict, (await data.Bases.DeleteAsync(baseId, null)).Status);
        Assert.NotNull(await data.Bases.GetAsync(baseId));
    }

    [Fact]
    public async Task Opening_at_an_unknown_base_is_refused_on_baseId_and_nothing_is_written()
    {
        var openings = await data.CountAsync("openings");
        var outbox = await data.CountAsync("outbox");
        Invalid("baseId", await data.Openings.CreateAsync(data.Opening(987_654)));
        Assert.Equal(openings, await data.CountAsync("openings"));
        Assert.Equal(outbox, await data.CountAsync("outbox"));
    }

    [Fact]
    public async Task Opening_belongs_to_the_employer_of_its_base_and_cannot_move_to_another_base()
    {
        var (employerId, baseId) = await data.EmployerWithBaseAsync();
        var otherBase = DataFixture.Created(await data.Bases.CreateAsync(data.Base(employerId)));
        var openingId = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(baseId)));
        Assert.Equal(employerId, (await data.Openings.GetAsync(openingId))!.EmployerId);
        Invalid("baseId", await data.Openings.UpdateAsync(openingId, data.Opening(otherBase), null));
    }

    [Fact]
    public async Task Cohort_linking_an_opening_of_another_employer_is_refused_on_linkedOpeningIds_and_nothing_is_written()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var ownOpening = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(baseId)));
        var (_, otherBase) = await data.EmployerWithBaseAsync();
        var foreignOpening = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(otherBase)));
        var cohorts = await data.CountAsync("cohorts");
        var links = await data.CountAsync("cohort_openings");
        var outbox = await data.CountAsync("outbox");

        Invalid("linkedOpeningIds", await data.Cohorts.CreateAsync(data.Cohort(baseId, [ownOpening, foreignOpening])));
        Invalid("linkedOpeningIds", await data.Cohorts.CreateAsync(data.Cohort(baseId, [987_654])));

        Assert.Equal(cohorts, await data.CountAsync("cohorts"));
        Assert.Equal(links, await data.CountAsync("cohort_openings"));
        Assert.Equal(outbox, await data.CountAsync("outbox"));
    }

    [Fact]
    public async Task Cohort_keeps_its_linked_openings_and_an_update_replaces_them()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var first = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(baseId)));
        var second = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(baseId, "T002")));
        var cohortId = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId, [second, first])));
        Assert.Equal([first, second], (await data.Cohorts.GetAsync(cohortId))!.LinkedOpeningIds);

        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.UpdateAsync(cohortId, data.Cohort(baseId, [second]), 1)).Status);
        Assert.Equal([second], (await data.Cohorts.GetAsync(cohortId))!.LinkedOpeningIds);
        Assert.Equal(WriteStatus.Conflict, (await data.Openings.DeleteAsync(second, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Openings.DeleteAsync(first, null)).Status);
    }

    [Fact]
    public async Task Cohort_at_an_unknown_base_is_refused_on_baseId()
    {
        Invalid("baseId", await data.Cohorts.CreateAsync(data.Cohort(987_654)));
    }

    [Fact]
    public async Task Cohort_status_changes_only_through_the_lifecycle_step_the_store_is_given()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var id = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId)));

        // Without the lifecycle, a replacement may not change the status, and nothing of it is written.
        Invalid("status", await data.Cohorts.UpdateAsync(id, data.Cohort(baseId, capacity: 50, status: CohortStatus.Open), null));
        var unchanged = (await data.Cohorts.GetAsync(id))!;
        Assert.Equal((CohortStatus.Planned, 30, 1), (unchanged.Status, unchanged.Capacity, unchanged.Version));

        // A step that refuses: its refusal is the answer, and the other fields are not written either.
        Invalid("status", await data.Cohorts.UpdateAsync(id, data.Cohort(baseId, capacity: 50, status: CohortStatus.Open), null,
            (_, _, _, _, _) => Task.FromResult(WriteResult.Invalid("status", "不行"))));
        Assert.Equal(30, (await data.Cohorts.GetAsync(id))!.Capacity);

        // A step that moves the cohort runs in the same transaction as the other fields.
        string? asked = null;
        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.UpdateAsync(id, data.Cohort(baseId, capacity: 50, status: CohortStatus.Open), null,
            async (connection, tx, cohortId, to, _) =>
            {
                asked = to;
                await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE cohorts SET status = @To WHERE id = @Id", new { To = to, Id = cohortId }, tx);
                return WriteResult.Ok(cohortId, 0);
            })).Status);
        var moved = (await data.Cohorts.GetAsync(id))!;
        Assert.Equal((CohortStatus.Open, CohortStatus.Open, 50), (asked, moved.Status, moved.Capacity));
    }

    [Fact]
    public async Task Capacity_below_the_seats_already_taken_is_refused()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var cohortId = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId, capacity: 10)));
        // Three workers hold seats (offered or accepted); a fourth declined and holds none.
        await using (var connection = await data.Database.OpenAsync())
        {
            foreach (var status in new[] { "accepted", "offered", "accepted", "declined" })
            {
                var workerId = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
                await connection.ExecuteAsync(
                    "INSERT INTO enrolments (cohort_id, worker_id, status, created_at, updated_at) VALUES (@CohortId, @WorkerId, @Status, '2026-03-15', '2026-03-15')",
                    new { CohortId = cohortId, WorkerId = workerId, Status = status });
            }
        }
        Assert.Equal(3, (await data.Cohorts.GetAsync(cohortId))!.SeatsTaken);

        Invalid("capacity", await data.Cohorts.UpdateAsync(cohortId, data.Cohort(baseId, capacity: 2), 1));
        Assert.Equal(10, (await data.Cohorts.GetAsync(cohortId))!.Capacity);

        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.UpdateAsync(cohortId, data.Cohort(baseId, capacity: 3), 1)).Status);
        Assert.Equal(WriteStatus.Conflict, (await data.Cohorts.DeleteAsync(cohortId, null)).Status);
    }

    private async Task<(long WorkerId, long EmployerId)> WorkerAndEmployerAsync()
    {
        var workerId = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        var employerId = DataFixture.Created(await data.Employers.CreateAsync(data.Employer()));
        return (workerId, employerId);
    }

    [Fact]
    public async Task Placement_is_followed_up_at_1_3_6_and_12_months_from_its_start()
    {
        var (workerId, employerId) = await WorkerAndEmployerAsync();
        // Starting on the last day of January: the follow-ups fall on the last day of shorter months.
        var id = DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, null, new DateOnly(2026, 1, 31), 5800)));

        var placement = (await data.Placements.GetAsync(id))!;
        Assert.Equal(PlacementRules.Active, placement.Status);
        Assert.Equal(
            [(1, new DateOnly(2026, 2, 28)), (3, new DateOnly(2026, 4, 30)), (6, new DateOnly(2026, 7, 31)), (12, new DateOnly(2027, 1, 31))],
            placement.FollowUps.Select(f => (f.Month, f.DueDate)));
        Assert.All(placement.FollowUps, f => Assert.Null(f.FollowedUpOn));
    }

    [Fact]
    public async Task Follow_up_finding_the_worker_gone_marks_the_placement_left_and_frees_the_worker()
    {
        var (workerId, employerId) = await WorkerAndEmployerAsync();
        var id = DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, null, new DateOnly(2025, 12, 1), 5800)));

        var stayed = await data.Placements.RecordFollowUpAsync(id, 1, new FollowUpDraft(new DateOnly(2026, 1, 3), true, 6000, "适应良好"), 1);
        Assert.Equal(2, stayed.Version);
        Assert.Equal(PlacementRules.Active, (await data.Placements.GetAsync(id))!.Status);

        Assert.Equal(WriteStatus.Ok, (await data.Placements.RecordFollowUpAsync(id, 3, new FollowUpDraft(new DateOnly(2026, 3, 2), false, null, "已回乡"), 2)).Status);

        var placement = (await data.Placements.GetAsync(id))!;
        Assert.Equal(PlacementRules.Left, placement.Status);
        Assert.Equal(new DateOnly(2026, 3, 2), placement.LeftOn);
        var threeMonths = placement.FollowUps.Single(f => f.Month == 3);
        Assert.Equal((new DateOnly(2026, 3, 2), (bool?)false, "已回乡"), (threeMonths.FollowedUpOn!.Value, threeMonths.StillEmployed, threeMonths.Note));
        Assert.Equal(6000, placement.FollowUps.Single(f => f.Month == 1).MonthlyWage);

        // Once left, the worker may be placed again.
        DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, null, new DateOnly(2026, 3, 10), 6200)));
    }

    [Fact]
    public async Task Follow_up_for_a_month_that_is_not_scheduled_is_refused()
    {
        var (workerId, employerId) = await WorkerAndEmployerAsync();
        var id = DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, null, new DateOnly(2026, 1, 5), 5800)));
        Invalid("month", await data.Placements.RecordFollowUpAsync(id, 2, new FollowUpDraft(new DateOnly(2026, 3, 5), false, null, null), null));
        Assert.Equal(PlacementRules.Active, (await data.Placements.GetAsync(id))!.Status);
        Assert.Equal(WriteStatus.PreconditionFailed, (await data.Placements.RecordFollowUpAsync(id, 1, new FollowUpDraft(new DateOnly(2026, 2, 5), true, null, null), 7)).Status);
    }

    [Fact]
    public async Task Second_active_placement_of_the_same_worker_is_a_conflict_naming_the_first()
    {
        var (workerId, employerId) = await WorkerAndEmployerAsync();
        var first = DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, null, new DateOnly(2026, 1, 5), 5800)));
        var placements = await data.CountAsync("placements");
        var followUps = await data.CountAsync("placement_follow_ups");

        var otherEmployer = DataFixture.Created(await data.Employers.CreateAsync(data.Employer()));
        var result = await data.Placements.CreateAsync(new PlacementDraft(workerId, otherEmployer, null, null, new DateOnly(2026, 3, 1), 6500));

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(first, result.Id);
        Assert.Equal(placements, await data.CountAsync("placements"));
        Assert.Equal(followUps, await data.CountAsync("placement_follow_ups"));
    }

    [Fact]
    public async Task Placement_references_must_exist_and_belong_to_the_employer()
    {
        var (workerId, employerId) = await WorkerAndEmployerAsync();
        var (otherEmployer, otherBase) = await data.EmployerWithBaseAsync();
        var foreignOpening = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(otherBase)));
        var foreignCohort = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(otherBase)));
        var start = new DateOnly(2026, 3, 1);
        var placements = await data.CountAsync("placements");

        Invalid("workerId", await data.Placements.CreateAsync(new PlacementDraft(987_654, employerId, null, null, start, 5800)));
        Invalid("employerId", await data.Placements.CreateAsync(new PlacementDraft(workerId, 987_654, null, null, start, 5800)));
        Invalid("openingId", await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, foreignOpening, null, start, 5800)));
        Invalid("cohortId", await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, foreignCohort, start, 5800)));
        Assert.Equal(placements, await data.CountAsync("placements"));

        DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, otherEmployer, foreignOpening, foreignCohort, start, 5800)));
    }

    [Fact]
    public async Task Worker_with_a_placement_and_employer_with_a_placement_cannot_be_deleted()
    {
        var (workerId, employerId) = await WorkerAndEmployerAsync();
        DataFixture.Created(await data.Placements.CreateAsync(new PlacementDraft(workerId, employerId, null, null, new DateOnly(2026, 2, 1), 5800)));
        Assert.Equal(WriteStatus.Conflict, (await data.Workers.DeleteAsync(workerId, null)).Status);
        Assert.Equal(WriteStatus.Conflict, (await data.Employers.DeleteAsync(employerId, null)).Status);
        Assert.NotNull(await data.Workers.GetAsync(workerId));
    }
}
