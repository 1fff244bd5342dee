using System.Data.Common;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Matching;
using Matching.Domain.Validation;

namespace Matching.Data.Dispatch;

/// <summary>A linked opening's terms (for the eligibility rule) and what it offers (for the score).</summary>
public sealed record LinkedOpening(long OpeningId, OpeningTerms Terms, int WageMin, int WageMax, bool Accommodation);

/// <summary>A cohort taking enrolments, with free seats, where its base is and the openings it trains for.</summary>
public sealed record OpenCohort(
    long Id,
    string Name,
    long EmployerId,
    IReadOnlyList<string> Trades,
    string TrainingType,
    DateOnly StartDate,
    DateOnly EndDate,
    int FreeSeats,
    string ProvinceCode,
    string CityCode,
    IReadOnlyList<LinkedOpening> Openings)
{
    /// <summary>The cohort as the eligibility rule reads it.</summary>
    public CohortTerms Terms { get; } = new(Id, Name, Trades, TrainingType, StartDate, EndDate, ProvinceCode, CityCode,
        Openings.Select(o => new CohortOpening(o.OpeningId, o.Terms)).ToList());
}

/// <summary>A worker a round may place: no personal data beyond what the rule and the score need.</summary>
public sealed record DispatchableWorker(long Id, string CountyCode, string PrefectureCode, string Education, DateOnly RegisteredOn, WorkerTerms Terms,
    IReadOnlyList<string> PriorityGroups, int ExpectedWage);

/// <summary>An enrolment that binds a worker's dates (offered, accepted, waitlisted).</summary>
public sealed record ActiveEnrolment(long WorkerId, long CohortId, string CohortName, DateOnly StartDate, DateOnly EndDate);

/// <summary>
/// What a dispatch round (and a re-offer, and the closing-training suggestion) starts from, read in SQL: the cohorts
/// taking enrolments today with a free seat (<see cref="Intakes.TakesEnrolments"/>) and the openings they train for,
/// and the workers of the scope who hold no seat in a cohort still running and have no active placement, with the
/// enrolments that bind their dates.
/// </summary>
public sealed class DispatchInputs(Database database)
{
    // Taking enrolments (Intakes.TakesEnrolments): open, the deadline not passed, a seat free.
    private const string CohortsSql = """
        SELECT c.id, c.name, c.employer_id, c.trades, c.training_type, c.start_date, c.end_date,
            c.capacity - (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS free_seats,
            b.province_code, b.city_code
        FROM cohorts c JOIN training_bases b ON b.id = c.base_id
        WHERE c.status = 'open' AND c.enrolment_deadline >= @Today
          AND c.capacity > (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted'))
        """;
    private const string OpeningsSql = """
        SELECT co.cohort_id, o.id, o.trade_id, o.min_level, o.max_level, o.required_certificates, o.age_min, o.age_max, o.training_type,
            o.wage_min, o.wage_max, o.accommodation, b.province_code, b.city_code
        FROM cohort_openings co JOIN openings o ON o.id = co.opening_id JOIN training_bases b ON b.id = o.base_id
        WHERE co.cohort_id IN @Ids
        ORDER BY co.cohort_id, o.id
        """;
    private const string WorkersSql = """
        SELECT w.id, w.county_code, w.prefecture_code, w.education, w.created_at, w.birth_date, w.trades_json, w.certificates_json,
            w.priority_groups, w.destinations, w.expected_wage, w.available_from, w.training_intentions
        FROM workers w
        WHERE NOT EXISTS (SELECT 1 FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
                          WHERE e.worker_id = w.id AND e.status IN ('offered', 'accepted') AND c.status NOT IN ('completed', 'cancelled'))
          AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = w.id AND p.status = 'active')
        """;
    private const string ActiveEnrolmentsSql = """
        SELECT e.worker_id, c.id AS cohort_id, c.name AS cohort_name, c.start_date, c.end_date
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
        WHERE e.status IN ('offered', 'accepted', 'waitlisted') AND c.status NOT IN ('completed', 'cancelled')
        """;

    /// <summary>The cohorts taking enrolments today (only those training for <paramref name="tradeId"/> when given), by start and id.</summary>
    public async Task<IReadOnlyList<OpenCohort>> OpenCohortsAsync(DateOnly today, string? tradeId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = CohortsSql + (tradeId is null ? "" : " AND c.trades LIKE @TradePattern ESCAPE '\\'") + " ORDER BY c.start_date, c.id";
        var rows = (await connection.QueryAsync<CohortRow>(sql, new { Today = today, TradePattern = tradeId is null ? null : Codes.ContainsPattern(tradeId) })).ToList();
        var byCohort = await LinkedOpeningsAsync(connection, null, rows.Select(c => c.Id).ToList());
        return rows.Select(r => ToCohort(r, byCohort)).ToList();
    }

    private const string CohortByIdSql = """
        SELECT c.id, c.name, c.employer_id, c.trades, c.training_type, c.start_date, c.end_date,
            c.capacity - (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS free_seats,
            b.province_code, b.city_code
        FROM cohorts c JOIN training_bases b ON b.id = c.base_id
        WHERE c.id = @Id
        """;

    /// <summary>One cohort with the openings it trains for, whatever its status, inside the caller's transaction.</summary>
    public static async Task<OpenCohort?> CohortAsync(DbConnection connection, DbTransaction? tx, long cohortId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortByIdSql, new { Id = cohortId }, tx);
        return row is null ? null : ToCohort(row, await LinkedOpeningsAsync(connection, tx, [row.Id]));
    }

    private static OpenCohort ToCohort(CohortRow r, ILookup<long, LinkedOpening> openings) => new(r.Id, r.Name, r.EmployerId, Codes.Split(r.Trades),
        r.TrainingType, r.StartDate, r.EndDate, (int)r.FreeSeats, r.ProvinceCode, r.CityCode, openings[r.Id].ToList());

    private static async Task<ILookup<long, LinkedOpening>> LinkedOpeningsAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<long> cohortIds)
    {
        var openings = new List<OpeningRow>();
        foreach (var chunk in cohortIds.Chunk(500))
        {
            openings.AddRange(await connection.QueryAsync<OpeningRow>(OpeningsSql, new { Ids = chunk }, tx));
        }
        return openings.ToLookup(o => o.CohortId, o => new LinkedOpening(o.Id,
            new OpeningTerms(o.TradeId, (int)o.MinLevel, (int)o.MaxLevel, Codes.Split(o.RequiredCertificates), (int)o.AgeMin, (int)o.AgeMax,
                o.ProvinceCode, o.CityCode, o.TrainingType),
            (int)o.WageMin, (int)o.WageMax, o.Accommodation));
    }

    /// <summary>The dispatchable workers of <paramref name="counties"/> (every county when null), with the enrolments that bind their dates.</summary>
    public async Task<(IReadOnlyList<DispatchableWorker> Workers, IReadOnlyList<ActiveEnrolment> Active)> WorkersAsync(IReadOnlyList<string>? counties, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var inScope = counties is null ? "" : " AND w.county_code IN @Counties";
        // In the order they registered (摸排登记): the order first come, first served goes by.
        var workers = (await connection.QueryAsync<StoredWorkerRow>(WorkersSql + inScope + " ORDER BY w.created_at, w.id", new { Counties = counties }))
            .Select(w => new DispatchableWorker(w.Id, w.CountyCode, w.PrefectureCode, w.Education, ChinaTime.DateOf(w.CreatedAt), w.Terms,
                w.PriorityGroupList, (int)w.ExpectedWage)).ToList();
        var active = (await connection.QueryAsync<ActiveEnrolment>(ActiveEnrolmentsSql +
            (counties is null ? "" : " AND e.worker_id IN (SELECT id FROM workers WHERE county_code IN @Counties)"), new { Counties = counties })).ToList();
        return (workers, active);
    }

    /// <summary>The enrolments binding these workers' dates.</summary>
    // An opening's upcoming cohorts with their recent enrolments (any outcome: each was an application) and seats taken.
    private const string CrowdingSql = """
        SELECT co.opening_id, c.capacity,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_taken,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.created_at >= @Since) AS recent
        FROM cohort_openings co JOIN cohorts c ON c.id = co.cohort_id
        WHERE co.opening_id IN @Ids AND c.status IN ('planned', 'open') AND c.start_date >= @Today
        """;

    /// <summary>
    /// Recent applications per free seat (<see cref="Congestion.ApplicationsPerSeat"/>) of each opening that trains
    /// through upcoming cohorts: enrolments made since <paramref name="since"/> over the seats still free. Openings
    /// without an upcoming cohort (direct hires) are not listed.
    /// </summary>
    public async Task<Dictionary<long, double>> CrowdingAsync(IReadOnlyCollection<long> openingIds, DateTimeOffset since, DateOnly today,
        CancellationToken cancellationToken = default)
    {
        var totals = new Dictionary<long, (int Recent, int Free)>();
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in openingIds.Distinct().Chunk(500))
        {
            foreach (var row in await connection.QueryAsync<CrowdingRow>(CrowdingSql, new { Ids = chunk, Since = since, Today = today }))
            {
                var (recent, free) = totals.GetValueOrDefault(row.OpeningId);
                totals[row.OpeningId] = (recent + (int)row.Recent, free + (int)Math.Max(0, row.Capacity - row.SeatsTaken));
            }
        }
        return totals.ToDictionary(t => t.Key, t => Congestion.ApplicationsPerSeat(t.Value.Recent, t.Value.Free));
    }

    private sealed class CrowdingRow
    {
        public long OpeningId { get; init; }
        public long Capacity { get; init; }
        public long SeatsTaken { get; init; }
        public long Recent { get; init; }
    }

    public async Task<ILookup<long, HeldEnrolment>> HeldAsync(IReadOnlyCollection<long> workerIds, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var held = new List<ActiveEnrolment>();
        foreach (var chunk in workerIds.Distinct().Chunk(500))
        {
            held.AddRange(await connection.QueryAsync<ActiveEnrolment>(ActiveEnrolmentsSql + " AND e.worker_id IN @Ids", new { Ids = chunk }));
        }
        return held.ToLookup(a => a.WorkerId, a => new HeldEnrolment(a.CohortId, a.CohortName, a.StartDate, a.EndDate));
    }

    private sealed class CohortRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public long EmployerId { get; init; }
        public string Trades { get; init; } = "";
        public string TrainingType { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public long FreeSeats { get; init; }
        public string ProvinceCode { get; init; } = "";
        public string CityCode { get; init; } = "";
    }

    private sealed class OpeningRow
    {
        public long CohortId { get; init; }
        public long Id { get; init; }
        public string TradeId { get; init; } = "";
        public long MinLevel { get; init; }
        public long MaxLevel { get; init; }
        public string RequiredCertificates { get; init; } = "";
        public long AgeMin { get; init; }
        public long AgeMax { get; init; }
        public string? TrainingType { get; init; }
        public long WageMin { get; init; }
        public long WageMax { get; init; }
        public bool Accommodation { get; init; }
        public string ProvinceCode { get; init; } = "";
        public string CityCode { get; init; } = "";
    }
}
