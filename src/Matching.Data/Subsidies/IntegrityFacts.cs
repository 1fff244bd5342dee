using System.Data.Common;
using Dapper;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Domain.Identity;
using Matching.Domain.Institutions;
using Matching.Domain.Subsidies;

namespace Matching.Data.Subsidies;

/// <summary>
/// Reads the facts the integrity checks need (<see cref="IntegrityRules"/>) for one seat or one claim, inside the
/// caller's transaction, with indexed look-ups. <see cref="IntegrityBatch"/> reads the same facts for a whole year.
/// </summary>
public static class IntegrityFacts
{
    private const string TraineeSql = """
        SELECT id, birth_date, gender, id_number_cipher, vital_status, vital_status_since, phone_hash FROM workers WHERE id = @WorkerId
        """;
    internal const string CohortSql = """
        SELECT id, name, start_date, end_date, trades, training_type, institution_id FROM cohorts WHERE id = @CohortId
        """;
    // Seats held in other cohorts whose dates overlap (offered, accepted, or waitlisted: all bind the worker's dates);
    // locked on SQL Server so two seats for the same worker cannot both pass.
    private const string HeldOverlapSql = """
        SELECT c.id AS cohort_id, c.name, c.start_date, c.end_date
        FROM enrolments e /*UPDLOCK*/ JOIN cohorts c ON c.id = e.cohort_id
        WHERE e.worker_id = @WorkerId AND e.cohort_id <> @CohortId AND e.status IN ('offered', 'accepted', 'waitlisted')
          AND c.start_date <= @EndDate AND @StartDate <= c.end_date
        ORDER BY c.start_date
        """;
    // Cohorts taken part in (accepted, not cancelled) whose dates overlap.
    private const string AttendedOverlapSql = """
        SELECT c.id AS cohort_id, c.name, c.start_date, c.end_date
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
        WHERE e.worker_id = @WorkerId AND e.cohort_id <> @CohortId AND e.status = 'accepted' AND c.status <> 'cancelled'
          AND c.start_date <= @EndDate AND @StartDate <= c.end_date
        ORDER BY c.start_date
        """;
    internal const string PastSubsidiesSql = """
        SELECT id AS claim_id, certificate_type, trade_id, level, granted_year AS year, living_allowance
        FROM subsidy_claims WHERE worker_id = @WorkerId AND status IN ('approved', 'paid')
        """;
    // Other workers holding a seat in the cohort with the same phone (keyed hash).
    private const string SamePhoneSeatSql = """
        SELECT COUNT(DISTINCT e.worker_id) FROM enrolments e JOIN workers w ON w.id = e.worker_id
        WHERE e.cohort_id = @CohortId AND e.worker_id <> @WorkerId AND e.status IN ('offered', 'accepted') AND w.phone_hash = @PhoneHash
        """;
    private const string SamePhoneTraineesSql = """
        SELECT COUNT(DISTINCT e.worker_id) FROM enrolments e JOIN workers w ON w.id = e.worker_id
        WHERE e.cohort_id = @CohortId AND e.worker_id <> @WorkerId AND e.status = 'accepted' AND w.phone_hash = @PhoneHash
        """;
    private const string SameAccountSql = """
        SELECT COUNT(DISTINCT worker_id) FROM subsidy_claims
        WHERE cohort_id = @CohortId AND worker_id <> @WorkerId AND status <> 'rejected' AND bank_account_hash = @AccountHash
        """;
    internal const string InstitutionYearSql = """
        SELECT i.name AS institution_name, i.ownership,
            COUNT(te.id) AS teachers, COALESCE(SUM(CASE WHEN te.employment = 'full-time' THEN 1 ELSE 0 END), 0) AS full_time
        FROM training_institutions i LEFT JOIN teacher_engagements te ON te.institution_id = i.id AND te.year = @Year
        WHERE i.id = @InstitutionId GROUP BY i.id, i.name, i.ownership
        """;
    internal const string CohortTeachersSql = """
        SELECT t.id AS teacher_id, t.real_name, COUNT(DISTINCT te.institution_id) AS institutions,
            COALESCE(MAX(CASE WHEN te.employment = 'part-time' THEN 1 ELSE 0 END), 0) AS part_time,
            COALESCE(SUM(CASE WHEN te.employment = 'full-time' THEN 1 ELSE 0 END), 0) AS full_time
        FROM cohort_teachers ct JOIN teachers t ON t.id = ct.teacher_id
            LEFT JOIN teacher_engagements te ON te.teacher_id = t.id AND te.year = @Year
        WHERE ct.cohort_id = @CohortId GROUP BY t.id, t.real_name ORDER BY t.id
        """;
    private const string ClaimSql = """
        SELECT s.id, s.worker_id, s.cohort_id, s.enrolment_id, s.bank_account_hash, s.claimed_on,
            k.id AS certificate_id, k.type AS certificate_type, k.trade_id, k.level, k.issued_on,
            r.completion, r.days_scheduled, r.days_attended
        FROM subsidy_claims s JOIN certificates k ON k.id = s.certificate_id
            LEFT JOIN training_results r ON r.enrolment_id = s.enrolment_id
        WHERE s.id = @ClaimId
        """;

    /// <summary>The facts of granting this worker a seat in this cohort; null when either is missing.</summary>
    public static async Task<SeatFacts?> SeatAsync(SqlDialect dialect, DbConnection connection, DbTransaction tx, long cohortId, long workerId, DateOnly today)
    {
        var worker = await connection.QuerySingleOrDefaultAsync<TraineeRow>(TraineeSql, new { WorkerId = workerId }, tx);
        var cohort = await CohortAsync(connection, tx, cohortId);
        if (worker is null || cohort is null)
        {
            return null;
        }
        var held = (await connection.QueryAsync<HeldRow>(dialect.Render(HeldOverlapSql), new { WorkerId = workerId, CohortId = cohortId, cohort.StartDate, cohort.EndDate }, tx))
            .Select(h => h.ToHeld()).ToList();
        var past = await PastSubsidiesAsync(connection, tx, workerId);
        var samePhone = 1 + await connection.ExecuteScalarAsync<int>(SamePhoneSeatSql, new { CohortId = cohortId, WorkerId = workerId, worker.PhoneHash }, tx);
        return new SeatFacts(worker.ToTrainee(identity: null), cohort, held, past, samePhone, today);
    }

    /// <summary>The facts of approving this claim; null when the claim does not exist.</summary>
    public static async Task<ClaimFacts?> ClaimAsync(DbConnection connection, DbTransaction tx, PersonalDataProtector protector, long claimId, DateOnly today)
    {
        var claim = await connection.QuerySingleOrDefaultAsync<ClaimRow>(ClaimSql, new { ClaimId = claimId }, tx);
        if (claim is null)
        {
            return null;
        }
        var worker = (await connection.QuerySingleAsync<TraineeRow>(TraineeSql, new { claim.WorkerId }, tx));
        var cohort = (await CohortAsync(connection, tx, claim.CohortId))!;
        var attended = (await connection.QueryAsync<HeldRow>(AttendedOverlapSql, new { claim.WorkerId, CohortId = claim.CohortId, cohort.StartDate, cohort.EndDate }, tx))
            .Select(h => h.ToHeld()).ToList();
        var past = await PastSubsidiesAsync(connection, tx, claim.WorkerId);
        var samePhone = 1 + await connection.ExecuteScalarAsync<int>(SamePhoneTraineesSql, new { claim.CohortId, claim.WorkerId, worker.PhoneHash }, tx);
        var sameAccount = 1 + await connection.ExecuteScalarAsync<int>(SameAccountSql, new { claim.CohortId, claim.WorkerId, AccountHash = claim.BankAccountHash }, tx);
        return new ClaimFacts(claim.Id, worker.ToTrainee(Identify(protector, worker.IdNumberCipher)), cohort, claim.Certificate, claim.Attendance, attended, past,
            samePhone, sameAccount, claim.ClaimedOn, today);
    }

    /// <summary>The ID number's birth date and gender; null when it cannot be decrypted or no longer parses (a row written around validation).</summary>
    public static ResidentIdInfo? Identify(PersonalDataProtector protector, byte[] cipher)
    {
        try
        {
            return ResidentIdNumber.TryParse(protector.Decrypt(cipher), out var info, out _) ? info : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static async Task<IReadOnlyList<PastSubsidy>> PastSubsidiesAsync(DbConnection connection, DbTransaction tx, long workerId) =>
        (await connection.QueryAsync<PastSubsidyRow>(PastSubsidiesSql, new { WorkerId = workerId }, tx)).Select(p => p.ToPast()).ToList();

    /// <summary>The cohort with the standing of the institution delivering it, counted in the cohort's start year.</summary>
    public static async Task<CohortFacts?> CohortAsync(DbConnection connection, DbTransaction? tx, long cohortId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CohortRow>(CohortSql, new { CohortId = cohortId }, tx);
        if (row is null)
        {
            return null;
        }
        InstitutionStanding? standing = null;
        if (row.InstitutionId is { } institutionId)
        {
            var year = await connection.QuerySingleAsync<InstitutionYearRow>(InstitutionYearSql, new { InstitutionId = institutionId, Year = row.StartDate.Year }, tx);
            var teachers = await connection.QueryAsync<TeacherYearRow>(CohortTeachersSql, new { CohortId = cohortId, Year = row.StartDate.Year }, tx);
            standing = new InstitutionStanding(year.ToYear(), teachers.Select(t => t.ToYear()).ToList());
        }
        return row.ToFacts(standing);
    }

    internal sealed class TraineeRow
    {
        public long Id { get; init; }
        public DateOnly BirthDate { get; init; }
        public long Gender { get; init; }
        public byte[] IdNumberCipher { get; init; } = [];
        public string VitalStatus { get; init; } = "";
        public DateOnly? VitalStatusSince { get; init; }
        public byte[] PhoneHash { get; init; } = [];

        public TraineeFacts ToTrainee(ResidentIdInfo? identity) => new(Id, BirthDate, (Gender)Gender, identity, VitalStatus, VitalStatusSince);
    }

    internal sealed class CohortRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public string Trades { get; init; } = "";
        public string TrainingType { get; init; } = "";
        public long? InstitutionId { get; init; }

        public CohortFacts ToFacts(InstitutionStanding? standing) => new(Id, Name, StartDate, EndDate, Codes.Split(Trades), TrainingType, standing);
    }

    internal sealed class HeldRow
    {
        public long CohortId { get; init; }
        public string Name { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }

        public HeldCohort ToHeld() => new(CohortId, Name, StartDate, EndDate);
    }

    internal sealed class PastSubsidyRow
    {
        public long WorkerId { get; init; }
        public long ClaimId { get; init; }
        public string CertificateType { get; init; } = "";
        public string? TradeId { get; init; }
        public long? Level { get; init; }
        public long? Year { get; init; }
        public long LivingAllowance { get; init; }

        public PastSubsidy ToPast() => new(ClaimId, CertificateType, TradeId, (int?)Level, (int)(Year ?? 0), (int)LivingAllowance);
    }

    internal sealed class InstitutionYearRow
    {
        public string InstitutionName { get; init; } = "";
        public string Ownership { get; init; } = "";
        public long Teachers { get; init; }
        public long FullTime { get; init; }

        public InstitutionYear ToYear() => new(InstitutionName, Ownership == InstitutionOwnership.Private, (int)FullTime, (int)Teachers);
    }

    internal sealed class TeacherYearRow
    {
        public long TeacherId { get; init; }
        public string RealName { get; init; } = "";
        public long Institutions { get; init; }
        public long PartTime { get; init; }
        public long FullTime { get; init; }

        public TeacherYear ToYear() => new(Masking.Name(RealName), (int)Institutions, PartTime > 0, (int)FullTime);
    }

    internal sealed class ClaimRow
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public long CohortId { get; init; }
        public long EnrolmentId { get; init; }
        public byte[] BankAccountHash { get; init; } = [];
        public DateOnly ClaimedOn { get; init; }
        public string FindingsJson { get; init; } = "[]";
        public long CertificateId { get; init; }
        public string CertificateType { get; init; } = "";
        public string TradeId { get; init; } = "";
        public long? Level { get; init; }
        public DateOnly IssuedOn { get; init; }
        public string? Completion { get; init; }
        public long? DaysScheduled { get; init; }
        public long? DaysAttended { get; init; }

        public ClaimedCertificate Certificate => new(CertificateId, CertificateType, TradeId, (int?)Level, IssuedOn);

        public AttendanceFacts Attendance => new(Completion ?? Domain.Training.Completion.Pending, (int)(DaysScheduled ?? 0), (int?)DaysAttended);
    }
}
