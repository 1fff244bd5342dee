using System.Globalization;
using Matching.Allocation;
using Matching.Data.Dispatch;
using Matching.Data.Idempotency;
using Matching.Data.Notifications;
using Matching.Data.Operations;
using Matching.Data.Reports;
using Matching.Domain.Validation;
using Matching.Scheduling.Dispatch;
using Matching.Scheduling.Lifecycle;
using Matching.Scheduling.Reports;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Matching.Scheduling.Jobs;

public static class CohortJobs
{
    public const string CohortIdKey = "cohortId";

    public static long CohortId(IJobExecutionContext context) =>
        long.Parse(context.MergedJobDataMap.GetString(CohortIdKey) ?? throw new JobExecutionException("trigger without cohortId"), CultureInfo.InvariantCulture);
}

/// <summary>
/// One step of a cohort's life, fired by that cohort's trigger: runs the step (idempotent: a step already done is a
/// no-op) and logs what it did. Misfire: fire now (see <see cref="CohortSchedule"/>).
/// </summary>
public abstract class CohortStepJob(string step, BackgroundProblems problems, ILogger logger) : IJob
{
    protected abstract Task<LifecycleResult> RunAsync(long cohortId, CancellationToken cancellationToken);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var id = CohortJobs.CohortId(context);
        LifecycleResult result;
        try
        {
            result = await RunAsync(id, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A cohort whose row this step cannot handle is recorded for the admins; other cohorts' steps are unaffected.
            logger.LogWarning("Cohort {CohortId} {Step} failed: {Error}", id, step, exception.GetType().Name);
            await problems.RecordAsync(BackgroundProblems.CohortStep, id, $"班期 {id} 的“{step}”步骤执行失败（{exception.GetType().Name}）", cancellationToken);
            return;
        }
        await problems.ClearAsync(BackgroundProblems.CohortStep, id, cancellationToken);
        logger.LogInformation("Cohort {CohortId} {Step}: {Detail}", id, step, result.Detail);
    }
}

/// <summary>Enrolment deadline (报名截止): confirm, or cancel and re-offer.</summary>
public sealed class CohortDeadlineJob(CohortLifecycle lifecycle, BackgroundProblems problems, ILogger<CohortDeadlineJob> logger)
    : CohortStepJob("deadline", problems, logger)
{
    public static readonly JobKey Key = new("cohort-deadline", CohortSchedule.Group);

    protected override Task<LifecycleResult> RunAsync(long cohortId, CancellationToken cancellationToken) => lifecycle.DeadlineAsync(cohortId, cancellationToken);
}

/// <summary>Start reminder three days before (开班提醒); the step skips a cohort already started.</summary>
public sealed class CohortReminderJob(CohortLifecycle lifecycle, BackgroundProblems problems, ILogger<CohortReminderJob> logger)
    : CohortStepJob("reminder", problems, logger)
{
    public static readonly JobKey Key = new("cohort-reminder", CohortSchedule.Group);

    protected override Task<LifecycleResult> RunAsync(long cohortId, CancellationToken cancellationToken) => lifecycle.RemindAsync(cohortId, cancellationToken);
}

/// <summary>Start (开班) → in training.</summary>
public sealed class CohortStartJob(CohortLifecycle lifecycle, BackgroundProblems problems, ILogger<CohortStartJob> logger)
    : CohortStepJob("start", problems, logger)
{
    public static readonly JobKey Key = new("cohort-start", CohortSchedule.Group);

    protected override Task<LifecycleResult> RunAsync(long cohortId, CancellationToken cancellationToken) => lifecycle.StartAsync(cohortId, cancellationToken);
}

/// <summary>End (结业) → completed, placements created.</summary>
public sealed class CohortEndJob(CohortLifecycle lifecycle, BackgroundProblems problems, ILogger<CohortEndJob> logger)
    : CohortStepJob("end", problems, logger)
{
    public static readonly JobKey Key = new("cohort-end", CohortSchedule.Group);

    protected override Task<LifecycleResult> RunAsync(long cohortId, CancellationToken cancellationToken) => lifecycle.CompleteAsync(cohortId, cancellationToken);
}

/// <summary>Every minute: cohort triggers follow cohort changes. Misfire: skip to the next minute (the next run catches up).</summary>
[DisallowConcurrentExecution]
public sealed class CohortScheduleSyncJob(CohortSchedule schedule, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("cohort-schedule-sync", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await schedule.SyncAsync(context.Scheduler, time.GetUtcNow(), cancellationToken);
}

/// <summary>Every minute: drains the notification outbox. Misfire: skip to the next minute (unsent rows wait in the table).</summary>
[DisallowConcurrentExecution]
public sealed class NotificationSenderJob(NotificationStore notifications, INotificationChannel channel, ILogger<NotificationSenderJob> logger) : IJob
{
    public static readonly JobKey Key = new("notification-sender", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        foreach (var notification in await notifications.PendingAsync(500, cancellationToken))
        {
            try
            {
                await channel.SendAsync(notification, cancellationToken);
                await notifications.MarkSentAsync(notification.Id, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Notification {Id} not sent: {Error}", notification.Id, e.GetType().Name);
                await notifications.MarkFailedAsync(notification.Id, e.GetType().Name, cancellationToken);
            }
        }
    }
}

/// <summary>
/// 08:00 Beijing on the 1st of each month: the province-wide optimal round as a proposal (建议方案), stored as a draft
/// for the offices to review and commit. One per month (a unique period), so a re-run does nothing. Misfire: fire
/// once when back (FireAndProceed) — the month still needs its proposal.
/// </summary>
[DisallowConcurrentExecution]
public sealed class MonthlyDispatchProposalJob(DispatchRoundPlanner planner, DispatchRoundStore rounds, TimeProvider time, ILogger<MonthlyDispatchProposalJob> logger) : IJob
{
    public static readonly JobKey Key = new("monthly-dispatch-proposal", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var period = ChinaTime.Today(time).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (await rounds.ProposalExistsAsync(period, cancellationToken))
        {
            logger.LogInformation("Monthly dispatch proposal for {Period} exists already", period);
            return;
        }
        var result = await planner.DryRunAsync(new RoundRequest(DispatchScope.Province, "520000", null, AllocationModes.Optimal,
            DispatchRoundPlanner.DefaultPriorityWeight, null, "系统（月调度建议）", period), cancellationToken);
        logger.LogInformation("Monthly dispatch proposal for {Period}: {Status} round {Id}", period, result.Status, result.Id);
    }
}

/// <summary>09:00 Beijing on the 1st of each quarter: 季小结 of the quarter just ended. Misfire: fire once when back.</summary>
[DisallowConcurrentExecution]
public sealed class QuarterlyReportJob(SummaryReports reports, ILogger<QuarterlyReportJob> logger) : IJob
{
    public static readonly JobKey Key = new("quarterly-report", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var (written, period) = await reports.WriteAsync(ReportKinds.Quarterly, cancellationToken);
        logger.LogInformation("Quarterly report {Period}: {Outcome}", period, written ? "stored" : "exists already");
    }
}

/// <summary>09:00 Beijing on 2 January: 年总结 of the year just ended. Misfire: fire once when back.</summary>
[DisallowConcurrentExecution]
public sealed class AnnualReportJob(SummaryReports reports, ILogger<AnnualReportJob> logger) : IJob
{
    public static readonly JobKey Key = new("annual-report", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var (written, period) = await reports.WriteAsync(ReportKinds.Annual, cancellationToken);
        logger.LogInformation("Annual report {Period}: {Outcome}", period, written ? "stored" : "exists already");
    }
}

/// <summary>
/// 02:00 Beijing nightly: search-index consistency check (search branch seam) and expired idempotency keys removed.
/// Misfire: do nothing — a missed night is covered by the next one.
/// </summary>
[DisallowConcurrentExecution]
public sealed class NightlyMaintenanceJob(IIndexConsistencyCheck indexCheck, IdempotencyStore idempotency, ILogger<NightlyMaintenanceJob> logger) : IJob
{
    public static readonly JobKey Key = new("nightly-maintenance", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var check = await indexCheck.CheckAsync(cancellationToken);
        var purged = await idempotency.PurgeExpiredAsync(cancellationToken);
        logger.LogInformation("Nightly: index check {Detail} ({Compared} compared, {Repaired} queued); {Purged} expired idempotency keys removed",
            check.Detail, check.Compared, check.Repaired, purged);
    }
}

/// <summary>
/// 03:00 Beijing on Mondays: retrain the ranking model (ranking branch seam); the new model replaces the live one only
/// if it is not worse on the same evaluation. Misfire: do nothing — next week's run retrains anyway.
/// </summary>
[DisallowConcurrentExecution]
public sealed class WeeklyRetrainJob(IRankingModelTrainer trainer, ILogger<WeeklyRetrainJob> logger) : IJob
{
    public static readonly JobKey Key = new("weekly-retrain", "system");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!trainer.Available)
        {
            logger.LogWarning("Weekly retrain: no ranking model on this build (placeholder NoRankingModelYet); nothing trained");
            return;
        }
        var live = await trainer.EvaluateLiveAsync(cancellationToken);
        var candidate = await trainer.TrainCandidateAsync(cancellationToken);
        if (ModelPromotion.ShouldReplace(candidate, live))
        {
            await trainer.PromoteAsync(candidate, cancellationToken);
            logger.LogInformation("Weekly retrain: model {Model} ({Metric} {Score:F4}) replaces the live one ({Live})", candidate.ModelId, candidate.Metric, candidate.Score, live?.Score);
        }
        else
        {
            logger.LogInformation("Weekly retrain: model {Model} ({Metric} {Score:F4}) is worse than the live one ({Live:F4}); kept the live model", candidate.ModelId, candidate.Metric, candidate.Score, live!.Score);
        }
    }
}
