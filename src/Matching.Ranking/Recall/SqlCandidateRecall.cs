using Matching.Data.Ranking;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Ranking.Features;
using Matching.Search;

namespace Matching.Ranking.Recall;

/// <summary>
/// Recall straight from SQL, as a competent developer would write it (<see cref="CandidateWorkers"/>: the worker–trade
/// table finds the workers of the opening's trade family at its level, the other terms are conditions on those rows, and
/// the recall relevance (<see cref="RecallRelevance"/>) is computed in SQL and orders the rows). The rows are then read
/// in that order through the eligibility rule itself (which decides certificates, <see cref="Eligibility.Covers"/>)
/// until the limit.
/// </summary>
public sealed class SqlCandidateRecall(Database database, Catalogue catalogue, ProfileReader profiles) : ICandidateRecall
{
    private readonly CandidateWorkers _candidates = new(database, catalogue);

    public async Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(OpeningProfile opening, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var result = new List<RecalledWorker>(Math.Min(limit, 1_000));
        await foreach (var row in _candidates.InRelevanceOrderAsync(opening.Terms, opening.StartBy, scope?.CountyCodes, scope is { PriorityGroupsOnly: true }, cancellationToken))
        {
            if (Eligibility.Admits(catalogue, row.Terms, opening.Terms, opening.StartBy))
            {
                result.Add(new RecalledWorker(row.Id, row.Relevance));
                if (result.Count == limit)
                {
                    break;
                }
            }
        }
        return result;
    }

    public async Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(WorkerProfile worker, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var openings = await profiles.GetOpenOpeningsAsync(cancellationToken);
        return openings
            .Where(o => scope?.EmployerId is not { } employer || o.EmployerId == employer)
            .Where(o => Eligibility.Admits(catalogue, worker.Terms, o.Terms, o.StartBy))
            .Select(o => new RecalledOpening(o.Id, RecallRelevance.Of(worker.Terms, o.Terms)))
            .OrderByDescending(r => r.Relevance).ThenBy(r => r.OpeningId)
            .Take(limit)
            .ToList();
    }
}
