using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Ranking;

/// <summary>A cohort linked to an opening that may be one of its upcoming intakes (<c>Intakes.IsUpcoming</c> decides).</summary>
public sealed class IntakeRow
{
    public long OpeningId { get; init; }
    public string Status { get; init; } = "";
    public DateOnly EnrolmentDeadline { get; init; }
    public DateOnly StartDate { get; init; }
    public long Capacity { get; init; }
    public long SeatsTaken { get; init; }
}

/// <summary>Openings as ranking reads them, with the cohorts that may be their upcoming intakes.</summary>
public sealed record OpeningsWithIntakes(IReadOnlyList<StoredOpeningRow> Openings, IReadOnlyList<IntakeRow> Intakes);

/// <summary>
/// What ranking reads of workers and openings (no name, ID number or phone), by id in chunks (SQLite allows a limited
/// number of parameters), and every open opening for the recall of openings for a worker.
/// </summary>
public sealed class ProfileRows(Database database)
{
    private const string WorkersSql = $"""
        SELECT id, birth_date, county_code, prefecture_code, education, trades_json, certificates_json, priority_groups,
            destinations, expected_wage, available_from, training_intentions, created_at, {StoredWorkerRow.InActivePlacementColumn}
        FROM workers WHERE id IN @Ids
        """;

    private const string OpeningColumns = """
        SELECT o.id, o.employer_id, o.base_id, o.title, o.trade_id, o.min_level, o.max_level, o.wage_min, o.wage_max,
            o.accommodation, o.meals, o.required_certificates, o.age_min, o.age_max, o.training_type, o.status,
            b.province_code, b.city_code
        FROM openings o JOIN training_bases b ON b.id = o.base_id
        """;

    private const string OpeningsSql = OpeningColumns + " WHERE o.id IN @Ids";
    private const string OpenOpeningsSql = OpeningColumns + " WHERE o.status = 'open'";

    // Linked cohorts that may be an upcoming intake (Intakes.IsUpcoming decides).
    private const string IntakesSql = """
        SELECT co.opening_id, c.status, c.enrolment_deadline, c.start_date, c.capacity,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_taken
        FROM cohort_openings co JOIN cohorts c ON c.id = co.cohort_id
        WHERE c.status IN ('planned', 'open') AND c.enrolment_deadline >= @Today AND c.start_date >= @Today
        """;
    private const string IntakesOfOpeningsSql = IntakesSql + " AND co.opening_id IN @Ids";
    private const string IntakesOfOpenOpeningsSql = IntakesSql + " AND co.opening_id IN (SELECT id FROM openings WHERE status = 'open')";

    private const int Chunk = 500;

    /// <summary>The workers of these ids that exist, each once.</summary>
    public async Task<IReadOnlyList<StoredWorkerRow>> WorkersAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        var result = new List<StoredWorkerRow>(ids.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in ids.Distinct().Chunk(Chunk))
        {
            result.AddRange(await connection.QueryAsync<StoredWorkerRow>(WorkersSql, new { Ids = chunk }));
        }
        return result;
    }

    /// <summary>The openings of these ids that exist, each once, with their linked cohorts that may still be upcoming on <paramref name="today"/>.</summary>
    public async Task<OpeningsWithIntakes> OpeningsAsync(IReadOnlyCollection<long> ids, DateOnly today, CancellationToken cancellationToken = default)
    {
        var openings = new List<StoredOpeningRow>(ids.Count);
        var intakes = new List<IntakeRow>();
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in ids.Distinct().Chunk(Chunk))
        {
            openings.AddRange(await connection.QueryAsync<StoredOpeningRow>(OpeningsSql, new { Ids = chunk }));
            intakes.AddRange(await connection.QueryAsync<IntakeRow>(IntakesOfOpeningsSql, new { Ids = chunk, Today = today }));
        }
        return new OpeningsWithIntakes(openings, intakes);
    }

    /// <summary>Every open opening, with its linked cohorts that may still be upcoming on <paramref name="today"/>.</summary>
    public async Task<OpeningsWithIntakes> OpenOpeningsAsync(DateOnly today, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var openings = (await connection.QueryAsync<StoredOpeningRow>(OpenOpeningsSql)).AsList();
        var intakes = (await connection.QueryAsync<IntakeRow>(IntakesOfOpenOpeningsSql, new { Today = today })).AsList();
        return new OpeningsWithIntakes(openings, intakes);
    }
}
