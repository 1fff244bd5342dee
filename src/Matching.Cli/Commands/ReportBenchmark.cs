using System.Globalization;
using System.Text.Json;
using Matching.Data.Demo;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Validation;
using Matching.Scheduling.Reports;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench report [--workers N] [--data DIR]</c>: the annual report (年总结) of the current year over the demo data
/// set of N workers with its history of offers, placements and follow-ups, as the scheduled job makes it: every
/// metric per county computed from the tables, stored as a version, and rendered as the province-wide .xlsx.
/// With <c>--data</c> an already seeded folder is used (and kept). The baseline, timed in the same run, computes the
/// same counts with one pass per count (how the report ran before counts of the same rows shared a pass).
/// </summary>
public static class ReportBenchmark
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var workers = context.Number("workers", 1_000_000);
        var given = context.Value("data");
        var folder = given ?? Path.Combine(Path.GetTempPath(), $"matching-bench-report-{Environment.ProcessId}");
        try
        {
            var options = new MatchingOptions { DataDirectory = folder, DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory };
            using var environment = DataEnvironment.Open(options, context.Time);
            var seeder = new DemoSeeder(environment, context.Time);
            if (await seeder.IsEmptyAsync())
            {
                await context.Out.WriteLineAsync($"report: seeding the demo data set with {workers:N0} workers and their history into {folder}");
                await seeder.SeedAsync(workers, new Progress<string>(line => context.Out.WriteLine(line)));
            }
            workers = (int)await seeder.WorkerCountAsync();
            var reports = new SummaryReports(environment.Database, environment.Catalogue, context.Time);
            var store = new ReportStore(environment.Database, context.Time);
            var today = ChinaTime.Today(context.Time);
            var period = today.Year.ToString(CultureInfo.InvariantCulture);
            var started = context.Time.GetTimestamp();
            var (id, version) = await reports.GenerateAsync(ReportKinds.Annual, period, new DateOnly(today.Year, 1, 1), new DateOnly(today.Year + 1, 1, 1), "bench");
            var computed = context.Time.GetElapsedTime(started).TotalSeconds;
            var report = (await store.GetAsync(id))!;
            var figures = await store.FiguresAsync(id, null);
            var xlsx = reports.Render(report, figures, null, "贵州省（全省）");
            var total = context.Time.GetElapsedTime(started).TotalSeconds;

            // Baseline in the same run (the machine is shared, so only the ratio travels): one pass per count, as the
            // report ran before counts of the same rows shared a pass — the same SQL run once for each of its counts.
            var baselineStarted = context.Time.GetTimestamp();
            await new ReportCounts(environment.Database).OnePassPerCountAsync(new DateOnly(today.Year, 1, 1), new DateOnly(today.Year + 1, 1, 1));
            var baseline = context.Time.GetElapsedTime(baselineStarted).TotalSeconds;
            var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Trim() : "";
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"report: annual {period} v{version} over {workers:N0} workers: figures computed and stored in {computed:F2} s, rendered ({xlsx.Length / 1024} KB, {figures.Count} figures) at {total:F2} s; baseline (one pass per count, not rendered) {baseline:F2} s; load average {load}"));
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "report",
                ["workers"] = workers,
                ["total_s"] = Math.Round(total, 2),
                ["compute_s"] = Math.Round(computed, 2),
                ["figures"] = figures.Count,
                ["baseline_s"] = Math.Round(baseline, 2),
                ["ratio"] = Math.Round(baseline / computed, 1),
                ["load_average"] = load,
            }));
            return 0;
        }
        finally
        {
            if (given is null && !context.Flag("keep"))
            {
                try
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless; the figures are printed.
                }
            }
        }
    }
}
