using Matching.Search;
using Matching.Search.Recall;

namespace Matching.Ranking.Recall;

/// <summary>
/// Recall by the search engine (Lucene on one machine, Elasticsearch on a cluster): the hard constraints are filters
/// of the index query and the caller's scope is applied inside it; the engine's score is the recall relevance.
/// </summary>
public sealed class SearchCandidateRecall(RecallService recall) : ICandidateRecall
{
    public async Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(long openingId, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var result = await recall.CandidatesForOpeningAsync(openingId, scope ?? SearchScope.Unrestricted, matchFamily: true, limit, cancellationToken);
        return result is null ? [] : result.Workers.Select(h => new RecalledWorker(h.Id, h.Score)).ToList();
    }

    public async Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(long workerId, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var result = await recall.OpeningsForWorkerAsync(workerId, scope ?? SearchScope.Unrestricted, matchFamily: true, limit, cancellationToken);
        return result is null ? [] : result.Openings.Select(h => new RecalledOpening(h.Id, h.Score)).ToList();
    }
}
