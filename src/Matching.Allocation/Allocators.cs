using System.Diagnostics;
using Google.OrTools.Graph;
using Matching.Domain.Matching;

namespace Matching.Allocation;

/// <summary>
/// 最优模式: maximises Σ (retention probability + priority weight) over the placed pairs, with at most the free seats
/// per cohort and one seat per worker, as a min-cost flow (OR-Tools):
/// source → worker (capacity 1) → cohort (capacity 1, cost −weight) → sink (capacity = free seats), plus a
/// source → sink bypass of cost 0 for workers left unplaced. The problem falls apart into connected components
/// (workers and cohorts linked by feasible pairs; trade families rarely meet), each solved on its own, in parallel.
/// </summary>
public static class OptimalAllocator
{
    public static AllocationOutcome Solve(AllocationProblem problem, int? maxParallelism = null)
    {
        var started = Stopwatch.GetTimestamp();
        var components = Components.Of(problem);
        var chosen = new List<Assignment>[components.Count];
        // Largest first, so the long solve starts at once and the small ones fill the other cores.
        var order = Enumerable.Range(0, components.Count).OrderByDescending(i => components[i].Pairs.Count).ToArray();
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism ?? Environment.ProcessorCount },
            i => chosen[i] = SolveComponent(problem, components[i]));
        var assignments = chosen.SelectMany(c => c).OrderBy(a => a.Pair).ToList();
        return new AllocationOutcome(AllocationModes.Optimal, assignments, AllocationFigures.Of(problem, assignments),
            Stopwatch.GetElapsedTime(started), components.Count);
    }

    private static List<Assignment> SolveComponent(AllocationProblem problem, Component component)
    {
        if (component.Pairs.Count == 1)
        {
            return problem.Cohorts[problem.Pairs[component.Pairs[0]].Cohort].FreeSeats > 0 ? [new Assignment(component.Pairs[0])] : [];
        }
        // Nodes: 0 source, 1 sink, then the component's workers, then its cohorts.
        var workerNode = new Dictionary<int, int>(component.Workers.Count);
        var cohortNode = new Dictionary<int, int>(component.Cohorts.Count);
        foreach (var w in component.Workers)
        {
            workerNode[w] = 2 + workerNode.Count;
        }
        foreach (var c in component.Cohorts)
        {
            cohortNode[c] = 2 + component.Workers.Count + cohortNode.Count;
        }
        var nodes = 2 + component.Workers.Count + component.Cohorts.Count;
        var arcs = component.Workers.Count + component.Pairs.Count + component.Cohorts.Count + 1;
        using var flow = new MinCostFlow(nodes, arcs);
        foreach (var w in component.Workers)
        {
            flow.AddArcWithCapacityAndUnitCost(0, workerNode[w], 1, 0);
        }
        var firstPairArc = -1;
        foreach (var p in component.Pairs)
        {
            var pair = problem.Pairs[p];
            var arc = flow.AddArcWithCapacityAndUnitCost(workerNode[pair.Worker], cohortNode[pair.Cohort], 1, -problem.WeightUnits(pair));
            if (firstPairArc < 0)
            {
                firstPairArc = arc;
            }
        }
        foreach (var c in component.Cohorts)
        {
            flow.AddArcWithCapacityAndUnitCost(cohortNode[c], 1, problem.Cohorts[c].FreeSeats, 0);
        }
        var workers = component.Workers.Count;
        flow.AddArcWithCapacityAndUnitCost(0, 1, workers, 0);
        flow.SetNodeSupply(0, workers);
        flow.SetNodeSupply(1, -workers);
        var status = flow.Solve();
        if (status != MinCostFlowBase.Status.OPTIMAL)
        {
            throw new InvalidOperationException($"min-cost flow ended with {status}");
        }
        var result = new List<Assignment>();
        for (var i = 0; i < component.Pairs.Count; i++)
        {
            if (flow.Flow(firstPairArc + i) > 0)
            {
                result.Add(new Assignment(component.Pairs[i]));
            }
        }
        return result;
    }
}

/// <summary>
/// 稳定模式: worker-proposing deferred acceptance (Gale–Shapley with capacities). Each worker proposes down their own
/// preference list; a cohort keeps its best proposals by score (retention + priority weight; earlier-listed worker on
/// ties) up to its free seats. The result has no blocking pair: no worker and cohort would both rather have each other.
/// </summary>
public static class StableAllocator
{
    public static AllocationOutcome Solve(AllocationProblem problem)
    {
        var started = Stopwatch.GetTimestamp();
        var workerPairs = PairsByWorker(problem);
        foreach (var list in workerPairs)
        {
            list.Sort((a, b) => WorkerPrefers(problem, a, b) ? -1 : WorkerPrefers(problem, b, a) ? 1 : 0);
        }
        var assignments = Propose(problem, workerPairs);
        return new AllocationOutcome(AllocationModes.Stable, assignments, AllocationFigures.Of(problem, assignments), Stopwatch.GetElapsedTime(started), 1);
    }

    /// <summary>
    /// Deferred acceptance over the given lists: each worker proposes down their own list (pair indexes, best first);
    /// a cohort holds its best proposals by score up to its free seats, turning away the worst when a better one comes.
    /// </summary>
    internal static List<Assignment> Propose(AllocationProblem problem, List<int>[] lists)
    {
        var next = new int[problem.Workers.Count];
        var held = new PriorityQueue<int, (long Units, int Worker)>[problem.Cohorts.Count];
        for (var c = 0; c < held.Length; c++)
        {
            held[c] = new PriorityQueue<int, (long, int)>(Comparer<(long Units, int Worker)>.Create(CohortWorse));
        }
        var free = new Stack<int>(Enumerable.Range(0, problem.Workers.Count).Reverse());
        while (free.TryPop(out var w))
        {
            var list = lists[w];
            while (next[w] < list.Count)
            {
                var p = list[next[w]++];
                var pair = problem.Pairs[p];
                var queue = held[pair.Cohort];
                var key = (problem.WeightUnits(pair), pair.Worker);
                if (queue.Count < problem.Cohorts[pair.Cohort].FreeSeats)
                {
                    queue.Enqueue(p, key);
                    break;
                }
                if (queue.Count > 0 && queue.TryPeek(out var worstPair, out var worst) && CohortWorse(worst, key) < 0)
                {
                    queue.DequeueEnqueue(p, key);
                    free.Push(problem.Pairs[worstPair].Worker);
                    break;
                }
            }
        }
        return held.SelectMany(q => q.UnorderedItems.Select(i => new Assignment(i.Element))).OrderBy(a => a.Pair).ToList();
    }

    /// <summary>Whether the worker of both pairs prefers pair <paramref name="a"/>'s cohort: own preference, then the earlier start, then the cohort id.</summary>
    public static bool WorkerPrefers(AllocationProblem problem, int a, int b)
    {
        var pa = problem.Pairs[a];
        var pb = problem.Pairs[b];
        if (pa.WorkerPreference != pb.WorkerPreference)
        {
            return pa.WorkerPreference > pb.WorkerPreference;
        }
        return problem.Cohorts[pa.Cohort].CohortId < problem.Cohorts[pb.Cohort].CohortId;
    }

    /// <summary>Whether the cohort ranks worker key <paramref name="a"/> above <paramref name="b"/>: higher score, then the earlier-listed worker.</summary>
    public static bool CohortPrefers((long Units, int Worker) a, (long Units, int Worker) b) => CohortWorse(a, b) > 0;

    // Orders the held queue worst first: lower score, then the later-listed worker.
    private static int CohortWorse((long Units, int Worker) a, (long Units, int Worker) b) =>
        a.Units != b.Units ? a.Units.CompareTo(b.Units) : b.Worker.CompareTo(a.Worker);

    internal static List<int>[] PairsByWorker(AllocationProblem problem)
    {
        var lists = new List<int>[problem.Workers.Count];
        for (var w = 0; w < lists.Length; w++)
        {
            lists[w] = [];
        }
        for (var p = 0; p < problem.Pairs.Count; p++)
        {
            lists[problem.Pairs[p].Worker].Add(p);
        }
        return lists;
    }
}

/// <summary>
/// 先到先得 — the baseline a clerk uses today: workers in the order they were registered (the list order), each given
/// the feasible cohort that starts soonest and still has a seat. Reported beside every round, measured with the same
/// objective, so the gain of a round is plain.
/// </summary>
public static class FirstComeFirstServed
{
    public static AllocationOutcome Solve(AllocationProblem problem)
    {
        var started = Stopwatch.GetTimestamp();
        var workerPairs = StableAllocator.PairsByWorker(problem);
        var seats = problem.Cohorts.Select(c => c.FreeSeats).ToArray();
        var assignments = new List<Assignment>();
        for (var w = 0; w < workerPairs.Length; w++)
        {
            var best = -1;
            foreach (var p in workerPairs[w])
            {
                var c = problem.Pairs[p].Cohort;
                if (seats[c] > 0 && (best < 0 || StartsEarlier(problem, c, problem.Pairs[best].Cohort)))
                {
                    best = p;
                }
            }
            if (best >= 0)
            {
                seats[problem.Pairs[best].Cohort]--;
                assignments.Add(new Assignment(best));
            }
        }
        assignments.Sort((a, b) => a.Pair.CompareTo(b.Pair));
        return new AllocationOutcome(AllocationModes.FirstComeFirstServed, assignments, AllocationFigures.Of(problem, assignments), Stopwatch.GetElapsedTime(started), 1);
    }

    private static bool StartsEarlier(AllocationProblem problem, int a, int b) =>
        problem.Cohorts[a].StartDate != problem.Cohorts[b].StartDate
            ? problem.Cohorts[a].StartDate < problem.Cohorts[b].StartDate
            : problem.Cohorts[a].CohortId < problem.Cohorts[b].CohortId;
}

/// <summary>
/// 按分贪心 — a second baseline: workers in registration order (the list order), each given the cohort with a free seat
/// that scores best for them (the same weight the optimal mode maximises; the lower cohort id on a tie). What a clerk
/// with the scores but no optimiser would do.
/// </summary>
public static class GreedyByScore
{
    public static AllocationOutcome Solve(AllocationProblem problem)
    {
        var started = Stopwatch.GetTimestamp();
        var workerPairs = StableAllocator.PairsByWorker(problem);
        var seats = problem.Cohorts.Select(c => c.FreeSeats).ToArray();
        var assignments = new List<Assignment>();
        for (var w = 0; w < workerPairs.Length; w++)
        {
            var best = -1;
            foreach (var p in workerPairs[w])
            {
                var pair = problem.Pairs[p];
                if (seats[pair.Cohort] > 0 && (best < 0 || problem.WeightUnits(pair) > problem.WeightUnits(problem.Pairs[best])
                    || (problem.WeightUnits(pair) == problem.WeightUnits(problem.Pairs[best]) && problem.Cohorts[pair.Cohort].CohortId < problem.Cohorts[problem.Pairs[best].Cohort].CohortId)))
                {
                    best = p;
                }
            }
            if (best >= 0)
            {
                seats[problem.Pairs[best].Cohort]--;
                assignments.Add(new Assignment(best));
            }
        }
        assignments.Sort((a, b) => a.Pair.CompareTo(b.Pair));
        return new AllocationOutcome(AllocationModes.Greedy, assignments, AllocationFigures.Of(problem, assignments), Stopwatch.GetElapsedTime(started), 1);
    }
}

/// <summary>A connected part of the round: workers and cohorts linked by feasible pairs, independent of the rest.</summary>
internal sealed record Component(List<int> Workers, List<int> Cohorts, List<int> Pairs);

internal static class Components
{
    /// <summary>Union–find over workers and cohorts joined by pairs; pairs keep their order within a component.</summary>
    public static List<Component> Of(AllocationProblem problem)
    {
        var workers = problem.Workers.Count;
        var parent = new int[workers + problem.Cohorts.Count];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = i;
        }
        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }
        foreach (var pair in problem.Pairs)
        {
            var a = Find(pair.Worker);
            var b = Find(workers + pair.Cohort);
            if (a != b)
            {
                parent[a] = b;
            }
        }
        var byRoot = new Dictionary<int, Component>();
        Component Of(int node)
        {
            var root = Find(node);
            if (!byRoot.TryGetValue(root, out var component))
            {
                byRoot[root] = component = new Component([], [], []);
            }
            return component;
        }
        var seenWorker = new bool[workers];
        var seenCohort = new bool[problem.Cohorts.Count];
        for (var p = 0; p < problem.Pairs.Count; p++)
        {
            var pair = problem.Pairs[p];
            var component = Of(pair.Worker);
            component.Pairs.Add(p);
            if (!seenWorker[pair.Worker])
            {
                seenWorker[pair.Worker] = true;
                component.Workers.Add(pair.Worker);
            }
            if (!seenCohort[pair.Cohort])
            {
                seenCohort[pair.Cohort] = true;
                component.Cohorts.Add(pair.Cohort);
            }
        }
        return [.. byRoot.Values];
    }
}

/// <summary>
/// 推荐投递 — how seats fill when nobody assigns them: each worker is shown their feasible cohorts ranked by score and
/// applies to the first <c>applications</c> of them; each cohort admits its best applicants by score up to its free
/// seats, and a worker admitted by several keeps the one ranked highest on their list (deferred acceptance over the
/// applications made). Without congestion awareness every worker's list is ordered by score alone, so the same few
/// cohorts are flooded; with it, the list is ordered by score minus each cohort's congestion penalty
/// (<see cref="Congestion"/>), the congestion being the applications per free seat of the round before.
/// </summary>
public static class RecommendationRound
{
    public const int DefaultApplications = 3;

    public static AllocationOutcome Solve(AllocationProblem problem, int applications = DefaultApplications, IReadOnlyList<double>? applicationsPerSeat = null)
    {
        var started = Stopwatch.GetTimestamp();
        var workerPairs = StableAllocator.PairsByWorker(problem);
        var lists = new List<int>[workerPairs.Length];
        for (var w = 0; w < workerPairs.Length; w++)
        {
            lists[w] = Shown(problem, workerPairs[w], applicationsPerSeat).Take(applications).ToList();
        }
        var assignments = StableAllocator.Propose(problem, lists);
        var mode = applicationsPerSeat is null ? AllocationModes.Recommended : AllocationModes.RecommendedCongestion;
        return new AllocationOutcome(mode, assignments, AllocationFigures.Of(problem, assignments), Stopwatch.GetElapsedTime(started), 1);
    }

    /// <summary>How many of the workers' applications each cohort receives per free seat when the lists are ordered by score alone.</summary>
    public static IReadOnlyList<double> ApplicationsPerSeat(AllocationProblem problem, int applications = DefaultApplications)
    {
        var received = new int[problem.Cohorts.Count];
        foreach (var list in StableAllocator.PairsByWorker(problem))
        {
            foreach (var p in Shown(problem, list, null).Take(applications))
            {
                received[problem.Pairs[p].Cohort]++;
            }
        }
        return received.Select((n, c) => Congestion.ApplicationsPerSeat(n, problem.Cohorts[c].FreeSeats)).ToList();
    }

    /// <summary>The worker's cohorts in the order the list shows them: by score, less the congestion penalty when given.</summary>
    private static IEnumerable<int> Shown(AllocationProblem problem, List<int> pairs, IReadOnlyList<double>? applicationsPerSeat)
    {
        if (applicationsPerSeat is null || pairs.Count < 2)
        {
            return pairs.OrderByDescending(p => problem.Pairs[p].RetentionProbability).ThenBy(p => problem.Cohorts[problem.Pairs[p].Cohort].CohortId);
        }
        var scores = pairs.Select(p => problem.Pairs[p].RetentionProbability).OrderByDescending(s => s).Take(2).ToArray();
        return pairs.OrderByDescending(p =>
        {
            var pair = problem.Pairs[p];
            // The best other score: the second best when this is the best, else the best.
            var bestOther = pair.RetentionProbability >= scores[0] ? scores[1] : scores[0];
            return pair.RetentionProbability - Congestion.Penalty(applicationsPerSeat[pair.Cohort], Congestion.HasGoodAlternative(pair.RetentionProbability, bestOther));
        }).ThenBy(p => problem.Cohorts[problem.Pairs[p].Cohort].CohortId);
    }
}
