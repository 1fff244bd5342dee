using System.Globalization;
using Matching.Data.Alerts;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Domain.Alerts;
using Matching.Domain.Catalogues;
using Matching.Domain.Placements;
using Matching.Domain.Validation;
using Matching.Scheduling.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matching.Scheduling.Alerts;

/// <summary>The <c>Matching:Alerts</c> section.</summary>
public sealed class AlertOptions
{
    public const string Section = "Matching:Alerts";

    /// <summary>A follow-up this many days past its due date raises a job-loss alert for a covered worker.</summary>
    public int OverdueDays { get; set; } = JobLossAlertRules.DefaultOverdueDays;

    /// <summary>How often the watch runs when nothing wakes it earlier (a write that raised an alert wakes it at once).</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>Re-match openings and open cohorts suggested with each alert.</summary>
    public int SuggestedOpenings { get; set; } = 5;

    public int SuggestedCohorts { get; set; } = 3;

    /// <summary>Runs the watch in the background (off in tools that only read).</summary>
    public bool WatchEnabled { get; set; } = true;
}

/// <summary>SEAM served by the ranking: re-match openings (from the ranker) and open cohorts for a worker who lost their job.</summary>
public interface IRematchAdvisor
{
    Task<AlertSuggestions> SuggestAsync(long workerId, CancellationToken cancellationToken);
}

/// <summary>PLACEHOLDER for hosts without the ranking (tools): suggests nothing and says so.</summary>
public sealed class NoRematchAdvisor : IRematchAdvisor
{
    public Task<AlertSuggestions> SuggestAsync(long workerId, CancellationToken cancellationToken) =>
        Task.FromResult(new AlertSuggestions([], [], "本程序未接入排序模型，未生成推荐"));
}

/// <summary>Wakes the watch at once, e.g. after a write raised an alert, so delivery does not wait for the next poll.</summary>
public sealed class AlertSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Poke()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already poked.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>What one run of the watch did.</summary>
public sealed record WatchResult(int RemindersDue, int RemindersOverdue, int AlertsRaised, int AlertsDelivered);

/// <summary>
/// The follow-up watch: reminders to the county office when a follow-up falls due and again when it is overdue;
/// job-loss alerts for covered workers whose follow-up is overdue by more than <see cref="AlertOptions.OverdueDays"/>;
/// and delivery of every raised alert (whatever raised it) with its re-match suggestions to the county office and
/// the rural revitalisation staff of the worker's county. Each step is idempotent (one reminder per follow-up and
/// stage, one alert per event, delivery claimed once), so runs may overlap a restart.
/// </summary>
public sealed class FollowUpWatch(Database database, FollowUpStore followUps, JobLossAlertStore alerts, StaffNotifier notifier,
    IRematchAdvisor advisor, AlertOptions options, Catalogue catalogue, TimeProvider time, ILogger<FollowUpWatch> logger) : IDisposable
{
    private const int Batch = 1000;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<WatchResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var today = ChinaTime.Today(time);
            var due = await RemindAsync(today, FollowUpSchedule.Due, cancellationToken);
            var overdue = await RemindAsync(today, FollowUpSchedule.Overdue, cancellationToken);
            var raised = await alerts.RaiseOverdueAsync(today, options.OverdueDays, Batch, cancellationToken);
            var delivered = await DeliverAlertsAsync(cancellationToken);
            return new WatchResult(due, overdue, raised, delivered);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<int> RemindAsync(DateOnly today, string stage, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var reminder in await followUps.RemindersToSendAsync(today, stage, Batch, cancellationToken))
        {
            var county = catalogue.NameOf(reminder.CountyCode);
            var late = today.DayNumber - reminder.DueDate.DayNumber;
            var message = new StaffMessage(
                stage == FollowUpSchedule.Due ? "follow-up-due" : "follow-up-overdue",
                string.Create(CultureInfo.InvariantCulture, $"placement:{reminder.PlacementId}:{reminder.Month}"),
                stage == FollowUpSchedule.Due ? $"跟踪回访提醒：第{reminder.Month}个月回访已到期" : $"逾期提醒：第{reminder.Month}个月回访已逾期{late}天",
                string.Create(CultureInfo.InvariantCulture,
                    $"{county}劳动者（编号 {reminder.WorkerId}）的就业安置 {reminder.PlacementId} 第{reminder.Month}个月回访应于 {reminder.DueDate:yyyy-MM-dd} 完成{(stage == FollowUpSchedule.Due ? "，请按时回访" : "，至今未登记回访结果，请尽快回访")}。"),
                $"/api/placements/{reminder.PlacementId}", reminder.CountyCode, reminder.PrefectureCode, ToRuralRevitalisation: false);
            await database.InTransactionAsync(async (connection, tx) =>
            {
                var recipients = await notifier.SendAsync(connection, tx, message, time.GetUtcNow(), cancellationToken);
                return await FollowUpStore.MarkReminderSentAsync(database.Dialect, connection, tx, reminder, recipients, time.GetUtcNow());
            }, cancellationToken);
            sent++;
        }
        return sent;
    }

    public void Dispose() => _oneAtATime.Dispose();

    /// <summary>Delivers every raised, undelivered alert; the number delivered now.</summary>
    public async Task<int> DeliverAlertsAsync(CancellationToken cancellationToken = default)
    {
        var delivered = 0;
        foreach (var alert in await alerts.PendingAsync(200, cancellationToken))
        {
            AlertSuggestions suggestions;
            try
            {
                suggestions = await advisor.SuggestAsync(alert.WorkerId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An alert goes out even when the ranker cannot answer; the note says why nothing is suggested.
                logger.LogWarning("Re-match suggestions for alert {AlertId} failed: {Error}", alert.Id, e.GetType().Name);
                suggestions = new AlertSuggestions([], [], "推荐暂不可用，请稍后在匹配页面查询");
            }
            var county = catalogue.NameOf(alert.CountyCode);
            var message = new StaffMessage("job-loss-alert", string.Create(CultureInfo.InvariantCulture, $"alert:{alert.Id}"),
                $"防返贫就业预警：{county}",
                string.Create(CultureInfo.InvariantCulture,
                    $"{county}脱贫或监测帮扶家庭劳动者（编号 {alert.WorkerId}）{alert.Reason}。已推荐再就业岗位 {suggestions.Openings.Count} 个、可报名培训班期 {suggestions.Cohorts.Count} 个，请及时跟进帮扶。"),
                $"/api/alerts/{alert.Id}", alert.CountyCode, alert.PrefectureCode, ToRuralRevitalisation: true);
            var done = await database.InTransactionAsync(async (connection, tx) =>
            {
                var now = time.GetUtcNow();
                var recipients = await notifier.SendAsync(connection, tx, message, now, cancellationToken);
                return await JobLossAlertStore.MarkDeliveredAsync(connection, tx, alert, recipients, suggestions, now);
            }, cancellationToken);
            if (done)
            {
                delivered++;
            }
        }
        return delivered;
    }
}

/// <summary>Runs the follow-up watch every few seconds, or at once when poked.</summary>
public sealed class FollowUpWatchService(FollowUpWatch watch, AlertSignal signal, AlertOptions options, ILogger<FollowUpWatchService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.WatchEnabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await watch.RunOnceAsync(stoppingToken);
                if (result.RemindersDue + result.RemindersOverdue + result.AlertsRaised + result.AlertsDelivered > 0)
                {
                    logger.LogInformation("Follow-up watch: {Due} due and {Overdue} overdue reminders, {Raised} alerts raised, {Delivered} delivered",
                        result.RemindersDue, result.RemindersOverdue, result.AlertsRaised, result.AlertsDelivered);
                }
                await signal.WaitAsync(TimeSpan.FromSeconds(options.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Follow-up watch run failed; the next run retries");
                await Task.Delay(TimeSpan.FromSeconds(options.PollSeconds), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
