using Matching.Domain.Validation;
using Matching.Search.Indexing;

namespace Matching.Search.Recall;

/// <summary>The candidates recalled for an opening: the rule's terms and start day applied, and the workers passing them, best first.</summary>
public sealed record CandidateRecall(long OpeningId, CandidateCriteria Criteria, IReadOnlyList<SearchHit> Workers);

/// <summary>The openings recalled for a worker.</summary>
public sealed record OpeningRecall(long WorkerId, OpeningCriteria Criteria, IReadOnlyList<SearchHit> Openings);

/// <summary>
/// Matching step one (召回, recall): reads the opening or worker from SQL and asks the index for the few hundred the
/// eligibility rule admits (<see cref="Matching.Domain.Matching.Eligibility"/>, each part an index filter). The
/// ranking step re-scores these lists.
/// </summary>
public sealed class RecallService(SearchSource source, ISearchIndex index, TimeProvider time)
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    /// <summary>Null when the opening does not exist or lies outside the caller's scope.</summary>
    public async Task<CandidateRecall?> CandidatesForOpeningAsync(long openingId, SearchScope scope, bool sameTradeOnly = false, int limit = DefaultLimit, CancellationToken cancellationToken = default)
    {
        var opening = (await source.OpeningFactsAsync([openingId], cancellationToken)).SingleOrDefault();
        if (opening is null || (scope.EmployerId is { } employer && opening.EmployerId != employer))
        {
            return null;
        }
        var criteria = new CandidateCriteria(opening.Terms, opening.StartOn(ChinaTime.Today(time)), sameTradeOnly);
        return new CandidateRecall(openingId, criteria, await RecallWorkersAsync(criteria, scope, limit, cancellationToken));
    }

    /// <summary>The workers the rule admits for an opening already read (criteria from its terms and start day).</summary>
    public Task<IReadOnlyList<SearchHit>> RecallWorkersAsync(CandidateCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default) =>
        index.RecallWorkersAsync(criteria, scope, Math.Clamp(limit, 1, MaxLimit), cancellationToken);

    /// <summary>Null when the worker does not exist or lies outside the caller's scope.</summary>
    public async Task<OpeningRecall?> OpeningsForWorkerAsync(long workerId, SearchScope scope, int limit = DefaultLimit, CancellationToken cancellationToken = default)
    {
        var worker = (await source.WorkerFactsAsync([workerId], cancellationToken)).SingleOrDefault();
        if (worker is null
            || (scope.CountyCodes is { } counties && !counties.Contains(worker.CountyCode))
            || (scope.PriorityGroupsOnly && worker.PriorityGroups.Count == 0))
        {
            return null;
        }
        var criteria = new OpeningCriteria(worker.Terms);
        return new OpeningRecall(workerId, criteria, await RecallOpeningsAsync(criteria, scope, limit, cancellationToken));
    }

    public Task<IReadOnlyList<SearchHit>> RecallOpeningsAsync(OpeningCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default) =>
        index.RecallOpeningsAsync(criteria, scope, Math.Clamp(limit, 1, MaxLimit), cancellationToken);
}
