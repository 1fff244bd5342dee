using Matching.Allocation;
using Matching.Data.Dispatch;
using Matching.Data.Idempotency;
using Matching.Data.Notifications;
using Matching.Data.Operations;
using Matching.Data.Storage;
using Matching.Scheduling.Dispatch;
using Matching.Scheduling.Jobs;
using Matching.Scheduling.Lifecycle;
using Matching.Scheduling.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Matching.Scheduling;

/// <summary>
/// Quartz.NET with its persistent ADO job store in the application's SQLite file (tables QRTZ_*, created when missing),
/// the jobs of the product and their schedules. Quartz reads the clock from the container's <see cref="TimeProvider"/>,
/// so tests drive it with a fake one. Schedules live in the store, so they survive a restart.
/// </summary>
public static class SchedulingSetup
{
    /// <summary>
    /// Registers the scheduler and the services its jobs use. <see cref="Database"/>, <see cref="Domain.Catalogues.Catalogue"/>
    /// and <see cref="TimeProvider"/> come from the host. The seams (<see cref="ICandidatePairSource"/>,
    /// <see cref="IIndexConsistencyCheck"/>, <see cref="IRankingModelTrainer"/>, <see cref="INotificationChannel"/>) get
    /// this branch's implementations unless the host registered others first.
    /// </summary>
    /// <param name="storageProvider">
    /// <c>sqlite</c>: the job store in the SQLite file, one scheduler (a second process on the same file would not be a
    /// cluster member). <c>sqlserver</c>: the job store on SQL Server (tables from the migrations), clustered: every API
    /// replica runs a scheduler, each trigger fires on one of them, and a replica that stops checking in has its
    /// running jobs recovered by another.
    /// </param>
    public static IServiceCollection AddMatchingScheduling(this IServiceCollection services, string connectionString, string storageProvider = "sqlite")
    {
        var clustered = storageProvider.Equals("sqlserver", StringComparison.OrdinalIgnoreCase);
        services.AddMatchingDispatch();
        services.AddQuartz(quartz =>
        {
            quartz.UseDefaultThreadPool(4);
            if (clustered)
            {
                // A unique instance id per process (host name + time); the scheduler name is shared by the cluster.
                quartz.ConfigureScheduler(scheduler => scheduler.GenerateInstanceId = true);
            }
            quartz.UsePersistentStore(store =>
            {
                if (clustered)
                {
                    store.UseSqlServer(connectionString);
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = ClusterCheckinInterval;
                        cluster.CheckinMisfireThreshold = ClusterCheckinMisfireThreshold;
                    });
                }
                else
                {
                    store.UseSqlite(connectionString);
                    store.ProvisionSchema();
                }
                // Job data as plain strings (a cohort id): readable in the table and free of serializer versions.
                store.ConfigureStore(options => options.StoreJobDataAsStrings = true);
            });
            quartz.AddJobType<CohortDeadlineJob>();
            quartz.AddJobType<CohortReminderJob>();
            quartz.AddJobType<CohortStartJob>();
            quartz.AddJobType<CohortEndJob>();
            quartz.AddJobType<CohortScheduleSyncJob>();
            quartz.AddJobType<NotificationSenderJob>();
            quartz.AddJobType<MonthlyDispatchProposalJob>();
            quartz.AddJobType<QuarterlyReportJob>();
            quartz.AddJobType<AnnualReportJob>();
            quartz.AddJobType<NightlyMaintenanceJob>();
            quartz.AddJobType<WeeklyRetrainJob>();
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddHostedService<SchedulingBootstrap>();
        return services;
    }

    /// <summary>How often a clustered scheduler records that it is alive.</summary>
    public static readonly TimeSpan ClusterCheckinInterval = TimeSpan.FromSeconds(7.5);

    /// <summary>How long a silent cluster member is given before another takes over its running jobs.</summary>
    public static readonly TimeSpan ClusterCheckinMisfireThreshold = TimeSpan.FromSeconds(20);

    /// <summary>The services of dispatch rounds, the cohort lifecycle and reports, without the scheduler (used by both).</summary>
    public static IServiceCollection AddMatchingDispatch(this IServiceCollection services)
    {
        services.TryAddSingleton<ICandidatePairSource>(sp => new HeuristicCandidatePairSource(sp.GetRequiredService<Domain.Catalogues.Catalogue>()));
        services.TryAddSingleton<IIndexConsistencyCheck, NoSearchIndexYetCheck>();
        services.TryAddSingleton<IRankingModelTrainer, NoRankingModelYet>();
        services.TryAddSingleton<INotificationChannel, LogNotificationChannel>();
        services.TryAddSingleton<DispatchRoundPlanner>();
        services.TryAddSingleton<DispatchRoundStore>();
        services.TryAddSingleton<NotificationStore>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<CohortLifecycle>();
        services.TryAddSingleton<SummaryReports>();
        services.TryAddSingleton<CohortSchedule>();
        services.TryAddSingleton<BackgroundProblems>();
        return services;
    }
}

/// <summary>
/// At start: stores the durable jobs, adds each recurring trigger that is not in the store yet (an existing one keeps
/// its next fire time, which is what makes schedules survive a restart), and brings the cohort triggers up to date.
/// Cron expressions are in UTC: Beijing keeps UTC+8 all year, so 00:00 UTC is 08:00 in Guizhou.
/// </summary>
public sealed class SchedulingBootstrap(ISchedulerFactory schedulers, CohortSchedule cohorts, TimeProvider time, ILogger<SchedulingBootstrap> logger) : IHostedService
{
    /// <summary>The recurring schedule and the misfire policy chosen for each job (why: see each job's summary).</summary>
    public static readonly IReadOnlyList<(JobKey Job, string Trigger, IScheduleBuilder Schedule)> Recurring =
    [
        (CohortScheduleSyncJob.Key, "every-minute", SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()
            .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
        (NotificationSenderJob.Key, "every-minute", SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()
            .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
        (MonthlyDispatchProposalJob.Key, "monthly", CronScheduleBuilder.Create("0 0 0 1 * ?").WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
        (QuarterlyReportJob.Key, "quarterly", CronScheduleBuilder.Create("0 0 1 1 1,4,7,10 ?").WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
        (AnnualReportJob.Key, "annual", CronScheduleBuilder.Create("0 0 1 2 1 ?").WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
        (NightlyMaintenanceJob.Key, "nightly", CronScheduleBuilder.Create("0 0 18 * * ?").WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)),
        (WeeklyRetrainJob.Key, "weekly", CronScheduleBuilder.Create("0 0 19 ? * SUN").WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)),
    ];

    /// <summary>Every job of the product, stored durably at start (a restart finds them all).</summary>
    public static readonly IReadOnlyList<(JobKey Key, Type Type)> Jobs =
    [
        (CohortDeadlineJob.Key, typeof(CohortDeadlineJob)), (CohortReminderJob.Key, typeof(CohortReminderJob)),
        (CohortStartJob.Key, typeof(CohortStartJob)), (CohortEndJob.Key, typeof(CohortEndJob)),
        (CohortScheduleSyncJob.Key, typeof(CohortScheduleSyncJob)), (NotificationSenderJob.Key, typeof(NotificationSenderJob)),
        (MonthlyDispatchProposalJob.Key, typeof(MonthlyDispatchProposalJob)), (QuarterlyReportJob.Key, typeof(QuarterlyReportJob)),
        (AnnualReportJob.Key, typeof(AnnualReportJob)), (NightlyMaintenanceJob.Key, typeof(NightlyMaintenanceJob)),
        (WeeklyRetrainJob.Key, typeof(WeeklyRetrainJob)),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var (key, type) in Jobs)
        {
            // Durable: per-cohort triggers come and go, the job stays. Recovery: a job cut off by a crash runs again.
            var job = JobBuilder.Create().OfType(type).WithIdentity(key).StoreDurably().RequestRecovery().Build();
            await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
        }
        foreach (var (job, name, schedule) in Recurring)
        {
            var key = new TriggerKey($"{job.Name}-{name}", job.Group);
            if (await scheduler.GetTrigger(key, cancellationToken) is null)
            {
                try
                {
                    await scheduler.ScheduleJob(TriggerBuilder.Create(time).WithIdentity(key).ForJob(job).StartAt(time.GetUtcNow()).WithSchedule(schedule).Build(),
                        cancellationToken: cancellationToken);
                }
                catch (ObjectAlreadyExistsException)
                {
                    // Another replica of the cluster starting at the same moment stored it first; its next fire time stands.
                }
            }
        }
        var changed = 0;
        try
        {
            changed = await cohorts.SyncAsync(scheduler, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Start-up never depends on the cohorts: the every-minute sync tries again.
            logger.LogError(exception, "Cohort schedule sync at start failed; the every-minute sync retries");
        }
        logger.LogInformation("Scheduler ready: {Jobs} jobs, {Recurring} recurring schedules, {Changed} cohort triggers updated", Jobs.Count, Recurring.Count, changed);
        var metadata = await scheduler.GetMetadata(cancellationToken);
        if (metadata.JobStoreClustered)
        {
            logger.LogInformation("Scheduler clustered (集群调度) on the shared database as instance {Instance}: each trigger fires on one replica", metadata.SchedulerInstanceId);
        }
        else
        {
            logger.LogInformation("Scheduler single-node (单节点调度): job store in this process's SQLite file; run one API instance on it (several replicas need SQL Server)");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
