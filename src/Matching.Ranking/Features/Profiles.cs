using System.Data.Common;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Matching;
using Matching.Domain.Validation;

namespace Matching.Ranking.Features;

/// <summary>What ranking reads of a worker: no name, ID number or phone.</summary>
public sealed record WorkerProfile(
    long Id,
    string CountyCode,
    string PrefectureCode,
    string Education,
    DateOnly RegisteredOn,
    int ExpectedWage,
    IReadOnlyList<string> PriorityGroups,
    WorkerTerms Terms);

/// <summary>
/// What ranking reads of an opening (岗位) and its base; <see cref="StartBy"/> is the day the eligibility rule is applied
/// on (<see cref="Intakes.StartOf"/>: its earliest upcoming intake, else a direct hire's).
/// </summary>
public sealed record OpeningProfile(
    long Id,
    long EmployerId,
    long BaseId,
    string Title,
    int WageMin,
    int WageMax,
    bool Accommodation,
    bool Meals,
    string Status,
    DateOnly StartBy,
    OpeningTerms Terms)
{
    public int WageMid => (WageMin + WageMax) / 2;
}

/// <summary>Reads worker and opening profiles by id, in chunks (SQLite allows a limited number of parameters).</summary>
public sealed class ProfileReader(Database database, TimeProvider time)
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

    private const int Chunk = 500;

    public async Task<WorkerProfile?> GetWorkerAsync(long id, CancellationToken cancellationToken = default) =>
        (await GetWorkersAsync([id], cancellationToken)).GetValueOrDefault(id);

    public async Task<OpeningProfile?> GetOpeningAsync(long id, CancellationToken cancellationToken = default) =>
        (await GetOpeningsAsync([id], cancellationToken)).GetValueOrDefault(id);

    public async Task<Dictionary<long, WorkerProfile>> GetWorkersAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<long, WorkerProfile>(ids.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in ids.Distinct().Chunk(Chunk))
        {
            foreach (var row in await connection.QueryAsync<StoredWorkerRow>(WorkersSql, new { Ids = chunk }))
            {
                result[row.Id] = ToProfile(row);
            }
        }
        return result;
    }

    public async Task<Dictionary<long, OpeningProfile>> GetOpeningsAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var result = new Dictionary<long, OpeningProfile>(ids.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in ids.Distinct().Chunk(Chunk))
        {
            var rows = (await connection.QueryAsync<StoredOpeningRow>(OpeningsSql, new { Ids = chunk })).ToList();
            var starts = await EarliestIntakesAsync(connection, IntakesSql + " AND co.opening_id IN @Ids", new { Ids = chunk, Today = today }, today);
            foreach (var row in rows)
            {
                result[row.Id] = ToProfile(row, starts, today);
            }
        }
        return result;
    }

    /// <summary>Every open opening (the SQL recall of openings for a worker reads them all).</summary>
    public async Task<IReadOnlyList<OpeningProfile>> GetOpenOpeningsAsync(CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredOpeningRow>(OpenOpeningsSql);
        var starts = await EarliestIntakesAsync(connection, IntakesSql + " AND co.opening_id IN (SELECT id FROM openings WHERE status = 'open')", new { Today = today }, today);
        return rows.Select(r => ToProfile(r, starts, today)).ToList();
    }

    private static async Task<Dictionary<long, DateOnly>> EarliestIntakesAsync(DbConnection connection, string sql, object parameters, DateOnly today)
    {
        var earliest = new Dictionary<long, DateOnly>();
        foreach (var c in await connection.QueryAsync<IntakeRow>(sql, parameters))
        {
            if (Intakes.IsUpcoming(c.Status, c.EnrolmentDeadline, c.StartDate, (int)c.Capacity, (int)c.SeatsTaken, today)
                && (!earliest.TryGetValue(c.OpeningId, out var day) || c.StartDate < day))
            {
                earliest[c.OpeningId] = c.StartDate;
            }
        }
        return earliest;
    }

    private sealed class IntakeRow
    {
        public long OpeningId { get; init; }
        public string Status { get; init; } = "";
        public DateOnly EnrolmentDeadline { get; init; }
        public DateOnly StartDate { get; init; }
        public long Capacity { get; init; }
        public long SeatsTaken { get; init; }
    }

    /// <summary>Reads worker profiles from any query selecting the columns of <c>WorkersSql</c>.</summary>
    internal static async Task<List<WorkerProfile>> QueryWorkersAsync(DbConnection connection, string sql, object parameters) =>
        (await connection.QueryAsync<StoredWorkerRow>(sql, parameters)).Select(ToProfile).ToList();

    private static WorkerProfile ToProfile(StoredWorkerRow r) => new(
        r.Id, r.CountyCode, r.PrefectureCode, r.Education, DateOnly.FromDateTime(r.CreatedAt.ToOffset(ChinaTime.Offset).DateTime),
        (int)r.ExpectedWage, r.PriorityGroupList, r.Terms);

    private static OpeningProfile ToProfile(StoredOpeningRow r, Dictionary<long, DateOnly> earliestIntake, DateOnly today) => new(
        r.Id, r.EmployerId, r.BaseId, r.Title, (int)r.WageMin, (int)r.WageMax, r.Accommodation, r.Meals, r.Status,
        Intakes.StartOf(earliestIntake.TryGetValue(r.Id, out var day) ? day : null, today), r.Terms);

}
