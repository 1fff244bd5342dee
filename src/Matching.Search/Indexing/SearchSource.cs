using System.Data.Common;
using Dapper;
using Matching.Data.Storage;
using Matching.Search.Documents;

namespace Matching.Search.Indexing;

/// <summary>Reads what the index needs from SQL, the source of truth, and builds the documents.</summary>
public sealed class SearchSource(Database database, DocumentBuilder builder, TimeProvider time)
{
    private const string WorkerColumns = $"""
        id, county_code, prefecture_code, trades_json, certificates_json, priority_groups, destinations, birth_date,
        available_from, expected_wage, notes, training_intentions, {StoredWorkerRow.InActivePlacementColumn}
        """;
    private const string WorkersAfterSql = $"SELECT {WorkerColumns} FROM workers WHERE id > @After ORDER BY id LIMIT @Take";
    private const string WorkersByIdSql = $"SELECT {WorkerColumns} FROM workers WHERE id IN @Ids";

    private const string OpeningColumns = """
        o.id, o.employer_id, o.base_id, o.title, o.trade_id, o.min_level, o.max_level, o.headcount, o.wage_min, o.wage_max,
        o.required_certificates, o.age_min, o.age_max, o.training_type, o.requirements, o.status, b.province_code, b.city_code
        FROM openings o JOIN training_bases b ON b.id = o.base_id
        """;
    private const string OpeningsAfterSql = $"SELECT {OpeningColumns} WHERE o.id > @After ORDER BY o.id LIMIT @Take";
    private const string OpeningsByIdSql = $"SELECT {OpeningColumns} WHERE o.id IN @Ids";
    private const string CohortsOfOpeningsSql = """
        SELECT co.opening_id, c.id, c.status, c.start_date, c.enrolment_deadline, c.capacity,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_taken
        FROM cohort_openings co JOIN cohorts c ON c.id = co.cohort_id
        WHERE co.opening_id IN @Ids
        ORDER BY co.opening_id, c.id
        """;
    private const string OpeningsOfCohortSql = "SELECT opening_id FROM cohort_openings WHERE cohort_id = @Id ORDER BY opening_id";
    private const string CountsSql = "SELECT (SELECT COUNT(*) FROM workers), (SELECT COUNT(*) FROM openings)";
    private const string WorkerIdRangeSql = "SELECT MIN(id), MAX(id) FROM workers";
    private const string OpeningIdRangeSql = "SELECT MIN(id), MAX(id) FROM openings";
    private const string NextWorkerIdSql = "SELECT MIN(id) FROM workers WHERE id >= @From";
    private const string NextOpeningIdSql = "SELECT MIN(id) FROM openings WHERE id >= @From";

    public DocumentBuilder Builder { get; } = builder;

    private DateOnly Today => Domain.Validation.ChinaTime.Today(time);

    /// <summary>Workers in id order after <paramref name="afterId"/>, a page at a time (for a rebuild).</summary>
    public async Task<IReadOnlyList<WorkerDocument>> WorkersAfterAsync(long afterId, int take, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredWorkerRow>(new CommandDefinition(WorkersAfterSql, new { After = afterId, Take = take }, cancellationToken: cancellationToken));
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
    public async Task<IReadOnlyList<WorkerFacts>> WorkerFactsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var result = new List<WorkerFacts>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            var rows = await connection.QueryAsync<StoredWorkerRow>(new CommandDefinition(WorkersByIdSql, new { Ids = chunk }, cancellationToken: cancellationToken));
            result.AddRange(rows.Select(ToFacts));
        }
        return result;
    }

    public async Task<IReadOnlyList<OpeningDocument>> OpeningsAfterAsync(long afterId, int take, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<StoredOpeningRow>(new CommandDefinition(OpeningsAfterSql, new { After = afterId, Take = take }, cancellationToken: cancellationToken))).AsList();
        return await WithCohortsAsync(connection, rows, cancellationToken);
    }

    public async Task<IReadOnlyList<OpeningDocument>> OpeningsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        var today = Today;
        return (await OpeningFactsAsync(ids, cancellationToken)).Select(f => Builder.Opening(f, today)).ToList();
    }

    /// <summary>What search knows of these openings (with their linked cohorts), straight from SQL.</summary>
    public async Task<IReadOnlyList<OpeningFacts>> OpeningFactsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var result = new List<OpeningFacts>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            var rows = (await connection.QueryAsync<StoredOpeningRow>(new CommandDefinition(OpeningsByIdSql, new { Ids = chunk }, cancellationToken: cancellationToken))).AsList();
            result.AddRange(await FactsWithCohortsAsync(connection, rows, cancellationToken));
        }
        return result;
    }

    /// <summary>The openings SQL currently links to the cohort.</summary>
    public async Task<IReadOnlyList<long>> OpeningsOfCohortAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(OpeningsOfCohortSql, new { Id = cohortId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IndexCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (workers, openings) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(CountsSql, cancellationToken: cancellationToken));
        return new IndexCounts(workers, openings);
    }

    /// <summary>Ids spread evenly over the id range, for the consistency check's sample.</summary>
    public async Task<IReadOnlyList<long>> SampleIdsAsync(bool workers, int sample, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (min, max) = await connection.QuerySingleAsync<(long?, long?)>(workers ? WorkerIdRangeSql : OpeningIdRangeSql);
        if (min is null || max is null || sample <= 0)
        {
            return [];
        }
        var ids = new SortedSet<long>();
        var step = Math.Max(1.0, (max.Value - min.Value + 1) / (double)sample);
        for (var i = 0; i < sample; i++)
        {
            var from = min.Value + (long)(i * step);
            if (from > max.Value)
            {
                break;
            }
            if (await connection.ExecuteScalarAsync<long?>(workers ? NextWorkerIdSql : NextOpeningIdSql, new { From = from }) is { } id)
            {
                ids.Add(id);
            }
        }
        return ids.ToList();
    }

    private async Task<IReadOnlyList<OpeningDocument>> WithCohortsAsync(DbConnection connection, List<StoredOpeningRow> rows, CancellationToken cancellationToken)
    {
        var today = Today;
        return (await FactsWithCohortsAsync(connection, rows, cancellationToken)).Select(f => Builder.Opening(f, today)).ToList();
    }

    private static async Task<IReadOnlyList<OpeningFacts>> FactsWithCohortsAsync(DbConnection connection, List<StoredOpeningRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var cohorts = (await connection.QueryAsync<CohortRow>(new CommandDefinition(CohortsOfOpeningsSql, new { Ids = rows.Select(r => r.Id).ToArray() }, cancellationToken: cancellationToken)))
            .ToLookup(c => c.OpeningId, c => new OpeningCohort(c.Id, c.Status, c.StartDate, (int)c.Capacity, (int)c.SeatsTaken, c.EnrolmentDeadline));
        return rows.Select(r => ToFacts(r, cohorts[r.Id].ToList())).ToList();
    }

    private static WorkerFacts ToFacts(StoredWorkerRow r) => new(r.Id, r.Trades, r.Certificates, r.CountyCode, r.PrefectureCode,
        r.PriorityGroupList, r.DestinationList, r.BirthDate, r.AvailableFrom, (int)r.ExpectedWage, r.Notes,
        Codes.Split(r.TrainingIntentions), r.InActivePlacement);

    private static OpeningFacts ToFacts(StoredOpeningRow r, IReadOnlyList<OpeningCohort> cohorts) => new(r.Id, r.EmployerId, r.BaseId, r.Title,
        r.TradeId, (int)r.MinLevel, (int)r.MaxLevel, (int)r.Headcount, (int)r.WageMin, (int)r.WageMax, r.Terms.RequiredCertificates, (int)r.AgeMin,
        (int)r.AgeMax, r.TrainingType, r.Requirements, r.Status, r.ProvinceCode, r.CityCode, cohorts);

    private sealed class CohortRow
    {
        public long OpeningId { get; init; }
        public long Id { get; init; }
        public string Status { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EnrolmentDeadline { get; init; }
        public long Capacity { get; init; }
        public long SeatsTaken { get; init; }
    }
}
