using Matching.Data.Cohorts;
using Matching.Data.Operations;
using Matching.Data.Storage;
using Matching.Domain.Cohorts;
using Matching.Domain.Validation;
using Matching.Scheduling.Jobs;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Matching.Scheduling;

/// <summary>
/// Keeps one trigger per cohort and step (deadline, reminder, start, end) in the Quartz store in line with the cohorts
/// in SQL. It reads the outbox rows of cohort changes past its own watermark (the search indexer's progress is not
/// touched), so a cohort created or moved by any path — API, seeding, a lifecycle step — gets its triggers within a
/// minute; the first run looks at every cohort. Safe to repeat: a trigger already at the right time is left alone.
/// A cohort that cannot be scheduled (unreadable dates, dates outside the schedulable range) is recorded as a
/// background problem (admins see it, <c>/health/ready</c> is Degraded), skipped, and the others go on.
/// </summary>
public sealed class CohortSchedule(Database database, BackgroundProblems problems, TimeProvider time, ILogger<CohortSchedule> logger)
{
    private readonly CohortScheduleRows _rows = new(database);

    /// <summary>
    /// Steps further from now than this, ahead or behind, are not scheduled: no cohort plans that far ahead, and a step
    /// years overdue is not caught up on but shown to an admin, so the row is wrong either way.
    /// </summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(366 * (CohortRules.LatestYearsAhead + 3));

    public const string Group = "cohorts";
    /// <summary>The steps of a cohort's life, each a durable job fired by per-cohort triggers.</summary>
    public static readonly IReadOnlyList<(string Step, JobKey Job)> Steps =
    [
        ("deadline", CohortDeadlineJob.Key),
        ("reminder", CohortReminderJob.Key),
        ("start", CohortStartJob.Key),
        ("end", CohortEndJob.Key),
    ];

    public static TriggerKey TriggerKeyOf(long cohortId, string step) => new($"cohort-{cohortId}-{step}", Group);

    /// <summary>When each step fires, in Beijing time: just after the deadline day ends, 09:00 three days before the start, 06:00 on the start day, 20:00 on the end day.</summary>
    public static DateTimeOffset FireTime(string step, DateOnly deadline, DateOnly start, DateOnly end) => step switch
    {
        "deadline" => Beijing(deadline.AddDays(1), new TimeOnly(0, 5)),
        "reminder" => Beijing(start.AddDays(-3), new TimeOnly(9, 0)),
        "start" => Beijing(start, new TimeOnly(6, 0)),
        _ => Beijing(end, new TimeOnly(20, 0)),
    };

    /// <summary>Which steps are still ahead of a cohort in this state.</summary>
    public static IReadOnlyList<string> StepsAhead(string status) => status switch
    {
        CohortStatus.Planned or CohortStatus.Open => ["deadline", "reminder", "start", "end"],
        CohortStatus.Confirmed => ["reminder", "start", "end"],
        CohortStatus.InTraining => ["end"],
        _ => [],
    };

    private static DateTimeOffset Beijing(DateOnly day, TimeOnly at) => new DateTimeOffset(day.ToDateTime(at), ChinaTime.Offset).ToUniversalTime();

    public async Task<int> SyncAsync(IScheduler scheduler, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var (ids, upto) = await _rows.ChangedSinceWatermarkAsync(cancellationToken);
        var changed = 0;
        var recorded = (await problems.ListAsync(cancellationToken)).Where(p => p.Kind == BackgroundProblems.CohortSchedule).Select(p => p.SubjectId).ToHashSet();
        foreach (var id in ids)
        {
            try
            {
                changed += await SyncCohortAsync(scheduler, id, cancellationToken);
                if (recorded.Contains(id))
                {
                    await problems.ClearAsync(BackgroundProblems.CohortSchedule, id, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // One row never stops the others: record it for the admins, skip it, go on.
                var detail = exception is UnschedulableCohortException unschedulable ? unschedulable.Message : $"无法读取或排程（{exception.GetType().Name}）";
                logger.LogWarning("Cohort {CohortId} could not be scheduled: {Detail}", id, detail);
                await problems.RecordAsync(BackgroundProblems.CohortSchedule, id, $"班期 {id} 无法排程：{detail}", cancellationToken);
            }
        }
        await _rows.SetWatermarkAsync(upto, now, cancellationToken);
        if (changed > 0)
        {
            logger.LogInformation("Cohort schedule: {Changed} triggers set or removed for {Cohorts} cohorts", changed, ids.Count);
        }
        return changed;
    }

    /// <summary>Puts the cohort's triggers where its state and dates say; returns how many were set or removed.</summary>
    public async Task<int> SyncCohortAsync(IScheduler scheduler, long cohortId, CancellationToken cancellationToken = default)
    {
        var cohort = await _rows.DatesAsync(cohortId, cancellationToken);
        var ahead = cohort is null ? [] : StepsAhead(cohort.Status);
        // Every time is worked out before any trigger is set, so a cohort that cannot be scheduled gets none.
        var times = ahead.ToDictionary(step => step, step => SafeFireTime(step, cohort!));
        var changed = 0;
        foreach (var (step, job) in Steps)
        {
            var key = TriggerKeyOf(cohortId, step);
            var existing = await scheduler.GetTrigger(key, cancellationToken);
            if (!ahead.Contains(step))
            {
                if (existing is not null)
                {
                    await scheduler.UnscheduleJob(key, cancellationToken);
                    changed++;
                }
                continue;
            }
            var at = times[step];
            if (existing is not null && existing.StartTimeUtc == at)
            {
                continue;
            }
            // FireNow: a step whose time passed while the service was down runs as soon as it is back; each step
            // checks the cohort's state and dates itself, so a late or repeated run is harmless.
            var trigger = TriggerBuilder.Create()
                .WithIdentity(key)
                .ForJob(job)
                .UsingJobData(CohortJobs.CohortIdKey, cohortId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .StartAt(at)
                .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
                .Build();
            try
            {
                if (existing is null)
                {
                    await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken);
                }
                else
                {
                    await scheduler.RescheduleJob(key, trigger, cancellationToken);
                }
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another replica of a clustered scheduler set it a moment ago: put this one in its place.
                await scheduler.RescheduleJob(key, trigger, cancellationToken);
            }
            changed++;
        }
        return changed;
    }

    /// <summary>The step's time, or the reason it cannot be scheduled (a date at the edge of the calendar, or decades away).</summary>
    private DateTimeOffset SafeFireTime(string step, CohortDates cohort)
    {
        DateTimeOffset at;
        try
        {
            at = FireTime(step, cohort.EnrolmentDeadline, cohort.StartDate, cohort.EndDate);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new UnschedulableCohortException("日期超出日历范围");
        }
        var now = time.GetUtcNow();
        if (at > now + Horizon || at < now - Horizon)
        {
            throw new UnschedulableCohortException($"{step} 的时间 {at.ToOffset(ChinaTime.Offset):yyyy-MM-dd} 远在可排程范围之外");
        }
        return at;
    }

    private sealed class UnschedulableCohortException(string message) : Exception(message);
}
