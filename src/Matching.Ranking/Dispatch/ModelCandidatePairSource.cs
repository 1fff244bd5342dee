using System.Globalization;
using Dapper;
using Matching.Allocation;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Serving;

namespace Matching.Ranking.Dispatch;

/// <summary>
/// The candidate pairs of a dispatch round (月调度) scored by the ranking model: the hard constraints decide which
/// worker–cohort pairs are feasible (the same filters as recall, applied to the round's workers and open cohorts in
/// memory, since the round already holds them), and the retention model predicts, for each pair, the chance that the
/// worker is still employed six months after joining the opening the cohort trains for. Without a model the documented
/// heuristic score stands in and the round says so in its reasons.
/// </summary>
public sealed class ModelCandidatePairSource(
    Catalogue catalogue,
    Database database,
    RetentionModelProvider models,
    ProfileReader profiles,
    FeatureBuilder features,
    HistoryCache history,
    TimeProvider time) : ICandidatePairSource
{
    // The opening a cohort trains for: the first it links (a cohort linking none is scored by the heuristic).
    private const string LinkedOpeningsSql = "SELECT cohort_id, MIN(opening_id) AS opening_id FROM cohort_openings WHERE cohort_id IN @Ids GROUP BY cohort_id";

    public async ValueTask<IReadOnlyList<CandidatePair>> FindPairsAsync(IReadOnlyList<Allocation.WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, int perWorker, CancellationToken cancellationToken)
    {
        var feasible = new HeuristicCandidatePairSource(catalogue).FindPairs(workers, cohorts, perWorker, cancellationToken);
        var model = models.Current;
        if (model is null || feasible.Count == 0)
        {
            return model is null ? feasible.Select(p => p with { Reasons = ["未加载排序模型，按经验规则估算", .. p.Reasons] }).ToList() : feasible;
        }

        var openingOfCohort = new Dictionary<long, long>();
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            foreach (var chunk in cohorts.Select(c => c.CohortId).Chunk(500))
            {
                foreach (var (cohortId, openingId) in await connection.QueryAsync<(long, long)>(LinkedOpeningsSql, new { Ids = chunk }))
                {
                    openingOfCohort[cohortId] = openingId;
                }
            }
        }
        var workerProfiles = await profiles.GetWorkersAsync(feasible.Select(p => workers[p.Worker].WorkerId).Distinct().ToList(), cancellationToken);
        var openingProfiles = await profiles.GetOpeningsAsync(openingOfCohort.Values.Distinct().ToList(), cancellationToken);
        var snapshot = await history.GetAsync(cancellationToken);
        var today = ChinaTime.Today(time);

        return Rescore(model, features, feasible, i =>
            workerProfiles.TryGetValue(workers[feasible[i].Worker].WorkerId, out var worker)
            && openingOfCohort.TryGetValue(cohorts[feasible[i].Cohort].CohortId, out var openingId)
            && openingProfiles.TryGetValue(openingId, out var opening)
                ? (worker, opening)
                : null, snapshot, today);
    }

    /// <summary>
    /// Replaces each pair's retention estimate with the model's prediction for the worker and the opening the cohort
    /// trains for (pairs without both profiles keep their estimate), in parallel chunks, and says so in the reasons.
    /// </summary>
    public static IReadOnlyList<CandidatePair> Rescore(RetentionModel model, FeatureBuilder features, IReadOnlyList<CandidatePair> pairs,
        Func<int, (Features.WorkerProfile Worker, OpeningProfile Opening)?> profilesOf, RetentionHistory history, DateOnly asOf)
    {
        var result = pairs.ToArray();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, result.Length, 20_000), range =>
        {
            var indexes = new List<int>(range.Item2 - range.Item1);
            var vectors = new List<float[]>(range.Item2 - range.Item1);
            for (var i = range.Item1; i < range.Item2; i++)
            {
                if (profilesOf(i) is { } p)
                {
                    indexes.Add(i);
                    vectors.Add(features.Facts(p.Worker, p.Opening, history, asOf).ToVector());
                }
            }
            var probabilities = model.PredictEach(vectors);
            for (var k = 0; k < indexes.Count; k++)
            {
                var i = indexes[k];
                var probability = Math.Round(Math.Clamp(probabilities[k], 0, 1), 4);
                result[i] = result[i] with
                {
                    RetentionProbability = probability,
                    Reasons = [string.Create(CultureInfo.InvariantCulture, $"模型预测6个月留存率{probability:P0}"), .. result[i].Reasons],
                };
            }
        });
        return result;
    }
}