using Dapper;
using Matching.Data.Alerts;
using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Placements;
using Matching.Domain.Validation;

namespace Matching.Data.Demo;

/// <summary>Writes the demo data set into an empty database.</summary>
public sealed class DemoSeeder(DataEnvironment environment, TimeProvider time)
{
    private const string CountWorkersSql = "SELECT COUNT(*) FROM workers";
    private const string CountEmployersSql = "SELECT COUNT(*) FROM employers";
    private const string OpenPlannedCohortsSql = "UPDATE cohorts SET status = 'open' WHERE status = 'planned'";
    // Paged by the dialect (Page): the id of the Nth cohort.
    private const string CohortIdsSql = "SELECT id FROM cohorts ORDER BY id";
    private const string CancelCohortsAfterSql = "UPDATE cohorts SET status = 'cancelled' WHERE id > @LastKept";

    public async Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(CountWorkersSql) == 0
            && await connection.ExecuteScalarAsync<long>(CountEmployersSql) == 0;
    }

    /// <summary>How many workers the database holds.</summary>
    public async Task<long> WorkerCountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountWorkersSql, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A benchmark's world of <paramref name="count"/> cohorts taking enrolments: every planned cohort opened, and every
    /// cohort after the first <paramref name="count"/> by id cancelled. Status only: no seat, outbox row or schedule follows.
    /// </summary>
    public async Task KeepFirstCohortsOpenAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(OpenPlannedCohortsSql, cancellationToken: cancellationToken));
        if (count <= 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(CancelCohortsAfterSql, new { LastKept = long.MinValue }, cancellationToken: cancellationToken));
            return;
        }
        var lastKept = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(CohortIdsSql + environment.Database.Dialect.Page,
            new { Skip = count - 1, Take = 1 }, cancellationToken: cancellationToken));
        if (lastKept is { } last)
        {
            await connection.ExecuteAsync(new CommandDefinition(CancelCohortsAfterSql, new { LastKept = last }, cancellationToken: cancellationToken));
        }
    }

    /// <summary>Employers (with bases, openings and cohorts), workers, then their placement history; reports progress as lines of text.</summary>
    public async Task<(int Employers, long Workers)> SeedAsync(int workers, IProgress<string>? progress = null, int seed = DemoData.DefaultSeed,
        DemoTrainingOptions? training = null, CancellationToken cancellationToken = default)
    {
        var employerCount = await SeedEmployersAsync(Math.Max(30, workers / 200), seed, progress, cancellationToken);
        var demo = new DemoData(environment.Catalogue, ChinaTime.Today(time), seed);
        var workerStore = new WorkerStore(environment.Database, environment.Protector, time);
        var step = Math.Max(10_000, workers / 10);
        var written = await workerStore.BulkInsertAsync(demo.Workers(workers), progress: new Progress<long>(n =>
        {
            if (n % step < 20_000 || n == workers)
            {
                progress?.Report($"演示数据：已写入劳动者 {n:N0}/{workers:N0}");
            }
        }), cancellationToken: cancellationToken);
        // Past offers and placements with outcomes, which the ranking model learns from (seeds/demo-history.md).
        await new DemoHistory(environment, time, seed).GenerateAsync(progress: progress, cancellationToken: cancellationToken);
        // Past training with attendance, results, certificates and subsidy claims, planted integrity cases among them (seeds/demo-training.md).
        var pastTraining = new DemoTraining(environment, time, seed);
        var trainingOptions = training ?? DemoTrainingOptions.ForDemo(workers, ChinaTime.Today(time));
        await pastTraining.GenerateAsync(trainingOptions, progress, cancellationToken);
        await pastTraining.CheckAsync(trainingOptions, progress, cancellationToken);
        var alerts = await PlantJobLossAlertsAsync(cancellationToken);
        progress?.Report($"演示数据：{alerts} 条防返贫就业预警（脱贫、监测户劳动者提前离岗或回访时未就业）");
        await environment.Database.RefreshStatisticsAsync(cancellationToken);
        return (employerCount, written);
    }

    /// <summary>The demo's partner employers with their bases, openings and cohorts, written through the stores.</summary>
    public async Task<int> SeedEmployersAsync(int count, int seed = DemoData.DefaultSeed, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var demo = new DemoData(environment.Catalogue, ChinaTime.Today(time), seed);
        var employers = demo.Employers(count);
        var employerStore = new EmployerStore(environment.Database, time);
        var baseStore = new TrainingBaseStore(environment.Database, time);
        var openingStore = new OpeningStore(environment.Database, time);
        var cohortStore = new CohortStore(environment.Database, time, environment.Catalogue);

        foreach (var e in employers)
        {
            var employerId = Require(await employerStore.CreateAsync(e.Employer, cancellationToken), "employer");
            foreach (var b in e.Bases)
            {
                var baseId = Require(await baseStore.CreateAsync(b.Base with { EmployerId = employerId }, cancellationToken), "base");
                var openingIds = new List<long>();
                foreach (var o in b.Openings)
                {
                    openingIds.Add(Require(await openingStore.CreateAsync(o with { BaseId = baseId }, cancellationToken), "opening"));
                }
                foreach (var c in b.Cohorts)
                {
                    var linked = c.OpeningIndexes.Select(i => openingIds[i]).ToList();
                    Require(await cohortStore.CreateAsync(c.Cohort with { BaseId = baseId, LinkedOpeningIds = linked }, cancellationToken), "cohort");
                }
            }
        }
        progress?.Report($"演示数据：{employers.Count} 家协作企业及其实训基地、岗位、培训班期已写入");
        return employers.Count;
    }

    /// <summary>How many job-loss alerts the demo plants at most.</summary>
    public const int PlantedAlerts = 6;

    private static readonly string CoveredActivePlacementsSql = $"""
        SELECT p.id, p.start_date FROM placements p JOIN workers w ON w.id = p.worker_id
        WHERE p.status = 'active' AND p.start_date >= @Since AND p.start_date <= @Before AND {JobLossAlertStore.CoveredSql}
        ORDER BY p.id
        """;
    private const string OpenFollowUpSql = "SELECT MIN(month) FROM placement_follow_ups WHERE placement_id = @Id AND followed_up_on IS NULL AND due_date <= @Today";

    /// <summary>
    /// A few job-loss alerts (防返贫就业预警) so a newcomer sees the feature: recent placements of poverty-lifted or
    /// monitored workers end early, or a due follow-up finds the worker out of work — through the placement store, so
    /// the alerts are raised (and delivered with suggestions once the service runs) exactly as in use.
    /// </summary>
    private async Task<int> PlantJobLossAlertsAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(time);
        List<(long Id, DateOnly StartDate)> placements;
        await using (var connection = await environment.Database.OpenAsync(cancellationToken))
        {
            placements = (await connection.QueryAsync<(long, DateOnly)>(
                CoveredActivePlacementsSql + environment.Database.Dialect.Page,
                new { Since = today.AddMonths(-11), Before = today.AddDays(-20), Skip = 0, Take = PlantedAlerts })).AsList();
        }
        var store = new PlacementStore(environment.Database, time);
        string[] reasons = ["家中老人生病，返乡照顾", "工厂订单减少，被辞退", "不适应夜班，自行离职"];
        var planted = 0;
        for (var i = 0; i < placements.Count; i++)
        {
            var (id, start) = placements[i];
            int? month;
            await using (var connection = await environment.Database.OpenAsync(cancellationToken))
            {
                month = await connection.ExecuteScalarAsync<int?>(OpenFollowUpSql, new { Id = id, Today = today });
            }
            var result = i % 2 == 1 && month is { } m
                ? await store.RecordFollowUpAsync(id, m, new FollowUpDraft(today.AddDays(-1), false, null, "电话回访：已离厂返乡，暂无工作"), null, cancellationToken)
                : await store.LeaveAsync(id, Later(start, today.AddDays(-3 - i)), reasons[i % reasons.Length], null, cancellationToken);
            if (result.Status == WriteStatus.Ok)
            {
                planted++;
            }
        }
        return planted;
    }

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    private static long Require(WriteResult result, string what) =>
        result.Status == WriteStatus.Ok ? result.Id : throw new InvalidOperationException($"demo {what} refused: {result.Message}");
}
