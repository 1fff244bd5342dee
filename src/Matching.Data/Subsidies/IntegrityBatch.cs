using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Institutions;
using Matching.Domain.Subsidies;

namespace Matching.Data.Subsidies;

/// <summary>What a batch check found, with where the time went.</summary>
public sealed record BatchCheckSummary(
    int Year,
    int Claims,
    int Blocked,
    int NeedsReview,
    int Clean,
    IReadOnlyDictionary<string, int> ByCheck,
    double ReadSeconds,
    double CheckSeconds,
    double WriteSeconds)
{
    public double TotalSeconds => ReadSeconds + CheckSeconds + WriteSeconds;
}

/// <summary>
/// The integrity checks for every submitted claim of the cohorts that ended in a year, in one batch: the facts read
/// with a few set-based queries (the same facts <see cref="IntegrityFacts"/> reads one claim at a time), the same
/// <see cref="IntegrityRules.ForClaim"/> run in parallel, the findings stored in one transaction.
/// </summary>
public static class IntegrityBatch
{
    // Sequential scans, joined in memory: at province scale a few passes over each table beat a random look-up per claim.
    private const string ClaimsSql = """
        SELECT id, worker_id, cohort_id, enrolment_id, certificate_id, status, claimed_on,
            CASE WHEN findings_json = '[]' THEN NULL ELSE findings_json END AS findings_json, bank_account_hash,
            certificate_type, trade_id, level, granted_year, living_allowance
        FROM subsidy_claims WHERE status <> 'rejected'
        """;
    private const string CertificatesSql = "SELECT id, issued_on FROM certificates";
    private const string ResultsSql = "SELECT enrolment_id, completion, days_scheduled, days_attended FROM training_results";
    private const string AcceptedSql = "SELECT worker_id, cohort_id FROM enrolments WHERE status = 'accepted'";
    private const string WorkersSql = "SELECT id, birth_date, gender, id_number_cipher, vital_status, vital_status_since, phone_hash FROM workers";
    private const string CheckedSql = """
        UPDATE subsidy_claims SET checked_at = @Now
        WHERE status = 'submitted' AND cohort_id IN (SELECT id FROM cohorts WHERE end_date >= @From AND end_date <= @To)
        """;
    private const string CohortsSql = "SELECT id, name, start_date, end_date, trades, training_type, institution_id, status FROM cohorts";
    private const string InstitutionYearsSql = """
        SELECT i.id AS institution_id, te.year, i.name AS institution_name, i.ownership, COUNT(te.id) AS teachers,
            COALESCE(SUM(CASE WHEN te.employment = 'full-time' THEN 1 ELSE 0 END), 0) AS full_time
        FROM training_institutions i JOIN teacher_engagements te ON te.institution_id = i.id
        GROUP BY i.id, te.year, i.name, i.ownership
        """;
    private const string InstitutionsSql = "SELECT id AS institution_id, name AS institution_name, ownership FROM training_institutions";
    private const string TeacherYearsSql = """
        SELECT t.id AS teacher_id, te.year, t.real_name, COUNT(DISTINCT te.institution_id) AS institutions,
            COALESCE(MAX(CASE WHEN te.employment = 'part-time' THEN 1 ELSE 0 END), 0) AS part_time,
            COALESCE(SUM(CASE WHEN te.employment = 'full-time' THEN 1 ELSE 0 END), 0) AS full_time
        FROM teachers t JOIN teacher_engagements te ON te.teacher_id = t.id
        GROUP BY t.id, te.year, t.real_name
        """;
    private const string TeacherNamesSql = "SELECT id AS teacher_id, real_name FROM teachers";
    private const string CohortTeachersSql = "SELECT cohort_id, teacher_id FROM cohort_teachers ORDER BY cohort_id, teacher_id";
    private const string SubmittedOfYearSql = """
        SELECT s.id FROM subsidy_claims s JOIN cohorts c ON c.id = s.cohort_id
        WHERE s.status = 'submitted' AND c.end_date >= @From AND c.end_date <= @To ORDER BY s.id
        """;

    /// <summary>
    /// The ids of the claims <see cref="CheckYearAsync"/> checks (submitted, of the cohorts that ended in the year), in id
    /// order: the benchmark checks a sample of them one at a time as its baseline.
    /// </summary>
    public static async Task<IReadOnlyList<long>> SubmittedClaimIdsAsync(Database database, int year, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(SubmittedOfYearSql, new { From = new DateOnly(year, 1, 1), To = new DateOnly(year, 12, 31) },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Reads the facts of every submitted claim of the year's cohorts; the same facts the one-claim reader gives.</summary>
    public static async Task<IReadOnlyList<ClaimFacts>> ReadAsync(Database database, PersonalDataProtector protector, int year, DateOnly today, CancellationToken cancellationToken = default) =>
        (await ReadWithStoredAsync(database, protector, year, today, cancellationToken)).Facts;

    /// <summary>The facts, and beside each the findings stored by the last check (JSON).</summary>
    private static async Task<(ClaimFacts[] Facts, string[] Stored)> ReadWithStoredAsync(Database database, PersonalDataProtector protector, int year, DateOnly today,
        CancellationToken cancellationToken)
    {
        var from = new DateOnly(year, 1, 1);
        var to = new DateOnly(year, 12, 31);
        await using var connection = await database.OpenAsync(cancellationToken);
        // One read transaction: every pass sees the same state of the database.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        var cohortRows = (await connection.QueryAsync<CohortRow>(CohortsSql, transaction: tx)).ToDictionary(c => c.Id);
        var ofYear = cohortRows.Values.Where(c => c.EndDate >= from && c.EndDate <= to).Select(c => c.Id).ToHashSet();

        // Claims: the year's waiting ones are checked; granted ones are past subsidies; every live one counts for shared accounts.
        var claims = new List<ClaimScan>();
        var granted = new Dictionary<long, List<PastSubsidy>>();
        var accounts = new Dictionary<(long Cohort, UInt128 Account), List<long>>();
        await Scan(connection, tx, ClaimsSql, r =>
        {
            var cohort = r.GetInt64(2);
            var status = r.GetString(5);
            var workerId = r.GetInt64(1);
            if (ofYear.Contains(cohort))
            {
                Add(accounts, (cohort, Key(r.GetFieldValue<byte[]>(8))), workerId);
            }
            if (status == ClaimStatus.Submitted && ofYear.Contains(cohort))
            {
                claims.Add(new ClaimScan(r.GetInt64(0), workerId, cohort, r.GetInt64(3), r.GetInt64(4), Date(r, 6), r.IsDBNull(7) ? null : r.GetString(7),
                    Key(r.GetFieldValue<byte[]>(8)), r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : (int)r.GetInt64(11)));
            }
            else if (status is ClaimStatus.Approved or ClaimStatus.Paid)
            {
                Add(granted, workerId, new PastSubsidy(r.GetInt64(0), r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : (int)r.GetInt64(11),
                    r.IsDBNull(12) ? 0 : (int)r.GetInt64(12), (int)r.GetInt64(13)));
            }
        }, cancellationToken);
        if (claims.Count == 0)
        {
            return ([], []);
        }
        claims.Sort((a, b) => a.Id.CompareTo(b.Id));
        var certificateIds = claims.Select(c => c.CertificateId).ToHashSet();
        var enrolmentIds = claims.Select(c => c.EnrolmentId).ToHashSet();
        var issued = new Dictionary<long, DateOnly>(claims.Count);
        await Scan(connection, tx, CertificatesSql, r =>
        {
            if (certificateIds.Contains(r.GetInt64(0)))
            {
                issued[r.GetInt64(0)] = Date(r, 1);
            }
        }, cancellationToken);
        var results = new Dictionary<long, AttendanceFacts>(claims.Count);
        await Scan(connection, tx, ResultsSql, r =>
        {
            if (enrolmentIds.Contains(r.GetInt64(0)))
            {
                results[r.GetInt64(0)] = new AttendanceFacts(r.GetString(1), (int)r.GetInt64(2), r.IsDBNull(3) ? null : (int)r.GetInt64(3));
            }
        }, cancellationToken);

        // Accepted enrolments: every one of a claimant (for overlapping cohorts) and every one in the year's cohorts (for shared phones).
        var claimants = claims.Select(c => c.WorkerId).ToHashSet();
        var attended = new Dictionary<long, List<long>>();
        var traineesOfYear = new List<(long Worker, long Cohort)>();
        await Scan(connection, tx, AcceptedSql, r =>
        {
            var worker = r.GetInt64(0);
            var cohort = r.GetInt64(1);
            if (claimants.Contains(worker))
            {
                Add(attended, worker, cohort);
            }
            if (ofYear.Contains(cohort))
            {
                traineesOfYear.Add((worker, cohort));
            }
        }, cancellationToken);
        var needed = traineesOfYear.Select(t => t.Worker).Concat(claimants).ToHashSet();
        var workers = new Dictionary<long, WorkerScan>(needed.Count);
        await Scan(connection, tx, WorkersSql, r =>
        {
            var id = r.GetInt64(0);
            if (needed.Contains(id))
            {
                workers[id] = new WorkerScan(Date(r, 1), (Gender)r.GetInt64(2), r.GetFieldValue<byte[]>(3), r.GetString(4), r.IsDBNull(5) ? null : Date(r, 5),
                    Key(r.GetFieldValue<byte[]>(6)));
            }
        }, cancellationToken);
        var phones = new Dictionary<(long Cohort, UInt128 Phone), List<long>>();
        foreach (var (worker, cohort) in traineesOfYear)
        {
            Add(phones, (cohort, workers[worker].Phone), worker);
        }

        var institutions = (await connection.QueryAsync<InstitutionYearRow>(InstitutionsSql, transaction: tx)).ToDictionary(i => i.InstitutionId);
        var institutionYears = (await connection.QueryAsync<InstitutionYearRow>(InstitutionYearsSql, transaction: tx)).ToDictionary(i => (i.InstitutionId, (int)i.Year));
        var teacherNames = (await connection.QueryAsync<TeacherYearRow>(TeacherNamesSql, transaction: tx)).ToDictionary(t => t.TeacherId, t => t.RealName);
        var teacherYears = (await connection.QueryAsync<TeacherYearRow>(TeacherYearsSql, transaction: tx)).ToDictionary(t => (t.TeacherId, (int)t.Year));
        var cohortTeachers = (await connection.QueryAsync<(long CohortId, long TeacherId)>(CohortTeachersSql, transaction: tx)).ToLookup(x => x.CohortId, x => x.TeacherId);
        await tx.CommitAsync(cancellationToken);

        // Cohort facts once per cohort, with the institution's standing in the cohort's start year.
        var cohortFacts = new Dictionary<long, CohortFacts>();
        CohortFacts CohortOf(long id)
        {
            if (cohortFacts.TryGetValue(id, out var known))
            {
                return known;
            }
            var row = cohortRows[id];
            InstitutionStanding? standing = null;
            if (row.InstitutionId is { } institutionId)
            {
                var startYear = row.StartDate.Year;
                var counted = institutionYears.TryGetValue((institutionId, startYear), out var y) ? y : institutions[institutionId];
                var loads = cohortTeachers[id].Select(t => teacherYears.TryGetValue((t, startYear), out var load)
                    ? load.ToYear()
                    : new TeacherYear(Masking.Name(teacherNames[t]), 0, false, 0)).ToList();
                standing = new InstitutionStanding(counted.ToYear(), loads);
            }
            return cohortFacts[id] = new CohortFacts(row.Id, row.Name, row.StartDate, row.EndDate, Codes.Split(row.Trades), row.TrainingType, standing);
        }

        // How many distinct workers of a group, counting the trainee in once whether or not the group holds them.
        static int WithTrainee(List<long>? group, long trainee) => group is null ? 1 : group.Distinct().Count(w => w != trainee) + 1;

        var prepared = claims.Select(c => (Claim: c, Cohort: CohortOf(c.CohortId))).ToList();
        var result = new ClaimFacts[claims.Count];
        // Decrypting ID numbers is the costly part: spread over the cores.
        Parallel.For(0, prepared.Count, i =>
        {
            var (claim, cohort) = prepared[i];
            var worker = workers[claim.WorkerId];
            var overlapping = new List<HeldCohort>();
            foreach (var other in attended.GetValueOrDefault(claim.WorkerId) ?? [])
            {
                var o = cohortRows[other];
                if (other != claim.CohortId && o.Status != Domain.Cohorts.CohortStatus.Cancelled && o.StartDate <= cohort.EndDate && cohort.StartDate <= o.EndDate)
                {
                    overlapping.Add(new HeldCohort(o.Id, o.Name, o.StartDate, o.EndDate));
                }
            }
            var trainee = new TraineeFacts(claim.WorkerId, worker.BirthDate, worker.Gender, IntegrityFacts.Identify(protector, worker.IdNumberCipher),
                worker.VitalStatus, worker.VitalStatusSince);
            var certificate = new ClaimedCertificate(claim.CertificateId, claim.CertificateType, claim.TradeId, claim.Level, issued[claim.CertificateId]);
            result[i] = new ClaimFacts(claim.Id, trainee, cohort, certificate,
                results.GetValueOrDefault(claim.EnrolmentId) ?? new AttendanceFacts(Domain.Training.Completion.Pending, 0, null),
                overlapping.OrderBy(o => o.StartDate).ToList(), granted.GetValueOrDefault(claim.WorkerId) ?? [],
                WithTrainee(phones.GetValueOrDefault((claim.CohortId, worker.Phone)), claim.WorkerId),
                WithTrainee(accounts.GetValueOrDefault((claim.CohortId, claim.Account)), claim.WorkerId),
                claim.ClaimedOn, today);
        });
        return (result, claims.Select(c => c.FindingsJson ?? "[]").ToArray());
    }

    private static async Task Scan(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string sql, Action<System.Data.Common.DbDataReader> row,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            row(reader);
        }
    }

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> groups, TKey key, TValue value) where TKey : notnull
    {
        if (!groups.TryGetValue(key, out var list))
        {
            groups[key] = list = [];
        }
        list.Add(value);
    }

    /// <summary>A date column: text on SQLite, a date on SQL Server.</summary>
    private static DateOnly Date(System.Data.Common.DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DateTime d => DateOnly.FromDateTime(d),
        var v => DateOnly.ParseExact(((string)v).AsSpan(0, 10), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The first 128 bits of a keyed hash: enough to tell phones or accounts apart.</summary>
    private static UInt128 Key(byte[] hash) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);

    private sealed record ClaimScan(long Id, long WorkerId, long CohortId, long EnrolmentId, long CertificateId, DateOnly ClaimedOn, string? FindingsJson,
        UInt128 Account, string CertificateType, string TradeId, int? Level);

    private sealed record WorkerScan(DateOnly BirthDate, Gender Gender, byte[] IdNumberCipher, string VitalStatus, DateOnly? VitalStatusSince, UInt128 Phone);

    /// <summary>Checks every submitted claim of the year's cohorts and stores the findings; reports progress as lines of text.</summary>
    public static async Task<BatchCheckSummary> CheckYearAsync(Database database, PersonalDataProtector protector, Catalogue catalogue, int year, DateOnly today,
        DateTimeOffset now, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var (facts, stored) = await ReadWithStoredAsync(database, protector, year, today, cancellationToken);
        var read = clock.Elapsed.TotalSeconds;
        progress?.Report($"核查：读取{year}年结业班期的待审核申领 {facts.Length:N0} 条及其事实，用时 {read:F1} 秒");

        clock.Restart();
        var limits = catalogue.Policy.Limits;
        var findings = new IReadOnlyList<IntegrityFinding>[facts.Length];
        Parallel.For(0, facts.Length, i => findings[i] = IntegrityRules.ForClaim(facts[i], limits));
        var byCheck = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        foreach (var finding in findings.SelectMany(f => f))
        {
            byCheck.AddOrUpdate(finding.Code, 1, (_, n) => n + 1);
        }
        var check = clock.Elapsed.TotalSeconds;
        progress?.Report($"核查：{facts.Length:N0} 条申领已逐项核查，用时 {check:F1} 秒");

        clock.Restart();
        // Set-based: every claim checked now; findings written where they changed (most claims stay clean).
        var changed = Enumerable.Range(0, facts.Length).Select(i => (facts[i].ClaimId, Json: StoredJson.Write(findings[i])))
            .Where((c, i) => c.Json != stored[i]).ToList();
        await database.InTransactionAsync(async (connection, tx) =>
        {
            await connection.ExecuteAsync(CheckedSql, new { From = new DateOnly(year, 1, 1), To = new DateOnly(year, 12, 31), Now = now }, tx);
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = SubsidyClaimStore.SetFindingsSql;
            var id = command.CreateParameter();
            id.ParameterName = "@Id";
            var json = command.CreateParameter();
            json.ParameterName = "@FindingsJson";
            var at = command.CreateParameter();
            at.ParameterName = "@Now";
            at.Value = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(id);
            command.Parameters.Add(json);
            command.Parameters.Add(at);
            await command.PrepareAsync(cancellationToken);
            foreach (var (claimId, text) in changed)
            {
                id.Value = claimId;
                json.Value = text;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return 0;
        }, cancellationToken);
        var write = clock.Elapsed.TotalSeconds;
        progress?.Report($"核查：结果已写入，用时 {write:F1} 秒");

        var blocked = findings.Count(IntegrityRules.Blocks);
        var review = findings.Count(f => !IntegrityRules.Blocks(f) && f.Count > 0);
        return new BatchCheckSummary(year, facts.Length, blocked, review, facts.Length - blocked - review, byCheck.ToDictionary(), read, check, write);
    }

    private sealed class CohortRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public string Trades { get; init; } = "";
        public string TrainingType { get; init; } = "";
        public long? InstitutionId { get; init; }
        public string Status { get; init; } = "";
    }

    private sealed class InstitutionYearRow
    {
        public long InstitutionId { get; init; }
        public long Year { get; init; }
        public string InstitutionName { get; init; } = "";
        public string Ownership { get; init; } = "";
        public long Teachers { get; init; }
        public long FullTime { get; init; }

        public InstitutionYear ToYear() => new(InstitutionName, Ownership == InstitutionOwnership.Private, (int)FullTime, (int)Teachers);
    }

    private sealed class TeacherYearRow
    {
        public long TeacherId { get; init; }
        public long Year { get; init; }
        public string RealName { get; init; } = "";
        public long Institutions { get; init; }
        public long PartTime { get; init; }
        public long FullTime { get; init; }

        public TeacherYear ToYear() => new(Masking.Name(RealName), (int)Institutions, PartTime > 0, (int)FullTime);
    }

}
