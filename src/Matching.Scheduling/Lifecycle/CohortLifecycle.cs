using System.Data.Common;
using Dapper;
using Matching.Allocation;
using Matching.Data.Cohorts;
using Matching.Data.Dispatch;
using Matching.Data.Enrolments;
using Matching.Data.Notifications;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Data.Training;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Enrolments;
using Matching.Domain.Matching;
using Matching.Domain.Training;
using Matching.Domain.Validation;
using Matching.Scheduling.Dispatch;

namespace Matching.Scheduling.Lifecycle;

/// <summary>What a lifecycle step did, for the log and the tests.</summary>
public sealed record LifecycleResult(string Step, bool Changed, string Detail, int Affected = 0);

/// <summary>
/// The life of a cohort (培训班期) on its dates. Each step reads the cohort's state in its write transaction and acts
/// only when the state still calls for it, so a step that runs twice, late, or after a crash between its commit and
/// the scheduler's bookkeeping, does nothing the second time.
/// </summary>
public sealed class CohortLifecycle(Database database, Catalogue catalogue, TimeProvider time)
{
    private const string CohortSql = """
        SELECT c.id, c.name, c.status, c.min_size, c.enrolment_deadline, c.start_date, c.end_date, c.trades, c.employer_id, b.city_code,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status = 'accepted') AS accepted
        FROM cohorts c JOIN training_bases b ON b.id = c.base_id WHERE c.id = @Id
        """;
    private const string StatusSql = "SELECT status FROM cohorts WHERE id = @Id";
    private const string SetStatusSql = "UPDATE cohorts SET status = @Status, updated_at = @Now, version = version + 1 WHERE id = @Id AND status = @From";
    private const string ActiveEnrolmentsSql = """
        SELECT id, worker_id, status FROM enrolments WHERE cohort_id = @Id AND status IN ('accepted', 'offered', 'waitlisted')
        ORDER BY CASE status WHEN 'accepted' THEN 0 WHEN 'offered' THEN 1 ELSE 2 END, updated_at, id
        """;
    private const string CancelEnrolmentsSql = """
        UPDATE enrolments SET status = 'cancelled', note = @Note, updated_at = @Now
        WHERE cohort_id = @Id AND status IN ('accepted', 'offered', 'waitlisted')
        """;
    private const string WorkerSql = $"""
        SELECT id, county_code, birth_date, trades_json, certificates_json, priority_groups, destinations, expected_wage, available_from,
            training_intentions, {StoredWorkerRow.InActivePlacementColumn}
        FROM workers WHERE id = @Id
        """;
    private const string HeldSql = """
        SELECT c.id AS cohort_id, c.name AS cohort_name, c.start_date, c.end_date
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
        WHERE e.worker_id = @Id AND e.status IN ('offered', 'accepted', 'waitlisted') AND c.status NOT IN ('completed', 'cancelled')
        """;
    private const string RemindSql = """
        INSERT INTO notifications (kind, cohort_id, worker_id, enrolment_id, message, created_at, attempts)
        SELECT @Kind, e.cohort_id, e.worker_id, e.id, @Message, @Now, 0
        FROM enrolments e
        WHERE e.cohort_id = @Id AND e.status IN ('offered', 'accepted')
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.kind = @Kind AND n.cohort_id = e.cohort_id AND n.worker_id = e.worker_id)
        """;

    /// <summary>
    /// At the enrolment deadline: confirm the cohort when its accepted enrolments reach the minimum size (最低开班人数),
    /// else cancel it and re-offer each of its workers a seat in the next suitable cohort.
    /// </summary>
    public Task<LifecycleResult> DeadlineAsync(long cohortId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortSql, new { Id = cohortId }, tx);
            if (cohort is null || cohort.Status != CohortStatus.Open)
            {
                return new LifecycleResult("deadline", false, cohort is null ? "班期不存在" : $"班期已是“{CohortStatus.NameOf(cohort.Status)}”，无需处理");
            }
            var today = ChinaTime.Today(time);
            if (today < cohort.EnrolmentDeadline)
            {
                return new LifecycleResult("deadline", false, $"报名截止日 {cohort.EnrolmentDeadline:yyyy-MM-dd} 未到");
            }
            return await DecideAsync(connection, tx, cohort, today, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Confirms the cohort when enough workers accepted, else cancels it: its seats are released and each of its
    /// workers is re-offered a seat in the next suitable cohort. <paramref name="cancelledBy"/> (a person's cancel)
    /// cancels whatever the count.
    /// </summary>
    private async Task<LifecycleResult> DecideAsync(DbConnection connection, DbTransaction tx, CohortRow cohort, DateOnly today, CancellationToken cancellationToken, string? cancelledBy = null)
    {
        var now = time.GetUtcNow();
        if (cancelledBy is null && cohort.Accepted >= cohort.MinSize)
        {
            await SetStatusAsync(connection, tx, cohort, CohortStatus.Confirmed, today, now);
            return new LifecycleResult("deadline", true, $"确认参训 {cohort.Accepted} 人，达到最低开班人数 {cohort.MinSize}，确认开班", (int)cohort.Accepted);
        }
        await SetStatusAsync(connection, tx, cohort, CohortStatus.Cancelled, today, now);
        var enrolled = (await connection.QueryAsync<(long Id, long WorkerId, string Status)>(ActiveEnrolmentsSql, new { cohort.Id }, tx)).ToList();
        var why = cancelledBy is null ? $"班期未达最低开班人数（{cohort.Accepted}/{cohort.MinSize}）已取消" : $"班期已由{cancelledBy}取消";
        await connection.ExecuteAsync(CancelEnrolmentsSql, new { cohort.Id, Note = why, Now = now }, tx);

        // Candidate cohorts for the re-offers: those taking enrolments, read as a round reads them.
        var candidates = (await new DispatchInputs(database).OpenCohortsAsync(today, cancellationToken: cancellationToken))
            .Where(c => c.Id != cohort.Id && c.StartDate >= today).Select(DispatchRoundPlanner.CohortProfile).ToList();
        var families = Codes.Split(cohort.Trades).Select(FamilyOf).ToHashSet(StringComparer.Ordinal);
        var scorer = new HeuristicScore(catalogue);
        var reOffered = 0;
        foreach (var (_, workerId, _) in enrolled)
        {
            var worker = await WorkerProfileAsync(connection, tx, workerId);
            if (worker is null)
            {
                continue;
            }
            // The next suitable cohort: training a trade of the cancelled one's families, the eligibility rule admitting the
            // worker and no held seat overlapping, the earliest start first and the better score on a tie.
            var next = candidates
                .Where(c => c.Terms.Targets.Any(t => families.Contains(FamilyOf(t.Terms.TradeId))) && HardConstraints.IsFeasible(worker, c, catalogue))
                .OrderBy(c => c.StartDate)
                .ThenByDescending(c => CohortEligibility.AdmittingTargets(catalogue, worker.Terms, c.Terms).Max(t => scorer.Probability(worker, c, t)))
                .ThenBy(c => c.CohortId);
            foreach (var candidate in next)
            {
                var seat = await EnrolmentSeats.RequestAsync(database.Dialect, connection, tx, catalogue, candidate.CohortId, workerId, allowWaitlist: false,
                    EnrolmentSource.ReOffer, $"原班期“{cohort.Name}”{(cancelledBy is null ? "未达开班人数" : "已")}取消，改为推荐本班期", null, today, now);
                if (seat.Outcome == SeatOutcome.Offered)
                {
                    reOffered++;
                    break;
                }
            }
        }
        return new LifecycleResult(cancelledBy is null ? "deadline" : "cancel", true,
            $"{why}；{enrolled.Count} 名劳动者中 {reOffered} 人已推荐到后续班期", reOffered);
    }

    /// <summary>Three days before the start: a reminder per worker holding a seat, into the notification outbox (once each).</summary>
    public Task<LifecycleResult> RemindAsync(long cohortId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortSql, new { Id = cohortId }, tx);
            var today = ChinaTime.Today(time);
            if (cohort is null || cohort.Status is not (CohortStatus.Open or CohortStatus.Confirmed) || today > cohort.StartDate)
            {
                return new LifecycleResult("reminder", false, "班期不在开班前，无需提醒");
            }
            var message = $"【开班提醒】您报名的“{cohort.Name}”将于{cohort.StartDate:yyyy年M月d日}在{catalogue.NameOf(cohort.CityCode)}开班，请按时报到；如不能参加请尽快告知县人社部门。";
            var written = await connection.ExecuteAsync(RemindSql, new { Kind = NotificationStore.CohortStartReminder, Message = message, Now = time.GetUtcNow(), cohort.Id }, tx);
            return new LifecycleResult("reminder", written > 0, $"写入开班提醒 {written} 条", written);
        }, cancellationToken);

    /// <summary>On the start date: a confirmed cohort goes into training. A cohort still open (its deadline step never ran) is decided first.</summary>
    public Task<LifecycleResult> StartAsync(long cohortId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortSql, new { Id = cohortId }, tx);
            var today = ChinaTime.Today(time);
            if (cohort is null || today < cohort.StartDate)
            {
                return new LifecycleResult("start", false, "未到开班日期");
            }
            if (cohort.Status == CohortStatus.Open)
            {
                var decided = await DecideAsync(connection, tx, cohort, today, cancellationToken);
                if (cohort.Accepted < cohort.MinSize)
                {
                    return decided;
                }
            }
            else if (cohort.Status != CohortStatus.Confirmed)
            {
                return new LifecycleResult("start", false, $"班期是“{CohortStatus.NameOf(cohort.Status)}”，无需开班");
            }
            await SetStatusAsync(connection, tx, cohort, CohortStatus.InTraining, today, time.GetUtcNow());
            return new LifecycleResult("start", true, "班期开班，进入培训", (int)cohort.Accepted);
        }, cancellationToken);

    /// <summary>
    /// On the end date: the cohort is completed and each worker who took part gets a training record awaiting its
    /// attendance, completion (结业) and assessment, which the base records. Placements are recorded when they happen,
    /// with the real start date and wage (POST /api/placements naming the cohort), not created here.
    /// </summary>
    public Task<LifecycleResult> CompleteAsync(long cohortId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync((connection, tx) => CompleteAsync(connection, tx, cohortId), cancellationToken);

    private async Task<LifecycleResult> CompleteAsync(DbConnection connection, DbTransaction tx, long cohortId)
    {
        var cohort = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortSql, new { Id = cohortId }, tx);
        var today = ChinaTime.Today(time);
        if (cohort is null || cohort.Status != CohortStatus.InTraining || today < cohort.EndDate)
        {
            return new LifecycleResult("end", false, cohort is null ? "班期不存在" : $"班期是“{CohortStatus.NameOf(cohort.Status)}”，无需结业");
        }
        var now = time.GetUtcNow();
        await SetStatusAsync(connection, tx, cohort, CohortStatus.Completed, today, now);
        var records = await TrainingRecordStore.CreatePendingAsync(connection, tx, cohort.Id, TrainingRules.CohortDays(cohort.StartDate, cohort.EndDate), now);
        return new LifecycleResult("end", true, $"班期结业，待登记考勤与结业情况的培训记录 {records} 条", records);
    }

    /// <summary>
    /// Every status change of a cohort, by a step or a person, goes through here and the one rule
    /// (<see cref="CohortStatus.Refusal"/>); the callers checked it before acting, so a refusal here is a bug.
    /// </summary>
    private static async Task SetStatusAsync(DbConnection connection, DbTransaction tx, CohortRow cohort, string to, DateOnly today, DateTimeOffset now)
    {
        if (CohortStatus.Refusal(cohort.Status, to, cohort.Progress, today) is { } refusal)
        {
            throw new InvalidOperationException($"cohort {cohort.Id}: {refusal}");
        }
        await connection.ExecuteAsync(SetStatusSql, new { cohort.Id, From = cohort.Status, Status = to, Now = now }, tx);
        await OutboxWriter.EnqueueAsync(connection, tx, CohortStore.OutboxEntity, cohort.Id, OutboxWriter.Upsert, now);
        cohort.Status = to;
    }

    /// <summary>
    /// A status change asked for by a person (PUT /api/cohorts/{id}, POST /api/cohorts/{id}/cancel), inside the
    /// caller's transaction: the rule and the effects of the scheduled steps — cancelling releases the seats and
    /// re-offers the workers; completing opens the trainees' training records. Refused (nothing written) when the rule says no.
    /// </summary>
    public async Task<WriteResult> MoveAsync(DbConnection connection, DbTransaction tx, long cohortId, string to, string by, CancellationToken cancellationToken = default)
    {
        var cohort = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortSql, new { Id = cohortId }, tx);
        if (cohort is null)
        {
            return WriteResult.NotFound;
        }
        var today = ChinaTime.Today(time);
        if (CohortStatus.Refusal(cohort.Status, to, cohort.Progress, today) is { } refusal)
        {
            return WriteResult.Invalid("status", refusal);
        }
        if (cohort.Status == to)
        {
            return WriteResult.Ok(cohortId, 0);
        }
        _ = to switch
        {
            CohortStatus.Cancelled => await DecideAsync(connection, tx, cohort, today, cancellationToken, cancelledBy: by),
            CohortStatus.Completed => await CompleteAsync(connection, tx, cohortId),
            _ => await SetAsync(),
        };
        return WriteResult.Ok(cohortId, 0);

        async Task<LifecycleResult> SetAsync()
        {
            await SetStatusAsync(connection, tx, cohort, to, today, time.GetUtcNow());
            return new LifecycleResult("move", true, CohortStatus.NameOf(to));
        }
    }

    /// <summary>Cancels a cohort (admins, or its enterprise) in its own transaction; a cohort cancelled or completed already is a conflict.</summary>
    public Task<WriteResult> CancelAsync(long cohortId, string by, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var status = await connection.ExecuteScalarAsync<string?>(StatusSql, new { Id = cohortId }, tx);
            if (status is not null && CohortStatus.IsFinal(status))
            {
                return WriteResult.Conflict($"班期已是“{CohortStatus.NameOf(status)}”，不能再取消");
            }
            var result = await MoveAsync(connection, tx, cohortId, CohortStatus.Cancelled, by, cancellationToken);
            return result.Status == WriteStatus.Invalid ? WriteResult.Conflict(result.Message!) : result;
        }, cancellationToken);

    private string FamilyOf(string tradeId) => catalogue.TradesById.TryGetValue(tradeId, out var trade) ? trade.FamilyId : tradeId;

    private static async Task<WorkerProfile?> WorkerProfileAsync(DbConnection connection, DbTransaction tx, long id)
    {
        var row = await connection.QuerySingleOrDefaultAsync<StoredWorkerRow>(WorkerSql, new { Id = id }, tx);
        if (row is null)
        {
            return null;
        }
        var held = (await connection.QueryAsync<HeldEnrolment>(HeldSql, new { Id = id }, tx)).ToList();
        return new WorkerProfile(row.Id, row.CountyCode, row.Terms, row.PriorityGroupList, (int)row.ExpectedWage, held);
    }

    private sealed class CohortRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Status { get; set; } = "";
        public long MinSize { get; init; }
        public DateOnly EnrolmentDeadline { get; init; }
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public string Trades { get; init; } = "";
        public long EmployerId { get; init; }
        public string CityCode { get; init; } = "";
        public long Accepted { get; init; }

        public CohortProgress Progress => new(EnrolmentDeadline, StartDate, EndDate, (int)Accepted, (int)MinSize);
    }
}
