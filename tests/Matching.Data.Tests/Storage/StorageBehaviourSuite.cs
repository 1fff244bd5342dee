using System.Globalization;
using Dapper;
using Matching.Data.Access;
using Matching.Data.Demo;
using Matching.Data.Dispatch;
using Matching.Data.Enrolments;
using Matching.Data.Idempotency;
using Matching.Data.Notifications;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Cohorts;
using Matching.Domain.Enrolments;
using Matching.Domain.Placements;
using Matching.Domain.Subsidies;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// The behaviour of every store of the data layer, written once and run on each storage engine (one subclass per
/// provider): SQLite always; the SQL Server dialect's statements parsed and run translated on SQLite always; a real
/// SQL Server when <c>SQLSERVER_CONNECTION</c> is set. Each test works on rows it creates itself, so the tests of a
/// class share one database.
/// </summary>
public abstract partial class StorageBehaviourSuite(StorageProvider provider)
{
    /// <summary>The stores this suite covers; <see cref="StoreCoverageTests"/> checks that no store of the data layer is missing.</summary>
    public static readonly IReadOnlyList<Type> StoresCovered =
    [
        typeof(Workers.WorkerStore), typeof(Employers.EmployerStore), typeof(Bases.TrainingBaseStore), typeof(Openings.OpeningStore),
        typeof(Cohorts.CohortStore), typeof(Placements.PlacementStore), typeof(EnrolmentStore), typeof(DispatchRoundStore),
        typeof(DispatchInputs), typeof(NotificationStore), typeof(ReportStore), typeof(IdempotencyStore), typeof(UserStore),
        typeof(AuditLog), typeof(DemoSeeder), typeof(DemoHistory), typeof(Operations.BackgroundProblems), typeof(Statistics.StatisticsStore),
        typeof(Imports.ImportJobStore), typeof(InboxStore), typeof(WebhookOutbox), typeof(Placements.FollowUpStore), typeof(Alerts.JobLossAlertStore),
        typeof(Institutions.InstitutionStore), typeof(Training.TrainingRecordStore), typeof(Training.TrainingHistoryStore), typeof(Training.TargetCountStore),
        typeof(Subsidies.SubsidyClaimStore), typeof(DemoTraining),
        typeof(Search.SearchRows), typeof(Outbox.OutboxQueue), typeof(Ranking.ProfileRows), typeof(Ranking.CandidateWorkers), typeof(Ranking.RetentionRows),
        typeof(Alerts.RematchCohorts), typeof(Cohorts.CohortScheduleRows), typeof(ReportCounts),
    ];

    private DataFixture Data
    {
        get
        {
            Skip.If(provider.SkipReason is not null, provider.SkipReason);
            return provider.Data;
        }
    }

    private static readonly DateOnly Today = FixedClock.Today;

    private async Task<(long EmployerId, long BaseId, long OpeningId, long CohortId)> OpenCohortAsync(int capacity = 2)
    {
        var (employerId, baseId) = await Data.EmployerWithBaseAsync();
        var openingId = DataFixture.Created(await Data.Openings.CreateAsync(Data.Opening(baseId)));
        var cohortId = DataFixture.Created(await Data.Cohorts.CreateAsync(Data.Cohort(baseId, [openingId], capacity, CohortStatus.Open)));
        return (employerId, baseId, openingId, cohortId);
    }

    private async Task<long> NewWorkerAsync(string county = "520102") => DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(county)));

    private EnrolmentStore Enrolments => new(Data.Database, Data.Time, Data.Environment.Catalogue);

    [SkippableFact]
    public async Task Catalogue_version_is_recorded_when_the_database_is_opened()
    {
        await using var connection = await Data.Database.OpenAsync();
        Assert.Equal(Data.Environment.Catalogue.Version,
            await connection.ExecuteScalarAsync<string>("SELECT version FROM catalogue_versions WHERE catalogue = 'reference'"));
    }

    [SkippableFact]
    public async Task Worker_round_trips_every_field_with_personal_data_hashed_encrypted_and_masked()
    {
        var draft = Data.Worker(DataFixture.WorkerInput("520502", groups: ["monitored"]) with { Notes = "会开叉车，想去广东" });
        var id = DataFixture.Created(await Data.Workers.CreateAsync(draft));

        var worker = await Data.Workers.GetAsync(id);
        Assert.NotNull(worker);
        Assert.Equal((draft.RealName, draft.BirthDate, draft.CountyCode, draft.AvailableFrom, draft.Notes, 1),
            (worker.RealName, worker.BirthDate, worker.CountyCode, worker.AvailableFrom, worker.Notes, worker.Version));
        Assert.Equal(draft.Trades, worker.Trades);
        Assert.Equal(["monitored"], worker.PriorityGroups);
        Assert.Equal(FixedClock.Instant, worker.CreatedAt);
        Assert.DoesNotContain(draft.IdNumber, worker.IdNumberMasked, StringComparison.Ordinal);
        Assert.Equal(draft.IdNumber, await Data.Workers.RevealIdNumberAsync(id));
        Assert.Equal(draft.Phone, await Data.Workers.RevealPhoneAsync(id));
        Assert.Equal(id, await Data.Workers.FindByIdNumberAsync(draft.IdNumber));
        await using var connection = await Data.Database.OpenAsync();
        var stored = await connection.QuerySingleAsync<byte[]>("SELECT id_number_cipher FROM workers WHERE id = @Id", new { Id = id });
        Assert.DoesNotContain(draft.IdNumber, System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_same_ID_number_registered_at_once_by_several_clerks_is_stored_once()
    {
        var draft = Data.Worker();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Data.Workers.CreateAsync(draft))));
        var created = Assert.Single(results, r => r.Status == WriteStatus.Ok);
        Assert.All(results.Where(r => r.Status != WriteStatus.Ok), r => Assert.Equal((WriteStatus.Conflict, created.Id), (r.Status, r.Id)));
    }

    [SkippableFact]
    public async Task A_stale_version_changes_nothing_and_the_current_one_moves_the_version_on()
    {
        var id = await NewWorkerAsync();
        var changed = Data.Worker(DataFixture.WorkerInput("520103"));
        Assert.Equal(WriteStatus.PreconditionFailed, (await Data.Workers.UpdateAsync(id, changed, expectedVersion: 7)).Status);
        Assert.Equal("520102", (await Data.Workers.GetAsync(id))!.CountyCode);

        var result = await Data.Workers.UpdateAsync(id, changed, expectedVersion: 1);
        Assert.Equal((WriteStatus.Ok, 2), (result.Status, result.Version));
        Assert.Equal(("520103", 2), ((await Data.Workers.GetAsync(id))!.CountyCode, (await Data.Workers.GetAsync(id))!.Version));
        Assert.Equal(WriteStatus.NotFound, (await Data.Workers.UpdateAsync(long.MaxValue - 1, changed, null)).Status);
    }

    [SkippableFact]
    public async Task Worker_lists_filter_in_SQL_and_page_in_id_order()
    {
        var trade = "T0" + (10 + DataFixture.Next() % 80).ToString(CultureInfo.InvariantCulture);
        var county = "520203";
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(DataFixture.WorkerInput(county, "T029", groups: ["poverty-lifted"])))));
        }
        var filter = new Workers.WorkerFilter(CountyCodes: [county], TradeId: "T029", PriorityGroup: "poverty-lifted");
        var all = await Data.Workers.ListAsync(filter, 1, 200);
        Assert.Subset(all.Items.Select(w => w.Id).ToHashSet(), ids.ToHashSet());
        Assert.All(all.Items, w => Assert.Equal(county, w.CountyCode));
        Assert.Equal(all.Items.Select(w => w.Id).Order(), all.Items.Select(w => w.Id));

        var page2 = await Data.Workers.ListAsync(filter, 2, 1);
        Assert.Equal(all.Total, page2.Total);
        Assert.Equal(all.Items[1].Id, Assert.Single(page2.Items).Id);
        Assert.Empty((await Data.Workers.ListAsync(new Workers.WorkerFilter(TradeId: trade + "%"), 1, 20)).Items);
    }

    [SkippableFact]
    public async Task Employer_credit_code_is_unique_and_names_match_literally()
    {
        var draft = Data.Employer(name: "贵州100%劳务_协作公司");
        var id = DataFixture.Created(await Data.Employers.CreateAsync(draft));
        var again = await Data.Employers.CreateAsync(draft with { Name = "另一个名字" });
        Assert.Equal((WriteStatus.Conflict, id), (again.Status, again.Id));

        Assert.Contains((await Data.Employers.ListAsync(new Employers.EmployerFilter(NameContains: "100%劳务_"), 1, 20)).Items, e => e.Id == id);
        Assert.DoesNotContain((await Data.Employers.ListAsync(new Employers.EmployerFilter(NameContains: "100%劳务%"), 1, 20)).Items, e => e.Id == id);

        var updated = await Data.Employers.UpdateAsync(id, draft with { Address = "贵阳市观山湖区" }, 1);
        Assert.Equal((WriteStatus.Ok, 2), (updated.Status, updated.Version));
        Assert.Equal("贵阳市观山湖区", (await Data.Employers.GetAsync(id))!.Address);
    }

    [SkippableFact]
    public async Task Bases_openings_and_cohorts_keep_their_owners_and_refuse_deletes_while_referenced()
    {
        var (employerId, baseId, openingId, cohortId) = await OpenCohortAsync();
        var otherEmployer = DataFixture.Created(await Data.Employers.CreateAsync(Data.Employer()));
        Assert.Equal(WriteStatus.Invalid, (await Data.Bases.CreateAsync(Data.Base(long.MaxValue - 3))).Status);
        Assert.Equal(WriteStatus.Invalid, (await Data.Bases.UpdateAsync(baseId, Data.Base(otherEmployer), 1)).Status);
        Assert.Equal(employerId, (await Data.Openings.GetAsync(openingId))!.EmployerId);

        var cohort = await Data.Cohorts.GetAsync(cohortId);
        Assert.Equal([openingId], cohort!.LinkedOpeningIds);
        Assert.Equal((0, CohortStatus.Open), (cohort.SeatsTaken, cohort.Status));
        Assert.Contains((await Data.Cohorts.ListAsync(new Cohorts.CohortFilter(BaseId: baseId, TradeId: "T001"), 1, 20)).Items, c => c.Id == cohortId);
        Assert.Contains((await Data.Openings.ListAsync(new Openings.OpeningFilter(ProvinceCode: "440000", BaseId: baseId), 1, 20)).Items, o => o.Id == openingId);
        Assert.Contains((await Data.Bases.ListAsync(new Bases.TrainingBaseFilter(EmployerId: employerId, TradeId: "T029"), 1, 20)).Items, b => b.Id == baseId);

        Assert.Equal(WriteStatus.Conflict, (await Data.Employers.DeleteAsync(employerId, null)).Status);
        Assert.Equal(WriteStatus.Conflict, (await Data.Bases.DeleteAsync(baseId, null)).Status);
        Assert.Equal(WriteStatus.Conflict, (await Data.Openings.DeleteAsync(openingId, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Cohorts.DeleteAsync(cohortId, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Openings.DeleteAsync(openingId, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Bases.DeleteAsync(baseId, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Employers.DeleteAsync(employerId, null)).Status);
        Assert.Null(await Data.Employers.GetAsync(employerId));
        Assert.Contains(await Data.OutboxAsync(), o => o == ("cohort", cohortId, "delete"));
    }

    [SkippableFact]
    public async Task Seats_go_to_offers_then_the_waitlist_and_a_freed_seat_goes_to_the_longest_waiting()
    {
        var (_, _, _, cohortId) = await OpenCohortAsync(capacity: 2);
        var workers = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            workers.Add(await NewWorkerAsync());
        }
        var seats = new List<SeatResult>();
        foreach (var worker in workers.Take(3))
        {
            seats.Add(await Enrolments.EnrolAsync(cohortId, worker, allowWaitlist: true));
        }
        Assert.Equal([SeatOutcome.Offered, SeatOutcome.Offered, SeatOutcome.Waitlisted], seats.Select(s => s.Outcome));
        Assert.Equal(WriteStatus.Conflict, (await Enrolments.EnrolAsync(cohortId, workers[3], allowWaitlist: false)).Refusal.Status);
        Assert.Equal(WriteStatus.Conflict, (await Enrolments.EnrolAsync(cohortId, workers[0], allowWaitlist: true)).Refusal.Status);
        Assert.Equal(1, (await Enrolments.GetAsync(seats[2].EnrolmentId))!.WaitlistPosition);

        var (result, promoted) = await Enrolments.AnswerAsync(seats[0].EnrolmentId, EnrolmentAnswer.Decline);
        Assert.Equal(WriteStatus.Ok, result.Status);
        Assert.Equal([seats[2].EnrolmentId], promoted);
        Assert.Equal(EnrolmentStatus.Offered, (await Enrolments.GetAsync(seats[2].EnrolmentId))!.Status);
        Assert.Equal(2, (await Data.Cohorts.GetAsync(cohortId))!.SeatsTaken);
        var listed = await Enrolments.ListAsync(new EnrolmentFilter(CohortId: cohortId), 1, 20);
        Assert.Equal(3, listed.Total);
        Assert.Equal(WriteStatus.Invalid, (await Data.Cohorts.UpdateAsync(cohortId, Data.Cohort((await Data.Cohorts.GetAsync(cohortId))!.BaseId,
            [(await Data.Cohorts.GetAsync(cohortId))!.LinkedOpeningIds[0]], capacity: 1, status: CohortStatus.Open), null)).Status);
    }

    [SkippableFact]
    public async Task The_eligibility_rule_refuses_an_enrolment_with_its_reasons_unless_a_clerk_overrides_it_and_a_waitlist_promotion_checks_again()
    {
        var (employerId, _, _, cohortId) = await OpenCohortAsync(capacity: 1);
        // A chef (another trade family than the cohort's 普工): what a county office once enrolled unchecked.
        var chef = DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker("520502", tradeId: "T071")));
        var refused = await Enrolments.EnrolAsync(cohortId, chef, allowWaitlist: true);
        Assert.Equal((SeatOutcome.Refused, WriteStatus.Conflict), (refused.Outcome, refused.Refusal.Status));
        Assert.Contains("工种不对口", refused.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await Data.Cohorts.GetAsync(cohortId))!.SeatsTaken);

        // Only through an explicit override, recorded with who and why.
        var overridden = await Enrolments.EnrolAsync(cohortId, chef, allowWaitlist: true,
            new EligibilityOverride(null, "县就业局李四", "county_office", "本人在老家食品厂做过两年普工，经面试同意"));
        Assert.Equal(SeatOutcome.Offered, overridden.Outcome);
        await using (var connection = await Data.Database.OpenAsync())
        {
            var audit = (await connection.QueryAsync<(string UserName, string Detail)>(
                "SELECT user_name, detail FROM audit_log WHERE action = 'enrolment.eligibility-override' AND resource_id = @Id",
                new { Id = overridden.EnrolmentId.ToString(CultureInfo.InvariantCulture) })).Single();
            Assert.Equal("县就业局李四", audit.UserName);
            Assert.Contains("经面试同意", audit.Detail, StringComparison.Ordinal);
        }

        // Waitlisted while eligible, placed in a job meanwhile: the freed seat passes them over, with the reason noted.
        var waiting = await NewWorkerAsync();
        var waitlisted = await Enrolments.EnrolAsync(cohortId, waiting, allowWaitlist: true);
        Assert.Equal(SeatOutcome.Waitlisted, waitlisted.Outcome);
        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(waiting, employerId, null, null, Today, 5000)));
        var (answer, promoted) = await Enrolments.AnswerAsync(overridden.EnrolmentId, EnrolmentAnswer.Decline);
        Assert.Equal(WriteStatus.Ok, answer.Status);
        Assert.Empty(promoted);
        var passedOver = (await Enrolments.GetAsync(waitlisted.EnrolmentId))!;
        Assert.Equal(EnrolmentStatus.Waitlisted, passedOver.Status);
        Assert.Contains("在岗", passedOver.Note, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Simultaneous_enrolments_never_fill_more_seats_than_the_cohort_has()
    {
        var (_, _, _, cohortId) = await OpenCohortAsync(capacity: 3);
        var workers = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            workers.Add(await NewWorkerAsync());
        }
        var results = await Task.WhenAll(workers.Select(w => Task.Run(() => Enrolments.EnrolAsync(cohortId, w, allowWaitlist: false))));
        Assert.Equal(3, results.Count(r => r.Outcome == SeatOutcome.Offered));
        Assert.Equal(3, (await Data.Cohorts.GetAsync(cohortId))!.SeatsTaken);
    }

    [SkippableFact]
    public async Task The_database_itself_refuses_a_seat_beyond_the_capacity()
    {
        var (_, _, _, cohortId) = await OpenCohortAsync(capacity: 1);
        var first = await NewWorkerAsync();
        var second = await NewWorkerAsync();
        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(cohortId, first, allowWaitlist: false)).Outcome);

        // Written past the stores, as a careless job would: the schema's capacity check still refuses it.
        await using var connection = await Data.Database.OpenAsync();
        const string Insert = """
            INSERT INTO enrolments (cohort_id, worker_id, status, source, created_at, updated_at)
            VALUES (@CohortId, @WorkerId, 'offered', 'manual', @Now, @Now)
            """;
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync(Insert, new { CohortId = cohortId, WorkerId = second, Now = FixedClock.Instant }));
        Assert.Equal(1, (await Data.Cohorts.GetAsync(cohortId))!.SeatsTaken);
    }

    [SkippableFact]
    public async Task A_worker_cannot_hold_seats_in_two_overlapping_cohorts()
    {
        var (_, _, _, first) = await OpenCohortAsync();
        var (_, _, _, second) = await OpenCohortAsync();
        var worker = await NewWorkerAsync();
        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(first, worker, allowWaitlist: true)).Outcome);
        var refused = await Enrolments.EnrolAsync(second, worker, allowWaitlist: true);
        Assert.Equal(SeatOutcome.Refused, refused.Outcome);
        Assert.Contains("重叠", refused.Refusal.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Placements_get_their_follow_ups_and_a_follow_up_finding_the_worker_gone_ends_the_placement()
    {
        var (employerId, _, openingId, _) = await OpenCohortAsync();
        var worker = await NewWorkerAsync();
        var id = DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(worker, employerId, openingId, null, Today.AddMonths(-4), 5200)));
        Assert.Equal(WriteStatus.Conflict, (await Data.Placements.CreateAsync(new PlacementDraft(worker, employerId, null, null, Today, 5000))).Status);

        var placement = await Data.Placements.GetAsync(id);
        Assert.Equal(PlacementRules.FollowUpMonths, placement!.FollowUps.Select(f => f.Month));
        Assert.Equal(Today.AddMonths(-3), placement.FollowUps[0].DueDate);
        Assert.Contains((await Data.Placements.ListAsync(new Placements.PlacementFilter(WorkerId: worker, FollowUpDueBy: Today), 1, 20)).Items, p => p.Id == id);

        var recorded = await Data.Placements.RecordFollowUpAsync(id, 1, new FollowUpDraft(Today.AddMonths(-3), false, null, "已离职回乡"), placement.Version);
        Assert.Equal(WriteStatus.Ok, recorded.Status);
        placement = await Data.Placements.GetAsync(id);
        Assert.Equal((PlacementRules.Left, Today.AddMonths(-3), false), (placement!.Status, placement.LeftOn, placement.FollowUps[0].StillEmployed));
        Assert.Equal(WriteStatus.Invalid, (await Data.Placements.RecordFollowUpAsync(id, 2, new FollowUpDraft(Today, true, 5000, null), null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.DeleteAsync(id, placement.Version)).Status);
        Assert.Null(await Data.Placements.GetAsync(id));
    }

    [SkippableFact]
    public async Task A_page_of_workers_gets_each_ones_newest_placement_inside_the_scope_only()
    {
        var (employerId, _, openingId, _) = await OpenCohortAsync();
        var twice = await NewWorkerAsync("520526");
        var never = await NewWorkerAsync("520526");
        var elsewhere = await NewWorkerAsync("520527");
        var first = DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(twice, employerId, openingId, null, Today.AddMonths(-8), 5200)));
        var firstVersion = (await Data.Placements.GetAsync(first))!.Version;
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.RecordFollowUpAsync(first, 1, new FollowUpDraft(Today.AddMonths(-7), false, null, "回乡"), firstVersion)).Status);
        var second = DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(twice, employerId, openingId, null, Today.AddMonths(-2), 5600)));
        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(elsewhere, employerId, openingId, null, Today.AddMonths(-1), 5000)));

        var newest = await Data.Placements.NewestPerWorkerAsync(new Placements.PlacementFilter(CountyCodes: ["520526"]), [twice, never, elsewhere]);

        Assert.Equal([twice], newest.Keys);
        Assert.Equal(second, newest[twice].Id);
        Assert.Equal(PlacementRules.FollowUpMonths, newest[twice].FollowUps.Select(f => f.Month));
        var listed = (await Data.Placements.ListAsync(new Placements.PlacementFilter(WorkerId: twice), 1, 20)).Items.Single(p => p.Id == second);
        Assert.Equal(listed with { FollowUps = [] }, newest[twice] with { FollowUps = [] });
        Assert.Equal(listed.FollowUps, newest[twice].FollowUps);
        Assert.Equal(elsewhere, Assert.Single(await Data.Placements.NewestPerWorkerAsync(new Placements.PlacementFilter(), [elsewhere])).Key);
        Assert.Empty(await Data.Placements.NewestPerWorkerAsync(new Placements.PlacementFilter(), []));
    }

    [SkippableFact]
    public async Task A_dispatch_round_is_stored_reviewed_and_committed_into_offers_once()
    {
        var (_, _, _, cohortId) = await OpenCohortAsync(capacity: 2);
        var workers = new[] { await NewWorkerAsync("520502"), await NewWorkerAsync("520502"), await NewWorkerAsync("520521") };
        var inputs = new DispatchInputs(Data.Database);
        var open = await inputs.OpenCohortsAsync(Today);
        Assert.Contains(open, c => c.Id == cohortId && c.FreeSeats == 2 && c.ProvinceCode == "440000" && c.Openings.Count == 1);
        var (dispatchable, _) = await inputs.WorkersAsync(["520502", "520521"]);
        Assert.Subset(dispatchable.Select(w => w.Id).ToHashSet(), workers.ToHashSet());

        var store = new DispatchRoundStore(Data.Database, Data.Time, Data.Environment.Catalogue);
        var period = "2090-" + (1 + DataFixture.Next() % 12).ToString("D2", CultureInfo.InvariantCulture) + "-" + DataFixture.Next().ToString(CultureInfo.InvariantCulture);
        var figures = new RoundFigures(3, 1, 2.1, 1, 0.33, 2.2);
        var draft = new RoundDraft("optimal", DispatchScope.Province, "520000", 0.05, period, null, "调度任务", 3, 1, 3, 2, figures, figures with { SeatsFilled = 2 }, 12,
            [new RoundCohortDraft(cohortId, "普工岗前培训", 2, 3, 2)],
            workers.Select((w, i) => new RoundAssignmentDraft(w, cohortId, i < 2 ? "520502" : "520521", 0.9 - i * 0.1, i == 0, ["工种对口", "意愿地区"])).ToList());
        var roundId = DataFixture.Created(await store.CreateAsync(draft));
        Assert.Equal(WriteStatus.Conflict, (await store.CreateAsync(draft)).Status);
        Assert.True(await store.ProposalExistsAsync(period));
        Assert.Equal(WriteStatus.Ok, (await store.CreateAsync(draft with { ProposalPeriod = null })).Status);

        var round = await store.GetAsync(roundId);
        Assert.Equal((DispatchRoundStatus.Draft, 3, 2), (round!.Status, round.CandidatePairs, round.Baseline.SeatsFilled));
        Assert.Contains((await store.ListAsync(["520000"], 1, 50)).Items, r => r.Id == roundId);
        var byCohort = Assert.Single((await store.ReviewByCohortAsync(roundId, null, 1, 20)).Items);
        Assert.Equal(["工种对口", "意愿地区"], byCohort.Assignments[0].Reasons);
        var byCounty = (await store.ReviewByCountyAsync(roundId, ["520502"], 1, 20)).Items;
        Assert.Equal((2, 1), (Assert.Single(byCounty).Assigned, byCounty[0].PriorityGroupPlaced));

        var commit = await store.CommitAsync(roundId, null, "县人社局");
        Assert.Equal((WriteStatus.Ok, 2, 1), (commit.Result.Status, commit.Offered, commit.Skipped));
        Assert.Equal(WriteStatus.Conflict, (await store.CommitAsync(roundId, null, "县人社局")).Result.Status);
        Assert.Equal(2, (await Data.Cohorts.GetAsync(cohortId))!.SeatsTaken);
    }

    [SkippableFact]
    public async Task Training_runs_from_institution_and_teachers_through_results_and_certificate_to_claims_paid_rejected_and_counted()
    {
        // An institution and its full-time teacher.
        var errors = new Domain.Validation.ValidationErrors();
        var institutionDraft = Domain.Institutions.InstitutionRules.Validate(new Domain.Institutions.InstitutionInput($"贵阳市民办职业培训学校{DataFixture.Next()}",
            Domain.Institutions.InstitutionOwnership.Private, "training-school", Domain.Identity.CreditCode.Compose($"52520102MJ{DataFixture.Next():D7}"), "520102", null,
            ["T001"], true), Data.Environment.Catalogue, errors)!;
        var institutions = new Institutions.InstitutionStore(Data.Database, Data.Environment.Protector, Data.Time);
        var institutionId = DataFixture.Created(await institutions.CreateAsync(institutionDraft));
        Assert.Equal(WriteStatus.Conflict, (await institutions.CreateAsync(institutionDraft)).Status);
        Assert.Equal((WriteStatus.Ok, 2), ((await institutions.UpdateAsync(institutionId, institutionDraft with { Name = institutionDraft.Name + "（更名）" }, 1)).Status,
            (await institutions.GetAsync(institutionId))!.Version));
        Assert.Contains((await institutions.ListAsync(new Institutions.InstitutionFilter(Ownership: Domain.Institutions.InstitutionOwnership.Private), 1, 200)).Items,
            i => i.Id == institutionId);
        var teacherNumber = Domain.Identity.ResidentIdNumber.Compose("520102", new DateOnly(1970, 1, 1).AddDays(DataFixture.Next()), 3);
        var engagementId = DataFixture.Created(await institutions.RegisterTeacherAsync(institutionId,
            new Domain.Institutions.TeacherDraft("王老师", teacherNumber, Today.Year, Domain.Institutions.TeacherEmployment.FullTime, ["T001"])));
        var engagement = (await institutions.EngagementAsync(engagementId))!;
        Assert.DoesNotContain(teacherNumber, engagement.IdNumberMasked, StringComparison.Ordinal);
        Assert.Equal((1, 1, null), ((await institutions.TeachersAsync(institutionId, Today.Year))!.FullTime, (await institutions.TeachersAsync(institutionId, Today.Year))!.Total,
            (await institutions.TeachersAsync(institutionId, Today.Year))!.Problem));

        // The cohort it teaches; a worker takes part; the cohort ended last month.
        var (_, _, _, cohortId) = await OpenCohortAsync();
        Assert.Equal(WriteStatus.Ok, (await institutions.AssignCohortAsync(cohortId, institutionId, [engagement.TeacherId])).Status);
        Assert.Equal(engagement.TeacherId, Assert.Single((await institutions.CohortTeachingAsync(cohortId))!.Teachers).TeacherId);
        var worker = await NewWorkerAsync();
        var seat = await Enrolments.EnrolAsync(cohortId, worker, allowWaitlist: false);
        Assert.Equal(WriteStatus.Ok, (await Enrolments.AnswerAsync(seat.EnrolmentId, EnrolmentAnswer.Accept)).Result.Status);
        var start = Today.AddDays(-40);
        await Data.Database.InTransactionAsync(async (connection, tx) =>
        {
            await connection.ExecuteAsync("UPDATE cohorts SET status = 'completed', enrolment_deadline = @Deadline, start_date = @Start, end_date = @End WHERE id = @Id",
                new { Deadline = start.AddDays(-3), Start = start, End = start.AddDays(19), Id = cohortId }, tx);
            Assert.Equal(1, await Training.TrainingRecordStore.CreatePendingAsync(connection, tx, cohortId, 20, FixedClock.Instant));
            return 0;
        });

        // Results, then the certificate, which raises the worker's level.
        var records = new Training.TrainingRecordStore(Data.Database, Data.Time);
        Assert.Equal(Domain.Training.Completion.Pending, (await records.ResultAsync(seat.EnrolmentId))!.Completion);
        var result = new Domain.Training.TrainingResultDraft(20, 19, Domain.Training.Completion.Completed, start.AddDays(19), true, start.AddDays(20), "贵州省职业技能鉴定指导中心");
        Assert.Equal(WriteStatus.Invalid, (await records.RecordResultsAsync(cohortId, [(seat.EnrolmentId, result), (long.MaxValue - 5, result)], "rows[{0}].")).Status);
        Assert.Equal(Domain.Training.Completion.Pending, (await records.ResultAsync(seat.EnrolmentId))!.Completion);
        Assert.Equal(WriteStatus.Ok, (await records.RecordResultsAsync(cohortId, [(seat.EnrolmentId, result)], "rows[{0}].")).Status);
        Assert.Equal((19, 2), ((await records.ResultAsync(seat.EnrolmentId))!.DaysAttended, (await records.ResultAsync(seat.EnrolmentId))!.Version));
        Assert.Single(await records.CohortResultsAsync(cohortId, ["520102"], onlyPriorityGroups: false));
        var certificate = new Domain.Training.CertificateDraft("skill-level", "T001", 4, $"GZ{DataFixture.Next():D10}", "贵州省职业技能鉴定指导中心", "520000",
            start.AddDays(25), null, seat.EnrolmentId);
        var certificateId = DataFixture.Created(await records.CreateCertificateAsync(worker, certificate));
        Assert.Equal(WriteStatus.Conflict, (await records.CreateCertificateAsync(worker, certificate)).Status);
        Assert.Equal(4, (await Data.Workers.GetAsync(worker))!.Trades.Single(t => t.TradeId == "T001").Level);
        Assert.Equal(certificateId, Assert.Single(await records.CertificatesOfAsync(worker)).Id);
        var history = Assert.Single(await new Training.TrainingHistoryStore(Data.Database).OfWorkerAsync(worker, null));
        Assert.Equal((cohortId, Domain.Training.Completion.Completed), (history.CohortId, history.Result!.Completion));

        // The claim: clean, approved, paid once; a second claim for a special-ability certificate rejected.
        var claims = new Subsidies.SubsidyClaimStore(Data.Database, Data.Environment.Protector, Data.Environment.Catalogue, Data.Time);
        var claimId = DataFixture.Created(await claims.CreateAsync(seat.EnrolmentId, certificateId, "6222020200112233445", "县人社局"));
        Assert.Equal(WriteStatus.Conflict, (await claims.CreateAsync(seat.EnrolmentId, certificateId, "6222020200112233445", "县人社局")).Status);
        var claim = (await claims.GetAsync(claimId))!;
        Assert.Equal((ClaimStatus.Submitted, 2000), (claim.Status, claim.Amount));
        Assert.DoesNotContain("6222020200112233445", claim.BankAccountMasked, StringComparison.Ordinal);
        Assert.Empty((await claims.CheckAsync(claimId)).Findings);
        // The year's batch reads the same facts and finds the same (nothing); the claim is counted as clean.
        var batchFacts = Assert.Single(await Subsidies.IntegrityBatch.ReadAsync(Data.Database, Data.Environment.Protector, start.Year, Today), f => f.ClaimId == claimId);
        Assert.Empty(IntegrityRules.ForClaim(batchFacts, Data.Environment.Catalogue.Policy.Limits));
        var summary = await Subsidies.IntegrityBatch.CheckYearAsync(Data.Database, Data.Environment.Protector, Data.Environment.Catalogue, start.Year, Today, FixedClock.Instant);
        Assert.True(summary.Clean >= 1, $"{summary.Clean} clean of {summary.Claims}");
        Assert.Equal(WriteStatus.PreconditionFailed, (await claims.ApproveAsync(claimId, false, null, "县人社局", 9)).Result.Status);
        Assert.Equal(WriteStatus.Ok, (await claims.ApproveAsync(claimId, false, null, "县人社局", 1)).Result.Status);
        Assert.Equal(WriteStatus.Conflict, (await claims.ApproveAsync(claimId, false, null, "县人社局", null)).Result.Status);
        var second = DataFixture.Created(await records.CreateCertificateAsync(worker, certificate with { Type = "special-ability", Level = null, Number = $"ZX{DataFixture.Next():D10}" }));
        var rejectedId = DataFixture.Created(await claims.CreateAsync(seat.EnrolmentId, second, "6222020200112233445", "县人社局"));
        Assert.Equal(WriteStatus.Ok, (await claims.RejectAsync(rejectedId, "同期已申领技能等级证书补贴", "县人社局", 1)).Status);
        Assert.Equal(ClaimStatus.Rejected, (await claims.GetAsync(rejectedId))!.Status);
        Assert.Equal(2, (await claims.ListAsync(new Subsidies.SubsidyClaimFilter(WorkerId: worker), 1, 20)).Total);

        var file = (await claims.ExportPaymentsAsync(["520102"], "县人社局"))!;
        var line = Assert.Single(file.Lines, l => l.ClaimId == claimId);
        Assert.Equal("6222020200112233445", line.BankAccount);
        Assert.Equal((ClaimStatus.Paid, file.BatchId), ((await claims.GetAsync(claimId))!.Status, (await claims.GetAsync(claimId))!.PaymentBatchId));
        Assert.DoesNotContain((await claims.ExportPaymentsAsync(["520102"], "县人社局"))?.Lines ?? [], l => l.ClaimId == claimId);

        // Counted toward the targets: a completion this year and a high-skilled worker (高级工).
        var (completions, highSkilled) = await new Training.TargetCountStore(Data.Database).CountsAsync(start.Year, 4);
        Assert.True(completions.GetValueOrDefault("520102") >= 1);
        Assert.True(highSkilled.GetValueOrDefault(("520102", certificate.IssuedOn.Year)) >= 1);
        Assert.Equal(WriteStatus.Conflict, (await Data.Workers.DeleteAsync(worker, null)).Status);
    }

    [SkippableFact]
    public async Task Notifications_wait_until_sent_and_keep_their_failures()
    {
        var cohortId = -DataFixture.Next();
        await using (var connection = await Data.Database.OpenAsync())
        {
            const string Insert = """
                INSERT INTO notifications (kind, cohort_id, worker_id, enrolment_id, message, created_at, attempts)
                VALUES (@Kind, @CohortId, @WorkerId, NULL, @Message, @Now, 0)
                """;
            foreach (var worker in new[] { 1L, 2L })
            {
                await connection.ExecuteAsync(Insert, new { Kind = NotificationStore.CohortStartReminder, CohortId = cohortId, WorkerId = worker, Message = "三天后开班", Now = FixedClock.Instant });
            }
        }
        var store = new NotificationStore(Data.Database, Data.Time);
        var mine = await store.ForCohortAsync(cohortId);
        Assert.Equal(2, mine.Count);
        Assert.Subset((await store.PendingAsync(10_000)).Select(n => n.Id).ToHashSet(), mine.Select(n => n.Id).ToHashSet());

        await store.MarkSentAsync(mine[0].Id);
        await store.MarkFailedAsync(mine[1].Id, new string('x', 900));
        var after = await store.ForCohortAsync(cohortId);
        Assert.Equal((FixedClock.Instant, 1), (after[0].SentAt, after[0].Attempts));
        Assert.Equal((null, 1), (after[1].SentAt, after[1].Attempts));
        Assert.DoesNotContain((await store.PendingAsync(10_000)), n => n.Id == mine[0].Id);
    }

    [SkippableFact]
    public async Task Idempotency_keys_replay_refuse_a_different_request_and_free_an_abandoned_key()
    {
        var store = new IdempotencyStore(Data.Database, Data.Environment.Protector, Data.Time);
        var user = DataFixture.Next();
        Assert.Equal(IdempotencyStart.Started, (await store.BeginAsync(user, "k1", "f1")).Start);
        Assert.Equal(IdempotencyStart.InFlight, (await store.BeginAsync(user, "k1", "f1")).Start);
        Assert.Equal(IdempotencyStart.Mismatch, (await store.BeginAsync(user, "k1", "f2")).Start);
        await store.CompleteAsync(user, "k1", new StoredResponse(201, "application/json", "/api/workers/5", "\"1\"", [1, 2, 3]));
        var (start, stored) = await store.BeginAsync(user, "k1", "f1");
        Assert.Equal(IdempotencyStart.Replay, start);
        Assert.Equal((201, "/api/workers/5", "\"1\""), (stored!.StatusCode, stored.Location, stored.ETag));
        Assert.Equal([1, 2, 3], stored.Body);

        Assert.Equal(IdempotencyStart.Started, (await store.BeginAsync(user, "k2", "f1")).Start);
        await store.AbandonAsync(user, "k2");
        Assert.Equal(IdempotencyStart.Started, (await store.BeginAsync(user, "k2", "f1")).Start);
        Assert.True(await store.PurgeExpiredAsync() >= 0);
    }

    [SkippableFact]
    public async Task A_background_problem_is_recorded_once_updated_and_cleared()
    {
        var problems = new Operations.BackgroundProblems(Data.Database, Data.Time);
        var subject = 1_000_000L + DataFixture.Next();
        await problems.RecordAsync(Operations.BackgroundProblems.CohortSchedule, subject, "班期日期无法排程");
        await problems.RecordAsync(Operations.BackgroundProblems.CohortSchedule, subject, "班期日期超出范围");
        var recorded = Assert.Single(await problems.ListAsync(), p => p.SubjectId == subject);
        Assert.Equal(("班期日期超出范围", FixedClock.Instant, FixedClock.Instant), (recorded.Detail, recorded.FirstSeenAt, recorded.LastSeenAt));
        await problems.ClearAsync(Operations.BackgroundProblems.CohortSchedule, subject);
        Assert.DoesNotContain(await problems.ListAsync(), p => p.SubjectId == subject);
    }

    [SkippableFact]
    public async Task Users_have_unique_names_versions_and_are_found_by_name()
    {
        var store = new UserStore(Data.Database, Data.Time);
        var name = "clerk-" + DataFixture.Next().ToString(CultureInfo.InvariantCulture);
        var user = await store.EnsureAsync(new UserDraft(name, "county_office", ["520502", "520521"], true));
        Assert.Equal(user.Id, (await store.EnsureAsync(new UserDraft(name, "admin", [], true))).Id);
        Assert.Equal(WriteStatus.Conflict, (await store.CreateAsync(new UserDraft(name, "admin", [], true))).Status);
        Assert.Equal(WriteStatus.PreconditionFailed, (await store.UpdateAsync(user.Id, new UserDraft(name, "county_office", ["520502"], false), 5)).Status);
        Assert.Equal(WriteStatus.Ok, (await store.UpdateAsync(user.Id, new UserDraft(name, "county_office", ["520502"], false), 1)).Status);
        var read = await store.GetByNameAsync(name);
        Assert.Equal(["520502"], read!.Scopes);
        Assert.Equal((false, 2), (read.Active, read.Version));
        Assert.Contains((await store.ListAsync("county_office", AccountArea.Everything, 1, 200)).Items, u => u.Id == user.Id);
    }

    [SkippableFact]
    public async Task An_account_keeps_its_password_hash_counts_failures_locks_and_is_listed_only_inside_an_administrators_area()
    {
        var store = new UserStore(Data.Database, Data.Time);
        var suffix = DataFixture.Next().ToString(CultureInfo.InvariantCulture);
        var clerk = DataFixture.Created(await store.CreateAsync(new UserDraft("pw-clerk-" + suffix, "county_office", ["520502"], true) { ManagesAccounts = true }));
        var other = DataFixture.Created(await store.CreateAsync(new UserDraft("pw-other-" + suffix, "county_office", ["520502", "520602"], true)));
        var hr = DataFixture.Created(await store.CreateAsync(new UserDraft("pw-hr-" + suffix, "enterprise", ["7"], true) { CreatedBy = clerk }));

        Assert.Equal(WriteStatus.Ok, (await store.SetPasswordAsync(clerk, "hash-1")).Status);
        var credentials = await store.GetCredentialsAsync("pw-clerk-" + suffix);
        Assert.Equal(("hash-1", 0, true, true), (credentials!.PasswordHash, credentials.FailedSignIns, credentials.User.HasPassword, credentials.User.ManagesAccounts));
        var stamp = credentials.User.SecurityStamp;
        Assert.Equal(clerk, (await store.GetAsync(hr))!.CreatedBy);

        // Failures count up; the last allowed one locks; a sign-in or an unlock starts again; a new password changes the stamp.
        Assert.Null(await store.RecordFailedSignInAsync(clerk, 2, TimeSpan.FromMinutes(15)));
        Assert.Equal(1, (await store.GetCredentialsAsync("pw-clerk-" + suffix))!.FailedSignIns);
        var locked = await store.RecordFailedSignInAsync(clerk, 2, TimeSpan.FromMinutes(15));
        Assert.Equal(FixedClock.Instant.AddMinutes(15), locked);
        Assert.Equal(locked, (await store.GetAsync(clerk))!.LockedUntil);
        Assert.Equal(WriteStatus.Ok, (await store.UnlockAsync(clerk)).Status);
        Assert.Null((await store.GetAsync(clerk))!.LockedUntil);
        await store.RecordSignInAsync(clerk);
        Assert.Equal(FixedClock.Instant, (await store.GetAsync(clerk))!.LastSignInAt);
        Assert.Equal(WriteStatus.Ok, (await store.SetPasswordAsync(clerk, "hash-2")).Status);
        Assert.NotEqual(stamp, (await store.GetCredentialsAsync("pw-clerk-" + suffix))!.User.SecurityStamp);
        Assert.Equal(WriteStatus.NotFound, (await store.UnlockAsync(long.MaxValue)).Status);

        // An area's list: the office accounts whose every county lies inside it; an employer's: its own accounts.
        var county = await store.ListAsync(null, new AccountArea(false, null, ["520502"], []), 1, 200);
        Assert.Contains(county.Items, u => u.Id == clerk);
        Assert.DoesNotContain(county.Items, u => u.Id == other || u.Id == hr);
        var employer = await store.ListAsync(null, new AccountArea(false, 7, [], []), 1, 200);
        Assert.Equal([hr], employer.Items.Select(u => u.Id).Where(id => id == hr || id == clerk || id == other));

        // Training institution accounts: an institution's own; an office area's holds those of the institutions located in it too.
        var school = DataFixture.Created(await store.CreateAsync(new UserDraft("pw-school-" + suffix, "training_institution", ["31"], true)));
        var otherSchool = DataFixture.Created(await store.CreateAsync(new UserDraft("pw-school-b-" + suffix, "training_institution", ["32"], true)));
        var institution = await store.ListAsync(null, AccountArea.Nothing with { Institutions = ["31"] }, 1, 200);
        Assert.Equal([school], institution.Items.Select(u => u.Id));
        var countyWithSchool = await store.ListAsync(null, new AccountArea(false, null, ["520502"], []) { Institutions = ["31"] }, 1, 200);
        Assert.Contains(countyWithSchool.Items, u => u.Id == clerk);
        Assert.Contains(countyWithSchool.Items, u => u.Id == school);
        Assert.DoesNotContain(countyWithSchool.Items, u => u.Id == otherSchool || u.Id == hr || u.Id == other);
    }

    [SkippableFact]
    public async Task Statistics_count_inside_their_scope_and_an_employers_retention_only_its_own_placements()
    {
        var statistics = new Statistics.StatisticsStore(Data.Database, Data.Time);
        var inScope = new Statistics.StatisticsScope(["520526"], false);
        var before = await statistics.OverviewAsync(inScope);
        var (employerId, _, openingId, _) = await OpenCohortAsync();
        var (otherEmployer, _, otherOpening, _) = await OpenCohortAsync();
        var mine = await NewWorkerAsync("520526");
        var elsewhere = await NewWorkerAsync("520527");
        var after = await statistics.OverviewAsync(inScope);
        Assert.Equal(before.Workers + 1, after.Workers);
        Assert.All(after.ByArea, a => Assert.Equal("520526", a.Code));

        var retentionBefore = await statistics.RetentionAsync(new Statistics.StatisticsScope(null, false, employerId), byCounty: false);
        var placed = DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(mine, employerId, openingId, null, Today.AddMonths(-4), 5200)));
        var placement = await Data.Placements.GetAsync(placed);
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.RecordFollowUpAsync(placed, 3, new FollowUpDraft(Today.AddMonths(-1), true, 5200, null), placement!.Version)).Status);
        var ownRetention = await statistics.RetentionAsync(new Statistics.StatisticsScope(null, false, employerId), byCounty: false);
        Assert.Equal(retentionBefore.Sum(r => r.Placements) + 1, ownRetention.Sum(r => r.Placements));
        Assert.Equal(retentionBefore.Sum(r => r.Retained3) + 1, ownRetention.Sum(r => r.Retained3));

        // Another employer's placement changes nothing in this employer's figures.
        DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(elsewhere, otherEmployer, otherOpening, null, Today.AddMonths(-2), 5000)));
        Assert.Equal(ownRetention, await statistics.RetentionAsync(new Statistics.StatisticsScope(null, false, employerId), byCounty: false));
        Assert.Equal(after.Workers, (await statistics.OverviewAsync(inScope)).Workers);
    }

    [SkippableFact]
    public async Task The_audit_log_keeps_every_line_and_the_database_refuses_to_change_or_remove_one()
    {
        var log = new AuditLog(Data.Database, Data.Time);
        var resource = "w-" + DataFixture.Next().ToString(CultureInfo.InvariantCulture);
        await log.AppendAsync(7, "clerk", "county_office", "worker.reveal", "worker", resource, "success", 200);
        await log.AppendAsync(null, null, null, "worker.read", "worker", resource, "denied", 404);
        var lines = await log.ListAsync(new AuditFilter(ResourceType: "worker", ResourceId: resource, From: FixedClock.Instant.AddMinutes(-1)), 1, 20);
        Assert.Equal(["worker.reveal", "worker.read"], lines.Items.Select(l => l.Action));
        Assert.Equal(FixedClock.Instant, lines.Items[0].At);

        await using var connection = await Data.Database.OpenAsync();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            connection.ExecuteAsync("UPDATE audit_log SET outcome = 'success' WHERE resource_id = @Resource", new { Resource = resource }));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            connection.ExecuteAsync("DELETE FROM audit_log WHERE resource_id = @Resource", new { Resource = resource }));
        Assert.Equal(2, (await log.ListAsync(new AuditFilter(ResourceId: resource), 1, 20)).Total);
    }

    [SkippableFact]
    public async Task Employer_enterprise_links_follow_enrolments_and_placements()
    {
        var (employerId, _, _, cohortId) = await OpenCohortAsync();
        var worker = await NewWorkerAsync();
        Assert.Equal((false, false), await Data.Workers.EmployerLinkAsync(worker, employerId));
        var seat = await Enrolments.EnrolAsync(cohortId, worker, allowWaitlist: false);
        Assert.Equal((true, false), await Data.Workers.EmployerLinkAsync(worker, employerId));
        await Enrolments.AnswerAsync(seat.EnrolmentId, EnrolmentAnswer.Accept);
        Assert.Equal((true, true), await Data.Workers.EmployerLinkAsync(worker, employerId));
        Assert.Contains((await Data.Workers.ListAsync(new Workers.WorkerFilter(LinkedEmployerId: employerId), 1, 20)).Items, w => w.Id == worker);
        Assert.Equal(WriteStatus.Conflict, (await Data.Workers.DeleteAsync(worker, null)).Status);
    }

    [SkippableFact]
    public async Task Demo_data_loads_in_bulk_with_its_history_of_offers_and_placements()
    {
        // Its own database: the demo world fills an empty one.
        using var own = new EmptyDatabase(provider, Data);
        var seeder = new DemoSeeder(own.Environment, Data.Time);
        Assert.True(await seeder.IsEmptyAsync());
        var (employers, workers) = await seeder.SeedAsync(300);
        Assert.Equal(300, workers);
        Assert.False(await seeder.IsEmptyAsync());
        await using var connection = await own.Environment.Database.OpenAsync();
        Assert.Equal(employers, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM employers"));
        Assert.True(await new DemoHistory(own.Environment, Data.Time).HasHistoryAsync());
        // Every placed offer points at a placement the history wrote with its own id.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM match_offers o WHERE o.outcome = 'placed' AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.id = o.placement_id)"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM placements") > 0);
        // Past training (DemoTraining): certificates and claims, the planted integrity cases among them, each found by its check.
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM certificates") > 0);
        var planted = (await connection.QueryAsync<(string CreatedBy, string FindingsJson)>(
            "SELECT created_by, findings_json FROM subsidy_claims WHERE created_by LIKE @Planted", new { Planted = DemoTraining.PlantedBy + "%" })).ToList();
        Assert.NotEmpty(planted);
        Assert.All(planted, p => Assert.Contains(p.CreatedBy[DemoTraining.PlantedBy.Length..], p.FindingsJson, StringComparison.Ordinal));
        Assert.Equal(300, await seeder.WorkerCountAsync());

        // The claims a year's batch check reads, as the claims benchmark samples them: every submitted claim falls in
        // the year its cohort ended, in id order.
        var submitted = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM subsidy_claims WHERE status = 'submitted'");
        var byYear = new List<long>();
        var ends = (await connection.QueryAsync<DateOnly>("SELECT end_date FROM cohorts")).ToList();
        for (var year = ends.Min().Year; year <= ends.Max().Year; year++)
        {
            var ids = await Subsidies.IntegrityBatch.SubmittedClaimIdsAsync(own.Environment.Database, year);
            Assert.Equal(ids.Order(), ids);
            byYear.AddRange(ids);
        }
        Assert.True(submitted > 0);
        Assert.Equal(submitted, byYear.Distinct().LongCount());

        // A dispatch benchmark's world: planned cohorts opened, all but the first three by id cancelled.
        var cohortIds = (await connection.QueryAsync<long>("SELECT id FROM cohorts ORDER BY id")).ToList();
        var plannedAmongFirst = (await connection.QueryAsync<long>("SELECT id FROM cohorts WHERE status = 'planned'")).Where(id => id <= cohortIds[2]).ToList();
        await seeder.KeepFirstCohortsOpenAsync(3);
        var statuses = (await connection.QueryAsync<(long Id, string Status)>("SELECT id, status FROM cohorts")).ToDictionary(c => c.Id, c => c.Status);
        Assert.All(cohortIds.Skip(3), id => Assert.Equal(CohortStatus.Cancelled, statuses[id]));
        Assert.All(cohortIds.Take(3), id => Assert.NotEqual(CohortStatus.Planned, statuses[id]));
        Assert.All(plannedAmongFirst, id => Assert.Equal(CohortStatus.Open, statuses[id]));
    }

    /// <summary>A second, empty database on the same engine as the suite's, for tests that need one.</summary>
    private sealed class EmptyDatabase : IDisposable
    {
        private readonly TempFolder _folder = new();
        private readonly string? _sqlServerName;

        public EmptyDatabase(StorageProvider provider, DataFixture data)
        {
            var sqlServer = data.Environment.Options.IsSqlServer;
            _sqlServerName = sqlServer ? "matching_test_" + Guid.NewGuid().ToString("N")[..12] : null;
            Environment = DataEnvironment.Open(new MatchingOptions
            {
                DataDirectory = _folder.Path,
                StorageProvider = data.Environment.Options.StorageProvider,
                ConnectionString = _sqlServerName is null ? null : SqlServerStorage.ConnectionTo(_sqlServerName),
                DataKey = sqlServer ? data.Environment.Options.DataKey : null,
            }, data.Time);
            if (!sqlServer)
            {
                _folder.Track(Environment);
            }
            if (provider is TranslatedSqlServerStorage)
            {
                // The same statements, sent under the SQL Server dialect as the rest of this provider's tests are.
                Environment = Environment.WithDatabase(data.Database.Dialect);
            }
        }

        public DataEnvironment Environment { get; }

        public void Dispose()
        {
            Environment.Dispose();
            _folder.Dispose();
            if (_sqlServerName is not null)
            {
                SqlServerStorage.Drop(_sqlServerName);
            }
        }
    }
}

public sealed class SqliteStorageBehaviour(SqliteStorage provider) : StorageBehaviourSuite(provider), IClassFixture<SqliteStorage>;

public sealed class TranslatedSqlServerStorageBehaviour(TranslatedSqlServerStorage provider) : StorageBehaviourSuite(provider), IClassFixture<TranslatedSqlServerStorage>;

public sealed class SqlServerStorageBehaviour(SqlServerStorage provider) : StorageBehaviourSuite(provider), IClassFixture<SqlServerStorage>;

/// <summary>Every store of the data layer is in the behavioural suite.</summary>
public class StoreCoverageTests
{
    [Fact]
    public void Every_class_of_the_data_layer_that_reads_or_writes_the_database_is_covered_by_the_storage_suite()
    {
        var stores = typeof(Database).Assembly.GetTypes()
            .Where(t => t is { IsPublic: true, IsClass: true, IsAbstract: false }
                && t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(Database) || p.ParameterType == typeof(DataEnvironment))))
            .ToList();
        Assert.NotEmpty(stores);
        var missing = stores.Except(StorageBehaviourSuite.StoresCovered).Select(t => t.FullName).ToList();
        Assert.True(missing.Count == 0, $"stores without tests in StorageBehaviourSuite: {string.Join(", ", missing)}");
    }
}
