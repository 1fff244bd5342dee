using System.Collections.Concurrent;
using System.Globalization;
using Matching.Domain.Catalogues;
using Matching.Domain.Workers;

namespace Matching.Allocation;

/// <summary>
/// THE SEAM for candidate pairs (候选配对). A dispatch round asks it, for a set of workers and open cohorts, which pairs
/// are feasible and how likely each is to become a retained placement. Today <see cref="HeuristicCandidatePairSource"/>
/// answers (hard constraints + a documented heuristic score); when the search (Lucene recall) and ranking (ML.NET
/// retained-placement model) branches merge, their implementation of this interface replaces it and nothing else in the
/// allocation changes.
/// </summary>
public interface ICandidatePairSource
{
    /// <summary>
    /// The feasible pairs among <paramref name="workers"/> and <paramref name="cohorts"/>: every hard constraint of
    /// <see cref="HardConstraints"/> holds, with the predicted retention probability in [0, 1], whether the worker is in a
    /// priority group, the worker's preference and short Chinese reasons. At most <paramref name="perWorker"/> pairs
    /// per worker (the best by score), as search recall would return.
    /// </summary>
    ValueTask<IReadOnlyList<CandidatePair>> FindPairsAsync(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken);
}

/// <summary>
/// The candidate source used until the ranking model is plugged in: <see cref="HardConstraints"/> decide feasibility,
/// <see cref="HeuristicScore"/> estimates retention. Pure and parallel (no I/O).
/// </summary>
public sealed class HeuristicCandidatePairSource(Catalogue catalogue) : ICandidatePairSource
{
    public ValueTask<IReadOnlyList<CandidatePair>> FindPairsAsync(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FindPairs(workers, cohorts, perWorker, cancellationToken));

    public IReadOnlyList<CandidatePair> FindPairs(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perWorker, 1);
        // Cohorts reachable from each trade: its own and those of the same family, so a worker only looks at those.
        var byTrade = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var c = 0; c < cohorts.Count; c++)
        {
            foreach (var tradeId in cohorts[c].Trades)
            {
                foreach (var reachable in TradesOfFamily(tradeId))
                {
                    if (!byTrade.TryGetValue(reachable, out var list))
                    {
                        byTrade[reachable] = list = [];
                    }
                    if (list.Count == 0 || list[^1] != c)
                    {
                        list.Add(c);
                    }
                }
            }
        }
        var scorer = new HeuristicScore(catalogue);
        var perWorkerPairs = new CandidatePair[workers.Count][];
        Parallel.For(0, workers.Count, new ParallelOptions { CancellationToken = cancellationToken }, () => (Seen: new HashSet<int>(), Found: new List<CandidatePair>()), (w, _, local) =>
        {
            var worker = workers[w];
            var groupsPhrase = scorer.GroupsPhrase(worker);
            local.Seen.Clear();
            local.Found.Clear();
            foreach (var skill in worker.Trades)
            {
                if (!byTrade.TryGetValue(skill.TradeId, out var reachable))
                {
                    continue;
                }
                foreach (var c in reachable)
                {
                    if (local.Seen.Add(c) && HardConstraints.IsFeasible(worker, cohorts[c], catalogue))
                    {
                        local.Found.Add(scorer.Score(w, worker, c, cohorts[c], groupsPhrase));
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

    private readonly ConcurrentDictionary<string, string[]> _familyTrades = new(StringComparer.Ordinal);

    private string[] TradesOfFamily(string tradeId) => _familyTrades.GetOrAdd(tradeId, id =>
        catalogue.TradesById.TryGetValue(id, out var trade)
            ? catalogue.Trades.Where(t => t.FamilyId == trade.FamilyId).Select(t => t.Id).ToArray()
            : [id]);
}

/// <summary>
/// The documented heuristic estimate of a retained placement (≥ 6 months) until the ranking model replaces it. It adds
/// to a base of 0.30 what field experience says keeps workers in a job:
/// <list type="bullet">
/// <item>trade: the same trade +0.20, the same trade family +0.08 (a related trade is learnt in pre-job training);</item>
/// <item>skill: the worker's level reaches the openings' minimum +0.05;</item>
/// <item>destination: the worker's 1st/2nd/3rd choice +0.15/+0.10/+0.06, no stated preference +0.05; a city named, not only its province, +0.03;</item>
/// <item>wage: the best wage offered reaches the expected wage +0.10 (and the lowest too +0.05); short of it, up to −0.15 by the shortfall;</item>
/// <item>accommodation provided (包住宿) +0.05; age 22–45 at the start +0.03.</item>
/// </list>
/// The result is kept within [0.02, 0.98]. The worker's own preference, used by the stable mode, orders destination
/// choice first, then the wage offered, then the earlier start.
/// </summary>
public sealed class HeuristicScore(Catalogue catalogue)
{
    private readonly ConcurrentDictionary<(string Kind, string A, string B), string> _phrases = new();

    public CandidatePair Score(int workerIndex, WorkerProfile worker, int cohortIndex, CohortProfile cohort) =>
        Score(workerIndex, worker, cohortIndex, cohort, GroupsPhrase(worker));

    /// <summary>"重点群体：…" for a worker in a priority group, else null; computed once per worker.</summary>
    public string? GroupsPhrase(WorkerProfile worker) => worker.InPriorityGroup
        ? Phrase("groups:" + string.Join('|', worker.PriorityGroups), () =>
            "重点群体：" + string.Join("、", worker.PriorityGroups.Select(g => catalogue.PriorityGroupsById.TryGetValue(g, out var group) ? group.Name : g)))
        : null;

    public CandidatePair Score(int workerIndex, WorkerProfile worker, int cohortIndex, CohortProfile cohort, string? groupsPhrase)
    {
        var reasons = new List<string>(7);
        var p = 0.30;
        var fit = HardConstraints.TradeFit(worker, cohort, catalogue)!;
        var taught = catalogue.TradesById.TryGetValue(fit.CohortTradeId, out var trade) ? trade : null;
        if (fit.Exact)
        {
            p += 0.20;
            reasons.Add(Phrase(("trade", fit.CohortTradeId, ""), () => $"工种对口：{taught?.Name ?? fit.CohortTradeId}"));
        }
        else
        {
            p += 0.08;
            reasons.Add(Phrase(("family", fit.WorkerSkill.TradeId, fit.CohortTradeId), () =>
            {
                var own = catalogue.TradesById.TryGetValue(fit.WorkerSkill.TradeId, out var t) ? t.Name : fit.WorkerSkill.TradeId;
                var family = taught is not null && catalogue.TradeFamiliesById.TryGetValue(taught.FamilyId, out var f) ? f.Name : "";
                return $"同属{family}：{own}→{taught?.Name ?? fit.CohortTradeId}";
            }));
        }
        if (fit.WorkerSkill.Level >= cohort.MinLevel)
        {
            p += 0.05;
            if (cohort.MinLevel > 1)
            {
                reasons.Add(Phrase(("level", LevelKey(cohort.MinLevel), ""), () => $"技能等级达到岗位要求（{LevelName(cohort.MinLevel)}）"));
            }
        }
        var rank = HardConstraints.DestinationRank(worker, cohort) ?? 0;
        p += rank switch { 0 => 0.05, 1 => 0.15, 2 => 0.10, _ => 0.06 };
        if (rank > 0)
        {
            var cityNamed = worker.Destinations[rank - 1] == cohort.CityCode;
            p += cityNamed ? 0.03 : 0;
            var place = cityNamed ? cohort.CityCode : cohort.ProvinceCode;
            reasons.Add(Phrase(("destination", LevelKey(rank), place), () => $"第{rank}志愿地区：{catalogue.NameOf(place)}"));
        }
        else
        {
            reasons.Add("未填意向地区，服从调剂");
        }
        if (cohort.WageMax >= worker.ExpectedWage)
        {
            p += 0.10 + (cohort.WageMin >= worker.ExpectedWage ? 0.05 : 0);
            reasons.Add(Phrase(("wage", WageKey(cohort.WageMin), WageKey(cohort.WageMax)), () =>
                string.Create(CultureInfo.InvariantCulture, $"岗位月薪{cohort.WageMin}–{cohort.WageMax}元，达到期望")));
        }
        else
        {
            var shortfall = (worker.ExpectedWage - cohort.WageMax) / (double)Math.Max(1, worker.ExpectedWage);
            p -= Math.Min(0.15, shortfall);
            reasons.Add(Phrase(("wage-short", WageKey(cohort.WageMax), ""), () =>
                string.Create(CultureInfo.InvariantCulture, $"岗位月薪最高{cohort.WageMax}元，低于期望")));
        }
        if (cohort.Accommodation)
        {
            p += 0.05;
            reasons.Add("包住宿");
        }
        var age = WorkerRules.AgeOn(worker.BirthDate, cohort.StartDate);
        if (age is >= 22 and <= 45)
        {
            p += 0.03;
        }
        if (groupsPhrase is not null)
        {
            reasons.Add(groupsPhrase);
        }
        p = Math.Clamp(p, 0.02, 0.98);
        // Worker's own order: destination choice, then the wage offered, then an earlier start.
        var destinationPreference = rank == 0 ? 2 : 4 - Math.Min(rank, 3);
        var preference = destinationPreference * 100_000.0 + Math.Min(cohort.WageMax, 99_999) - cohort.StartDate.DayNumber / 1_000_000.0;
        return new CandidatePair(workerIndex, cohortIndex, Math.Round(p, 4), worker.InPriorityGroup, preference, reasons.ToArray());
    }

    private static readonly string[] SmallNumbers = [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static string LevelKey(int value) => value is >= 0 and < 10 ? SmallNumbers[value] : value.ToString(CultureInfo.InvariantCulture);

    // Wages come in steps of 100 yuan in practice; the cache keys on the value itself.
    private readonly ConcurrentDictionary<int, string> _wageKeys = new();

    private string WageKey(int wage) => _wageKeys.GetOrAdd(wage, w => w.ToString(CultureInfo.InvariantCulture));

    private string LevelName(int level) => catalogue.SkillLevelsByLevel.TryGetValue(level, out var l) ? l.Name : level.ToString(CultureInfo.InvariantCulture);

    // The same phrase is shared by every pair that says it, so a round of millions of pairs does not hold millions of strings.
    private string Phrase((string Kind, string A, string B) key, Func<string> make) =>
        _phrases.TryGetValue(key, out var phrase) ? phrase : _phrases.GetOrAdd(key, _ => make());

    private string Phrase(string key, Func<string> make) => Phrase((key, "", ""), make);
}
