using Dapper;
using Matching.Data.Alerts;
using Matching.Data.Cohorts;
using Matching.Data.Enrolments;
using Matching.Data.Notifications;
using Matching.Data.Outbox;
using Matching.Data.Ranking;
using Matching.Data.Reports;
using Matching.Data.Search;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Cohorts;
using Matching.Domain.Enrolments;
using Matching.Domain.Placements;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// The readers beside the stores that search, ranking, scheduling, the API and the benchmarks use (their SQL lives
/// here, in the data layer), on every engine of the suite.
/// </summary>
public abstract partial class StorageBehaviourSuite
{
    [SkippableFact]
    public async Task Search_rows_page_workers_and_openings_in_id_order_with_linked_cohorts_seats_and_placements()
    {
        var rows = new SearchRows(Data.Database);
        var countsBefore = await rows.CountsAsync();
        var (employerId, _, openingId, cohortId) = await OpenCohortAsync(capacity: 3);
        var workers = new[] { await NewWorkerAsync("520502"), await NewWorkerAsync("520521"), await NewWorkerAsync("520502") };

        var page = await rows.WorkersAfterAsync(workers[0] - 1, 2);
        Assert.Equal(workers.Take(2), page.Select(w => w.Id));
        Assert.Equal(("520502", false), (page[0].CountyCode, page[0].InActivePlacement));
        Assert.Equal(["T001"], page[0].Trades.Select(t => t.TradeId));
        Assert.Equal([workers[2]], (await rows.WorkersAfterAsync(workers[1], 10)).Select(w => w.Id));

        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(workers[0], employerId, openingId, null, Today, 5000)));
        var byId = await rows.WorkersAsync([workers[0], workers[2], long.MaxValue - 7]);
        Assert.Equal([(workers[0], true), (workers[2], false)], byId.Select(w => (w.Id, w.InActivePlacement)).Order());
        Assert.Empty(await rows.WorkersAsync([]));

        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(cohortId, workers[1], allowWaitlist: false)).Outcome);
        var opening = await rows.OpeningsAsync([openingId, long.MaxValue - 7]);
        var row = Assert.Single(opening.Openings);
        Assert.Equal((openingId, employerId, "440000", "440300", "T001"), (row.Id, row.EmployerId, row.ProvinceCode, row.CityCode, row.TradeId));
        var linked = Assert.Single(opening.Cohorts[openingId]);
        Assert.Equal((cohortId, CohortStatus.Open, 3L, 1L), (linked.Id, linked.Status, linked.Capacity, linked.SeatsTaken));
        var after = await rows.OpeningsAfterAsync(openingId - 1, 1);
        Assert.Equal([openingId], after.Openings.Select(o => o.Id));
        Assert.Equal([cohortId], after.Cohorts[openingId].Select(c => c.Id));
        Assert.Empty((await rows.OpeningsAsync([])).Openings);
        Assert.Equal([openingId], await rows.OpeningsOfCohortAsync(cohortId));

        var counts = await rows.CountsAsync();
        Assert.Equal((countsBefore.Workers + 3, countsBefore.Openings + 1), counts);
        var sample = await rows.SampleIdsAsync(workers: true, 5);
        Assert.InRange(sample.Count, 1, 5);
        Assert.Equal(sample.Order(), sample);
        Assert.Equal(sample.Count, (await rows.WorkersAsync(sample)).Count);
        var openings = await rows.SampleIdsAsync(workers: false, 3);
        Assert.InRange(openings.Count, 1, 3);
        Assert.Equal(openings.Count, (await rows.OpeningsAsync(openings)).Openings.Count);
        Assert.Empty(await rows.SampleIdsAsync(workers: true, 0));
    }

    [SkippableFact]
    public async Task The_outbox_queue_gives_due_rows_in_order_backs_off_a_failure_sets_it_aside_and_says_what_waits()
    {
        var queue = new OutboxQueue(Data.Database);
        var now = FixedClock.Instant;
        // Everything other tests queued counts as done, so what waits below is this test's own.
        var before = await queue.HighWaterMarkAsync();
        await queue.MarkCoveredAsync(before, now);
        var statusBefore = await queue.StatusAsync();
        Assert.Equal((0L, (string?)null, 0L), (statusBefore.Pending, statusBefore.Oldest, statusBefore.Failing));

        var first = await NewWorkerAsync();
        var second = await NewWorkerAsync();
        var due = await queue.DueAsync(10, now);
        Assert.Equal([(WorkerStore.OutboxEntity, first, OutboxWriter.Upsert), (WorkerStore.OutboxEntity, second, OutboxWriter.Upsert)],
            due.Select(e => (e.Entity, e.EntityId, e.Operation)));
        Assert.Equal(due.Select(e => e.Id).Order(), due.Select(e => e.Id));
        Assert.Single(await queue.DueAsync(1, now));
        Assert.Equal(due.Select(e => e.Id), (await queue.AfterAsync(before)).Select(e => e.Id));
        Assert.Equal([first, second], (await queue.ChangedAsync(WorkerStore.OutboxEntity, before, await queue.HighWaterMarkAsync())).Order());
        Assert.Empty(await queue.ChangedAsync(CohortStore.OutboxEntity, before, await queue.HighWaterMarkAsync()));

        // The first fails: it waits out its back-off while the second goes on, and the status names the failure.
        await queue.MarkFailedAsync([due[0].Id], now.AddMinutes(1), "IndexError: " + new string('x', 1200));
        Assert.Equal([due[1].Id], (await queue.DueAsync(10, now)).Select(e => e.Id));
        var retried = Assert.Single(await queue.DueAsync(10, now.AddMinutes(2)), e => e.Id == due[0].Id);
        Assert.Equal((1, (DateTimeOffset?)now.AddMinutes(1)), (retried.Attempts, retried.NextAttemptAt));
        var status = await queue.StatusAsync();
        Assert.Equal((2L, 1L), (status.Pending, status.Failing));
        Assert.Equal(DatabaseCopy.StoredInstant(now), status.Oldest);
        Assert.Equal(1000, status.LastError!.Length);
        Assert.StartsWith("IndexError: ", status.LastError, StringComparison.Ordinal);

        await queue.MarkProcessedAsync([due[1].Id], now);
        await queue.SetAsideAsync(due[0].Id, now);
        status = await queue.StatusAsync();
        Assert.Equal((0L, statusBefore.SetAside + 1), (status.Pending, status.SetAside));
        var setAside = Assert.Single(status.SetAsideRows, r => r.Id == due[0].Id);
        Assert.Equal((WorkerStore.OutboxEntity, first, 1, DatabaseCopy.StoredInstant(now)), (setAside.Entity, setAside.EntityId, setAside.Attempts, setAside.SetAsideAt));
        Assert.Empty(await queue.DueAsync(10, now.AddHours(1)));
        // A replay still sees both: it applies every change after a mark, processed or not.
        Assert.Equal(2, (await queue.AfterAsync(before)).Count);
    }

    [SkippableFact]
    public async Task Ranking_reads_profiles_with_upcoming_intakes_recalls_candidates_by_relevance_and_reads_outcomes()
    {
        var (employerId, _, openingId, cohortId) = await OpenCohortAsync();
        var candidate = await NewWorkerAsync("520502");
        var inGroup = DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(DataFixture.WorkerInput("520502", groups: ["monitored"]))));
        var placed = await NewWorkerAsync("520502");
        var profiles = new ProfileRows(Data.Database);

        var worker = Assert.Single(await profiles.WorkersAsync([candidate, candidate, long.MaxValue - 9]));
        Assert.Equal((candidate, "520502", 5500L, FixedClock.Instant), (worker.Id, worker.CountyCode, worker.ExpectedWage, worker.CreatedAt));
        var read = await profiles.OpeningsAsync([openingId], Today);
        var opening = Assert.Single(read.Openings);
        var intake = Assert.Single(read.Intakes);
        Assert.Equal((openingId, CohortStatus.Open, new DateOnly(2026, 4, 8), 0L), (intake.OpeningId, intake.Status, intake.StartDate, intake.SeatsTaken));
        Assert.Empty((await profiles.OpeningsAsync([openingId], new DateOnly(2026, 4, 2))).Intakes);
        var open = await profiles.OpenOpeningsAsync(Today);
        Assert.Contains(open.Openings, o => o.Id == openingId);
        Assert.Contains(open.Intakes, i => i.OpeningId == openingId);

        // Recall for the opening's intake: same trade (+4), destination province named first (+1) and contained (+1).
        var placementId = DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(placed, employerId, openingId, null, Today.AddMonths(-7), 5200)));
        var recall = new CandidateWorkers(Data.Database, Data.Environment.Catalogue);
        async Task<List<CandidateWorkerRow>> RecallAsync(IReadOnlyList<string>? counties, bool priorityOnly)
        {
            var found = new List<CandidateWorkerRow>();
            await foreach (var row in recall.InRelevanceOrderAsync(opening.Terms, new DateOnly(2026, 4, 8), counties, priorityOnly))
            {
                found.Add(row);
            }
            return found;
        }
        var all = await RecallAsync(null, false);
        var mine = Assert.Single(all, r => r.Id == candidate);
        Assert.Equal(6L, mine.Relevance);
        Assert.Equal("T001", Assert.Single(mine.Terms.Trades).TradeId);
        Assert.Equal(all.Select(r => r.Relevance).OrderDescending(), all.Select(r => r.Relevance));
        Assert.DoesNotContain(all, r => r.Id == placed);
        Assert.Contains(await RecallAsync(["520502"], false), r => r.Id == candidate);
        Assert.Empty(await RecallAsync(["520999"], false));
        Assert.Empty(await RecallAsync([], false));
        var priority = await RecallAsync(["520502"], true);
        Assert.Contains(priority, r => r.Id == inGroup);
        Assert.DoesNotContain(priority, r => r.Id == candidate);

        // Outcomes: the placement made without an offer, retained at its six-month follow-up.
        var version = (await Data.Placements.GetAsync(placementId))!.Version;
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.RecordFollowUpAsync(placementId, 6, new FollowUpDraft(Today.AddMonths(-1), true, 5300, null), version)).Status);
        var outcomes = new RetentionRows(Data.Database);
        var outcome = Assert.Single(await outcomes.PlacementsAsync(), p => p.EmployerId == employerId);
        Assert.Equal(("520502", Today.AddMonths(-7), (bool?)true, (DateOnly?)Today.AddMonths(-1)), (outcome.CountyCode, outcome.StartDate, outcome.StillEmployed, outcome.FollowedUpOn));
        var label = Assert.Single(await outcomes.OffersAsync(), o => o.WorkerId == placed);
        Assert.Equal((openingId, "placed", Today.AddMonths(-7), (bool?)true, (double?)null),
            (label.OpeningId, label.Outcome, label.OfferedOn, label.StillEmployedAtSixMonths, label.SearchScore));
    }

    [SkippableFact]
    public async Task A_rematch_lists_cohorts_with_free_seats_by_start_and_the_workers_trades()
    {
        var (_, _, _, cohortId) = await OpenCohortAsync(capacity: 1);
        var worker = await NewWorkerAsync();
        var rematch = new RematchCohorts(Data.Database);
        Assert.Equal(["T001"], await rematch.WorkerTradesAsync(worker));
        Assert.Empty(await rematch.WorkerTradesAsync(long.MaxValue - 11));

        var listed = await rematch.WithSeatsAsync(Today);
        var cohort = Assert.Single(listed, c => c.Id == cohortId);
        Assert.Equal((1L, new DateOnly(2026, 4, 8)), (cohort.SeatsLeft, cohort.StartDate));
        Assert.Equal(["T001"], cohort.TradeIds);
        Assert.Equal(listed.OrderBy(c => c.StartDate).ThenBy(c => c.Id).Select(c => c.Id), listed.Select(c => c.Id));
        Assert.DoesNotContain(await rematch.WithSeatsAsync(new DateOnly(2026, 4, 2)), c => c.Id == cohortId);

        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(cohortId, worker, allowWaitlist: false)).Outcome);
        Assert.DoesNotContain(await rematch.WithSeatsAsync(Today), c => c.Id == cohortId);
    }

    [SkippableFact]
    public async Task The_cohort_schedule_follows_the_outbox_from_its_watermark_and_reads_a_cohorts_dates()
    {
        var schedule = new CohortScheduleRows(Data.Database);
        var (_, baseId, openingId, running) = await OpenCohortAsync();
        var cancelled = DataFixture.Created(await Data.Cohorts.CreateAsync(Data.Cohort(baseId, [openingId], 2, CohortStatus.Cancelled)));

        // No watermark yet: every cohort still running is looked at.
        await using (var connection = await Data.Database.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM scheduling_state");
        }
        var (first, upTo) = await schedule.ChangedSinceWatermarkAsync();
        Assert.Contains(running, first);
        Assert.DoesNotContain(cancelled, first);
        Assert.Equal(await new OutboxQueue(Data.Database).HighWaterMarkAsync(), upTo);

        // Then only the cohorts changed since: set twice (a new row, then the same row moved on).
        await schedule.SetWatermarkAsync(upTo, FixedClock.Instant);
        var (_, _, _, added) = await OpenCohortAsync();
        var (changed, next) = await schedule.ChangedSinceWatermarkAsync();
        Assert.Equal([added], changed);
        await schedule.SetWatermarkAsync(next, FixedClock.Instant);
        Assert.Empty((await schedule.ChangedSinceWatermarkAsync()).CohortIds);

        var dates = await schedule.DatesAsync(added);
        Assert.Equal((CohortStatus.Open, new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 8), new DateOnly(2026, 4, 30)),
            (dates!.Status, dates.EnrolmentDeadline, dates.StartDate, dates.EndDate));
        Assert.Null(await schedule.DatesAsync(long.MaxValue - 13));
    }

    [SkippableFact]
    public async Task A_cohorts_steps_read_it_remind_once_move_it_and_cancel_its_seats_inside_one_transaction()
    {
        var (_, _, _, cohortId) = await OpenCohortAsync(capacity: 3);
        var offered = await NewWorkerAsync();
        var accepted = await NewWorkerAsync();
        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(cohortId, offered, allowWaitlist: false)).Outcome);
        var seat = await Enrolments.EnrolAsync(cohortId, accepted, allowWaitlist: false);
        Assert.Equal(WriteStatus.Ok, (await Enrolments.AnswerAsync(seat.EnrolmentId, EnrolmentAnswer.Accept)).Result.Status);
        var outboxBefore = (await Data.OutboxAsync()).Count;

        var (reminders, again, held, cancelledWorkers) = await Data.Database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = (await CohortSteps.CohortAsync(connection, tx, cohortId))!;
            Assert.Equal((CohortStatus.Open, 1L, 1L, "440300"), (cohort.Status, cohort.Accepted, cohort.MinSize, cohort.CityCode));
            Assert.Equal(["T001"], Codes.Split(cohort.Trades));
            Assert.Equal(CohortStatus.Open, await CohortSteps.StatusAsync(connection, tx, cohortId));
            Assert.Null(await CohortSteps.CohortAsync(connection, tx, long.MaxValue - 17));
            Assert.Null(await CohortSteps.StatusAsync(connection, tx, long.MaxValue - 17));
            var reminders = await CohortSteps.RemindAsync(connection, tx, cohortId, NotificationStore.CohortStartReminder, "三天后开班", FixedClock.Instant);
            var again = await CohortSteps.RemindAsync(connection, tx, cohortId, NotificationStore.CohortStartReminder, "三天后开班", FixedClock.Instant);
            var worker = (await CohortSteps.WorkerAsync(connection, tx, accepted))!;
            Assert.Equal((accepted, "520102", false), (worker.Row.Id, worker.Row.CountyCode, worker.Row.InActivePlacement));
            Assert.Null(await CohortSteps.WorkerAsync(connection, tx, long.MaxValue - 17));

            await CohortSteps.SetStatusAsync(connection, tx, cohort, CohortStatus.Cancelled, FixedClock.Instant);
            Assert.Equal(CohortStatus.Cancelled, cohort.Status);
            var cancelledWorkers = await CohortSteps.CancelEnrolmentsAsync(connection, tx, cohortId, "班期已取消", FixedClock.Instant);
            // Its seats no longer bind the worker's dates.
            Assert.Empty((await CohortSteps.WorkerAsync(connection, tx, accepted))!.Held);
            return (reminders, again, worker.Held, cancelledWorkers);
        });
        Assert.Equal((2, 0), (reminders, again));
        Assert.Equal(cohortId, Assert.Single(held).CohortId);
        Assert.Equal([accepted, offered], cancelledWorkers);
        Assert.Equal(CohortStatus.Cancelled, (await Data.Cohorts.GetAsync(cohortId))!.Status);
        Assert.All((await Enrolments.ListAsync(new EnrolmentFilter(CohortId: cohortId), 1, 20)).Items,
            e => Assert.Equal((EnrolmentStatus.Cancelled, "班期已取消"), (e.Status, e.Note)));
        Assert.Equal(("cohort", cohortId, "upsert"), (await Data.OutboxAsync()).Skip(outboxBefore).Single());
    }

    [SkippableFact]
    public async Task Report_counts_count_the_period_per_county_and_the_baseline_reads_the_same_passes_once_per_count()
    {
        var counts = new ReportCounts(Data.Database);
        var from = new DateOnly(2026, 3, 1);
        var to = new DateOnly(2026, 4, 1);
        static long Figure(IReadOnlyList<ReportFigure> figures, string county, string metric) =>
            figures.Where(f => f.CountyCode == county && f.Metric == metric).Sum(f => f.Value);
        var before = await counts.ComputeAsync(from, to);

        var (employerId, _, openingId, _) = await OpenCohortAsync();
        var worker = DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(DataFixture.WorkerInput("520402", groups: ["monitored"]))));
        await NewWorkerAsync("520402");
        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(worker, employerId, openingId, null, new DateOnly(2026, 3, 2), 5000)));
        var after = await counts.ComputeAsync(from, to);
        Assert.Equal(Figure(before, "520402", "registrations") + 2, Figure(after, "520402", "registrations"));
        Assert.Equal(Figure(before, "520402", "priority-registrations") + 1, Figure(after, "520402", "priority-registrations"));
        Assert.Equal(Figure(before, "520402", "placements") + 1, Figure(after, "520402", "placements"));
        Assert.Equal(Figure(before, "520402", "priority-placements") + 1, Figure(after, "520402", "priority-placements"));
        Assert.All(after, f => Assert.NotEqual(0L, f.Value));
        Assert.DoesNotContain(await counts.ComputeAsync(new DateOnly(2091, 1, 1), new DateOnly(2091, 2, 1)), f => f.Metric == "registrations");

        // The baseline runs each pass once per count it computes: the registration and placement passes (two counts each)
        // are read twice, each at least one row per county they counted.
        int Counties(string metric) => after.Where(f => f.Metric == metric).Select(f => f.CountyCode).Distinct().Count();
        Assert.True(await counts.OnePassPerCountAsync(from, to) >= 2 * Counties("registrations") + 2 * Counties("placements"));
    }

    [SkippableFact]
    public async Task An_employer_sees_in_clear_the_workers_who_accepted_its_offer_or_were_placed_with_it()
    {
        var (employerId, _, openingId, cohortId) = await OpenCohortAsync();
        var (otherEmployer, _) = await Data.EmployerWithBaseAsync();
        var offered = await NewWorkerAsync();
        var accepted = await NewWorkerAsync();
        var placed = await NewWorkerAsync();
        var elsewhere = await NewWorkerAsync();
        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(cohortId, offered, allowWaitlist: false)).Outcome);
        var seat = await Enrolments.EnrolAsync(cohortId, accepted, allowWaitlist: false);
        Assert.Equal(WriteStatus.Ok, (await Enrolments.AnswerAsync(seat.EnrolmentId, EnrolmentAnswer.Accept)).Result.Status);
        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(placed, employerId, openingId, null, Today, 5000)));
        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(elsewhere, otherEmployer, null, null, Today, 5000)));

        await using var connection = await Data.Database.OpenAsync();
        var clear = await WorkerStore.AcceptedByEmployerAsync(connection, employerId);
        Assert.Equal([accepted, placed], clear.Order());
        Assert.Equal([elsewhere], (await WorkerStore.AcceptedByEmployerAsync(connection, otherEmployer)).Order());
    }

    [SkippableFact]
    public async Task The_readiness_probe_answers_on_a_migrated_database_and_throws_on_one_without_the_schema()
    {
        await Data.Database.ProbeAsync();
        using var folder = new TempFolder();
        var empty = new Database(SqliteDialect.Instance, $"Data Source={Path.Combine(folder.Path, "empty.db")};Pooling=False");
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => empty.ProbeAsync());
    }
}
