using Matching.Data.Search;
using Matching.Data.Storage;
using Matching.Search.Documents;

namespace Matching.Search.Indexing;

/// <summary>Reads what the index needs from SQL, the source of truth (<see cref="SearchRows"/>), and builds the documents.</summary>
public sealed class SearchSource(Database database, DocumentBuilder builder, TimeProvider time)
{
    private readonly SearchRows _rows = new(database);

    public DocumentBuilder Builder { get; } = builder;

    private DateOnly Today => Domain.Validation.ChinaTime.Today(time);

    /// <summary>Workers in id order after <paramref name="afterId"/>, a page at a time (for a rebuild).</summary>
    public async Task<IReadOnlyList<WorkerDocument>> WorkersAfterAsync(long afterId, int take, CancellationToken cancellationToken = default)
    {
        var rows = await _rows.WorkersAfterAsync(afterId, take, cancellationToken);
        var today = Today;
        return rows.Select(r => Builder.Worker(ToFacts(r), today)).ToList();
    }

    /// <summary>The current documents of these workers; ids no longer in SQL are absent.</summary>
    public async Task<IReadOnlyList<WorkerDocument>> WorkersAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        var today = Today;
        return (await WorkerFactsAsync(ids, cancellationToken)).Select(f => Builder.Worker(f, today)).ToList();
    }

    /// <summary>What search knows of these workers, straight from SQL.</summary>
    public async Task<IReadOnlyList<WorkerFacts>> WorkerFactsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        (await _rows.WorkersAsync(ids, cancellationToken)).Select(ToFacts).ToList();

    public async Task<IReadOnlyList<OpeningDocument>> OpeningsAfterAsync(long afterId, int take, CancellationToken cancellationToken = default)
    {
        var today = Today;
        return Facts(await _rows.OpeningsAfterAsync(afterId, take, cancellationToken)).Select(f => Builder.Opening(f, today)).ToList();
    }

    public async Task<IReadOnlyList<OpeningDocument>> OpeningsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        var today = Today;
        return (await OpeningFactsAsync(ids, cancellationToken)).Select(f => Builder.Opening(f, today)).ToList();
    }

    /// <summary>What search knows of these openings (with their linked cohorts), straight from SQL.</summary>
    public async Task<IReadOnlyList<OpeningFacts>> OpeningFactsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        Facts(await _rows.OpeningsAsync(ids, cancellationToken));

    /// <summary>The openings SQL currently links to the cohort.</summary>
    public Task<IReadOnlyList<long>> OpeningsOfCohortAsync(long cohortId, CancellationToken cancellationToken = default) =>
        _rows.OpeningsOfCohortAsync(cohortId, cancellationToken);

    public async Task<IndexCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        var (workers, openings) = await _rows.CountsAsync(cancellationToken);
        return new IndexCounts(workers, openings);
    }

    /// <summary>Ids spread evenly over the id range, for the consistency check's sample.</summary>
    public Task<IReadOnlyList<long>> SampleIdsAsync(bool workers, int sample, CancellationToken cancellationToken = default) =>
        _rows.SampleIdsAsync(workers, sample, cancellationToken);

    private static IReadOnlyList<OpeningFacts> Facts(OpeningsWithCohorts read) => read.Openings.Select(r => ToFacts(r,
        read.Cohorts[r.Id].Select(c => new OpeningCohort(c.Id, c.Status, c.StartDate, (int)c.Capacity, (int)c.SeatsTaken, c.EnrolmentDeadline)).ToList())).ToList();

    private static WorkerFacts ToFacts(StoredWorkerRow r) => new(r.Id, r.Trades, r.Certificates, r.CountyCode, r.PrefectureCode,
        r.PriorityGroupList, r.DestinationList, r.BirthDate, r.AvailableFrom, (int)r.ExpectedWage, r.Notes,
        Codes.Split(r.TrainingIntentions), r.InActivePlacement);

    private static OpeningFacts ToFacts(StoredOpeningRow r, IReadOnlyList<OpeningCohort> cohorts) => new(r.Id, r.EmployerId, r.BaseId, r.Title,
        r.TradeId, (int)r.MinLevel, (int)r.MaxLevel, (int)r.Headcount, (int)r.WageMin, (int)r.WageMax, r.Terms.RequiredCertificates, (int)r.AgeMin,
        (int)r.AgeMax, r.TrainingType, r.Requirements, r.Status, r.ProvinceCode, r.CityCode, cohorts);
}
