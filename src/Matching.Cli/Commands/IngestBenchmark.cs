using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Validation;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench ingest [--workers N] [--baseline-workers B]</c>: stores N generated workers (ID numbers and phones hashed
/// and encrypted, as in production) into a fresh SQLite database, against the baseline a naive importer would run:
/// one row per transaction, measured on B workers in the same run.
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var workers = context.Number("workers", 1_000_000);
        var baselineWorkers = Math.Min(workers, context.Number("baseline-workers", 5_000));
        var folder = Path.Combine(Path.GetTempPath(), $"matching-bench-ingest-{Environment.ProcessId}");
        try
        {
            var baselinePerSecond = await MeasureAsync(context, Path.Combine(folder, "baseline"), baselineWorkers, bulk: false);
            var perSecond = await MeasureAsync(context, Path.Combine(folder, "bulk"), workers, bulk: true);
            var databaseMb = new FileInfo(Path.Combine(folder, "bulk", "matching.db")).Length / 1024.0 / 1024.0;
            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"ingest: {perSecond:F0} workers/s (baseline one-row-per-transaction {baselinePerSecond:F0} workers/s), peak {peakMb:F0} MB, database {databaseMb:F0} MB"));
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "ingest",
                ["workers"] = workers,
                ["workers_per_s"] = Math.Round(perSecond),
                ["baseline_workers"] = baselineWorkers,
                ["baseline_workers_per_s"] = Math.Round(baselinePerSecond),
                ["ratio"] = Math.Round(perSecond / baselinePerSecond, 1),
                ["peak_mb"] = Math.Round(peakMb),
                ["database_mb"] = Math.Round(databaseMb),
            }));
            return 0;
        }
        finally
        {
            if (!context.Flag("keep"))
            {
                TryDelete(folder);
            }
        }
    }

    private static async Task<double> MeasureAsync(CliContext context, string folder, int count, bool bulk)
    {
        var options = new MatchingOptions { DataDirectory = folder, DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory };
        using var environment = DataEnvironment.Open(options, context.Time);
        var store = new WorkerStore(environment.Database, environment.Protector, context.Time);
        var drafts = new DemoData(environment.Catalogue, ChinaTime.Today(context.Time)).Workers(count);
        var label = bulk ? "bulk" : "baseline";
        await context.Out.WriteLineAsync($"{label}: storing {count:N0} workers into {folder}");
        var started = context.Time.GetTimestamp();
        var step = Math.Max(1, count / 10);
        if (bulk)
        {
            await store.BulkInsertAsync(drafts, progress: new SynchronousProgress<long>(n =>
            {
                if (n % step < 20_000 || n == count)
                {
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{label}: {n:N0}/{count:N0} ({n / context.Time.GetElapsedTime(started).TotalSeconds:F0} workers/s)"));
                }
            }));
        }
        else
        {
            var n = 0;
            foreach (var draft in drafts)
            {
                await store.InsertOneAsync(draft);
                if (++n % step == 0)
                {
                    await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{label}: {n:N0}/{count:N0} ({n / context.Time.GetElapsedTime(started).TotalSeconds:F0} workers/s)"));
                }
            }
        }
        return count / context.Time.GetElapsedTime(started).TotalSeconds;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the figures are already printed.
        }
    }
}
