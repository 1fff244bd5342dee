using System.Data.Common;
using Dapper;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Domain.Subsidies;
using Matching.Domain.Training;

namespace Matching.Data.Subsidies;

/// <summary>A subsidy claim as stored, with what the access rules need (the worker's county and groups).</summary>
public sealed record SubsidyClaim(
    long Id,
    long WorkerId,
    string WorkerName,
    string CountyCode,
    IReadOnlyList<string> WorkerPriorityGroups,
    long EnrolmentId,
    long CohortId,
    string CohortName,
    long CertificateId,
    string CertificateType,
    string TradeId,
    int? Level,
    int Amount,
    int LivingAllowance,
    string Basis,
    string BankAccountMasked,
    string Status,
    IReadOnlyList<IntegrityFinding> Findings,
    DateTimeOffset CheckedAt,
    DateOnly ClaimedOn,
    int? GrantedYear,
    string CreatedBy,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionNote,
    long? PaymentBatchId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned
{
    public int Total => Amount + LivingAllowance;
}

public sealed record SubsidyClaimFilter(IReadOnlyList<string>? CountyCodes = null, string? Status = null, long? WorkerId = null, long? CohortId = null,
    int? GrantedYear = null, bool OnlyPriorityGroups = false);

/// <summary>The result of a decision: the write's outcome and the findings it was judged on.</summary>
public sealed record ClaimDecision(WriteResult Result, IReadOnlyList<IntegrityFinding> Findings);

/// <summary>One line of a payment file (拨付文件): the account in clear, for the bank.</summary>
public sealed record PaymentLine(long ClaimId, string WorkerName, string IdNumberMasked, string CountyCode, string BankAccount, int Amount, int LivingAllowance);

public sealed record PaymentFile(long BatchId, DateTimeOffset CreatedAt, IReadOnlyList<PaymentLine> Lines)
{
    public int Total => Lines.Sum(l => l.Amount + l.LivingAllowance);
}

/// <summary>
/// Certificate subsidy claims (证书直补): created from a completed enrolment and its certificate, checked by the
/// integrity rules when created, on request and again inside the approval's transaction (a blocking finding is never
/// approved), rejected with a reason, and exported for payment once.
/// </summary>
public sealed class SubsidyClaimStore(Database database, PersonalDataProtector protector, Catalogue catalogue, TimeProvider time)
{
    private const string Select = """
        SELECT s.id, s.worker_id, w.real_name AS worker_name, s.county_code, w.priority_groups AS worker_priority_groups, s.enrolment_id, s.cohort_id,
            c.name AS cohort_name, s.certificate_id, s.certificate_type, s.trade_id, s.level, s.amount, s.living_allowance, s.basis, s.bank_account_masked,
            s.status, s.findings_json, s.checked_at, s.claimed_on, s.granted_year, s.created_by, s.decided_by, s.decided_at, s.decision_note,
            s.payment_batch_id, s.created_at, s.updated_at, s.version
        FROM subsidy_claims s JOIN workers w ON w.id = s.worker_id JOIN cohorts c ON c.id = s.cohort_id
        """;
    private const string EnrolmentSql = """
        SELECT e.id, e.worker_id, e.cohort_id, e.status, c.training_type, w.county_code, w.priority_groups, r.completion, r.days_attended
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN workers w ON w.id = e.worker_id
            LEFT JOIN training_results r ON r.enrolment_id = e.id
        WHERE e.id = @Id
        """;
    private const string CertificateSql = "SELECT id, worker_id, type, trade_id, level FROM certificates WHERE id = @Id";
    private const string LiveClaimSql = "SELECT id FROM subsidy_claims /*UPDLOCK*/ WHERE certificate_id = @CertificateId AND status <> 'rejected'";
    private const string AllowanceThisYearSql = """
        SELECT COUNT(*) FROM subsidy_claims WHERE worker_id = @WorkerId AND status IN ('approved', 'paid') AND granted_year = @Year AND living_allowance > 0 AND id <> @Id
        """;
    private const string InsertSql = """
        INSERT INTO subsidy_claims (worker_id, enrolment_id, cohort_id, certificate_id, county_code, certificate_type, trade_id, level, amount, living_allowance,
            basis, bank_account_hash, bank_account_cipher, bank_account_masked, status, findings_json, checked_at, claimed_on, granted_year, created_by,
            decided_by, decided_at, decision_note, payment_batch_id, created_at, updated_at, version)
        VALUES (@WorkerId, @EnrolmentId, @CohortId, @CertificateId, @CountyCode, @CertificateType, @TradeId, @Level, @Amount, @LivingAllowance,
            @Basis, @AccountHash, @AccountCipher, @AccountMasked, 'submitted', '[]', @Now, @ClaimedOn, NULL, @CreatedBy,
            NULL, NULL, NULL, NULL, @Now, @Now, 1)
        """;
    private const string StatusSql = "SELECT status, version, worker_id, living_allowance, enrolment_id FROM subsidy_claims /*UPDLOCK*/ WHERE id = @Id";
    internal const string SetFindingsSql = "UPDATE subsidy_claims SET findings_json = @FindingsJson, checked_at = @Now WHERE id = @Id";
    private const string ApproveSql = """
        UPDATE subsidy_claims SET status = 'approved', findings_json = @FindingsJson, checked_at = @Now, granted_year = @Year, living_allowance = @LivingAllowance,
            decided_by = @DecidedBy, decided_at = @Now, decision_note = @Note, updated_at = @Now, version = version + 1
        WHERE id = @Id AND status = 'submitted'
        """;
    private const string RejectSql = """
        UPDATE subsidy_claims SET status = 'rejected', decided_by = @DecidedBy, decided_at = @Now, decision_note = @Note, updated_at = @Now, version = version + 1
        WHERE id = @Id AND status = 'submitted'
        """;
    private const string PayableSql = """
        SELECT s.id, w.real_name, w.id_number_masked, s.county_code, s.bank_account_cipher, s.amount, s.living_allowance
        FROM subsidy_claims s JOIN workers w ON w.id = s.worker_id
        WHERE s.status = 'approved' AND s.county_code IN @CountyCodes ORDER BY s.id
        """;
    private const string InsertBatchSql = "INSERT INTO subsidy_payment_batches (created_by, created_at, claims, total) VALUES (@CreatedBy, @Now, @Claims, @Total)";
    private const string MarkPaidSql = """
        UPDATE subsidy_claims SET status = 'paid', payment_batch_id = @BatchId, updated_at = @Now, version = version + 1 WHERE id = @Id AND status = 'approved'
        """;

    /// <summary>
    /// Creates a claim for a completed enrolment and the worker's certificate: amounts from the catalogue, the
    /// account hashed and encrypted, the integrity findings of the moment stored beside it.
    /// </summary>
    public Task<WriteResult> CreateAsync(long enrolmentId, long certificateId, string bankAccount, string createdBy, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var enrolment = await connection.QuerySingleOrDefaultAsync<EnrolmentRow>(EnrolmentSql, new { Id = enrolmentId }, tx);
            if (enrolment is null)
            {
                return WriteResult.Invalid("enrolmentId", "报名记录不存在");
            }
            if (enrolment.Completion != Completion.Completed)
            {
                return WriteResult.Conflict($"该培训结业情况为“{Completion.NameOf(enrolment.Completion ?? Completion.Pending)}”，结业后才能申领补贴");
            }
            var certificate = await connection.QuerySingleOrDefaultAsync<(long Id, long WorkerId, string Type, string TradeId, long? Level)?>(CertificateSql, new { Id = certificateId }, tx);
            if (certificate is not { } k || k.WorkerId != enrolment.WorkerId)
            {
                return WriteResult.Invalid("certificateId", "不是该劳动者的证书记录");
            }
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(LiveClaimSql), new { CertificateId = certificateId }, tx) is { } existing)
            {
                return WriteResult.Conflict($"该证书已有补贴申领 {existing}，不能重复申领", existing);
            }
            var today = ChinaTime.Today(time);
            var allowancePaid = await connection.ExecuteScalarAsync<long>(AllowanceThisYearSql, new { enrolment.WorkerId, Year = today.Year, Id = 0 }, tx) > 0;
            var amount = SubsidyRules.Amount(catalogue.Policy, k.Type, (int?)k.Level, enrolment.TrainingType, Codes.Split(enrolment.PriorityGroups),
                (int)(enrolment.DaysAttended ?? 0), allowancePaid);
            if (amount is null)
            {
                return WriteResult.Conflict("补贴标准目录中没有该证书类型和等级的补贴标准，不能申领");
            }
            var now = time.GetUtcNow();
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, new
            {
                enrolment.WorkerId, EnrolmentId = enrolmentId, enrolment.CohortId, CertificateId = certificateId, enrolment.CountyCode, CertificateType = k.Type,
                k.TradeId, k.Level, Amount = amount.Subsidy, LivingAllowance = amount.LivingAllowance, amount.Basis,
                AccountHash = protector.Hash("account", bankAccount), AccountCipher = protector.Encrypt(bankAccount), AccountMasked = SubsidyRules.MaskAccount(bankAccount),
                Now = now, ClaimedOn = today, CreatedBy = createdBy,
            }, tx);
            await CheckInAsync(connection, tx, id, today, now);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    /// <summary>Runs the integrity checks on a submitted claim now and stores the findings.</summary>
    public Task<ClaimDecision> CheckAsync(long id, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<StatusRow>(database.Dialect.Render(StatusSql), new { Id = id }, tx);
            if (current is null)
            {
                return new ClaimDecision(WriteResult.NotFound, []);
            }
            if (current.Status != ClaimStatus.Submitted)
            {
                return new ClaimDecision(WriteResult.Conflict($"申领已是“{ClaimStatus.NameOf(current.Status)}”，不再核查"), []);
            }
            var findings = await CheckInAsync(connection, tx, id, ChinaTime.Today(time), time.GetUtcNow());
            return new ClaimDecision(WriteResult.Ok(id, (int)current.Version), findings);
        }, cancellationToken);

    /// <summary>
    /// Approves a submitted claim after checking it again in the same transaction: refused (nothing written) while a
    /// blocking finding stands, or while findings that need review are not confirmed as reviewed.
    /// </summary>
    public Task<ClaimDecision> ApproveAsync(long id, bool reviewed, string? note, string decidedBy, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<StatusRow>(database.Dialect.Render(StatusSql), new { Id = id }, tx);
            if (current is null)
            {
                return new ClaimDecision(WriteResult.NotFound, []);
            }
            if (expectedVersion is not null && expectedVersion != current.Version)
            {
                return new ClaimDecision(WriteResult.PreconditionFailed((int)current.Version), []);
            }
            if (current.Status != ClaimStatus.Submitted)
            {
                return new ClaimDecision(WriteResult.Conflict($"申领已是“{ClaimStatus.NameOf(current.Status)}”，不能再审核"), []);
            }
            var today = ChinaTime.Today(time);
            var facts = (await IntegrityFacts.ClaimAsync(connection, tx, protector, id, today))!;
            var findings = IntegrityRules.ForClaim(facts, catalogue.Policy.Limits);
            if (IntegrityRules.ApprovalRefusal(findings, reviewed) is { } refusal)
            {
                return new ClaimDecision(WriteResult.Conflict(refusal), findings);
            }
            // The living allowance is paid once a year: another claim granted with one meanwhile leaves none for this.
            var allowance = current.LivingAllowance > 0
                && await connection.ExecuteScalarAsync<long>(AllowanceThisYearSql, new { current.WorkerId, Year = today.Year, Id = id }, tx) > 0
                ? 0 : current.LivingAllowance;
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(ApproveSql, new
            {
                Id = id, FindingsJson = StoredJson.Write(findings), Now = now, Year = today.Year, LivingAllowance = allowance, DecidedBy = decidedBy, Note = note,
            }, tx);
            return new ClaimDecision(WriteResult.Ok(id, (int)current.Version + 1), findings);
        }, cancellationToken);

    public Task<WriteResult> RejectAsync(long id, string reason, string decidedBy, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<StatusRow>(database.Dialect.Render(StatusSql), new { Id = id }, tx);
            if (current is null)
            {
                return WriteResult.NotFound;
            }
            if (expectedVersion is not null && expectedVersion != current.Version)
            {
                return WriteResult.PreconditionFailed((int)current.Version);
            }
            if (current.Status != ClaimStatus.Submitted)
            {
                return WriteResult.Conflict($"申领已是“{ClaimStatus.NameOf(current.Status)}”，不能驳回");
            }
            await connection.ExecuteAsync(RejectSql, new { Id = id, DecidedBy = decidedBy, Note = reason, Now = time.GetUtcNow() }, tx);
            return WriteResult.Ok(id, (int)current.Version + 1);
        }, cancellationToken);

    /// <summary>
    /// A payment file of every approved claim of these counties, once: the claims become paid (已拨付) in the same
    /// transaction, so a claim is never in two files. Null when there is nothing to pay.
    /// </summary>
    public Task<PaymentFile?> ExportPaymentsAsync(IReadOnlyList<string> countyCodes, string createdBy, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var rows = (await connection.QueryAsync<PayableRow>(PayableSql, new { CountyCodes = countyCodes }, tx)).ToList();
            if (rows.Count == 0)
            {
                return null;
            }
            var lines = rows.Select(r => new PaymentLine(r.Id, r.RealName, r.IdNumberMasked, r.CountyCode, protector.Decrypt(r.BankAccountCipher), (int)r.Amount,
                (int)r.LivingAllowance)).ToList();
            var now = time.GetUtcNow();
            var batchId = await connection.ExecuteScalarAsync<long>(InsertBatchSql + database.Dialect.SelectInsertedId,
                new { CreatedBy = createdBy, Now = now, Claims = lines.Count, Total = lines.Sum(l => l.Amount + l.LivingAllowance) }, tx);
            await connection.ExecuteAsync(MarkPaidSql, lines.Select(l => new { Id = l.ClaimId, BatchId = batchId, Now = now }), tx);
            return (PaymentFile?)new PaymentFile(batchId, now, lines);
        }, cancellationToken);

    public async Task<SubsidyClaim?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<ClaimRow>(Select + " WHERE s.id = @Id", new { Id = id }))?.ToClaim();
    }

    public async Task<PagedList<SubsidyClaim>> ListAsync(SubsidyClaimFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = Query(filter);
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM subsidy_claims s JOIN workers w ON w.id = s.worker_id{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<ClaimRow>($"{Select}{query.Where} ORDER BY s.id{database.Dialect.Page}", query.Parameters);
        return new PagedList<SubsidyClaim>(rows.Select(r => r.ToClaim()).ToList(), page, pageSize, total);
    }

    /// <summary>Every claim the filter selects, in id order, read one row at a time (exports).</summary>
    public IEnumerable<SubsidyClaim> Stream(DbConnection connection, SubsidyClaimFilter filter) =>
        Query(filter).Stream<ClaimRow>(connection, Select, "s.id").Select(r => r.ToClaim());

    private static ListQuery Query(SubsidyClaimFilter filter) => new ListQuery()
        .Add("s.county_code IN @CountyCodes", "CountyCodes", filter.CountyCodes is { Count: > 0 } c ? c : null)
        .Add("s.status = @Status", "Status", filter.Status)
        .Add("s.worker_id = @WorkerId", "WorkerId", filter.WorkerId)
        .Add("s.cohort_id = @CohortId", "CohortId", filter.CohortId)
        .Add("s.granted_year = @GrantedYear", "GrantedYear", filter.GrantedYear)
        .When(filter.OnlyPriorityGroups, "w.priority_groups <> ''");

    /// <summary>The checks on one claim inside the caller's transaction, findings stored.</summary>
    private async Task<IReadOnlyList<IntegrityFinding>> CheckInAsync(DbConnection connection, DbTransaction tx, long id, DateOnly today, DateTimeOffset now)
    {
        var facts = (await IntegrityFacts.ClaimAsync(connection, tx, protector, id, today))!;
        var findings = IntegrityRules.ForClaim(facts, catalogue.Policy.Limits);
        await connection.ExecuteAsync(SetFindingsSql, new { Id = id, FindingsJson = StoredJson.Write(findings), Now = now }, tx);
        return findings;
    }

    private sealed class EnrolmentRow
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public long CohortId { get; init; }
        public string Status { get; init; } = "";
        public string TrainingType { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string PriorityGroups { get; init; } = "";
        public string? Completion { get; init; }
        public long? DaysAttended { get; init; }
    }

    private sealed class StatusRow
    {
        public string Status { get; init; } = "";
        public long Version { get; init; }
        public long WorkerId { get; init; }
        public long LivingAllowance { get; init; }
        public long EnrolmentId { get; init; }
    }

    private sealed class PayableRow
    {
        public long Id { get; init; }
        public string RealName { get; init; } = "";
        public string IdNumberMasked { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public byte[] BankAccountCipher { get; init; } = [];
        public long Amount { get; init; }
        public long LivingAllowance { get; init; }
    }

    private sealed class ClaimRow
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public string WorkerName { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string WorkerPriorityGroups { get; init; } = "";
        public long EnrolmentId { get; init; }
        public long CohortId { get; init; }
        public string CohortName { get; init; } = "";
        public long CertificateId { get; init; }
        public string CertificateType { get; init; } = "";
        public string TradeId { get; init; } = "";
        public long? Level { get; init; }
        public long Amount { get; init; }
        public long LivingAllowance { get; init; }
        public string Basis { get; init; } = "";
        public string BankAccountMasked { get; init; } = "";
        public string Status { get; init; } = "";
        public string FindingsJson { get; init; } = "[]";
        public DateTimeOffset CheckedAt { get; init; }
        public DateOnly ClaimedOn { get; init; }
        public long? GrantedYear { get; init; }
        public string CreatedBy { get; init; } = "";
        public string? DecidedBy { get; init; }
        public DateTimeOffset? DecidedAt { get; init; }
        public string? DecisionNote { get; init; }
        public long? PaymentBatchId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public SubsidyClaim ToClaim() => new(Id, WorkerId, WorkerName, CountyCode, Codes.Split(WorkerPriorityGroups), EnrolmentId, CohortId, CohortName, CertificateId,
            CertificateType, TradeId, (int?)Level, (int)Amount, (int)LivingAllowance, Basis, BankAccountMasked, Status,
            StoredJson.Read<List<IntegrityFinding>>(FindingsJson), CheckedAt, ClaimedOn, (int?)GrantedYear, CreatedBy, DecidedBy, DecidedAt, DecisionNote,
            PaymentBatchId, CreatedAt, UpdatedAt, (int)Version);
    }
}
