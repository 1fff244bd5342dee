using Matching.Search;

namespace Matching.Ranking.Recall;

/// <summary>A worker the search engine recalled for an opening, with the engine's relevance score.</summary>
public readonly record struct RecalledWorker(long WorkerId, double Relevance);

/// <summary>An opening the search engine recalled for a worker, with the engine's relevance score.</summary>
public readonly record struct RecalledOpening(long OpeningId, double Relevance);

/// <summary>
/// The seam between search and ranking (召回): a few hundred candidates that pass the hard constraints of
/// <see cref="Matching.Domain.Matching.MatchRules.PassesHardConstraints"/>, most relevant first, within the caller's
/// scope (a county office recalls only its counties' workers). <see cref="SearchCandidateRecall"/> (the search engine)
/// serves the service; <see cref="SqlCandidateRecall"/> serves training, evaluation and the search engine's absence.
/// </summary>
public interface ICandidateRecall
{
    /// <summary>Workers for an open opening; empty when the opening does not exist.</summary>
    Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(long openingId, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default);

    /// <summary>Open openings for a worker; empty when the worker does not exist.</summary>
    Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(long workerId, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default);
}
