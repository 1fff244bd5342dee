using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matching.Data.Bases;
using Matching.Data.Demo;
using Matching.Data.Employers;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Data.Workers;
using Matching.Domain.Validation;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench claims [--workers N] [--completions C] [--baseline-claims B] [--data DIR] [--keep]</c>: a province-scale year in a fresh
/// SQLite database (N workers, C completions in last calendar year, each with a certificate and, where the subsidy
/// catalogue has an amount for it (not for 特种作业操作证), a waiting subsidy claim,
/// plus a quarter as many decided claims the year before and the planted integrity cases), then the integrity checks
/// for every claim of the year in one batch as the service runs them (<see cref="IntegrityBatch"/>: read the facts,
/// check, store the findings), against the baseline of checking one claim at a time through the same code the
/// approval uses (<see cref="SubsidyClaimStore.CheckAsync"/>, its own transaction and indexed queries), measured on B
/// claims in the same run. <c>--data DIR</c> keeps the world in DIR and measures again on it when it is there already.
/// Ends with one JSON line.
/// </summary>
public static class ClaimsBenchmark
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var workers = context.Number("workers", 1_000_000);
        var completions = context.Number("completions", 600_000);
        var baselineClaims = context.Number("baseline-claims", 2_000);
        var log = context.Out;
        var kept = context.Value("data");
        var folder = kept is not null ? Path.GetFullPath(kept) : Path.Combine(Path.GetTempPath(), $"matching-bench-claims-{Environment.ProcessId}");
        var reuse = kept is not null && File.Exists(Path.Combine(folder, "matching.db"));
        try
        {
            var options = new MatchingOptions { DataDirectory = folder, DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory };
            using var environment = DataEnvironment.Open(options, context.Time);
            var today = ChinaTime.Today(context.Time);
            var year = today.Year - 1;
            if (reuse)
            {
                await log.WriteLineAsync($"claims: measuring again on the world in {folder}");
            }
            else
            {
                await BuildWorldAsync(context, environment, workers, completions, year);
            }

            // Baseline first, on claims of the year: one claim at a time through the approval's own check (read, check, store).
            var claimStore = new SubsidyClaimStore(environment.Database, environment.Protector, environment.Catalogue, context.Time);
            var sample = (await IntegrityBatch.SubmittedClaimIdsAsync(environment.Database, year)).ToList();
            var claimsOfYear = sample.Count;
            var step = Math.Max(1, sample.Count / baselineClaims);
            sample = sample.Where((_, i) => i % step == 0).Take(baselineClaims).ToList();
            foreach (var id in sample.Take(50))
            {
                await claimStore.CheckAsync(id); // untimed warm-up of the code paths
            }
            var baselineStarted = Stopwatch.GetTimestamp();
            var baselineCpuStarted = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var id in sample)
            {
                await claimStore.CheckAsync(id);
            }
            var baselineSeconds = Stopwatch.GetElapsedTime(baselineStarted).TotalSeconds;
            var baselineCpu = (Process.GetCurrentProcess().TotalProcessorTime - baselineCpuStarted).TotalSeconds;
            var baselinePerSecond = sample.Count / baselineSeconds;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"claims: baseline one claim at a time: {sample.Count:N0} claims in {baselineSeconds:F1} s = {baselinePerSecond:F0} claims/s (the year's {claimsOfYear:N0} would take {claimsOfYear / baselinePerSecond:F0} s)"));

            // The batch: every waiting claim of the year. CPU time is reported beside the wall clock: on a shared machine the
            // wall clock says as much about the neighbours as about the code.
            var batchCpuStarted = Process.GetCurrentProcess().TotalProcessorTime;
            var batch = await IntegrityBatch.CheckYearAsync(environment.Database, environment.Protector, environment.Catalogue, year, today, context.Time.GetUtcNow(),
                new Progress<string>(line => log.WriteLine("claims: " + line)));
            var batchCpu = (Process.GetCurrentProcess().TotalProcessorTime - batchCpuStarted).TotalSeconds;
            var perSecond = batch.Claims / batch.TotalSeconds;
            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"claims: batch {batch.Claims:N0} claims in {batch.TotalSeconds:F1} s (read {batch.ReadSeconds:F1}, check {batch.CheckSeconds:F1}, store {batch.WriteSeconds:F1}) = {perSecond:F0} claims/s, CPU {batchCpu:F1} s (baseline CPU {baselineCpu:F1} s for {sample.Count:N0}); blocked {batch.Blocked:N0}, needs review {batch.NeedsReview:N0}; peak {peakMb:F0} MB; load average {File.ReadAllText("/proc/loadavg").Trim()}"));
            await log.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "claims",
                ["workers"] = workers,
                ["completions"] = completions,
                ["claims"] = batch.Claims,
                ["year"] = year,
                ["total_s"] = Math.Round(batch.TotalSeconds, 2),
                ["read_s"] = Math.Round(batch.ReadSeconds, 2),
                ["check_s"] = Math.Round(batch.CheckSeconds, 2),
                ["store_s"] = Math.Round(batch.WriteSeconds, 2),
                ["checks_per_s"] = Math.Round(perSecond),
                ["cpu_s"] = Math.Round(batchCpu, 1),
                ["baseline_cpu_s"] = Math.Round(baselineCpu, 2),
                ["cpu_ratio"] = Math.Round(batch.Claims / batchCpu / (sample.Count / baselineCpu), 1),
                ["baseline_claims"] = sample.Count,
                ["baseline_checks_per_s"] = Math.Round(baselinePerSecond),
                ["ratio"] = Math.Round(perSecond / baselinePerSecond, 1),
                ["blocked"] = batch.Blocked,
                ["needs_review"] = batch.NeedsReview,
                ["peak_mb"] = Math.Round(peakMb),
            }));
            return 0;
        }
        finally
        {
            if (!context.Flag("keep") && kept is null)
            {
                try
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // Left for the temp folder's own clean-up.
                }
            }
        }
    }

    /// <summary>Partner employers with bases, workers, a year of completions with certificates and claims (and the year before, decided).</summary>
    private static async Task BuildWorldAsync(CliContext context, DataEnvironment environment, int workers, int completions, int year)
    {
        var log = context.Out;
        var today = ChinaTime.Today(context.Time);
        var started = Stopwatch.GetTimestamp();
        var demo = new DemoData(environment.Catalogue, today);
        var employerStore = new EmployerStore(environment.Database, context.Time);
        var baseStore = new TrainingBaseStore(environment.Database, context.Time);
        foreach (var employer in demo.Employers(Math.Clamp(workers / 1_000, 30, 1_000)))
        {
            var employerId = Require(await employerStore.CreateAsync(employer.Employer));
            foreach (var b in employer.Bases)
            {
                Require(await baseStore.CreateAsync(b.Base with { EmployerId = employerId }));
            }
        }
        await log.WriteLineAsync($"claims: storing {workers:N0} workers into {environment.Options.FullDataDirectory}");
        await new WorkerStore(environment.Database, environment.Protector, context.Time).BulkInsertAsync(demo.Workers(workers));
        var training = new DemoTraining(environment, context.Time);
        var summary = await training.GenerateAsync(new DemoTrainingOptions(
            [
                new DemoTrainingPeriod(new DateOnly(year - 1, 1, 20), new DateOnly(year - 1, 12, 20), completions / 4, DecideClaims: true),
                new DemoTrainingPeriod(new DateOnly(year, 1, 20), new DateOnly(year, 12, 20), completions, DecideClaims: false),
            ], CertificateShare: 1.0, UpdateWorkerSkills: false, Plant: true, PassShare: 1.0),
            new Progress<string>(line => log.WriteLine("claims: " + line)));
        await environment.Database.RefreshStatisticsAsync();
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"claims: world ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s: {summary.Completions:N0} completions, {summary.Claims:N0} claims, {summary.Planted.Count} planted"));
    }

    private static long Require(WriteResult result) =>
        result.Status == WriteStatus.Ok ? result.Id : throw new InvalidOperationException($"bench world refused: {result.Message}");
}
