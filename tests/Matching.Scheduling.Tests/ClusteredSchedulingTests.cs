using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Matching.Scheduling.Tests;

/// <summary>
/// The scheduler as replicas run it: on SQLite one node, which says so at start; on SQL Server (when
/// <c>SQLSERVER_CONNECTION</c> is set) two schedulers in one cluster on one database, each trigger firing on exactly
/// one of them and a stopped member's running job recovered by the other.
/// </summary>
public sealed class ClusteredSchedulingTests : IDisposable
{
    private static readonly string? Connection = Environment.GetEnvironmentVariable("SQLSERVER_CONNECTION");
    private const string NotSetReason = "SQLSERVER_CONNECTION 未设置：没有可用的 SQL Server，集群调度测试跳过（SQLite 上调度为单节点）";

    private readonly string _databaseName = "matching_quartz_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "matching-cluster-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<IHost> _hosts = [];

    [Fact]
    public async Task On_SQLite_the_scheduler_is_single_node_and_says_so_at_start()
    {
        using var world = new TestWorld();
        var lines = new ConcurrentQueue<string>();
        var host = await StartAsync(world.Environment, world.Time, "sqlite", lines);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.False((await scheduler.GetMetadata()).JobStoreClustered);
        Assert.Contains(lines, l => l.Contains("single-node", StringComparison.Ordinal) && l.Contains("单节点", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Two_replicas_on_one_SQL_Server_fire_each_trigger_once()
    {
        Skip.If(string.IsNullOrWhiteSpace(Connection), NotSetReason);
        using var environment = OpenSqlServer();
        var lines = new ConcurrentQueue<string>();
        var a = await StartAsync(environment, TimeProvider.System, "sqlserver", lines);
        var b = await StartAsync(environment, TimeProvider.System, "sqlserver", lines);
        var schedulerA = await a.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var schedulerB = await b.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.True((await schedulerA.GetMetadata()).JobStoreClustered);
        Assert.NotEqual(schedulerA.SchedulerInstanceId, schedulerB.SchedulerInstanceId);
        Assert.Contains(lines, l => l.Contains("clustered", StringComparison.Ordinal));

        var run = Guid.NewGuid().ToString("N");
        const int Fires = 12;
        await schedulerA.ScheduleJob(
            JobBuilder.Create<CountingJob>().WithIdentity("count-" + run, "cluster-test").UsingJobData("run", run).Build(),
            TriggerBuilder.Create().WithIdentity("count-" + run, "cluster-test").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMilliseconds(500)).WithRepeatCount(Fires - 1)).Build());

        await WaitUntilAsync(() => CountingJob.Fired(run).Count >= Fires, TimeSpan.FromSeconds(60));
        // The trigger is done and neither replica runs anything of it: every count is final.
        var trigger = new TriggerKey("count-" + run, "cluster-test");
        await WaitUntilAsync(async () => await schedulerA.GetTrigger(trigger) is null && CountingJob.Running == 0, TimeSpan.FromSeconds(30));
        var fired = CountingJob.Fired(run);
        Assert.Equal(Fires, fired.Count);
        Assert.All(fired.Values, count => Assert.Equal(1, count));
    }

    [SkippableFact]
    public async Task A_job_running_on_a_replica_that_stops_is_recovered_by_the_other()
    {
        Skip.If(string.IsNullOrWhiteSpace(Connection), NotSetReason);
        using var environment = OpenSqlServer();
        var a = await StartAsync(environment, TimeProvider.System, "sqlserver", new ConcurrentQueue<string>());
        var schedulerA = await a.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var run = Guid.NewGuid().ToString("N");
        await schedulerA.ScheduleJob(
            JobBuilder.Create<StuckJob>().WithIdentity("stuck-" + run, "cluster-test").UsingJobData("run", run).RequestRecovery().Build(),
            TriggerBuilder.Create().WithIdentity("stuck-" + run, "cluster-test").StartNow().Build());
        await WaitUntilAsync(() => StuckJob.Started(run) >= 1, TimeSpan.FromSeconds(30));

        // Replica A goes away mid-job without finishing it; only then does B join.
        await schedulerA.Shutdown(waitForJobsToComplete: false);
        var b = await StartAsync(environment, TimeProvider.System, "sqlserver", new ConcurrentQueue<string>());

        await WaitUntilAsync(() => StuckJob.Recovered(run), SchedulingSetup.ClusterCheckinMisfireThreshold + TimeSpan.FromSeconds(60));
        Assert.True(StuckJob.Recovered(run));
        StuckJob.Release(run);
        await b.StopAsync();
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan limit) => WaitUntilAsync(() => Task.FromResult(condition()), limit);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private DataEnvironment OpenSqlServer() => DataEnvironment.Open(new MatchingOptions
    {
        DataDirectory = _folder,
        StorageProvider = "sqlserver",
        ConnectionString = new SqlConnectionStringBuilder(Connection) { InitialCatalog = _databaseName }.ConnectionString,
        DataKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }, TimeProvider.System);

    private async Task<IHost> StartAsync(DataEnvironment environment, TimeProvider time, string provider, ConcurrentQueue<string> lines)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CollectingLoggerProvider(lines));
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(environment.Database);
        builder.Services.AddSingleton<Catalogue>(environment.Catalogue);
        builder.Services.AddMatchingScheduling(environment.Database.ConnectionString, provider);
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.StopAsync().GetAwaiter().GetResult();
            host.Dispose();
        }
        StuckJob.ReleaseAll();
        if (!string.IsNullOrWhiteSpace(Connection))
        {
            SqlConnection.ClearAllPools();
            using var master = new SqlConnection(new SqlConnectionStringBuilder(Connection) { InitialCatalog = "master" }.ConnectionString);
            master.Open();
            var quoted = SqlServerDialect.Instance.Quote(_databaseName);
            master.Execute($"IF DB_ID(@Name) IS NOT NULL BEGIN ALTER DATABASE {quoted} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE {quoted}; END", new { Name = _databaseName });
        }
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Counts its executions per scheduled fire time, across the replicas of this process.</summary>
    public sealed class CountingJob : IJob
    {
        private static readonly ConcurrentDictionary<string, ConcurrentDictionary<DateTimeOffset, int>> Runs = new();

        public static IReadOnlyDictionary<DateTimeOffset, int> Fired(string run) =>
            Runs.TryGetValue(run, out var fired) ? new Dictionary<DateTimeOffset, int>(fired) : new Dictionary<DateTimeOffset, int>();

        private static int _running;

        public static int Running => Volatile.Read(ref _running);

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _running);
            var fired = Runs.GetOrAdd(context.MergedJobDataMap.GetString("run")!, _ => new());
            fired.AddOrUpdate(context.ScheduledFireTimeUtc ?? context.FireTimeUtc, 1, (_, n) => n + 1);
            Interlocked.Decrement(ref _running);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Hangs until released; records whether it ran again as a recovery.</summary>
    public sealed class StuckJob : IJob
    {
        private static readonly ConcurrentDictionary<string, int> Starts = new();
        private static readonly ConcurrentDictionary<string, bool> Recoveries = new();
        private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

        public static int Started(string run) => Starts.GetValueOrDefault(run);

        public static bool Recovered(string run) => Recoveries.ContainsKey(run);

        public static void Release(string run) => Gates.GetOrAdd(run, _ => new()).TrySetResult();

        public static void ReleaseAll()
        {
            foreach (var gate in Gates.Values)
            {
                gate.TrySetResult();
            }
        }

        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var run = context.MergedJobDataMap.GetString("run")!;
            Starts.AddOrUpdate(run, 1, (_, n) => n + 1);
            if (context.Recovering)
            {
                Recoveries[run] = true;
                return;
            }
            await Gates.GetOrAdd(run, _ => new()).Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
