using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Workers;

namespace Matching.Data.Dispatch;

/// <summary>An open cohort with free seats, where its base is, as a round reads it.</summary>
public sealed record OpenCohort(long Id, string Name, IReadOnlyList<string> Trades, DateOnly StartDate, DateOnly EndDate, int FreeSeats, string ProvinceCode, string CityCode);

/// <summary>A linked opening's requirements (岗位要求) for the trainees of a cohort.</summary>
public sealed record CohortOpening(long CohortId, int AgeMin, int AgeMax, IReadOnlyList<string> RequiredCertificates, int MinLevel, int WageMin, int WageMax, bool Accommodation);

/// <summary>A worker a round may place: no personal data beyond what the hard constraints and the score need.</summary>
public sealed record DispatchableWorker(
    long Id,
    string CountyCode,
    DateOnly BirthDate,
    IReadOnlyList<WorkerTrade> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    IReadOnlyList<string> PriorityGroups,
    IReadOnlyList<string> Destinations,
    int ExpectedWage,
    DateOnly AvailableFrom);

/// <summary>An enrolment that binds a worker's dates (offered, accepted, waitlisted).</summary>
public sealed record ActiveEnrolment(long WorkerId, long CohortId, string CohortName, DateOnly StartDate, DateOnly EndDate);

/// <summary>
/// What a dispatch round starts from, read in SQL: the open cohorts that still take enrolments and have free seats,
/// their linked openings, and the workers of the scope who hold no seat in a cohort still running and have no active
/// placement (they are working), with the enrolments that bind their dates.
/// </summary>
public sealed class DispatchInputs(Database database)
{
    private const string CohortsSql = """
        SELECT c.id, c.name, c.trades, c.start_date, c.end_date,
            c.capacity - (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS free_seats,
            b.province_code, b.city_code
        FROM cohorts c JOIN training_bases b ON b.id = c.base_id
        WHERE c.status = 'open' AND c.enrolment_deadline >= @Today
          AND c.capacity > (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted'))
        ORDER BY c.start_date, c.id
        """;
    private const string OpeningsSql = """
        SELECT co.cohort_id, o.age_min, o.age_max, o.required_certificates, o.min_level, o.wage_min, o.wage_max, o.accommodation
        FROM cohort_openings co JOIN openings o ON o.id = co.opening_id
        WHERE co.cohort_id IN @Ids AND o.status = 'open'
        """;
    private const string WorkersSql = """
        SELECT w.id, w.county_code, w.birth_date, w.trades_json, w.certificates_json, w.priority_groups, w.destinations, w.expected_wage, w.available_from
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

    public async Task<(IReadOnlyList<OpenCohort> Cohorts, IReadOnlyList<CohortOpening> Openings)> OpenCohortsAsync(DateOnly today, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cohorts = (await connection.QueryAsync<CohortRow>(CohortsSql, new { Today = today }))
            .Select(r => new OpenCohort(r.Id, r.Name, Codes.Split(r.Trades), r.StartDate, r.EndDate, (int)r.FreeSeats, r.ProvinceCode, r.CityCode)).ToList();
        var openings = new List<CohortOpening>();
        foreach (var chunk in cohorts.Select(c => c.Id).Chunk(500))
        {
            openings.AddRange((await connection.QueryAsync<OpeningRow>(OpeningsSql, new { Ids = chunk })).Select(o => new CohortOpening(o.CohortId,
                (int)o.AgeMin, (int)o.AgeMax, Codes.Split(o.RequiredCertificates), (int)o.MinLevel, (int)o.WageMin, (int)o.WageMax, o.Accommodation)));
        }
        return (cohorts, openings);
    }

    /// <summary>The dispatchable workers of <paramref name="counties"/> (every county when null), with the enrolments that bind their dates.</summary>
    public async Task<(IReadOnlyList<DispatchableWorker> Workers, IReadOnlyList<ActiveEnrolment> Active)> WorkersAsync(IReadOnlyList<string>? counties, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var inScope = counties is null ? "" : " AND w.county_code IN @Counties";
        var workers = (await connection.QueryAsync<WorkerRow>(WorkersSql + inScope + " ORDER BY w.id", new { Counties = counties }))
            .Select(w => new DispatchableWorker(w.Id, w.CountyCode, w.BirthDate, StoredJson.Read<List<WorkerTrade>>(w.TradesJson),
                StoredJson.Read<List<WorkerCertificate>>(w.CertificatesJson), Codes.Split(w.PriorityGroups), Codes.Split(w.Destinations),
                (int)w.ExpectedWage, w.AvailableFrom)).ToList();
        var active = (await connection.QueryAsync<ActiveEnrolment>(ActiveEnrolmentsSql +
            (counties is null ? "" : " AND e.worker_id IN (SELECT id FROM workers WHERE county_code IN @Counties)"), new { Counties = counties })).ToList();
        return (workers, active);
    }

    private sealed class CohortRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Trades { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public long FreeSeats { get; init; }
        public string ProvinceCode { get; init; } = "";
        public string CityCode { get; init; } = "";
    }

    private sealed class OpeningRow
    {
        public long CohortId { get; init; }
        public long AgeMin { get; init; }
        public long AgeMax { get; init; }
        public string RequiredCertificates { get; init; } = "";
        public long MinLevel { get; init; }
        public long WageMin { get; init; }
        public long WageMax { get; init; }
        public bool Accommodation { get; init; }
    }

    private sealed class WorkerRow
    {
        public long Id { get; init; }
        public string CountyCode { get; init; } = "";
        public DateOnly BirthDate { get; init; }
        public string TradesJson { get; init; } = "[]";
        public string CertificatesJson { get; init; } = "[]";
        public string PriorityGroups { get; init; } = "";
        public string Destinations { get; init; } = "";
        public long ExpectedWage { get; init; }
        public DateOnly AvailableFrom { get; init; }
    }
}
