using System.Data.Common;
using Matching.Allocation;
using Matching.Data.Cohorts;
using Matching.Data.Dispatch;
using Matching.Data.Enrolments;
using Matching.Data.Notifications;
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
    /// <summary>
    /// At the enrolment deadline: confirm the cohort when its accepted enrolments reach the minimum size (最低开班人数),
    /// else cancel it and re-offer each of its workers a seat in the next suitable cohort.
    /// </summary>
    public Task<LifecycleResult> DeadlineAsync(long cohortId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = await CohortSteps.CohortAsync(connection, tx, cohortId);
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
    private async Task<LifecycleResult> DecideAsync(DbConnection connection, DbTransaction tx, CohortStepRow cohort, DateOnly today, CancellationToken cancellationToken, string? cancelledBy = null)
    {
        var now = time.GetUtcNow();
        if (cancelledBy is null && cohort.Accepted >= cohort.MinSize)
        {
            await SetStatusAsync(connection, tx, cohort, CohortStatus.Confirmed, today, now);
            return new LifecycleResult("deadline", true, $"确认参训 {cohort.Accepted} 人，达到最低开班人数 {cohort.MinSize}，确认开班", (int)cohort.Accepted);
        }
        await SetStatusAsync(connection, tx, cohort, CohortStatus.Cancelled, today, now);
        var why = cancelledBy is null ? $"班期未达最低开班人数（{cohort.Accepted}/{cohort.MinSize}）已取消" : $"班期已由{cancelledBy}取消";
        var enrolled = await CohortSteps.CancelEnrolmentsAsync(connection, tx, cohort.Id, why, now);

        // Candidate cohorts for the re-offers: those taking enrolments, read as a round reads them.
        var candidates = (await new DispatchInputs(database).OpenCohortsAsync(today, cancellationToken: cancellationToken))
            .Where(c => c.Id != cohort.Id && c.StartDate >= today).Select(DispatchRoundPlanner.CohortProfile).ToList();
        var families = Codes.Split(cohort.Trades).Select(FamilyOf).ToHashSet(StringComparer.Ordinal);
        var scorer = new HeuristicScore(catalogue);
        var reOffered = 0;
        foreach (var workerId in enrolled)
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
            var cohort = await CohortSteps.CohortAsync(connection, tx, cohortId);
            var today = ChinaTime.Today(time);
            if (cohort is null || cohort.Status is not (CohortStatus.Open or CohortStatus.Confirmed) || today > cohort.StartDate)
            {
                return new LifecycleResult("reminder", false, "班期不在开班前，无需提醒");
            }
            var message = $"【开班提醒】您报名的“{cohort.Name}”将于{cohort.StartDate:yyyy年M月d日}在{catalogue.NameOf(cohort.CityCode)}开班，请按时报到；如不能参加请尽快告知县人社部门。";
            var written = await CohortSteps.RemindAsync(connection, tx, cohort.Id, NotificationStore.CohortStartReminder, message, time.GetUtcNow());
            return new LifecycleResult("reminder", written > 0, $"写入开班提醒 {written} 条", written);
        }, cancellationToken);

    /// <summary>On the start date: a confirmed cohort goes into training. A cohort still open (its deadline step never ran) is decided first.</summary>
    public Task<LifecycleResult> StartAsync(long cohortId, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = await CohortSteps.CohortAsync(connection, tx, cohortId);
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
        var cohort = await CohortSteps.CohortAsync(connection, tx, cohortId);
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
    private static async Task SetStatusAsync(DbConnection connection, DbTransaction tx, CohortStepRow cohort, string to, DateOnly today, DateTimeOffset now)
    {
        if (CohortStatus.Refusal(cohort.Status, to, cohort.Progress, today) is { } refusal)
        {
            throw new InvalidOperationException($"cohort {cohort.Id}: {refusal}");
        }
        await CohortSteps.SetStatusAsync(connection, tx, cohort, to, now);
    }

    /// <summary>
    /// A status change asked for by a person (PUT /api/cohorts/{id}, POST /api/cohorts/{id}/cancel), inside the
    /// caller's transaction: the rule and the effects of the scheduled steps — cancelling releases the seats and
    /// re-offers the workers; completing opens the trainees' training records. Refused (nothing written) when the rule says no.
    /// </summary>
    public async Task<WriteResult> MoveAsync(DbConnection connection, DbTransaction tx, long cohortId, string to, string by, CancellationToken cancellationToken = default)
    {
        var cohort = await CohortSteps.CohortAsync(connection, tx, cohortId);
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
            var status = await CohortSteps.StatusAsync(connection, tx, cohortId);
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
        if (await CohortSteps.WorkerAsync(connection, tx, id) is not { Row: var row, Held: var held })
        {
            return null;
        }
        return new WorkerProfile(row.Id, row.CountyCode, row.Terms, row.PriorityGroupList, (int)row.ExpectedWage, held);
    }
}
