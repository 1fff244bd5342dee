using Matching.Data.Notifications;
using Microsoft.Extensions.Logging;

namespace Matching.Scheduling;

/// <summary>What the nightly check found: documents compared and those that differ between SQL and the search index.</summary>
public sealed record IndexCheckResult(bool Checked, long Compared, long Repaired, string Detail);

/// <summary>
/// SEAM for the search branch (issue 4): compares the search index with SQL, the source of truth, and queues whatever
/// differs for re-indexing. Called by the nightly job.
/// </summary>
public interface IIndexConsistencyCheck
{
    Task<IndexCheckResult> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>
/// PLACEHOLDER, not a check: this branch has no search index yet, so the nightly job logs that nothing was compared.
/// The search branch registers its real <see cref="IIndexConsistencyCheck"/> instead of this one.
/// </summary>
public sealed class NoSearchIndexYetCheck(ILogger<NoSearchIndexYetCheck> logger) : IIndexConsistencyCheck
{
    public Task<IndexCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning("Nightly index consistency check: no search index on this build yet (placeholder NoSearchIndexYetCheck); nothing compared");
        return Task.FromResult(new IndexCheckResult(false, 0, 0, "未接入检索索引（占位实现），未做比对"));
    }
}

/// <summary>A model's quality on the held-out evaluation set (higher is better, e.g. NDCG or AUC of retained placements).</summary>
public sealed record ModelEvaluation(string ModelId, double Score, string Metric);

/// <summary>
/// SEAM for the ranking branch (issue 5): trains a candidate retained-placement model, evaluates it and the live one
/// on the same held-out data, and replaces the live model. The weekly job decides with <see cref="ModelPromotion"/>.
/// </summary>
public interface IRankingModelTrainer
{
    /// <summary>False while no model exists to retrain (the job then logs and stops).</summary>
    bool Available { get; }

    Task<ModelEvaluation?> EvaluateLiveAsync(CancellationToken cancellationToken);

    Task<ModelEvaluation> TrainCandidateAsync(CancellationToken cancellationToken);

    Task PromoteAsync(ModelEvaluation candidate, CancellationToken cancellationToken);
}

/// <summary>The rule of the weekly retrain: a new model replaces the live one only if it is not worse on the same evaluation.</summary>
public static class ModelPromotion
{
    public static bool ShouldReplace(ModelEvaluation candidate, ModelEvaluation? live) =>
        live is null || (candidate.Metric == live.Metric && candidate.Score >= live.Score);
}

/// <summary>
/// PLACEHOLDER, no model: this branch ships no ranking model (the heuristic score stands in), so the weekly job logs
/// that there is nothing to retrain. The ranking branch registers its real <see cref="IRankingModelTrainer"/>.
/// </summary>
public sealed class NoRankingModelYet : IRankingModelTrainer
{
    public bool Available => false;

    public Task<ModelEvaluation?> EvaluateLiveAsync(CancellationToken cancellationToken) => Task.FromResult<ModelEvaluation?>(null);

    public Task<ModelEvaluation> TrainCandidateAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("no ranking model on this build");

    public Task PromoteAsync(ModelEvaluation candidate, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("no ranking model on this build");
}

/// <summary>Delivers a notification (SMS, WeChat…); throws when it could not.</summary>
public interface INotificationChannel
{
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>
/// The embedded default's channel: writes a log line (ids only, never a name or phone) and counts the message as sent.
/// A real SMS or WeChat channel replaces it in production.
/// </summary>
public sealed class LogNotificationChannel(ILogger<LogNotificationChannel> logger) : INotificationChannel
{
    public Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        logger.LogInformation("Notification {Id} ({Kind}) for worker {WorkerId}, cohort {CohortId} delivered to the log channel",
            notification.Id, notification.Kind, notification.WorkerId, notification.CohortId);
        return Task.CompletedTask;
    }
}
