using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Search;

/// <summary>A cohort linked to an opening, with its seats taken: what an opening's search document says of its intakes.</summary>
public sealed class LinkedCohortRow
{
    public long OpeningId { get; init; }
    public long Id { get; init; }
    public string Status { get; init; } = "";
    public DateOnly StartDate { get; init; }
    public DateOnly EnrolmentDeadline { get; init; }
    public long Capacity { get; init; }
    public long SeatsTaken { get; init; }
}

/// <summary>Openings as the search index reads them, with the cohorts linked to each (in opening and cohort id order).</summary>
public sealed record OpeningsWithCohorts(IReadOnlyList<StoredOpeningRow> Openings, ILookup<long, LinkedCohortRow> Cohorts);

/// <summary>
/// What the search index reads from SQL, the source of truth: workers (no name, ID number or phone) and openings with
/// their linked cohorts, a page at a time in id order for a rebuild or by id for the changes of the outbox; the
/// counts and an even sample of ids for the consistency check.
/// </summary>
public sealed class SearchRows(Database database)
{
    private const string WorkerColumns = $"""
        id, county_code, prefecture_code, trades_json, certificates_json, priority_groups, destinations, birth_date,
        available_from, expected_wage, notes, training_intentions, {StoredWorkerRow.InActivePlacementColumn}
        """;
    // Paged by the dialect (Page, with @Skip = 0).
    private const string WorkersAfterSql = $"SELECT {WorkerColumns} FROM workers WHERE id > @After ORDER BY id";
    private const string WorkersByIdSql = $"SELECT {WorkerColumns} FROM workers WHERE id IN @Ids";

    private const string OpeningColumns = """
        o.id, o.employer_id, o.base_id, o.title, o.trade_id, o.min_level, o.max_level, o.headcount, o.wage_min, o.wage_max,
        o.required_certificates, o.age_min, o.age_max, o.training_type, o.requirements, o.status, b.province_code, b.city_code
        FROM openings o JOIN training_bases b ON b.id = o.base_id
        """;
    private const string OpeningsAfterSql = $"SELECT {OpeningColumns} WHERE o.id > @After ORDER BY o.id";
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

    private const int Chunk = 500;

    /// <summary>Workers in id order after <paramref name="afterId"/>, at most <paramref name="take"/> (a page of a rebuild).</summary>
    public async Task<IReadOnlyList<StoredWorkerRow>> WorkersAfterAsync(long afterId, int take, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<StoredWorkerRow>(new CommandDefinition(WorkersAfterSql + database.Dialect.Page,
            new { After = afterId, Skip = 0, Take = take }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The workers of these ids that still exist.</summary>
    public async Task<IReadOnlyList<StoredWorkerRow>> WorkersAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var result = new List<StoredWorkerRow>(ids.Count);
        foreach (var chunk in ids.Chunk(Chunk))
        {
            result.AddRange(await connection.QueryAsync<StoredWorkerRow>(new CommandDefinition(WorkersByIdSql, new { Ids = chunk }, cancellationToken: cancellationToken)));
        }
        return result;
    }

    /// <summary>Openings in id order after <paramref name="afterId"/>, at most <paramref name="take"/>, with their linked cohorts.</summary>
    public async Task<OpeningsWithCohorts> OpeningsAfterAsync(long afterId, int take, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<StoredOpeningRow>(new CommandDefinition(OpeningsAfterSql + database.Dialect.Page,
            new { After = afterId, Skip = 0, Take = take }, cancellationToken: cancellationToken))).AsList();
        return new OpeningsWithCohorts(rows, await CohortsOfAsync(connection, rows, cancellationToken));
    }

    /// <summary>The openings of these ids that still exist, with their linked cohorts.</summary>
    public async Task<OpeningsWithCohorts> OpeningsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return new OpeningsWithCohorts([], Array.Empty<LinkedCohortRow>().ToLookup(c => c.OpeningId));
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = new List<StoredOpeningRow>(ids.Count);
        var cohorts = new List<LinkedCohortRow>();
        foreach (var chunk in ids.Chunk(Chunk))
        {
            var openings = (await connection.QueryAsync<StoredOpeningRow>(new CommandDefinition(OpeningsByIdSql, new { Ids = chunk }, cancellationToken: cancellationToken))).AsList();
            rows.AddRange(openings);
            cohorts.AddRange((await CohortsOfAsync(connection, openings, cancellationToken)).SelectMany(g => g));
        }
        return new OpeningsWithCohorts(rows, cohorts.ToLookup(c => c.OpeningId));
    }

    /// <summary>The openings SQL currently links to the cohort.</summary>
    public async Task<IReadOnlyList<long>> OpeningsOfCohortAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(OpeningsOfCohortSql, new { Id = cohortId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>How many workers and openings SQL holds.</summary>
    public async Task<(long Workers, long Openings)> CountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(CountsSql, cancellationToken: cancellationToken));
    }

    /// <summary>Up to <paramref name="sample"/> ids of workers (or openings) spread evenly over the id range, for the consistency check's sample.</summary>
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

    private static async Task<ILookup<long, LinkedCohortRow>> CohortsOfAsync(System.Data.Common.DbConnection connection, List<StoredOpeningRow> openings,
        CancellationToken cancellationToken)
    {
        if (openings.Count == 0)
        {
            return Array.Empty<LinkedCohortRow>().ToLookup(c => c.OpeningId);
        }
        return (await connection.QueryAsync<LinkedCohortRow>(new CommandDefinition(CohortsOfOpeningsSql, new { Ids = openings.Select(r => r.Id).ToArray() },
            cancellationToken: cancellationToken))).ToLookup(c => c.OpeningId);
    }
}
