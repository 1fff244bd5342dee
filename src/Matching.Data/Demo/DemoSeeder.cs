using Dapper;
using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Validation;

namespace Matching.Data.Demo;

/// <summary>Writes the demo data set into an empty database.</summary>
public sealed class DemoSeeder(DataEnvironment environment, TimeProvider time)
{
    private const string CountWorkersSql = "SELECT COUNT(*) FROM workers";
    private const string CountEmployersSql = "SELECT COUNT(*) FROM employers";

    public async Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(CountWorkersSql) == 0
            && await connection.ExecuteScalarAsync<long>(CountEmployersSql) == 0;
    }

    /// <summary>Employers (with bases, openings and cohorts), workers, then their placement history; reports progress as lines of text.</summary>
    public async Task<(int Employers, long Workers)> SeedAsync(int workers, IProgress<string>? progress = null, int seed = DemoData.DefaultSeed,
        DemoTrainingOptions? training = null, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var demo = new DemoData(environment.Catalogue, today, seed);
        var employers = demo.Employers(Math.Max(30, workers / 200));
        var employerStore = new EmployerStore(environment.Database, time);
        var baseStore = new TrainingBaseStore(environment.Database, time);
        var openingStore = new OpeningStore(environment.Database, time);
        var cohortStore = new CohortStore(environment.Database, time);

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
        var trainingOptions = training ?? DemoTrainingOptions.ForDemo(workers, today);
        await pastTraining.GenerateAsync(trainingOptions, progress, cancellationToken);
        await pastTraining.CheckAsync(trainingOptions, progress, cancellationToken);
        return (employers.Count, written);
    }

    private static long Require(WriteResult result, string what) =>
        result.Status == WriteStatus.Ok ? result.Id : throw new InvalidOperationException($"demo {what} refused: {result.Message}");
}
