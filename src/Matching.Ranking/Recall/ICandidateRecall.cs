using Matching.Ranking.Features;
using Matching.Search;

namespace Matching.Ranking.Recall;

/// <summary>A worker recalled for an opening, with the recall relevance (<see cref="Matching.Domain.Matching.RecallRelevance"/>).</summary>
public readonly record struct RecalledWorker(long WorkerId, double Relevance);

/// <summary>An opening recalled for a worker, with the recall relevance.</summary>
public readonly record struct RecalledOpening(long OpeningId, double Relevance);

/// <summary>
/// The seam between search and ranking (召回): the candidates the eligibility rule admits
/// (<see cref="Matching.Domain.Matching.Eligibility"/>), most relevant first (then the lower id), within the caller's
/// scope (a county office recalls only its counties' workers), at most <c>limit</c>. Both implementations return the
/// same lists, as the eligibility contract suite checks on random worlds: <see cref="SearchCandidateRecall"/> (the search
/// engine) serves the service; <see cref="SqlCandidateRecall"/> serves the search engine's absence and is the SQL
/// baseline of the search benchmark. The caller has read the opening or worker already (the ranker needs it anyway).
/// </summary>
public interface ICandidateRecall
{
    Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(OpeningProfile opening, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default);

    /// <summary>Open openings for the worker.</summary>
    Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(WorkerProfile worker, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default);
}
