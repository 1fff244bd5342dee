using Matching.Data.Storage;

namespace Matching.Data.Tests;

/// <summary>Duplicates, the outbox written with each indexed change, and optimistic concurrency.</summary>
public class WriteRulesTests(DataFixture data) : IClassFixture<DataFixture>
{
    [Fact]
    public async Task Registering_the_same_id_number_again_is_a_conflict_naming_the_existing_worker_and_writes_nothing()
    {
        var first = data.Worker();
        var existingId = DataFixture.Created(await data.Workers.CreateAsync(first));
        var workers = await data.CountAsync("workers");
        var outbox = await data.CountAsync("outbox");

        // Another clerk registers the same person again, with a different phone and county.
        var again = data.Worker(DataFixture.WorkerInput("520525") with { IdNumber = first.IdNumber.ToLowerInvariant() });
        var result = await data.Workers.CreateAsync(again);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(existingId, result.Id);
        Assert.Contains(existingId.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(first.IdNumber, result.Message, StringComparison.Ordinal);
        Assert.Equal(workers, await data.CountAsync("workers"));
        Assert.Equal(outbox, await data.CountAsync("outbox"));
        Assert.Equal("520102", (await data.Workers.GetAsync(existingId))!.CountyCode);
    }

    [Fact]
    public async Task Simultaneous_registrations_of_one_person_store_one_worker_and_tell_the_others_who_it_is()
    {
        var draft = data.Worker();
        var workers = await data.CountAsync("workers");

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => data.Workers.CreateAsync(draft))));

        var created = Assert.Single(results, r => r.Status == WriteStatus.Ok);
        Assert.All(results.Where(r => r.Status != WriteStatus.Ok), r =>
        {
            Assert.Equal(WriteStatus.Conflict, r.Status);
            Assert.Equal(created.Id, r.Id);
        });
        Assert.Equal(workers + 1, await data.CountAsync("workers"));
    }

    [Fact]
    public async Task Changing_a_worker_to_another_workers_id_number_is_a_conflict_and_changes_nothing()
    {
        var a = data.Worker();
        var aId = DataFixture.Created(await data.Workers.CreateAsync(a));
        var bId = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        var before = await data.Workers.GetAsync(bId);
        var outbox = await data.CountAsync("outbox");

        var result = await data.Workers.UpdateAsync(bId, data.Worker(DataFixture.WorkerInput() with { IdNumber = a.IdNumber }), before!.Version);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(aId, result.Id);
        Assert.Equal(DataFixture.Snapshot(before), DataFixture.Snapshot(await data.Workers.GetAsync(bId)));
        Assert.NotEqual(a.IdNumber, await data.Workers.RevealIdNumberAsync(bId));
        Assert.Equal(outbox, await data.CountAsync("outbox"));
    }

    [Fact]
    public async Task Each_worker_create_update_and_delete_writes_exactly_one_outbox_row()
    {
        var outbox = (await data.OutboxAsync()).Count;
        var id = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        Assert.Equal(("worker", id, "upsert"), Assert.Single((await data.OutboxAsync()).Skip(outbox)));

        Assert.Equal(WriteStatus.Ok, (await data.Workers.UpdateAsync(id, data.Worker(), 1)).Status);
        Assert.Equal(("worker", id, "upsert"), Assert.Single((await data.OutboxAsync()).Skip(outbox + 1)));

        Assert.Equal(WriteStatus.Ok, (await data.Workers.DeleteAsync(id, 2)).Status);
        Assert.Equal(("worker", id, "delete"), Assert.Single((await data.OutboxAsync()).Skip(outbox + 2)));
        Assert.Null(await data.Workers.GetAsync(id));
    }

    [Fact]
    public async Task Each_opening_and_cohort_create_update_and_delete_writes_exactly_one_outbox_row()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var outbox = (await data.OutboxAsync()).Count;

        var openingId = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(baseId)));
        Assert.Equal(WriteStatus.Ok, (await data.Openings.UpdateAsync(openingId, data.Opening(baseId) with { Headcount = 40 }, 1)).Status);
        var cohortId = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId)));
        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.UpdateAsync(cohortId, data.Cohort(baseId, capacity: 35), 1)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.DeleteAsync(cohortId, 2)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Openings.DeleteAsync(openingId, 2)).Status);

        Assert.Equal(
            [
                ("opening", openingId, "upsert"), ("opening", openingId, "upsert"),
                ("cohort", cohortId, "upsert"), ("cohort", cohortId, "upsert"), ("cohort", cohortId, "delete"),
                ("opening", openingId, "delete"),
            ],
            (await data.OutboxAsync()).Skip(outbox));
    }

    [Fact]
    public async Task A_seat_taken_or_given_back_queues_the_cohort_for_the_search_index_so_its_free_seats_stay_true()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var cohortId = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId, status: Matching.Domain.Cohorts.CohortStatus.Open)));
        var workerId = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        var enrolments = new Matching.Data.Enrolments.EnrolmentStore(data.Database, data.Time, data.Environment.Catalogue);
        var outbox = (await data.OutboxAsync()).Count;

        var seat = await enrolments.EnrolAsync(cohortId, workerId, allowWaitlist: true);
        Assert.Equal(Matching.Data.Enrolments.SeatOutcome.Offered, seat.Outcome);
        Assert.Equal(("cohort", cohortId, "upsert"), Assert.Single((await data.OutboxAsync()).Skip(outbox)));

        var (declined, _) = await enrolments.AnswerAsync(seat.EnrolmentId, Matching.Data.Enrolments.EnrolmentAnswer.Decline);
        Assert.Equal(WriteStatus.Ok, declined.Status);
        Assert.Equal(("cohort", cohortId, "upsert"), Assert.Single((await data.OutboxAsync()).Skip(outbox + 1)));
    }

    [Fact]
    public async Task Employers_and_bases_are_not_indexed_and_write_no_outbox_rows()
    {
        var outbox = await data.CountAsync("outbox");
        var employerId = DataFixture.Created(await data.Employers.CreateAsync(data.Employer()));
        var baseId = DataFixture.Created(await data.Bases.CreateAsync(data.Base(employerId)));
        Assert.Equal(WriteStatus.Ok, (await data.Employers.UpdateAsync(employerId, data.Employer("深圳华创新能源科技有限公司"), 1)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Bases.UpdateAsync(baseId, data.Base(employerId, "440100"), 1)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Bases.DeleteAsync(baseId, 2)).Status);
        Assert.Equal(WriteStatus.Ok, (await data.Employers.DeleteAsync(employerId, 2)).Status);
        Assert.Equal(outbox, await data.CountAsync("outbox"));
    }

    [Fact]
    public async Task Update_with_a_stale_version_is_refused_and_leaves_the_row_as_the_other_clerk_saved_it()
    {
        var id = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        // Clerk A saves first (version 1 → 2).
        var savedByA = data.Worker(DataFixture.WorkerInput("520525"));
        Assert.Equal(2, (await data.Workers.UpdateAsync(id, savedByA, 1)).Version);
        var afterA = await data.Workers.GetAsync(id);
        var outbox = await data.CountAsync("outbox");

        // Clerk B still holds version 1.
        var result = await data.Workers.UpdateAsync(id, data.Worker(DataFixture.WorkerInput("522301")), 1);

        Assert.Equal(WriteStatus.PreconditionFailed, result.Status);
        Assert.Equal(2, result.Version);
        Assert.Equal(DataFixture.Snapshot(afterA), DataFixture.Snapshot(await data.Workers.GetAsync(id)));
        Assert.Equal(savedByA.IdNumber, await data.Workers.RevealIdNumberAsync(id));
        Assert.Equal("520525", afterA!.CountyCode);
        Assert.Equal(outbox, await data.CountAsync("outbox"));
    }

    [Fact]
    public async Task Delete_with_a_stale_version_is_refused_and_the_row_stays()
    {
        var (employerId, _) = await data.EmployerWithBaseAsync();
        var openingBase = DataFixture.Created(await data.Bases.CreateAsync(data.Base(employerId)));
        var openingId = DataFixture.Created(await data.Openings.CreateAsync(data.Opening(openingBase)));
        Assert.Equal(WriteStatus.Ok, (await data.Openings.UpdateAsync(openingId, data.Opening(openingBase) with { Headcount = 5 }, 1)).Status);

        var result = await data.Openings.DeleteAsync(openingId, 1);

        Assert.Equal(WriteStatus.PreconditionFailed, result.Status);
        Assert.Equal(5, (await data.Openings.GetAsync(openingId))!.Headcount);
    }

    [Fact]
    public async Task Stale_versions_are_refused_for_employers_bases_and_cohorts_too()
    {
        var (employerId, baseId) = await data.EmployerWithBaseAsync();
        var cohortId = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId)));
        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.UpdateAsync(cohortId, data.Cohort(baseId, capacity: 25), 1)).Status);

        Assert.Equal(WriteStatus.PreconditionFailed, (await data.Employers.UpdateAsync(employerId, data.Employer("改名公司"), 2)).Status);
        Assert.Equal(WriteStatus.PreconditionFailed, (await data.Bases.UpdateAsync(baseId, data.Base(employerId, "440100"), 2)).Status);
        Assert.Equal(WriteStatus.PreconditionFailed, (await data.Cohorts.UpdateAsync(cohortId, data.Cohort(baseId, capacity: 50), 1)).Status);

        Assert.Equal("深圳华创电子科技有限公司", (await data.Employers.GetAsync(employerId))!.Name);
        Assert.Equal("440300", (await data.Bases.GetAsync(baseId))!.CityCode);
        Assert.Equal(25, (await data.Cohorts.GetAsync(cohortId))!.Capacity);
    }

    [Fact]
    public async Task Updating_or_deleting_a_row_that_does_not_exist_is_not_found()
    {
        Assert.Equal(WriteStatus.NotFound, (await data.Workers.UpdateAsync(987_654, data.Worker(), null)).Status);
        Assert.Equal(WriteStatus.NotFound, (await data.Workers.DeleteAsync(987_654, null)).Status);
        Assert.Equal(WriteStatus.NotFound, (await data.Employers.DeleteAsync(987_654, null)).Status);
    }

    [Fact]
    public async Task A_second_employer_with_the_same_credit_code_is_a_conflict_naming_the_first()
    {
        var draft = data.Employer();
        var id = DataFixture.Created(await data.Employers.CreateAsync(draft));
        var employers = await data.CountAsync("employers");

        var result = await data.Employers.CreateAsync(draft with { Name = "另一家公司" });

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(id, result.Id);
        Assert.Equal(employers, await data.CountAsync("employers"));
    }

    [Fact]
    public async Task Rows_keep_what_was_stored_and_carry_the_clock_time()
    {
        var draft = data.Worker(DataFixture.WorkerInput(groups: ["poverty-lifted", "rural-woman"]) with { Notes = "希望包吃包住\n夫妻同厂" });
        var id = DataFixture.Created(await data.Workers.CreateAsync(draft));
        var worker = (await data.Workers.GetAsync(id))!;
        Assert.Equal(draft.Trades, worker.Trades);
        Assert.Equal(draft.PriorityGroups, worker.PriorityGroups);
        Assert.Equal(draft.PreferredDestinations, worker.PreferredDestinations);
        Assert.Equal(draft.BirthDate, worker.BirthDate);
        Assert.Equal(draft.AvailableFrom, worker.AvailableFrom);
        Assert.Equal(draft.Notes, worker.Notes);
        Assert.Equal(draft.Gender, worker.Gender);
        Assert.Equal(FixedClock.Instant, worker.CreatedAt);
        Assert.Equal(1, worker.Version);
    }
}
