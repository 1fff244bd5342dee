using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matching.Allocation;
using Matching.Data.Catalogues;
using Matching.Data.Demo;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Validation;
using Matching.Ranking;
using Matching.Ranking.Dispatch;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using RankingWorker = Matching.Ranking.Features.WorkerProfile;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench dispatch [--workers N] [--cohorts M] [--per-worker K] [--scores model|heuristic]</c>: one monthly dispatch round (月调度) over N workers
/// and M cohorts generated in memory from the demo generator's distributions (nothing is stored in SQL), with at most K
/// candidate cohorts per worker as recall would give, each pair scored by the shipped ranking model as the service does
/// (or the documented heuristic). Measures candidate generation and scoring and the optimal round (OR-Tools
/// min-cost flow per connected component, in parallel), runs the stable mode and the first-come-first-served baseline
/// a clerk would use on the same pairs, and ends with one JSON line.
/// </summary>
public static class DispatchBenchmark
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var workerCount = context.Number("workers", 100_000);
        var cohortCount = context.Number("cohorts", 2_000);
        var perWorker = context.Number("per-worker", 20);
        var priorityWeight = 0.2;
        var catalogue = CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(context.Options.CataloguesDirectory));
        var today = ChinaTime.Today(context.Time);
        var log = context.Out;

        await log.WriteLineAsync($"dispatch: generating {workerCount:N0} workers and {cohortCount:N0} cohorts in memory from the demo distributions (not stored in SQL)");
        var generateStarted = Stopwatch.GetTimestamp();
        var (cohorts, cohortOpenings) = GenerateCohorts(catalogue, today, cohortCount);
        var drafts = new DemoData(catalogue, today).Workers(workerCount).ToList();
        var workers = drafts.Select((draft, i) => Profiles.Worker(i + 1, draft, today, [])).ToList();
        // What the ranking model reads of the same workers (registered today; no placement history in memory).
        var rankingWorkers = drafts.Select((d, i) => new RankingWorker(i + 1, d.CountyCode, d.PrefectureCode, d.Education, today, d.ExpectedMonthlyWage,
            d.PriorityGroups, new WorkerTerms(d.BirthDate, d.Trades, d.Certificates, d.PreferredDestinations, d.AvailableFrom, d.TrainingIntentions))).ToList();
        var model = context.Value("scores") == "heuristic" ? null
            : new RetentionModelProvider(ModelLocation.Resolve(context.Value("models")), context.Time, TimeSpan.FromHours(1)).Current;
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"dispatch: generated in {Stopwatch.GetElapsedTime(generateStarted).TotalSeconds:F1} s; {cohorts.Sum(c => c.FreeSeats):N0} free seats"));

        // A service has run rounds before: one small untimed round compiles the code paths, so the figure is the
        // steady-state cost of a round rather than of the just-in-time compiler.
        var warmUp = workers.Take(2_000).ToList();
        var warmUpPairs = new HeuristicCandidatePairSource(catalogue).FindPairs(warmUp, cohorts, perWorker);
        if (model is not null)
        {
            warmUpPairs = ModelCandidatePairSource.Rescore(model, new FeatureBuilder(catalogue), warmUpPairs,
                i => (rankingWorkers[warmUpPairs[i].Worker], cohortOpenings[warmUpPairs[i].Cohort]), RetentionHistory.Empty, today);
        }
        OptimalAllocator.Solve(new AllocationProblem(warmUp, cohorts, warmUpPairs, priorityWeight));
        await log.WriteLineAsync($"dispatch: warm-up round over {warmUp.Count:N0} workers done (untimed)");

        // Timed from here: what a round costs once its workers and cohorts are loaded.
        var roundStarted = Stopwatch.GetTimestamp();
        var pairs = new HeuristicCandidatePairSource(catalogue).FindPairs(workers, cohorts, perWorker);
        var feasibleSeconds = Stopwatch.GetElapsedTime(roundStarted).TotalSeconds;
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"dispatch: {pairs.Count:N0} feasible pairs ({(double)pairs.Count / workerCount:F1} per worker) in {feasibleSeconds:F1} s"));
        if (model is not null)
        {
            // As the service does: each pair scored by the ranking model for the opening its cohort trains for.
            var features = new FeatureBuilder(catalogue);
            var feasible = pairs;
            pairs = ModelCandidatePairSource.Rescore(model, features, feasible,
                i => (rankingWorkers[feasible[i].Worker], cohortOpenings[feasible[i].Cohort]), RetentionHistory.Empty, today);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dispatch: pairs scored by model {model.Version} in {Stopwatch.GetElapsedTime(roundStarted).TotalSeconds - feasibleSeconds:F1} s"));
        }
        else
        {
            await log.WriteLineAsync("dispatch: pairs scored by the documented heuristic (--scores heuristic, or no model found)");
        }
        var candidatesSeconds = Stopwatch.GetElapsedTime(roundStarted).TotalSeconds;
        var problem = new AllocationProblem(workers, cohorts, pairs, priorityWeight);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var optimal = OptimalAllocator.Solve(problem);
        var solveCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var totalSeconds = Stopwatch.GetElapsedTime(roundStarted).TotalSeconds;
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"dispatch: optimal round solved in {optimal.Elapsed.TotalSeconds:F1} s ({solveCpuSeconds:F1} s of CPU; machine load {LoadAverage()}) over {optimal.Components:N0} independent components; round total {totalSeconds:F1} s"));

        var baseline = FirstComeFirstServed.Solve(problem);
        var stable = StableAllocator.Solve(problem);
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
        foreach (var outcome in new[] { optimal, stable, baseline })
        {
            var f = outcome.Figures;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {outcome.Mode,-24} seats filled {f.SeatsFilled,7:N0}/{f.FreeSeats:N0} ({f.FillRate:P1})  expected retained {f.ExpectedRetained,9:N1}  priority-group share {f.PriorityShare:P1}  objective {f.Objective:N1}  ({outcome.Elapsed.TotalMilliseconds:N0} ms)"));
        }
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"dispatch: peak memory {peakMb:F0} MB"));

        await log.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "dispatch",
            ["workers"] = workerCount,
            ["cohorts"] = cohortCount,
            ["free_seats"] = optimal.Figures.FreeSeats,
            ["candidate_pairs"] = pairs.Count,
            ["scores"] = model is null ? "heuristic" : "model " + model.Version,
            ["components"] = optimal.Components,
            ["candidates_s"] = Math.Round(candidatesSeconds, 2),
            ["solve_s"] = Math.Round(optimal.Elapsed.TotalSeconds, 2),
            ["solve_cpu_s"] = Math.Round(solveCpuSeconds, 2),
            ["total_s"] = Math.Round(totalSeconds, 2),
            ["peak_mb"] = Math.Round(peakMb),
            ["objective"] = Math.Round(optimal.Figures.Objective, 1),
            ["baseline_objective"] = Math.Round(baseline.Figures.Objective, 1),
            ["expected_retained"] = Math.Round(optimal.Figures.ExpectedRetained, 1),
            ["baseline_expected_retained"] = Math.Round(baseline.Figures.ExpectedRetained, 1),
            ["fill_rate"] = Math.Round(optimal.Figures.FillRate, 4),
            ["baseline_fill_rate"] = Math.Round(baseline.Figures.FillRate, 4),
            ["priority_share"] = Math.Round(optimal.Figures.PriorityShare, 4),
            ["baseline_priority_share"] = Math.Round(baseline.Figures.PriorityShare, 4),
            ["stable_objective"] = Math.Round(stable.Figures.Objective, 1),
            ["stable_s"] = Math.Round(stable.Elapsed.TotalSeconds, 2),
            ["ratio"] = Math.Round(optimal.Figures.Objective / Math.Max(1e-9, baseline.Figures.Objective), 3),
        }));
        return 0;
    }

    /// <summary>The 1-minute load average, so a reader can tell a figure measured on a busy machine.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>
    /// Cohorts of the demo employers' bases with their linked openings, until there are <paramref name="count"/>; and
    /// for each, what the ranking model reads of the opening it trains for.
    /// </summary>
    private static (List<CohortProfile> Cohorts, List<OpeningProfile> Openings) GenerateCohorts(Catalogue catalogue, DateOnly today, int count)
    {
        var demo = new DemoData(catalogue, today);
        var cohorts = new List<CohortProfile>(count);
        var rankingOpenings = new List<OpeningProfile>(count);
        // Demo employers run about 2.6 cohorts each; ask for enough and stop at the count.
        var employerNumber = 0L;
        foreach (var employer in demo.Employers(count / 2 + 10))
        {
            employerNumber++;
            foreach (var trainingBase in employer.Bases)
            {
                foreach (var cohort in trainingBase.Cohorts)
                {
                    if (cohorts.Count == count)
                    {
                        return (cohorts, rankingOpenings);
                    }
                    var c = cohort.Cohort;
                    var openings = cohort.OpeningIndexes.Select(i => trainingBase.Openings[i]).Select(o => new OpeningRequirement(
                        o.AgeMin, o.AgeMax, o.RequiredCertificates.Contains("special-operation"), o.MinLevel, o.WageMin, o.WageMax, o.Accommodation)).ToList();
                    var first = trainingBase.Openings[cohort.OpeningIndexes[0]];
                    rankingOpenings.Add(new OpeningProfile(cohorts.Count + 1, employerNumber, cohorts.Count + 1, first.Title, first.WageMin, first.WageMax,
                        first.Accommodation, first.Meals, "open", c.StartDate, new OpeningTerms(first.TradeId, first.MinLevel, first.MaxLevel,
                            first.RequiredCertificates, first.AgeMin, first.AgeMax, trainingBase.Base.ProvinceCode, trainingBase.Base.CityCode, first.TrainingType)));
                    cohorts.Add(Profiles.Cohort(cohorts.Count + 1, c.Name, c.Trades, c.StartDate, c.EndDate, c.Capacity,
                        trainingBase.Base.ProvinceCode, trainingBase.Base.CityCode, openings,
                        c.Trades.Any(t => catalogue.TradesById.TryGetValue(t, out var trade) && trade.SpecialOperation)));
                }
            }
        }
        return (cohorts, rankingOpenings);
    }
}
