using Dapper;
using Matching.Data.Storage;
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
    /// The opening's candidates, best first. Without <paramref name="withPriorityGroups"/> (an enterprise asking) the
    /// workers are read without their priority groups before anything is computed, so no feature, score, order, factor
    /// or reason can differ between a group member and a non-member: the answer is built without that information, not
    /// filtered afterwards.
    /// </summary>
    public async Task<(CandidateList? List, RankingRefusal Refusal)> CandidatesForOpeningAsync(long openingId, int top, SearchScope? scope = null,
        bool withPriorityGroups = true, CancellationToken cancellationToken = default)
    {
        var model = models.Current;
        var opening = await profiles.GetOpeningAsync(openingId, cancellationToken);
        if (opening is null)
        {
            return (null, RankingRefusal.NotFound);
        }
        if (model is null)
        {
            return (null, RankingRefusal.NoModel);
        }
        var recalled = await recall.RecallWorkersAsync(openingId, options.RecallLimit, scope, cancellationToken);
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
        var recalled = await recall.RecallOpeningsAsync(workerId, options.RecallLimit, scope, cancellationToken);
        var openings = await profiles.GetOpeningsAsync(recalled.Select(r => r.OpeningId).ToList(), cancellationToken);
        var pairs = recalled.Where(r => openings.ContainsKey(r.OpeningId))
            .Select(r => (Worker: worker, Opening: openings[r.OpeningId], r.Relevance)).ToList();
        var scored = await RankAsync(model, pairs, top, withPriorityGroups: true, cancellationToken);
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
        bool withPriorityGroups, CancellationToken cancellationToken)
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
        var chosen = Enumerable.Range(0, pairs.Count)
            .Select(i => (Index: i, Bonus: PolicyBonus(pairs[i].Worker)))
            .OrderByDescending(x => probabilities[x.Index] + x.Bonus)
            .ThenByDescending(x => pairs[x.Index].Relevance)
            .ThenBy(x => pairs[x.Index].Worker.Id).ThenBy(x => pairs[x.Index].Opening.Id)
            .Take(top)
            .ToList();
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
            var closing = Explanations.TrainingClosesGap(f) ? await cohorts.FindAsync(opening, cancellationToken) : null;
            var p = Math.Round(probabilities[index], 4);
            result.Add(new Scored(worker, opening, f, new MatchScore(relevance, p, bonus, Math.Round(p + bonus, 4),
                Explanations.Sentence(factors), factors, Explanations.UnmetRequirements(f, features.Catalogue), closing)));
        }
        return result;
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

/// <summary>Finds a real cohort that trains for an opening's trade and still has seats.</summary>
public sealed class CohortFinder(Database database, Matching.Domain.Catalogues.Catalogue catalogue, TimeProvider time)
{
    // Cohorts linked to the opening first, then the same employer's, then the earliest start.
    private const string CohortsSql = """
        SELECT c.id, c.name, c.training_type, c.start_date, c.capacity - (SELECT COUNT(*) FROM enrolments e
                WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_left,
            EXISTS (SELECT 1 FROM cohort_openings co WHERE co.cohort_id = c.id AND co.opening_id = @OpeningId) AS linked,
            CASE WHEN c.employer_id = @EmployerId THEN 1 ELSE 0 END AS same_employer
        FROM cohorts c
        WHERE c.trades LIKE @TradePattern AND c.status IN ('planned', 'open') AND c.enrolment_deadline >= @Today
        ORDER BY linked DESC, same_employer DESC, c.start_date, c.id
        """;

    public async Task<ClosingTraining?> FindAsync(OpeningProfile opening, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CohortRow>(CohortsSql, new
        {
            OpeningId = opening.Id,
            opening.EmployerId,
            TradePattern = Codes.ContainsPattern(opening.Terms.TradeId),
            Today = ChinaTime.Today(time),
        });
        var cohort = rows.FirstOrDefault(r => r.SeatsLeft > 0);
        return cohort is null ? null : new ClosingTraining(cohort.TrainingType, Explanations.TrainingName(cohort.TrainingType, catalogue),
            cohort.Id, cohort.Name, cohort.StartDate, (int)cohort.SeatsLeft, cohort.Linked);
    }

    private sealed class CohortRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string TrainingType { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public long SeatsLeft { get; init; }
        public bool Linked { get; init; }
    }
}
