using System.Globalization;
using Matching.Data.Storage;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Training;
using Matching.Scheduling;
using Matching.Search;

namespace Matching.Api.Scheduling;

/// <summary>The nightly job's index check (issue 6) done by the search engine's consistency check (issue 4).</summary>
public sealed class SearchIndexConsistencyCheck(SearchComponents search, ILogger<SearchIndexConsistencyCheck> logger) : IIndexConsistencyCheck
{
    public const int Sample = 500;

    public async Task<IndexCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var report = await search.Consistency.RunAsync(Sample, cancellationToken);
        if (report.Consistent)
        {
            return new IndexCheckResult(true, report.WorkersSampled + report.OpeningsSampled, 0, "检索索引与数据库一致");
        }
        // The index is rebuilt from SQL, the source of truth; the outbox replays what changes meanwhile.
        logger.LogWarning("Nightly index check found {Mismatches} mismatches and counts SQL {Sql} vs index {Index}; rebuilding the index",
            report.Mismatches.Count, report.Sql, report.Index);
        var started = search.Reindexer.TryStart(new Progress<string>(line => logger.LogInformation("{Progress}", line)));
        return new IndexCheckResult(true, report.WorkersSampled + report.OpeningsSampled, report.Mismatches.Count,
            string.Create(CultureInfo.InvariantCulture, $"发现 {report.Mismatches.Count} 处不一致，{(started ? "已开始" : "已有任务在")}从数据库重建索引"));
    }
}

/// <summary>
/// The weekly retrain (issue 6) with the ranking trainer (issue 5): the live model and the newly trained one (boosted
/// trees or logistic regression, whichever ranks the validation period better) are measured on the same validation
/// period of the time split — never on the test period the model card reports — and the weekly job replaces the live
/// model only when the new one is not worse (<see cref="ModelPromotion"/>), by writing it into the folder the service watches.
/// </summary>
public sealed class RankingModelTrainer(Database database, RetentionModelProvider models, FeatureBuilder features, ProfileReader profiles, TimeProvider time)
    : IRankingModelTrainer
{
    public const string Metric = "ndcg@10 (validation period)";

    private TrainingResult? _candidate;

    public bool Available => true;

    public async Task<ModelEvaluation?> EvaluateLiveAsync(CancellationToken cancellationToken)
    {
        if (models.Current is not { } live)
        {
            return null;
        }
        var pairs = await TrainingData.BuildAsync(database, features, profiles, cancellationToken);
        var score = RetentionTrainer.ValidationNdcg(live, pairs);
        return score is null ? null : new ModelEvaluation(live.Version, score.Value, Metric);
    }

    public async Task<ModelEvaluation> TrainCandidateAsync(CancellationToken cancellationToken)
    {
        var pairs = await TrainingData.BuildAsync(database, features, profiles, cancellationToken);
        _candidate = new RetentionTrainer(time).Train(pairs, new TrainingSettings());
        return new ModelEvaluation(_candidate.Card.Version, RetentionTrainer.ValidationNdcg(_candidate.Model, pairs) ?? 0, Metric);
    }

    public Task PromoteAsync(ModelEvaluation candidate, CancellationToken cancellationToken)
    {
        if (_candidate is null || _candidate.Card.Version != candidate.ModelId)
        {
            throw new InvalidOperationException("no trained candidate to promote");
        }
        RetentionTrainer.Save(_candidate, models.Directory);
        return Task.CompletedTask;
    }
}
