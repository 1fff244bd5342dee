using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Matching.Search.Documents;
using Matching.Search.Indexing;

namespace Matching.Search.Recall;

/// <summary>The candidates recalled for an opening: the constraints applied and the workers passing them, best first.</summary>
public sealed record CandidateRecall(long OpeningId, CandidateCriteria Criteria, IReadOnlyList<SearchHit> Workers);

/// <summary>The openings recalled for a worker.</summary>
public sealed record OpeningRecall(long WorkerId, OpeningCriteria Criteria, IReadOnlyList<SearchHit> Openings);

/// <summary>
/// Matching step one (召回, recall): reads the opening or worker from SQL, turns its hard constraints into criteria
/// and asks the index for the few hundred that pass them. The ranking step re-scores these lists.
/// </summary>
public sealed class RecallService(SearchSource source, ISearchIndex index, DocumentBuilder builder, TimeProvider time)
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    /// <summary>Null when the opening does not exist or lies outside the caller's scope.</summary>
    public async Task<CandidateRecall?> CandidatesForOpeningAsync(long openingId, SearchScope scope, bool matchFamily = false, int limit = DefaultLimit, CancellationToken cancellationToken = default)
    {
        var opening = (await source.OpeningsAsync([openingId], cancellationToken)).SingleOrDefault();
        if (opening is null || (scope.EmployerId is { } employer && opening.EmployerId != employer))
        {
            return null;
        }
        var criteria = CriteriaFor(opening, matchFamily);
        var hits = await index.RecallWorkersAsync(criteria, scope, Math.Clamp(limit, 1, MaxLimit), cancellationToken);
        return new CandidateRecall(openingId, criteria, hits);
    }

    /// <summary>The opening's hard constraints; the cohort start is its next cohort with a free seat, or today.</summary>
    public CandidateCriteria CriteriaFor(OpeningDocument opening, bool matchFamily)
    {
        var today = ChinaTime.Today(time);
        var start = opening.NextCohortDay > today.DayNumber ? DateOnly.FromDayNumber(opening.NextCohortDay) : today;
        return new CandidateCriteria(opening.TradeId, opening.FamilyId, matchFamily, opening.MinLevel,
            opening.SpecialOperationNeed != OpeningDocument.None, opening.AgeMin, opening.AgeMax, start,
            opening.ProvinceCode, opening.CityCode);
    }

    /// <summary>Null when the worker does not exist or lies outside the caller's scope.</summary>
    public async Task<OpeningRecall?> OpeningsForWorkerAsync(long workerId, SearchScope scope, bool matchFamily = false, int limit = DefaultLimit, CancellationToken cancellationToken = default)
    {
        var worker = (await source.WorkerFactsAsync([workerId], cancellationToken)).SingleOrDefault();
        if (worker is null
            || (scope.CountyCodes is { } counties && !counties.Contains(worker.CountyCode))
            || (scope.PriorityGroupsOnly && worker.PriorityGroups.Count == 0))
        {
            return null;
        }
        var criteria = CriteriaFor(worker, matchFamily);
        var hits = await index.RecallOpeningsAsync(criteria, scope, Math.Clamp(limit, 1, MaxLimit), cancellationToken);
        return new OpeningRecall(workerId, criteria, hits);
    }

    /// <summary>The worker's side: trades with levels, valid certificates, age when available, destinations.</summary>
    public OpeningCriteria CriteriaFor(WorkerFacts worker, bool matchFamily)
    {
        var today = ChinaTime.Today(time);
        var catalogue = builder.Analyzer.Vocabulary.Catalogue;
        var document = builder.Worker(worker, today);
        var availableFrom = worker.AvailableFrom > today ? worker.AvailableFrom : today;
        var trades = worker.Trades
            .Where(t => catalogue.TradesById.ContainsKey(t.TradeId))
            .Select(t => (t.TradeId, catalogue.TradesById[t.TradeId].FamilyId, t.Level))
            .ToList();
        var provinces = document.DestinationProvinces.Where(p => p != WorkerDocument.AnyDestination).ToList();
        return new OpeningCriteria(trades, matchFamily, document.SpecialOperations, WorkerRules.AgeOn(worker.BirthDate, availableFrom),
            availableFrom, provinces, document.DestinationCities, worker.ExpectedMonthlyWage);
    }
}
