using System.Buffers.Binary;
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
    private const string ClaimsSql = """
        SELECT s.id, s.worker_id, s.cohort_id, s.enrolment_id, s.bank_account_hash, s.claimed_on,
            k.id AS certificate_id, k.type AS certificate_type, k.trade_id, k.level, k.issued_on,
            r.completion, r.days_scheduled, r.days_attended
        FROM subsidy_claims s JOIN cohorts c ON c.id = s.cohort_id JOIN certificates k ON k.id = s.certificate_id
            LEFT JOIN training_results r ON r.enrolment_id = s.enrolment_id
        WHERE s.status = 'submitted' AND c.end_date >= @From AND c.end_date <= @To
        ORDER BY s.id
        """;
    private const string BatchWorkers = """
        SELECT s.worker_id FROM subsidy_claims s JOIN cohorts c ON c.id = s.cohort_id
        WHERE s.status = 'submitted' AND c.end_date >= @From AND c.end_date <= @To
        """;
    private const string CohortsSql = "SELECT id, name, start_date, end_date, trades, training_type, institution_id, status FROM cohorts";
    private const string WorkersSql = $"""
        SELECT id, birth_date, gender, id_number_cipher, vital_status, vital_status_since, phone_hash FROM workers WHERE id IN ({BatchWorkers})
        """;
    private const string AcceptedSql = $"""
        SELECT e.worker_id, e.cohort_id FROM enrolments e WHERE e.status = 'accepted' AND e.worker_id IN ({BatchWorkers})
        """;
    private const string GrantedSql = """
        SELECT worker_id, id AS claim_id, certificate_type, trade_id, level, granted_year AS year, living_allowance
        FROM subsidy_claims WHERE status IN ('approved', 'paid')
        """;
    private const string SharedPhonesSql = """
        SELECT e.cohort_id, w.phone_hash AS hash, COUNT(DISTINCT e.worker_id) AS workers
        FROM enrolments e JOIN workers w ON w.id = e.worker_id
        WHERE e.status = 'accepted' AND e.cohort_id IN (SELECT id FROM cohorts WHERE end_date >= @From AND end_date <= @To)
        GROUP BY e.cohort_id, w.phone_hash HAVING COUNT(DISTINCT e.worker_id) > 1
        """;
    private const string SharedAccountsSql = """
        SELECT cohort_id, bank_account_hash AS hash, COUNT(DISTINCT worker_id) AS workers
        FROM subsidy_claims WHERE status <> 'rejected'
        GROUP BY cohort_id, bank_account_hash HAVING COUNT(DISTINCT worker_id) > 1
        """;
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

    /// <summary>Reads the facts of every submitted claim of the year's cohorts; the same facts the one-claim reader gives.</summary>
    public static async Task<IReadOnlyList<ClaimFacts>> ReadAsync(Database database, PersonalDataProtector protector, int year, DateOnly today, CancellationToken cancellationToken = default)
    {
        var range = new { From = new DateOnly(year, 1, 1), To = new DateOnly(year, 12, 31) };
        await using var connection = await database.OpenAsync(cancellationToken);
        // One read transaction: every query sees the same state of the database.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        var claims = (await connection.QueryAsync<IntegrityFacts.ClaimRow>(ClaimsSql, range, tx)).AsList();
        if (claims.Count == 0)
        {
            return [];
        }
        var cohortRows = (await connection.QueryAsync<CohortRow>(CohortsSql, transaction: tx)).ToDictionary(c => c.Id);
        var institutions = (await connection.QueryAsync<InstitutionYearRow>(InstitutionsSql, transaction: tx)).ToDictionary(i => i.InstitutionId);
        var institutionYears = (await connection.QueryAsync<InstitutionYearRow>(InstitutionYearsSql, transaction: tx)).ToDictionary(i => (i.InstitutionId, (int)i.Year));
        var teacherNames = (await connection.QueryAsync<TeacherYearRow>(TeacherNamesSql, transaction: tx)).ToDictionary(t => t.TeacherId, t => t.RealName);
        var teacherYears = (await connection.QueryAsync<TeacherYearRow>(TeacherYearsSql, transaction: tx)).ToDictionary(t => (t.TeacherId, (int)t.Year));
        var cohortTeachers = (await connection.QueryAsync<(long CohortId, long TeacherId)>(CohortTeachersSql, transaction: tx)).ToLookup(x => x.CohortId, x => x.TeacherId);
        var workers = (await connection.QueryAsync<IntegrityFacts.TraineeRow>(WorkersSql, range, tx)).ToDictionary(w => w.Id);
        var accepted = (await connection.QueryAsync<(long WorkerId, long CohortId)>(AcceptedSql, range, tx)).ToLookup(x => x.WorkerId, x => x.CohortId);
        var granted = (await connection.QueryAsync<IntegrityFacts.PastSubsidyRow>(GrantedSql, transaction: tx)).ToLookup(p => p.WorkerId, p => p.ToPast());
        var phones = (await connection.QueryAsync<SharedRow>(SharedPhonesSql, range, tx)).ToDictionary(r => (r.CohortId, Key(r.Hash)), r => (int)r.Workers);
        var accounts = (await connection.QueryAsync<SharedRow>(SharedAccountsSql, transaction: tx)).ToDictionary(r => (r.CohortId, Key(r.Hash)), r => (int)r.Workers);

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
                var year = row.StartDate.Year;
                var counted = institutionYears.TryGetValue((institutionId, year), out var y) ? y : institutions[institutionId];
                var loads = cohortTeachers[id].Select(t => teacherYears.TryGetValue((t, year), out var load)
                    ? load.ToYear()
                    : new TeacherYear(Masking.Name(teacherNames[t]), 0, false, 0)).ToList();
                standing = new InstitutionStanding(counted.ToYear(), loads);
            }
            return cohortFacts[id] = new CohortFacts(row.Id, row.Name, row.StartDate, row.EndDate, Codes.Split(row.Trades), row.TrainingType, standing);
        }

        var result = new ClaimFacts[claims.Count];
        var prepared = claims.Select(c => (Claim: c, Cohort: CohortOf(c.CohortId))).ToList();
        // Decrypting ID numbers is the costly part: spread over the cores.
        Parallel.For(0, prepared.Count, i =>
        {
            var (claim, cohort) = prepared[i];
            var worker = workers[claim.WorkerId];
            var overlapping = new List<HeldCohort>();
            foreach (var other in accepted[claim.WorkerId])
            {
                var o = cohortRows[other];
                if (other != claim.CohortId && o.Status != Domain.Cohorts.CohortStatus.Cancelled && o.StartDate <= cohort.EndDate && cohort.StartDate <= o.EndDate)
                {
                    overlapping.Add(new HeldCohort(o.Id, o.Name, o.StartDate, o.EndDate));
                }
            }
            result[i] = new ClaimFacts(claim.Id, worker.ToTrainee(IntegrityFacts.Identify(protector, worker.IdNumberCipher)), cohort, claim.Certificate,
                claim.Attendance, overlapping.OrderBy(o => o.StartDate).ToList(), granted[claim.WorkerId].ToList(),
                phones.GetValueOrDefault((claim.CohortId, Key(worker.PhoneHash)), 1),
                accounts.GetValueOrDefault((claim.CohortId, Key(claim.BankAccountHash)), 1),
                claim.ClaimedOn, today);
        });
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Checks every submitted claim of the year's cohorts and stores the findings; reports progress as lines of text.</summary>
    public static async Task<BatchCheckSummary> CheckYearAsync(Database database, PersonalDataProtector protector, Catalogue catalogue, int year, DateOnly today,
        DateTimeOffset now, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var facts = await ReadAsync(database, protector, year, today, cancellationToken);
        var read = clock.Elapsed.TotalSeconds;
        progress?.Report($"核查：读取{year}年结业班期的待审核申领 {facts.Count:N0} 条及其事实，用时 {read:F1} 秒");

        clock.Restart();
        var limits = catalogue.Policy.Limits;
        var findings = new IReadOnlyList<IntegrityFinding>[facts.Count];
        Parallel.For(0, facts.Count, i => findings[i] = IntegrityRules.ForClaim(facts[i], limits));
        var byCheck = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        foreach (var finding in findings.SelectMany(f => f))
        {
            byCheck.AddOrUpdate(finding.Code, 1, (_, n) => n + 1);
        }
        var check = clock.Elapsed.TotalSeconds;
        progress?.Report($"核查：{facts.Count:N0} 条申领已逐项核查，用时 {check:F1} 秒");

        clock.Restart();
        await database.InTransactionAsync(async (connection, tx) =>
        {
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
            for (var i = 0; i < facts.Count; i++)
            {
                id.Value = facts[i].ClaimId;
                json.Value = StoredJson.Write(findings[i]);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return 0;
        }, cancellationToken);
        var write = clock.Elapsed.TotalSeconds;
        progress?.Report($"核查：结果已写入，用时 {write:F1} 秒");

        var blocked = findings.Count(IntegrityRules.Blocks);
        var review = findings.Count(f => !IntegrityRules.Blocks(f) && f.Count > 0);
        return new BatchCheckSummary(year, facts.Count, blocked, review, facts.Count - blocked - review, byCheck.ToDictionary(), read, check, write);
    }

    private static UInt128 Key(byte[] hash) => BinaryPrimitives.ReadUInt128LittleEndian(hash);

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

    private sealed class SharedRow
    {
        public long CohortId { get; init; }
        public byte[] Hash { get; init; } = [];
        public long Workers { get; init; }
    }
}
