using System.Data.Common;
using Dapper;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Training;
using Matching.Domain.Workers;

namespace Matching.Data.Training;

/// <summary>Attendance, completion and assessment of one enrolment (what happened in the cohort).</summary>
public sealed record TrainingResult(
    long EnrolmentId,
    long CohortId,
    long WorkerId,
    int DaysScheduled,
    int? DaysAttended,
    string Completion,
    DateOnly? CompletedOn,
    bool? AssessmentPassed,
    DateOnly? AssessedOn,
    string? AssessingBody,
    DateTimeOffset UpdatedAt,
    int Version);

/// <summary>A certificate gained, as recorded.</summary>
public sealed record Certificate(
    long Id,
    long WorkerId,
    long? EnrolmentId,
    string Type,
    string TradeId,
    int? Level,
    string Number,
    string IssuingBody,
    string IssuingProvince,
    DateOnly IssuedOn,
    DateOnly? ExpiresOn,
    DateTimeOffset CreatedAt) : IVersioned
{
    int IVersioned.Version => 1;
}

/// <summary>
/// Training results (考勤、结业、考核) per enrolment and certificates (证书) per worker. A recorded certificate raises
/// the worker's level in its trade and joins the worker's certificates in the same transaction, so search and
/// matching see it.
/// </summary>
public sealed class TrainingRecordStore(Database database, TimeProvider time)
{
    private const string ResultColumns = """
        enrolment_id, cohort_id, worker_id, days_scheduled, days_attended, completion, completed_on, assessment_passed, assessed_on, assessing_body, updated_at, version
        """;
    private const string CohortResultsSql = """
        SELECT r.enrolment_id, r.cohort_id, r.worker_id, r.days_scheduled, r.days_attended, r.completion, r.completed_on, r.assessment_passed, r.assessed_on,
            r.assessing_body, r.updated_at, r.version
        FROM training_results r JOIN workers w ON w.id = r.worker_id
        """;
    private const string EnrolmentSql = "SELECT cohort_id, worker_id, status FROM enrolments WHERE id = @Id";
    private const string UpdateResultSql = """
        UPDATE training_results SET days_scheduled = @DaysScheduled, days_attended = @DaysAttended, completion = @Completion, completed_on = @CompletedOn,
            assessment_passed = @AssessmentPassed, assessed_on = @AssessedOn, assessing_body = @AssessingBody, updated_at = @Now, version = version + 1
        WHERE enrolment_id = @EnrolmentId
        """;
    private const string InsertResultSql = """
        INSERT INTO training_results (enrolment_id, cohort_id, worker_id, days_scheduled, days_attended, completion, completed_on, assessment_passed,
            assessed_on, assessing_body, updated_at, version)
        VALUES (@EnrolmentId, @CohortId, @WorkerId, @DaysScheduled, @DaysAttended, @Completion, @CompletedOn, @AssessmentPassed, @AssessedOn, @AssessingBody, @Now, 1)
        """;
    private const string PendingForCohortSql = """
        INSERT INTO training_results (enrolment_id, cohort_id, worker_id, days_scheduled, days_attended, completion, completed_on, assessment_passed,
            assessed_on, assessing_body, updated_at, version)
        SELECT e.id, e.cohort_id, e.worker_id, @DaysScheduled, NULL, 'pending', NULL, NULL, NULL, NULL, @Now, 1
        FROM enrolments e
        WHERE e.cohort_id = @CohortId AND e.status = 'accepted' AND NOT EXISTS (SELECT 1 FROM training_results r WHERE r.enrolment_id = e.id)
        """;
    private const string CertificateColumns = """
        id, worker_id, enrolment_id, type, trade_id, level, number, issuing_body, issuing_province, issued_on, expires_on, created_at
        """;
    // Joined through the worker as well, so the worker index finds a cohort's certificates (a certificate's enrolment is its worker's).
    private const string CohortCertificatesSql = """
        SELECT k.id, k.worker_id, k.enrolment_id, k.type, k.trade_id, k.level, k.number, k.issuing_body, k.issuing_province, k.issued_on, k.expires_on, k.created_at
        FROM enrolments e JOIN certificates k ON k.worker_id = e.worker_id AND k.enrolment_id = e.id JOIN workers w ON w.id = k.worker_id
        """;
    private const string CertificateNumberSql = "SELECT id FROM certificates WHERE type = @Type AND number = @Number";
    private const string WorkerRowSql = "SELECT trades_json, certificates_json FROM workers WHERE id = @Id";
    private const string InsertCertificateSql = """
        INSERT INTO certificates (worker_id, enrolment_id, type, trade_id, level, number, issuing_body, issuing_province, issued_on, expires_on, created_at)
        VALUES (@WorkerId, @EnrolmentId, @Type, @TradeId, @Level, @Number, @IssuingBody, @IssuingProvince, @IssuedOn, @ExpiresOn, @Now)
        """;
    private const string UpdateWorkerSkillsSql = """
        UPDATE workers SET trades_json = @TradesJson, trade_ids = @TradeIds, certificates_json = @CertificatesJson, updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;
    private const string RecordedSql = """
        SELECT type, trade_id, level, issued_on, expires_on, issuing_province FROM certificates WHERE worker_id = @WorkerId ORDER BY id
        """;

    /// <summary>
    /// Records results for enrolments of one cohort, all or none: each must be an enrolment of the cohort that took
    /// part (accepted). Every row is checked before any is written (the transaction commits what it wrote), so a refusal
    /// (the first, field keyed by the row) leaves every result as it was.
    /// </summary>
    public Task<WriteResult> RecordResultsAsync(long cohortId, IReadOnlyList<(long EnrolmentId, TrainingResultDraft Draft)> rows, string fieldPrefix,
        CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var enrolments = new List<(long CohortId, long WorkerId)>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var enrolment = await connection.QuerySingleOrDefaultAsync<(long CohortId, long WorkerId, string Status)?>(EnrolmentSql, new { Id = rows[i].EnrolmentId }, tx);
                var field = string.Format(System.Globalization.CultureInfo.InvariantCulture, fieldPrefix, i);
                if (enrolment is not { } e || e.CohortId != cohortId)
                {
                    return WriteResult.Invalid(field + "enrolmentId", "不是本班期的报名记录");
                }
                if (e.Status != Domain.Enrolments.EnrolmentStatus.Accepted)
                {
                    return WriteResult.Invalid(field + "enrolmentId", "该学员未确认参训，不能登记培训结果");
                }
                enrolments.Add((e.CohortId, e.WorkerId));
            }
            var now = time.GetUtcNow();
            for (var i = 0; i < rows.Count; i++)
            {
                var (enrolmentId, d) = rows[i];
                var parameters = new
                {
                    EnrolmentId = enrolmentId, enrolments[i].CohortId, enrolments[i].WorkerId, d.DaysScheduled, d.DaysAttended, d.Completion, d.CompletedOn,
                    d.AssessmentPassed, d.AssessedOn, d.AssessingBody, Now = now,
                };
                if (await connection.ExecuteAsync(UpdateResultSql, parameters, tx) == 0)
                {
                    await connection.ExecuteAsync(InsertResultSql, parameters, tx);
                }
            }
            return WriteResult.Ok(cohortId, 1);
        }, cancellationToken);

    /// <summary>At the cohort's end: a pending result for each trainee who took part, with the cohort's days scheduled.</summary>
    public static Task<int> CreatePendingAsync(DbConnection connection, DbTransaction tx, long cohortId, int daysScheduled, DateTimeOffset now) =>
        connection.ExecuteAsync(PendingForCohortSql, new { CohortId = cohortId, DaysScheduled = daysScheduled, Now = now }, tx);

    public async Task<TrainingResult?> ResultAsync(long enrolmentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<ResultRow>($"SELECT {ResultColumns} FROM training_results WHERE enrolment_id = @Id", new { Id = enrolmentId }))?.ToResult();
    }

    /// <summary>A cohort's results, narrowed inside the query to trainees of these counties and, when asked, of priority groups.</summary>
    public async Task<IReadOnlyList<TrainingResult>> CohortResultsAsync(long cohortId, IReadOnlyList<string>? countyCodes, bool onlyPriorityGroups,
        CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("r.cohort_id = @CohortId", "CohortId", (long?)cohortId)
            .Add("w.county_code IN @CountyCodes", "CountyCodes", countyCodes is { Count: > 0 } c ? c : countyCodes is null ? null : new[] { "" })
            .When(onlyPriorityGroups, "w.priority_groups <> ''");
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ResultRow>(
                $"{CohortResultsSql}{query.Where} ORDER BY r.enrolment_id",
                query.Parameters))
            .Select(r => r.ToResult()).ToList();
    }

    /// <summary>Records a certificate of the worker; a number already recorded for the type is a conflict naming it.</summary>
    public Task<WriteResult> CreateCertificateAsync(long workerId, CertificateDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var worker = await connection.QuerySingleOrDefaultAsync<(string TradesJson, string CertificatesJson)?>(WorkerRowSql, new { Id = workerId }, tx);
            if (worker is not { } w)
            {
                return WriteResult.NotFound;
            }
            if (draft.EnrolmentId is { } enrolmentId)
            {
                var enrolment = await connection.QuerySingleOrDefaultAsync<(long CohortId, long WorkerId, string Status)?>(EnrolmentSql, new { Id = enrolmentId }, tx);
                if (enrolment?.WorkerId != workerId)
                {
                    return WriteResult.Invalid("enrolmentId", "不是该劳动者的报名记录");
                }
                // A certificate gained in a cohort is a trainee's: one who confirmed and took part.
                if (enrolment.Value.Status != Domain.Enrolments.EnrolmentStatus.Accepted)
                {
                    return WriteResult.Invalid("enrolmentId", "该学员未确认参训，不能登记本班期取得的证书");
                }
            }
            if (await connection.ExecuteScalarAsync<long?>(CertificateNumberSql, new { draft.Type, draft.Number }, tx) is { } existing)
            {
                return WriteResult.Conflict($"该证书编号已登记（证书记录 {existing}），请核对是否重复或冒用", existing);
            }
            var now = time.GetUtcNow();
            var id = await connection.ExecuteScalarAsync<long>(InsertCertificateSql + database.Dialect.SelectInsertedId, new
            {
                WorkerId = workerId, draft.EnrolmentId, draft.Type, draft.TradeId, draft.Level, draft.Number, draft.IssuingBody, draft.IssuingProvince,
                draft.IssuedOn, draft.ExpiresOn, Now = now,
            }, tx);
            var (trades, certificates) = TrainingRules.Apply(StoredJson.Read<List<WorkerTrade>>(w.TradesJson), StoredJson.Read<List<WorkerCertificate>>(w.CertificatesJson),
                [draft.AsWorkerCertificate]);
            await connection.ExecuteAsync(UpdateWorkerSkillsSql, new
            {
                Id = workerId, TradesJson = StoredJson.Write(trades), TradeIds = Codes.Join(trades.Select(t => t.TradeId)), CertificatesJson = StoredJson.Write(certificates), Now = now,
            }, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, WorkerStore.OutboxEntity, workerId, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    /// <summary>
    /// Certificates gained in a cohort (recorded with one of its enrolments), narrowed inside the query to trainees of
    /// these counties and, when asked, of priority groups, as the cohort's results are.
    /// </summary>
    public async Task<IReadOnlyList<Certificate>> CohortCertificatesAsync(long cohortId, IReadOnlyList<string>? countyCodes, bool onlyPriorityGroups,
        CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("e.cohort_id = @CohortId", "CohortId", (long?)cohortId)
            .Add("w.county_code IN @CountyCodes", "CountyCodes", countyCodes is { Count: > 0 } c ? c : countyCodes is null ? null : new[] { "" })
            .When(onlyPriorityGroups, "w.priority_groups <> ''");
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<CertificateRow>($"{CohortCertificatesSql}{query.Where} ORDER BY k.issued_on, k.id", query.Parameters))
            .Select(r => r.ToCertificate()).ToList();
    }

    /// <summary>The worker's recorded certificates as the worker's certificate list holds them (for keeping them through a re-registration).</summary>
    public static async Task<IReadOnlyList<WorkerCertificate>> RecordedAsync(DbConnection connection, DbTransaction tx, long workerId) =>
        (await connection.QueryAsync<RecordedRow>(RecordedSql, new { WorkerId = workerId }, tx))
            .Select(r => new WorkerCertificate(r.Type, r.TradeId, (int?)r.Level, r.IssuedOn, r.ExpiresOn, r.IssuingProvince)).ToList();

    public async Task<Certificate?> CertificateAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<CertificateRow>($"SELECT {CertificateColumns} FROM certificates WHERE id = @Id", new { Id = id }))?.ToCertificate();
    }

    public async Task<IReadOnlyList<Certificate>> CertificatesOfAsync(long workerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<CertificateRow>($"SELECT {CertificateColumns} FROM certificates WHERE worker_id = @Id ORDER BY issued_on, id", new { Id = workerId }))
            .Select(r => r.ToCertificate()).ToList();
    }

    private sealed class RecordedRow
    {
        public string Type { get; init; } = "";
        public string TradeId { get; init; } = "";
        public long? Level { get; init; }
        public DateOnly IssuedOn { get; init; }
        public DateOnly? ExpiresOn { get; init; }
        public string IssuingProvince { get; init; } = "";
    }

    private sealed class ResultRow
    {
        public long EnrolmentId { get; init; }
        public long CohortId { get; init; }
        public long WorkerId { get; init; }
        public long DaysScheduled { get; init; }
        public long? DaysAttended { get; init; }
        public string Completion { get; init; } = "";
        public DateOnly? CompletedOn { get; init; }
        public bool? AssessmentPassed { get; init; }
        public DateOnly? AssessedOn { get; init; }
        public string? AssessingBody { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public TrainingResult ToResult() => new(EnrolmentId, CohortId, WorkerId, (int)DaysScheduled, (int?)DaysAttended, Completion, CompletedOn, AssessmentPassed,
            AssessedOn, AssessingBody, UpdatedAt, (int)Version);
    }

    private sealed class CertificateRow
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public long? EnrolmentId { get; init; }
        public string Type { get; init; } = "";
        public string TradeId { get; init; } = "";
        public long? Level { get; init; }
        public string Number { get; init; } = "";
        public string IssuingBody { get; init; } = "";
        public string IssuingProvince { get; init; } = "";
        public DateOnly IssuedOn { get; init; }
        public DateOnly? ExpiresOn { get; init; }
        public DateTimeOffset CreatedAt { get; init; }

        public Certificate ToCertificate() => new(Id, WorkerId, EnrolmentId, Type, TradeId, (int?)Level, Number, IssuingBody, IssuingProvince, IssuedOn, ExpiresOn, CreatedAt);
    }
}

/// <summary>An enrolment of a worker with its cohort and what happened in it, for the lifelong record.</summary>
public sealed record TrainingHistoryEntry(
    long EnrolmentId,
    long CohortId,
    string CohortName,
    long EmployerId,
    string TrainingType,
    IReadOnlyList<string> Trades,
    DateOnly StartDate,
    DateOnly EndDate,
    string CohortStatus,
    string Status,
    DateTimeOffset EnrolledAt,
    TrainingResult? Result);

/// <summary>Reads a worker's trainings for the lifelong record, only those the reader may see (an employer: its own cohorts).</summary>
public sealed class TrainingHistoryStore(Database database)
{
    private const string Sql = """
        SELECT e.id AS enrolment_id, e.cohort_id, c.name AS cohort_name, c.employer_id, c.training_type, c.trades, c.start_date, c.end_date,
            c.status AS cohort_status, e.status, e.created_at AS enrolled_at,
            r.days_scheduled, r.days_attended, r.completion, r.completed_on, r.assessment_passed, r.assessed_on, r.assessing_body, r.updated_at, r.version
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id LEFT JOIN training_results r ON r.enrolment_id = e.id
        WHERE e.worker_id = @WorkerId AND (@EmployerId IS NULL OR c.employer_id = @EmployerId)
        ORDER BY c.start_date, e.id
        """;

    public async Task<IReadOnlyList<TrainingHistoryEntry>> OfWorkerAsync(long workerId, long? onlyEmployerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(Sql, new { WorkerId = workerId, EmployerId = onlyEmployerId })).Select(r => r.ToEntry(workerId)).ToList();
    }

    private sealed class Row
    {
        public long EnrolmentId { get; init; }
        public long CohortId { get; init; }
        public string CohortName { get; init; } = "";
        public long EmployerId { get; init; }
        public string TrainingType { get; init; } = "";
        public string Trades { get; init; } = "";
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public string CohortStatus { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset EnrolledAt { get; init; }
        public long? DaysScheduled { get; init; }
        public long? DaysAttended { get; init; }
        public string? Completion { get; init; }
        public DateOnly? CompletedOn { get; init; }
        public bool? AssessmentPassed { get; init; }
        public DateOnly? AssessedOn { get; init; }
        public string? AssessingBody { get; init; }
        public DateTimeOffset? UpdatedAt { get; init; }
        public long? Version { get; init; }

        public TrainingHistoryEntry ToEntry(long workerId) => new(EnrolmentId, CohortId, CohortName, EmployerId, TrainingType, Codes.Split(Trades), StartDate, EndDate,
            CohortStatus, Status, EnrolledAt,
            Completion is null ? null : new TrainingResult(EnrolmentId, CohortId, workerId, (int)(DaysScheduled ?? 0), (int?)DaysAttended, Completion, CompletedOn,
                AssessmentPassed, AssessedOn, AssessingBody, UpdatedAt ?? default, (int)(Version ?? 1)));
    }
}

/// <summary>Counts behind the targets' progress, per county: completions in a year and first high-skilled certificates per year.</summary>
public sealed class TargetCountStore(Database database)
{
    private const string CompletionsSql = """
        SELECT w.county_code, COUNT(*) AS n FROM training_results r JOIN workers w ON w.id = r.worker_id
        WHERE r.completion = 'completed' AND r.completed_on >= @From AND r.completed_on <= @To
        GROUP BY w.county_code
        """;
    // Each worker counts once, in the year of the first certificate at a high-skilled level.
    private const string FirstHighSkilledSql = """
        SELECT w.county_code, f.first_on, COUNT(*) AS n
        FROM (SELECT worker_id, MIN(issued_on) AS first_on FROM certificates WHERE level >= @MinLevel GROUP BY worker_id) f JOIN workers w ON w.id = f.worker_id
        WHERE f.first_on <= @To
        GROUP BY w.county_code, f.first_on
        """;

    public async Task<(IReadOnlyDictionary<string, int> Completions, IReadOnlyDictionary<(string County, int Year), int> FirstHighSkilled)> CountsAsync(
        int year, int minHighSkilledLevel, CancellationToken cancellationToken = default)
    {
        var range = new { From = new DateOnly(year, 1, 1), To = new DateOnly(year, 12, 31), MinLevel = minHighSkilledLevel };
        await using var connection = await database.OpenAsync(cancellationToken);
        var completions = (await connection.QueryAsync<(string County, long N)>(CompletionsSql, range)).ToDictionary(r => r.County, r => (int)r.N, StringComparer.Ordinal);
        var firsts = new Dictionary<(string, int), int>();
        foreach (var (county, firstOn, n) in await connection.QueryAsync<(string County, DateOnly FirstOn, long N)>(FirstHighSkilledSql, range))
        {
            var key = (county, firstOn.Year);
            firsts[key] = firsts.GetValueOrDefault(key) + (int)n;
        }
        return (completions, firsts);
    }
}
