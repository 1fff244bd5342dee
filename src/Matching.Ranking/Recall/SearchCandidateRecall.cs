using Matching.Ranking.Features;
using Matching.Search;
using Matching.Search.Recall;

namespace Matching.Ranking.Recall;

/// <summary>
/// Recall by the search engine (Lucene on one machine, Elasticsearch on a cluster): every part of the eligibility rule
/// is a filter of the index query, the caller's scope is applied inside it, and the engine's score is the recall
/// relevance (constant scores summed).
/// </summary>
public sealed class SearchCandidateRecall(RecallService recall) : ICandidateRecall
{
    public async Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(OpeningProfile opening, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var hits = await recall.RecallWorkersAsync(new CandidateCriteria(opening.Terms, opening.StartBy), scope ?? SearchScope.Unrestricted, limit, cancellationToken);
        return hits.Select(h => new RecalledWorker(h.Id, h.Score)).ToList();
    }

    public async Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(WorkerProfile worker, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var hits = await recall.RecallOpeningsAsync(new OpeningCriteria(worker.Terms), scope ?? SearchScope.Unrestricted, limit, cancellationToken);
        return hits.Select(h => new RecalledOpening(h.Id, h.Score)).ToList();
    }
}
