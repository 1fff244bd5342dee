using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matching.Allocation;
using Matching.Data.Demo;
using Matching.Data.Dispatch;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Ranking;
using Matching.Ranking.Dispatch;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Serving;
using Matching.Scheduling.Dispatch;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench dispatch [--workers N] [--cohorts M] [--priority-weight W] [--scores model|heuristic] [--data DIR] [--keep]</c>:
/// one monthly dispatch round (月调度) province-wide, as the service runs it. A demo database is seeded first (untimed,
/// into a temp folder, or an existing one with --data): N workers with their registration days and placement history
/// (seeds/demo-history.md), and the demo employers' cohorts, of which the first M by id take enrolments. Timed: the
/// service's own path from the database to a plan ready for review — read the cohorts and workers, build the pairs the
/// eligibility rule admits, score each with the shipped ranking model against the worker's best opening of the cohort,
/// solve the optimal round and the first-come-first-served baseline, make the reasons, store the draft. Then, on the
/// same pairs, the greedy-by-score and stable modes, and for each mode the <b>true</b> expected six-month retention of
/// its assignments under the demo world's hidden process (<see cref="DemoTruth"/>), which no mode can read.
/// </summary>
public static class DispatchBenchmark
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var workerCount = context.Number("workers", 100_000);
        var cohortCount = context.Number("cohorts", 2_000);
        var priorityWeight = context.Value("priority-weight") is { } w
            ? double.Parse(w, CultureInfo.InvariantCulture) : DispatchRoundPlanner.DefaultPriorityWeight;
        var existing = context.Value("data");
        var folder = existing ?? Path.Combine(Path.GetTempPath(), $"matching-bench-dispatch-{Environment.ProcessId}");
        var log = context.Out;
        try
        {
            var options = new MatchingOptions { DataDirectory = folder, DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory };
            using var environment = DataEnvironment.Open(options, context.Time);
            var catalogue = environment.Catalogue;
            if (await new DemoSeeder(environment, context.Time).IsEmptyAsync())
            {
                await SeedAsync(context, environment, workerCount, cohortCount);
            }
            var today = ChinaTime.Today(context.Time);
            var models = new RetentionModelProvider(ModelLocation.Resolve(context.Value("models")), context.Time, TimeSpan.FromHours(1));
            var model = context.Value("scores") == "heuristic" ? null : models.Current;
            var profiles = new ProfileReader(environment.Database, context.Time);
            var features = new FeatureBuilder(catalogue);
            using var history = new HistoryCache(environment.Database, context.Time, TimeSpan.FromHours(1));
            ICandidatePairSource source = model is null
                ? new HeuristicCandidatePairSource(catalogue)
                : new ModelCandidatePairSource(catalogue, models, profiles, features, history, context.Time);
            var planner = new DispatchRoundPlanner(environment.Database, catalogue, source, context.Time);

            // A service has run rounds before: one county's round compiles the code paths (untimed).
            var firstCounty = catalogue.GuizhouCounties[0].Code;
            await planner.PlanAsync(Request(AllocationModes.Optimal, priorityWeight, [firstCounty]));
            await log.WriteLineAsync($"dispatch: warm-up round over one county done (untimed); scores by {(model is null ? "the documented heuristic" : "model " + model.Version)}; load {LoadAverage()}");

            // Timed: from the database to a plan stored for review, as POST /api/dispatch-rounds does.
            var started = Stopwatch.GetTimestamp();
            var plan = await planner.PlanAsync(Request(AllocationModes.Optimal, priorityWeight, null));
            var planned = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var stored = await planner.StoreAsync(plan);
            var totalSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (stored.Status != WriteStatus.Ok)
            {
                throw new CliException($"调度方案未能保存：{stored.Message}");
            }
            var problem = plan.Problem;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dispatch: {problem.Workers.Count:N0} workers, {problem.Cohorts.Count:N0} cohorts ({problem.Cohorts.Sum(c => c.FreeSeats):N0} free seats), {problem.Pairs.Count:N0} scored pairs; planned in {planned:F1} s (optimal solve {plan.Outcome.Elapsed.TotalSeconds:F1} s), stored for review at {totalSeconds:F1} s; load {LoadAverage()}"));

            var greedy = GreedyByScore.Solve(problem);
            var stable = StableAllocator.Solve(problem);
            // Nobody assigning: each worker applies to the first three cohorts of the list shown to them, ordered by score
            // alone or with congestion awareness (the applications per seat of the unaware round as the recent ones).
            var recommended = RecommendationRound.Solve(problem);
            var congestionAware = RecommendationRound.Solve(problem, applicationsPerSeat: RecommendationRound.ApplicationsPerSeat(problem));
            var truth = await TruthAsync(environment, profiles, problem, today);
            var outcomes = new[] { plan.Outcome, stable, greedy, recommended, congestionAware, plan.Baseline };
            var trueRetained = outcomes.ToDictionary(o => o.Mode, o => o.Assignments.Sum(a => truth(problem.Pairs[a.Pair])));
            foreach (var outcome in outcomes)
            {
                var f = outcome.Figures;
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {outcome.Mode,-24} seats filled {f.SeatsFilled,7:N0} ({f.FillRate:P1})  predicted retained {f.ExpectedRetained,9:N1}  TRUE retained {trueRetained[outcome.Mode],9:N1}  priority share {f.PriorityShare:P1}  objective {f.Objective:N1}"));
            }
            var optimal = trueRetained[AllocationModes.Optimal];
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dispatch: workers applying to the first three places of their list: seats filled {recommended.Figures.FillRate:P1} ordered by score alone, {congestionAware.Figures.FillRate:P1} with congestion awareness; true retained {trueRetained[AllocationModes.Recommended]:N1} → {trueRetained[AllocationModes.RecommendedCongestion]:N1}"));
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dispatch: true retained, optimal vs greedy {optimal / trueRetained[AllocationModes.Greedy] - 1:+0.0%;-0.0%} (target +3 %), vs first come first served {optimal / trueRetained[AllocationModes.FirstComeFirstServed] - 1:+0.0%;-0.0%} (target +10 %); total {totalSeconds:F1} s (target ≤ 10 s)"));
            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
            await log.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "dispatch",
                ["workers"] = problem.Workers.Count,
                ["workers_seeded"] = workerCount,
                ["cohorts"] = problem.Cohorts.Count,
                ["free_seats"] = plan.Outcome.Figures.FreeSeats,
                ["candidate_pairs"] = problem.Pairs.Count,
                ["scores"] = model is null ? "heuristic" : "model " + model.Version,
                ["priority_weight"] = priorityWeight,
                ["components"] = plan.Outcome.Components,
                ["solve_s"] = Math.Round(plan.Outcome.Elapsed.TotalSeconds, 2),
                ["plan_s"] = Math.Round(planned, 2),
                ["total_s"] = Math.Round(totalSeconds, 2),
                ["peak_mb"] = Math.Round(peakMb),
                ["objective"] = Math.Round(plan.Outcome.Figures.Objective, 1),
                ["baseline_objective"] = Math.Round(plan.Baseline.Figures.Objective, 1),
                ["predicted_retained"] = Math.Round(plan.Outcome.Figures.ExpectedRetained, 1),
                ["baseline_predicted_retained"] = Math.Round(plan.Baseline.Figures.ExpectedRetained, 1),
                ["true_retained_fcfs"] = Math.Round(trueRetained[AllocationModes.FirstComeFirstServed], 1),
                ["true_retained_greedy"] = Math.Round(trueRetained[AllocationModes.Greedy], 1),
                ["true_retained_stable"] = Math.Round(trueRetained[AllocationModes.Stable], 1),
                ["true_retained_optimal"] = Math.Round(optimal, 1),
                ["true_gain_over_greedy"] = Math.Round(optimal / trueRetained[AllocationModes.Greedy] - 1, 4),
                ["true_gain_over_fcfs"] = Math.Round(optimal / trueRetained[AllocationModes.FirstComeFirstServed] - 1, 4),
                ["true_retained_recommended"] = Math.Round(trueRetained[AllocationModes.Recommended], 1),
                ["true_retained_congestion"] = Math.Round(trueRetained[AllocationModes.RecommendedCongestion], 1),
                ["fill_rate_recommended"] = Math.Round(recommended.Figures.FillRate, 4),
                ["fill_rate_congestion"] = Math.Round(congestionAware.Figures.FillRate, 4),
                ["fill_rate"] = Math.Round(plan.Outcome.Figures.FillRate, 4),
                ["baseline_fill_rate"] = Math.Round(plan.Baseline.Figures.FillRate, 4),
                ["priority_share"] = Math.Round(plan.Outcome.Figures.PriorityShare, 4),
                ["baseline_priority_share"] = Math.Round(plan.Baseline.Figures.PriorityShare, 4),
                ["ratio"] = Math.Round(optimal / trueRetained[AllocationModes.FirstComeFirstServed], 3),
                ["load_average"] = LoadAverage(),
            }));
            return 0;
        }
        finally
        {
            if (existing is null && !context.Flag("keep"))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
    }

    private static RoundRequest Request(string mode, double weight, IReadOnlyList<string>? counties) =>
        new(counties is null ? DispatchScope.Province : DispatchScope.County, counties?[0] ?? Catalogue.GuizhouProvinceCode, counties, mode, weight, null, "bench dispatch");

    /// <summary>
    /// The demo world, written through the stores: employers with bases, openings and cohorts (every scheduled cohort
    /// taking enrolments, the first <paramref name="cohorts"/> by id), workers, and the history with registration days.
    /// </summary>
    private static async Task SeedAsync(CliContext context, DataEnvironment environment, int workers, int cohorts)
    {
        var log = context.Out;
        var started = Stopwatch.GetTimestamp();
        var seeder = new DemoSeeder(environment, context.Time);
        // Demo employers run about 2.6 cohorts each.
        await seeder.SeedEmployersAsync(cohorts / 2 + 10);
        await seeder.KeepFirstCohortsOpenAsync(cohorts);
        var demo = new DemoData(environment.Catalogue, ChinaTime.Today(context.Time));
        await new WorkerStore(environment.Database, environment.Protector, context.Time).BulkInsertAsync(demo.Workers(workers));
        await new DemoHistory(environment, context.Time).GenerateAsync(progress: new SynchronousProgress<string>(line => log.WriteLine("dispatch: " + line)));
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"dispatch: seeded {workers:N0} workers, {cohorts:N0} cohorts taking enrolments and the placement history in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s (untimed)"));
    }

    /// <summary>The demo world's true six-month retention of a pair: the worker joins the cohort for the opening it was scored against.</summary>
    private static async Task<Func<CandidatePair, double>> TruthAsync(DataEnvironment environment, ProfileReader profiles, AllocationProblem problem, DateOnly today)
    {
        var truth = new DemoTruth(environment.Catalogue);
        var workers = await profiles.GetWorkersAsync(problem.Workers.Select(w => w.WorkerId).ToList());
        var openings = await profiles.GetOpeningsAsync(problem.Cohorts.SelectMany(c => c.Terms.Targets).Select(t => t.OpeningId).Where(id => id > 0).Distinct().ToList());
        var history = await RetentionHistory.LoadAsync(environment.Database);
        return pair =>
        {
            var worker = workers[problem.Workers[pair.Worker].WorkerId];
            var opening = openings[problem.Cohorts[pair.Cohort].OpeningId(pair.Target)];
            return truth.Of(DemoWorld.Worker(worker), DemoWorld.Opening(opening), today,
                history.At(opening.EmployerId, worker.CountyCode, today).FellowVillagersRetained).SixMonthRetention;
        };
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
}

/// <summary>The demo world's view of ranking profiles, for the oracle.</summary>
public static class DemoWorld
{
    public static DemoWorker Worker(Ranking.Features.WorkerProfile w) => new(w.Id, w.CountyCode, w.PrefectureCode, w.Terms, w.PriorityGroups, w.ExpectedWage, w.RegisteredOn);

    public static DemoOpening Opening(OpeningProfile o) => new(o.Id, o.EmployerId, o.Terms, o.WageMin, o.WageMax, o.Accommodation);
}
