using System.Collections.Concurrent;
using System.Globalization;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;

namespace Matching.Allocation;

/// <summary>
/// THE SEAM for candidate pairs (候选配对). A dispatch round asks it, for a set of workers and open cohorts, which pairs
/// are feasible and how likely each is to become a retained placement. Every implementation builds the pairs with
/// <see cref="CandidatePairBuilder"/> (the eligibility rule decides; only the score differs): the documented heuristic
/// here, the ranking model in <c>Matching.Ranking.Dispatch</c>.
/// </summary>
public interface ICandidatePairSource
{
    /// <summary>
    /// The feasible pairs among <paramref name="workers"/> and <paramref name="cohorts"/> (<see cref="HardConstraints"/>),
    /// each scored against the best target opening for the worker, at most <paramref name="perWorker"/> per worker (the
    /// best by score), as search recall would return.
    /// </summary>
    ValueTask<IReadOnlyList<CandidatePair>> FindPairsAsync(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken);

    /// <summary>Short Chinese reasons of one pair, for the clerk reviewing the round (made for assigned pairs only).</summary>
    IReadOnlyList<string> Reasons(AllocationProblem problem, CandidatePair pair);
}

/// <summary>
/// The one builder of dispatch pairs. A worker looks only at cohorts training for a trade of their trade families; a
/// pair is feasible when the eligibility rule admits the worker for at least one of the cohort's target openings on its
/// start day and no held seat overlaps (<see cref="HardConstraints.IsFeasible"/>); it is scored against each admitting
/// target and keeps the best. Pure and parallel (no I/O).
/// </summary>
public static class CandidatePairBuilder
{
    /// <summary>The estimated probability of a retained placement if the worker joins the cohort for the target opening.</summary>
    public delegate double Scorer(int worker, int cohort, int target);

    public static IReadOnlyList<CandidatePair> Build(Catalogue catalogue, IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts,
        int perWorker, Scorer score, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perWorker, 1);
        // Cohorts reachable from each trade family: those with a target opening of the family (the rule asks for it).
        var byFamily = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var c = 0; c < cohorts.Count; c++)
        {
            foreach (var target in cohorts[c].Terms.Targets)
            {
                var family = catalogue.TradesById.TryGetValue(target.Terms.TradeId, out var trade) ? trade.FamilyId : target.Terms.TradeId;
                if (!byFamily.TryGetValue(family, out var list))
                {
                    byFamily[family] = list = [];
                }
                if (list.Count == 0 || list[^1] != c)
                {
                    list.Add(c);
                }
            }
        }
        var perWorkerPairs = new CandidatePair[workers.Count][];
        Parallel.For(0, workers.Count, new ParallelOptions { CancellationToken = cancellationToken }, () => (Seen: new HashSet<int>(), Found: new List<CandidatePair>()), (w, _, local) =>
        {
            var worker = workers[w];
            local.Seen.Clear();
            local.Found.Clear();
            foreach (var skill in worker.Terms.Trades)
            {
                var family = catalogue.TradesById.TryGetValue(skill.TradeId, out var trade) ? trade.FamilyId : skill.TradeId;
                if (!byFamily.TryGetValue(family, out var reachable))
                {
                    continue;
                }
                foreach (var c in reachable)
                {
                    if (!local.Seen.Add(c))
                    {
                        continue;
                    }
                    var cohort = cohorts[c];
                    if (CohortEligibility.Overlapping(worker.Held, cohort.CohortId, cohort.StartDate, cohort.EndDate) is not null)
                    {
                        continue;
                    }
                    var bestTarget = -1;
                    var best = double.NegativeInfinity;
                    var targets = cohort.Terms.Targets;
                    for (var t = 0; t < targets.Count; t++)
                    {
                        if (Eligibility.Admits(catalogue, worker.Terms, targets[t].Terms, cohort.StartDate))
                        {
                            var s = score(w, c, t);
                            if (s > best)
                            {
                                best = s;
                                bestTarget = t;
                            }
                        }
                    }
                    if (bestTarget >= 0)
                    {
                        local.Found.Add(new CandidatePair(w, c, bestTarget, Math.Round(Math.Clamp(best, 0, 1), 4), worker.InPriorityGroup,
                            WorkerPreference(worker, cohort, bestTarget)));
                    }
                }
            }
            if (local.Found.Count > perWorker)
            {
                // Best first; the cohort id breaks ties so the recall is deterministic.
                local.Found.Sort((a, b) => b.RetentionProbability.CompareTo(a.RetentionProbability) is var byScore && byScore != 0
                    ? byScore : cohorts[a.Cohort].CohortId.CompareTo(cohorts[b.Cohort].CohortId));
                local.Found.RemoveRange(perWorker, local.Found.Count - perWorker);
            }
            perWorkerPairs[w] = [.. local.Found];
            return local;
        }, _ => { });
        var pairs = new List<CandidatePair>(perWorkerPairs.Sum(p => p.Length));
        foreach (var list in perWorkerPairs)
        {
            pairs.AddRange(list);
        }
        return pairs;
    }

    /// <summary>The worker's own order for the stable mode: destination choice, then the wage offered, then an earlier start.</summary>
    public static double WorkerPreference(WorkerProfile worker, CohortProfile cohort, int target)
    {
        var terms = cohort.Terms.Targets[target].Terms;
        var rank = Eligibility.DestinationRank(worker.Terms.Destinations, terms.ProvinceCode, terms.CityCode);
        var destinationPreference = rank <= 0 ? 2 : 4 - Math.Min(rank, 3);
        return destinationPreference * 100_000.0 + Math.Min(cohort.Offer(target).WageMax, 99_999) - cohort.StartDate.DayNumber / 1_000_000.0;
    }
}

/// <summary>The candidate source without a ranking model: <see cref="CandidatePairBuilder"/> with <see cref="HeuristicScore"/>.</summary>
public sealed class HeuristicCandidatePairSource(Catalogue catalogue) : ICandidatePairSource
{
    private readonly HeuristicScore _score = new(catalogue);

    public ValueTask<IReadOnlyList<CandidatePair>> FindPairsAsync(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FindPairs(workers, cohorts, perWorker, cancellationToken));

    public IReadOnlyList<CandidatePair> FindPairs(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken = default) =>
        CandidatePairBuilder.Build(catalogue, workers, cohorts, perWorker, (w, c, t) => _score.Probability(workers[w], cohorts[c], t), cancellationToken);

    public IReadOnlyList<string> Reasons(AllocationProblem problem, CandidatePair pair) =>
        _score.Reasons(problem.Workers[pair.Worker], problem.Cohorts[pair.Cohort], pair.Target);
}

/// <summary>
/// The documented heuristic estimate of a retained placement (≥ 6 months), used when no ranking model is loaded. It
/// adds to a base of 0.30 what field experience says keeps workers in a job:
/// <list type="bullet">
/// <item>trade: the same trade +0.20, the same trade family +0.08 (a related trade is learnt in pre-job training);</item>
/// <item>destination: the worker's 1st/2nd/3rd choice +0.15/+0.10/+0.06, no stated preference +0.05; a city named, not only its province, +0.03;</item>
/// <item>wage: the best wage offered reaches the expected wage +0.10 (and the lowest too +0.05); short of it, up to −0.15 by the shortfall;</item>
/// <item>accommodation provided (包住宿) +0.05; age 22–45 at the start +0.03; skill level above the minimum +0.05.</item>
/// </list>
/// The result is kept within [0.02, 0.98].
/// </summary>
public sealed class HeuristicScore(Catalogue catalogue)
{
    private readonly ConcurrentDictionary<(string Kind, string A, string B), string> _phrases = new();

    public double Probability(WorkerProfile worker, CohortProfile cohort, int target)
    {
        var terms = cohort.Terms.Targets[target].Terms;
        var offer = cohort.Offer(target);
        var fit = Eligibility.Fit(catalogue, worker.Terms.Trades, terms.TradeId);
        var p = 0.30 + (fit.Match == TradeMatch.SameTrade ? 0.20 : 0.08);
        p += fit.LevelGap(terms.MinLevel) > 0 ? 0.05 : 0;
        var rank = Eligibility.DestinationRank(worker.Terms.Destinations, terms.ProvinceCode, terms.CityCode);
        p += rank switch { Eligibility.AnyDestination => 0.05, 1 => 0.15, 2 => 0.10, _ => 0.06 };
        if (rank > 0 && worker.Terms.Destinations[rank - 1] == terms.CityCode)
        {
            p += 0.03;
        }
        if (offer.WageMax >= worker.ExpectedWage)
        {
            p += 0.10 + (offer.WageMin >= worker.ExpectedWage ? 0.05 : 0);
        }
        else
        {
            p -= Math.Min(0.15, (worker.ExpectedWage - offer.WageMax) / (double)Math.Max(1, worker.ExpectedWage));
        }
        p += offer.Accommodation ? 0.05 : 0;
        var age = Eligibility.AgeOn(worker.Terms.BirthDate, cohort.StartDate);
        p += age is >= 22 and <= 45 ? 0.03 : 0;
        return Math.Round(Math.Clamp(p, 0.02, 0.98), 4);
    }

    /// <summary>What a clerk reads of the pair: trade, level, destination, wage, housing, priority groups, and which opening.</summary>
    public IReadOnlyList<string> Reasons(WorkerProfile worker, CohortProfile cohort, int target)
    {
        var terms = cohort.Terms.Targets[target].Terms;
        var offer = cohort.Offer(target);
        var reasons = new List<string>(8);
        var fit = Eligibility.Fit(catalogue, worker.Terms.Trades, terms.TradeId);
        var taught = catalogue.TradesById.GetValueOrDefault(terms.TradeId);
        if (fit.Match == TradeMatch.SameTrade)
        {
            reasons.Add(Phrase(("trade", terms.TradeId, ""), () => $"工种对口：{taught?.Name ?? terms.TradeId}"));
        }
        else
        {
            var ownId = fit.Trade?.TradeId ?? "";
            reasons.Add(Phrase(("family", ownId, terms.TradeId), () =>
            {
                var own = catalogue.TradesById.TryGetValue(ownId, out var t) ? t.Name : ownId;
                var family = taught is not null && catalogue.TradeFamiliesById.TryGetValue(taught.FamilyId, out var f) ? f.Name : "";
                return $"同属{family}：{own}→{taught?.Name ?? terms.TradeId}";
            }));
        }
        if (terms.MinLevel > 1)
        {
            reasons.Add(Phrase(("level", Number(terms.MinLevel), ""), () => $"技能等级达到岗位要求（{LevelName(terms.MinLevel)}）"));
        }
        var rank = Eligibility.DestinationRank(worker.Terms.Destinations, terms.ProvinceCode, terms.CityCode);
        if (rank > 0)
        {
            var place = worker.Terms.Destinations[rank - 1];
            reasons.Add(Phrase(("destination", Number(rank), place), () => $"第{rank}志愿地区：{catalogue.NameOf(place)}"));
        }
        else
        {
            reasons.Add("未填意向地区，服从调剂");
        }
        reasons.Add(offer.WageMax >= worker.ExpectedWage
            ? Phrase(("wage", Number(offer.WageMin), Number(offer.WageMax)), () => string.Create(CultureInfo.InvariantCulture, $"岗位月薪{offer.WageMin}–{offer.WageMax}元，达到期望"))
            : Phrase(("wage-short", Number(offer.WageMax), ""), () => string.Create(CultureInfo.InvariantCulture, $"岗位月薪最高{offer.WageMax}元，低于期望")));
        if (offer.Accommodation)
        {
            reasons.Add("包住宿");
        }
        if (worker.InPriorityGroup)
        {
            reasons.Add(Phrase(("groups", string.Join('|', worker.PriorityGroups), ""), () =>
                "重点群体：" + string.Join("、", worker.PriorityGroups.Select(g => catalogue.PriorityGroupsById.TryGetValue(g, out var group) ? group.Name : g))));
        }
        if (cohort.Terms.Targets.Count > 1 && cohort.OpeningId(target) is var openingId and > 0)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"按本班期对应岗位中最适合的岗位（编号 {openingId}）评估"));
        }
        return reasons;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string LevelName(int level) => catalogue.SkillLevelsByLevel.TryGetValue(level, out var l) ? l.Name : Number(level);

    // The same phrase is shared by every pair that says it.
    private string Phrase((string Kind, string A, string B) key, Func<string> make) =>
        _phrases.TryGetValue(key, out var phrase) ? phrase : _phrases.GetOrAdd(key, _ => make());
}
