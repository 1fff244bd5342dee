using Matching.Domain.Matching;
using Matching.Search.Documents;

namespace Matching.Search;

/// <summary>
/// Who is asking, applied inside every query as filters (from the access-control issue). A null member is
/// unrestricted: <see cref="CountyCodes"/> limits workers to those counties (户籍所在县); <see cref="EmployerId"/>
/// limits openings to that employer's; <see cref="PriorityGroupsOnly"/> limits workers to priority groups (重点群体).
/// Worker documents carry no employer, so <see cref="EmployerId"/> does not filter workers.
/// </summary>
public sealed record SearchScope(IReadOnlyList<string>? CountyCodes, long? EmployerId, bool PriorityGroupsOnly)
{
    public static readonly SearchScope Unrestricted = new(null, null, false);
}

public enum WorkerSort { Relevance, AvailableFrom, ExpectedWage, Id }

public enum OpeningSort { Relevance, WageMax, NextCohort, Id }

/// <summary>
/// A free-text worker search with structured filters (all optional, AND-combined; several values of one filter are
/// OR-combined). <see cref="Text"/> is analysed, never parsed as query syntax.
/// </summary>
public sealed record WorkerSearch(
    string? Text = null,
    IReadOnlyList<string>? PrefectureCodes = null,
    IReadOnlyList<string>? CountyCodes = null,
    IReadOnlyList<string>? FamilyIds = null,
    IReadOnlyList<string>? TradeIds = null,
    int? MinLevel = null,
    IReadOnlyList<string>? PriorityGroups = null,
    IReadOnlyList<string>? DestinationProvinces = null,
    DateOnly? AvailableBy = null,
    WorkerSort Sort = WorkerSort.Relevance,
    int From = 0,
    int Size = 20);

public sealed record OpeningSearch(
    string? Text = null,
    IReadOnlyList<string>? ProvinceCodes = null,
    IReadOnlyList<string>? CityCodes = null,
    IReadOnlyList<string>? FamilyIds = null,
    IReadOnlyList<string>? TradeIds = null,
    int? MaxMinLevel = null,
    string? Status = "open",
    OpeningSort Sort = OpeningSort.Relevance,
    int From = 0,
    int Size = 20);

/// <summary>
/// The opening's side of recall: its terms and the start day the eligibility rule is applied on
/// (<see cref="Matching.Domain.Matching.Eligibility"/>). <see cref="SameTradeOnly"/> narrows the result to the opening's
/// own trade, a clerk's choice on top of the rule (which admits the trade family, 工种大类).
/// </summary>
public sealed record CandidateCriteria(OpeningTerms Opening, DateOnly Start, bool SameTradeOnly = false);

/// <summary>The worker's side of recall: the open openings whose rule (each on its own start day) admits the worker.</summary>
public sealed record OpeningCriteria(WorkerTerms Worker);

public sealed record SearchHit(long Id, double Score);

public sealed record FacetValue(string Value, long Count);

/// <summary>One page of hits, the total number of matches, and counts per facet value over all matches.</summary>
public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, long Total, IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets);

public sealed record IndexCounts(long Workers, long Openings);

/// <summary>A stored document's fingerprint, as the index holds it.</summary>
public sealed record IndexedFingerprint(long Id, string Hash);

/// <summary>Facet names of each kind of search.</summary>
public static class Facets
{
    public const string Prefecture = "prefecture";
    public const string County = "county";
    public const string Family = "family";
    public const string Trade = "trade";
    public const string Level = "level";
    public const string PriorityGroup = "priorityGroup";
    public const string Destination = "destinationProvince";
    public const string Province = "province";
    public const string City = "city";

    public static readonly IReadOnlyList<string> Worker = [Prefecture, County, Family, Trade, Level, PriorityGroup, Destination];
    public static readonly IReadOnlyList<string> Opening = [Province, City, Family, Trade, Level];
}

/// <summary>
/// The search seam: Lucene.NET in the data folder (embedded default) or Elasticsearch (cluster). Both receive the same
/// <see cref="WorkerDocument"/>/<see cref="OpeningDocument"/> values and must answer every query the same way.
/// </summary>
public interface ISearchIndex : IDisposable
{
    string Engine { get; }

    /// <summary>Creates what is missing (folders, templates, first index version and its alias).</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken = default);

    Task UpsertWorkersAsync(IReadOnlyList<WorkerDocument> documents, CancellationToken cancellationToken = default);

    Task DeleteWorkersAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);

    Task UpsertOpeningsAsync(IReadOnlyList<OpeningDocument> documents, CancellationToken cancellationToken = default);

    Task DeleteOpeningsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);

    /// <summary>Makes the writes so far durable and visible to searches.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);

    Task<SearchResult> SearchWorkersAsync(WorkerSearch search, SearchScope scope, CancellationToken cancellationToken = default);

    Task<SearchResult> SearchOpeningsAsync(OpeningSearch search, SearchScope scope, CancellationToken cancellationToken = default);

    /// <summary>Workers passing every hard constraint of the opening, best first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SearchHit>> RecallWorkersAsync(CandidateCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default);

    /// <summary>Open openings whose hard constraints the worker passes, best first.</summary>
    Task<IReadOnlyList<SearchHit>> RecallOpeningsAsync(OpeningCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default);

    Task<IndexCounts> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Fingerprints of the given documents that the index holds (missing ids are left out).</summary>
    Task<IReadOnlyList<IndexedFingerprint>> WorkerFingerprintsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<IndexedFingerprint>> OpeningFingerprintsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);

    /// <summary>Openings indexed as linked to the cohort (to re-index them when the cohort changes or is deleted).</summary>
    Task<IReadOnlyList<long>> OpeningsOfCohortAsync(long cohortId, CancellationToken cancellationToken = default);

    /// <summary>Starts a rebuild into a new, empty index version; searches keep using the current one until the swap.</summary>
    Task<IIndexRebuild> BeginRebuildAsync(CancellationToken cancellationToken = default);
}

/// <summary>A rebuild in progress: fill it, then swap it in atomically (or dispose it to abandon it).</summary>
public interface IIndexRebuild : IAsyncDisposable
{
    string Version { get; }

    Task AddWorkersAsync(IReadOnlyList<WorkerDocument> documents, CancellationToken cancellationToken = default);

    Task AddOpeningsAsync(IReadOnlyList<OpeningDocument> documents, CancellationToken cancellationToken = default);

    /// <summary>Makes the new version the live one and drops the old one.</summary>
    Task SwapAsync(CancellationToken cancellationToken = default);
}
