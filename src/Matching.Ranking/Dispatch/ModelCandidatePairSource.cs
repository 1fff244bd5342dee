using System.Globalization;
using Matching.Allocation;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Ranking.Features;
using WorkerProfile = Matching.Allocation.WorkerProfile;
using Matching.Ranking.Model;
using Matching.Ranking.Serving;

namespace Matching.Ranking.Dispatch;

/// <summary>
/// The candidate pairs of a dispatch round (月调度) scored by the ranking model: the one pair builder
/// (<see cref="CandidatePairBuilder"/>: the eligibility rule decides which worker–cohort pairs are feasible) asks, for
/// each opening a cohort trains for that admits the worker, the model's chance that the worker is still employed six
/// months after joining it, and keeps the best opening. Without a model the documented heuristic stands in and the round
/// says so in its reasons.
/// </summary>
public sealed class ModelCandidatePairSource(
    Catalogue catalogue,
    RetentionModelProvider models,
    ProfileReader profiles,
    FeatureBuilder features,
    HistoryCache history,
    TimeProvider time) : ICandidatePairSource
{
    private readonly HeuristicCandidatePairSource _heuristic = new(catalogue);
    private readonly HeuristicScore _heuristicScore = new(catalogue);

    public async ValueTask<IReadOnlyList<CandidatePair>> FindPairsAsync(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken)
    {
        var model = models.Current;
        if (model is null)
        {
            return _heuristic.FindPairs(workers, cohorts, perWorker, cancellationToken);
        }
        var openingIds = cohorts.SelectMany(c => c.Terms.Targets).Select(t => t.OpeningId).Where(id => id > 0).Distinct().ToList();
        var openings = await profiles.GetOpeningsAsync(openingIds, cancellationToken);
        var snapshot = await history.GetAsync(cancellationToken);
        return FindPairs(model, features, workers, cohorts, id => openings.GetValueOrDefault(id), snapshot, ChinaTime.Today(time), perWorker, cancellationToken);
    }

    /// <summary>
    /// The pairs scored by <paramref name="model"/> as of <paramref name="asOf"/> for the opening each target names (a
    /// cohort's own terms, or an opening not found, by the heuristic). Shared with <c>bench dispatch</c>.
    /// </summary>
    public static IReadOnlyList<CandidatePair> FindPairs(RetentionModel model, FeatureBuilder features, IReadOnlyList<WorkerProfile> workers,
        IReadOnlyList<CohortProfile> cohorts, Func<long, OpeningProfile?> openingOf, RetentionHistory history, DateOnly asOf, int perWorker,
        CancellationToken cancellationToken = default)
    {
        var heuristic = new HeuristicScore(features.Catalogue);
        var rankingWorkers = new Features.WorkerProfile?[workers.Count];
        var vector = new ThreadLocal<float[]>(() => new float[MatchFeatures.Count]);
        return CandidatePairBuilder.Build(features.Catalogue, workers, cohorts, perWorker, (w, c, t) =>
        {
            var cohort = cohorts[c];
            if (openingOf(cohort.OpeningId(t)) is not { } opening)
            {
                return heuristic.Probability(workers[w], cohort, t);
            }
            var worker = rankingWorkers[w] ??= RankingProfile(workers[w]);
            var buffer = vector.Value!;
            features.Facts(worker, opening, history, asOf).WriteTo(buffer);
            return model.PredictOne(buffer);
        }, cancellationToken);
    }

    /// <summary>What ranking reads of a round's worker.</summary>
    public static Features.WorkerProfile RankingProfile(WorkerProfile worker) => new(worker.WorkerId, worker.CountyCode, worker.PrefectureCode,
        worker.Education, worker.RegisteredOn, worker.ExpectedWage, worker.PriorityGroups, worker.Terms);

    public IReadOnlyList<string> Reasons(AllocationProblem problem, CandidatePair pair)
    {
        var reasons = _heuristicScore.Reasons(problem.Workers[pair.Worker], problem.Cohorts[pair.Cohort], pair.Target);
        var lead = models.Current is null
            ? "未加载排序模型，按经验规则估算"
            : string.Create(CultureInfo.InvariantCulture, $"模型预测6个月留存率{pair.RetentionProbability:P0}");
        return [lead, .. reasons];
    }
}
