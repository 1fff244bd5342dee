using Matching.Data.Dispatch;
using Matching.Data.Storage;
using Matching.Domain.Matching;
using Matching.Domain.Validation;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Recall;
using Matching.Search;

namespace Matching.Ranking.Serving;

/// <summary>Why a ranking could not be made.</summary>
public enum RankingRefusal { None, NotFound, NoModel }

/// <summary>
/// Recall → features → model → final score → top N with reasons. Final score = predicted retention + the policy
/// weight when the worker is in a configured priority group (重点群体); with weight 0 the order is by predicted
/// retention alone. Thread-safe: the model pools its engines, the history snapshot is immutable.
/// </summary>
public sealed class MatchRanker(
    ICandidateRecall recall,
    ProfileReader profiles,
    FeatureBuilder features,
    RetentionModelProvider models,
    HistoryCache history,
    CohortFinder cohorts,
    RankingOptions options,
    TimeProvider time)
{
    public PolicyWeight Policy => new(options.PriorityWeight, options.FavouredGroups,
        options.FavouredGroups.Select(g => features.Catalogue.PriorityGroupsById.TryGetValue(g, out var p) ? p.Name : g).ToList(),
        "最终得分 = 预测6个月留存率 + 重点群体政策权重（劳动者属于所列重点群体之一时）");

    /// <summary>The policy of a ranking built without priority groups (an enterprise's): retention alone.</summary>
    public static readonly PolicyWeight WithoutPriorityGroups = new(0, [], [], "最终得分 = 预测6个月留存率");

    /// <summary>
    /// The opening's candidates, best first. The opening is read once (its terms, start day and employer); outside the
    /// caller's scope (another employer's) it does not exist. Recall, one read of the recalled workers' profiles, scores,
    /// and the closing cohorts of the top results in one batch. Without <paramref name="withPriorityGroups"/> (an
    /// enterprise asking) the workers are read without their priority groups before anything is computed, so no feature,
    /// score, order, factor or reason can differ between a group member and a non-member: the answer is built without
    /// that information, not filtered afterwards.
    /// </summary>
    public async Task<(CandidateList? List, RankingRefusal Refusal)> CandidatesForOpeningAsync(long openingId, int top, SearchScope? scope = null,
        bool withPriorityGroups = true, CancellationToken cancellationToken = default)
    {
        var model = models.Current;
        var opening = await profiles.GetOpeningAsync(openingId, cancellationToken);
        if (opening is null || (scope?.EmployerId is { } employer && opening.EmployerId != employer))
        {
            return (null, RankingRefusal.NotFound);
        }
        if (model is null)
        {
            return (null, RankingRefusal.NoModel);
        }
        var recalled = await recall.RecallWorkersAsync(opening, options.RecallLimit, scope, cancellationToken);
        var workers = await profiles.GetWorkersAsync(recalled.Select(r => r.WorkerId).ToList(), cancellationToken);
        var pairs = recalled.Where(r => workers.ContainsKey(r.WorkerId))
            .Select(r => (Worker: withPriorityGroups ? workers[r.WorkerId] : workers[r.WorkerId] with { PriorityGroups = [] }, Opening: opening, r.Relevance))
            .ToList();
        var scored = await RankAsync(model, pairs, top, withPriorityGroups, cancellationToken);
        var catalogue = features.Catalogue;
        var results = scored.Select((s, i) => new CandidateResult(i + 1, s.Worker.Id, s.Worker.CountyCode, catalogue.NameOf(s.Worker.CountyCode),
            s.Facts.Age, s.Facts.WorkerTradeName, s.Facts.Fit.Trade?.Level, s.Worker.PriorityGroups, s.Score)).ToList();
        return (new CandidateList(opening.Id, opening.Title, catalogue.TradesById[opening.Terms.TradeId].Name, model.Version,
            withPriorityGroups ? Policy : WithoutPriorityGroups, pairs.Count, results), RankingRefusal.None);
    }

    public async Task<(OpeningList? List, RankingRefusal Refusal)> OpeningsForWorkerAsync(long workerId, int top, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var model = models.Current;
        var worker = await profiles.GetWorkerAsync(workerId, cancellationToken);
        if (worker is null)
        {
            return (null, RankingRefusal.NotFound);
        }
        if (model is null)
        {
            return (null, RankingRefusal.NoModel);
        }
        var recalled = await recall.RecallOpeningsAsync(worker, options.RecallLimit, scope, cancellationToken);
        var openings = await profiles.GetOpeningsAsync(recalled.Select(r => r.OpeningId).ToList(), cancellationToken);
        var pairs = recalled.Where(r => openings.ContainsKey(r.OpeningId))
            .Select(r => (Worker: worker, Opening: openings[r.OpeningId], r.Relevance)).ToList();
        // Openings crowded by the last 30 days' applications move down for a worker with good alternatives (拥挤度).
        var crowding = await cohorts.CrowdingAsync(openings.Keys, CrowdingDays, cancellationToken);
        var scored = await RankAsync(model, pairs, top, withPriorityGroups: true, cancellationToken, crowding);
        var catalogue = features.Catalogue;
        var results = scored.Select((s, i) => new OpeningResult(i + 1, s.Opening.Id, s.Opening.Title, s.Opening.EmployerId,
            s.Facts.OpeningTradeName, s.Facts.CityName, s.Opening.WageMin, s.Opening.WageMax, s.Score)).ToList();
        return (new OpeningList(worker.Id, model.Version, Policy, pairs.Count, results), RankingRefusal.None);
    }

    private sealed record Scored(WorkerProfile Worker, OpeningProfile Opening, PairFacts Facts, MatchScore Score);

    /// <summary>
    /// Scores every recalled pair, keeps the best <paramref name="top"/>, and explains only those. Without
    /// <paramref name="withPriorityGroups"/> the priority-group features are no factor of any explanation.
    /// </summary>
    private async Task<IReadOnlyList<Scored>> RankAsync(RetentionModel model, IReadOnlyList<(WorkerProfile Worker, OpeningProfile Opening, double Relevance)> pairs, int top,
        bool withPriorityGroups, CancellationToken cancellationToken, IReadOnlyDictionary<long, double>? crowding = null)
    {
        var today = ChinaTime.Today(time);
        var snapshot = await history.GetAsync(cancellationToken);
        var facts = new PairFacts[pairs.Count];
        var vectors = new float[pairs.Count][];
        for (var i = 0; i < pairs.Count; i++)
        {
            facts[i] = features.Facts(pairs[i].Worker, pairs[i].Opening, snapshot, today);
            vectors[i] = facts[i].ToVector();
        }
        var probabilities = model.PredictEach(vectors);
        var penalties = CongestionPenalties(pairs, probabilities, crowding);
        var chosen = Enumerable.Range(0, pairs.Count)
            .Select(i => (Index: i, Bonus: PolicyBonus(pairs[i].Worker)))
            .OrderByDescending(x => probabilities[x.Index] + x.Bonus - penalties[x.Index])
            .ThenByDescending(x => pairs[x.Index].Relevance)
            .ThenBy(x => pairs[x.Index].Worker.Id).ThenBy(x => pairs[x.Index].Opening.Id)
            .Take(top)
            .ToList();
        // The near misses' closing cohorts, for all of them at once.
        var closings = await cohorts.FindAsync(chosen.Where(c => Explanations.TrainingClosesGap(facts[c.Index]))
            .Select(c => (pairs[c.Index].Worker, pairs[c.Index].Opening)).ToList(), cancellationToken);
        var result = new List<Scored>(chosen.Count);
        foreach (var (index, bonus) in chosen)
        {
            var (worker, opening, relevance) = pairs[index];
            var f = facts[index];
            var (_, explained) = model.Explain(vectors[index]);
            var contributions = explained;
            if (!withPriorityGroups)
            {
                var without = explained.ToArray();
                foreach (var feature in MatchFeatures.PriorityGroupFeatures)
                {
                    without[(int)feature] = 0;
                }
                contributions = without;
            }
            var factors = Explanations.TopFactorsOf(f, contributions, features.Catalogue);
            var p = Math.Round(probabilities[index], 4);
            var penalty = Math.Round(penalties[index], 4);
            result.Add(new Scored(worker, opening, f, new MatchScore(relevance, p, bonus, Math.Round(p + bonus - penalty, 4),
                Explanations.Sentence(factors), factors, Explanations.UnmetRequirements(f, features.Catalogue),
                closings.GetValueOrDefault((worker.Id, opening.Id)), penalty,
                penalty > 0 ? Congestion.Reason(crowding![opening.Id]) : null)));
        }
        return result;
    }

    /// <summary>How many days of applications count as recent for the congestion of an opening.</summary>
    public const int CrowdingDays = 30;

    /// <summary>
    /// Each pair's congestion penalty (<see cref="Congestion"/>): only when ranking one worker's openings (the worker is
    /// the same in every pair), from the opening's recent applications per free seat, when the worker has another
    /// opening within the rule's tolerance.
    /// </summary>
    private static double[] CongestionPenalties(IReadOnlyList<(WorkerProfile Worker, OpeningProfile Opening, double Relevance)> pairs, float[] probabilities,
        IReadOnlyDictionary<long, double>? crowding)
    {
        var penalties = new double[pairs.Count];
        if (crowding is null || pairs.Count < 2)
        {
            return penalties;
        }
        var best = probabilities.Max();
        var second = probabilities.OrderByDescending(p => p).Skip(1).First();
        for (var i = 0; i < pairs.Count; i++)
        {
            if (crowding.TryGetValue(pairs[i].Opening.Id, out var perSeat))
            {
                var bestOther = probabilities[i] >= best ? second : best;
                penalties[i] = Congestion.Penalty(perSeat, Congestion.HasGoodAlternative(probabilities[i], bestOther));
            }
        }
        return penalties;
    }

    private double PolicyBonus(WorkerProfile worker) =>
        options.PriorityWeight != 0 && worker.PriorityGroups.Any(g => options.FavouredGroups.Contains(g)) ? options.PriorityWeight : 0;
}

/// <summary>The placement history as of now, reloaded when older than the configured refresh interval.</summary>
public sealed class HistoryCache(Database database, TimeProvider time, TimeSpan refreshAfter) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(RetentionHistory History, long LoadedAt);

    public void Dispose() => _gate.Dispose();

    public async Task<RetentionHistory> GetAsync(CancellationToken cancellationToken = default)
    {
        var current = _snapshot;
        if (current is not null && time.GetElapsedTime(current.LoadedAt) < refreshAfter)
        {
            return current.History;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = _snapshot;
            if (current is null || time.GetElapsedTime(current.LoadedAt) >= refreshAfter)
            {
                _snapshot = current = new Snapshot(await RetentionHistory.LoadAsync(database, cancellationToken), time.GetTimestamp());
            }
            return current.History;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// The closing-training suggestion (补差培训), per worker: a cohort taking enrolments (<see cref="Intakes.TakesEnrolments"/>)
/// that trains for the opening's trade, that the eligibility rule admits this worker for, and whose dates do not overlap
/// the worker's other commitments; cohorts linked to the opening first, then the same employer's, then the earliest.
/// Three queries per request, however many workers.
/// </summary>
public sealed class CohortFinder(Database database, Matching.Domain.Catalogues.Catalogue catalogue, TimeProvider time)
{
    /// <summary>The openings' recent applications per free seat of their upcoming cohorts (<see cref="DispatchInputs.CrowdingAsync"/>).</summary>
    public Task<Dictionary<long, double>> CrowdingAsync(IReadOnlyCollection<long> openingIds, int days, CancellationToken cancellationToken = default) =>
        new DispatchInputs(database).CrowdingAsync(openingIds, time.GetUtcNow().AddDays(-days), ChinaTime.Today(time), cancellationToken);

    public async Task<Dictionary<(long WorkerId, long OpeningId), ClosingTraining>> FindAsync(IReadOnlyList<(WorkerProfile Worker, OpeningProfile Opening)> pairs, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<(long, long), ClosingTraining>();
        if (pairs.Count == 0)
        {
            return found;
        }
        var inputs = new DispatchInputs(database);
        var today = ChinaTime.Today(time);
        var held = await inputs.HeldAsync(pairs.Select(p => p.Worker.Id).ToList(), cancellationToken);
        var byTrade = new Dictionary<string, IReadOnlyList<OpenCohort>>(StringComparer.Ordinal);
        foreach (var trade in pairs.Select(p => p.Opening.Terms.TradeId).Distinct(StringComparer.Ordinal))
        {
            byTrade[trade] = await inputs.OpenCohortsAsync(today, trade, cancellationToken);
        }
        foreach (var (worker, opening) in pairs)
        {
            var workerHeld = held[worker.Id].ToList();
            var cohort = byTrade[opening.Terms.TradeId]
                .OrderByDescending(c => c.Openings.Any(o => o.OpeningId == opening.Id))
                .ThenByDescending(c => c.EmployerId == opening.EmployerId)
                .ThenBy(c => c.StartDate).ThenBy(c => c.Id)
                .FirstOrDefault(c => CohortEligibility.Overlapping(workerHeld, c.Id, c.StartDate, c.EndDate) is null
                    && CohortEligibility.Admits(catalogue, worker.Terms, c.Terms));
            if (cohort is not null)
            {
                found[(worker.Id, opening.Id)] = new ClosingTraining(cohort.TrainingType, Explanations.TrainingName(cohort.TrainingType, catalogue),
                    cohort.Id, cohort.Name, cohort.StartDate, cohort.FreeSeats, cohort.Openings.Any(o => o.OpeningId == opening.Id));
            }
        }
        return found;
    }
}
