using System.Data.Common;
using System.Globalization;
using Dapper;
using Matching.Data.Access;
using Matching.Data.Cohorts;
using Matching.Data.Dispatch;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Enrolments;
using Matching.Domain.Matching;
using Matching.Domain.Validation;

namespace Matching.Data.Enrolments;

/// <summary>An enrolment (报名/录取) as stored, with what the rules of who-sees-what need (cohort employer, worker county and groups).</summary>
public sealed record Enrolment(
    long Id,
    long CohortId,
    string CohortName,
    long EmployerId,
    long? InstitutionId,
    DateOnly CohortStart,
    DateOnly CohortEnd,
    long WorkerId,
    string WorkerName,
    string WorkerCounty,
    IReadOnlyList<string> WorkerPriorityGroups,
    string Status,
    string Source,
    string? Note,
    long? DispatchRoundId,
    int? WaitlistPosition,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record EnrolmentFilter(
    long? CohortId = null,
    long? WorkerId = null,
    string? Status = null,
    IReadOnlyList<string>? CountyCodes = null,
    long? EmployerId = null,
    bool OnlyPriorityGroups = false,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedBefore = null,
    long? InstitutionId = null);

/// <summary>What a clerk records of the worker's answer to an offer, or the worker leaving.</summary>
public enum EnrolmentAnswer { Accept, Decline, Withdraw }

/// <summary>How asking for a seat ended.</summary>
public enum SeatOutcome { Offered, Waitlisted, Refused }

/// <summary>
/// A seat request's result: the enrolment (offered or waitlisted), or the refusal in Chinese; when the eligibility rule
/// refused the worker, <see cref="Ineligible"/> holds its reasons.
/// </summary>
public sealed record SeatResult(SeatOutcome Outcome, long EnrolmentId, WriteResult Refusal, IReadOnlyList<string>? Ineligible = null)
{
    public static SeatResult Refused(WriteResult refusal) => new(SeatOutcome.Refused, 0, refusal);
}

/// <summary>A clerk's explicit decision to enrol a worker the eligibility rule refuses: who, and why (recorded in the audit log).</summary>
public sealed record EligibilityOverride(long? UserId, string UserName, string? Role, string Reason);

/// <summary>
/// The eligibility rule (<see cref="CohortEligibility"/>) for a seat: read the worker (with whether they are in a job)
/// and the cohort with the openings it trains for, inside the caller's transaction, and say why not, in Chinese.
/// </summary>
public static class EnrolmentEligibility
{
    private const string WorkerSql = $"""
        SELECT id, birth_date, trades_json, certificates_json, destinations, available_from, training_intentions,
            {StoredWorkerRow.InActivePlacementColumn}
        FROM workers WHERE id = @Id
        """;

    /// <summary>Why the worker may not take a seat in the cohort; empty when the rule admits them.</summary>
    public static async Task<IReadOnlyList<string>> ReasonsAsync(DbConnection connection, DbTransaction tx, Catalogue catalogue, long cohortId, long workerId)
    {
        var worker = await connection.QuerySingleOrDefaultAsync<StoredWorkerRow>(WorkerSql, new { Id = workerId }, tx);
        var cohort = await DispatchInputs.CohortAsync(connection, tx, cohortId);
        if (worker is null || cohort is null)
        {
            return ["劳动者或班期不存在"];
        }
        return CohortEligibility.Reasons(catalogue, worker.Terms, cohort.Terms);
    }
}

/// <summary>
/// Seats of cohorts, inside the caller's write transaction: the one place that decides offer, waitlist or refusal,
/// used by clerks' enrolments, committed dispatch rounds, waitlist promotion and re-offers after a cancellation.
/// On SQLite the write transaction is BEGIN IMMEDIATE, so seat counts and the insert that follows are serialised;
/// the capacity triggers of the schema refuse an overbooking even if a caller forgot that.
/// </summary>
public static class EnrolmentSeats
{
    private const string CohortSql = """
        SELECT id, name, status, capacity, enrolment_deadline, start_date, end_date,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_taken
        FROM cohorts c /*UPDLOCK*/ WHERE c.id = @CohortId
        """;
    private const string ExistingSql = "SELECT id, status FROM enrolments WHERE cohort_id = @CohortId AND worker_id = @WorkerId";
    private const string InsertSql = """
        INSERT INTO enrolments (cohort_id, worker_id, status, source, note, dispatch_round_id, eligibility_override, created_at, updated_at)
        VALUES (@CohortId, @WorkerId, @Status, @Source, @Note, @RoundId, @Override, @Now, @Now)
        """;
    private const string ReviveSql = """
        UPDATE enrolments SET status = @Status, source = @Source, note = @Note, dispatch_round_id = @RoundId, eligibility_override = @Override,
            updated_at = @Now
        WHERE id = @Id
        """;
    private const string NextWaitlistedSql = """
        SELECT e.id, e.worker_id, e.eligibility_override FROM enrolments e
        WHERE e.cohort_id = @CohortId AND e.status = 'waitlisted'
        ORDER BY e.updated_at, e.id
        """;
    private const string PromoteSql = "UPDATE enrolments SET status = 'offered', source = 'waitlist', note = @Note, updated_at = @Now WHERE id = @Id";
    // The note says why the worker was passed over; the place in the queue (updated_at) is kept.
    private const string PassOverSql = "UPDATE enrolments SET note = @Note WHERE id = @Id";

    /// <summary>
    /// Gives the worker a seat in the cohort (offered), else a waitlist place when <paramref name="allowWaitlist"/>,
    /// else refuses: cohort not open or past its deadline (400-like Invalid), already enrolled, overlapping another
    /// cohort the worker holds (naming it), or full (409-like Conflict).
    /// </summary>
    public static async Task<SeatResult> RequestAsync(SqlDialect dialect, DbConnection connection, DbTransaction tx, Catalogue catalogue, long cohortId, long workerId,
        bool allowWaitlist, string source, string? note, long? roundId, DateOnly today, DateTimeOffset now, EligibilityOverride? @override = null)
    {
        var cohort = await connection.QuerySingleOrDefaultAsync<CohortSeats>(dialect.Render(CohortSql), new { CohortId = cohortId }, tx);
        if (cohort is null)
        {
            return SeatResult.Refused(WriteResult.NotFound);
        }
        if (cohort.Status != CohortStatus.Open)
        {
            return SeatResult.Refused(WriteResult.Conflict($"班期“{cohort.Name}”当前为“{CohortStatus.NameOf(cohort.Status)}”，不接受报名"));
        }
        if (!CohortStatus.TakesEnrolment(cohort.Status, cohort.EnrolmentDeadline, today))
        {
            return SeatResult.Refused(WriteResult.Conflict($"班期“{cohort.Name}”已于{cohort.EnrolmentDeadline:yyyy-MM-dd}截止报名"));
        }
        var existing = await connection.QuerySingleOrDefaultAsync<(long Id, string Status)?>(ExistingSql, new { CohortId = cohortId, WorkerId = workerId }, tx);
        if (existing is { } e && EnrolmentStatus.Active.Contains(e.Status))
        {
            return SeatResult.Refused(WriteResult.Conflict($"该劳动者已报名本班期（{EnrolmentStatus.NameOf(e.Status)}），报名编号 {e.Id}", e.Id));
        }
        // The one eligibility rule, whoever asks: a clerk, a dispatch commit, a re-offer. Only a clerk may override it, saying why.
        var ineligible = await EnrolmentEligibility.ReasonsAsync(connection, tx, catalogue, cohortId, workerId);
        if (ineligible.Count > 0 && @override is null)
        {
            return new SeatResult(SeatOutcome.Refused, 0, WriteResult.Conflict("不符合报名资格：" + string.Join("；", ineligible)), ineligible);
        }
        // The integrity checks (overlapping cohorts, vital status, the institution's teachers, shared phones…): a block
        // refuses the seat; what needs review is noted on the enrolment.
        var verdict = await SeatGate.CheckAsync(dialect, connection, tx, catalogue, cohortId, workerId, today);
        if (verdict.Blocked)
        {
            return SeatResult.Refused(WriteResult.Conflict(verdict.Refusal, verdict.OverlappingCohortId));
        }
        note = verdict.NoteWith(note);
        string status;
        if (cohort.SeatsTaken < cohort.Capacity)
        {
            status = EnrolmentStatus.Offered;
        }
        else if (allowWaitlist)
        {
            status = EnrolmentStatus.Waitlisted;
        }
        else
        {
            return SeatResult.Refused(WriteResult.Conflict($"班期“{cohort.Name}”名额已满（{cohort.Capacity}人）"));
        }
        var overridden = ineligible.Count > 0 ? @override : null;
        if (overridden is not null)
        {
            note = $"{note}{(string.IsNullOrEmpty(note) ? "" : "；")}经{overridden.UserName}决定越过资格规则：{overridden.Reason}";
        }
        var parameters = new
        {
            CohortId = cohortId, WorkerId = workerId, Status = status, Source = source, Note = note, RoundId = roundId, Now = now, Id = existing?.Id ?? 0,
            Override = overridden?.Reason,
        };
        long id;
        if (existing is { } revived)
        {
            // A worker who declined or withdrew may come back: the one row per cohort and worker is reused.
            await connection.ExecuteAsync(ReviveSql, parameters, tx);
            id = revived.Id;
        }
        else
        {
            id = await connection.ExecuteScalarAsync<long>(InsertSql + dialect.SelectInsertedId, parameters, tx);
        }
        if (overridden is not null)
        {
            await AuditLog.AppendAsync(connection, tx, new AuditEntry(0, now, overridden.UserId, overridden.UserName, overridden.Role,
                "enrolment.eligibility-override", "enrolment", id.ToString(CultureInfo.InvariantCulture), "success", 201,
                // Who is the entry's user; why is the clerk's reason. The rule's reasons stay with the enrolment (they name personal facts).
                $"理由：{overridden.Reason}（不符合{ineligible.Count}项报名资格）"));
        }
        if (status == EnrolmentStatus.Offered)
        {
            // A taken seat changes the free seats the search index shows for the cohort's openings.
            await OutboxWriter.EnqueueAsync(connection, tx, CohortStore.OutboxEntity, cohortId, OutboxWriter.Upsert, now);
        }
        return new SeatResult(status == EnrolmentStatus.Offered ? SeatOutcome.Offered : SeatOutcome.Waitlisted, id, default);
    }

    /// <summary>
    /// Fills the cohort's free seats from its waitlist, longest waiting first (an offer the worker then answers), each
    /// worker checked again against the eligibility rule (things change while one waits): one the rule now refuses keeps
    /// their place with the reasons in the note and is passed over, unless a clerk enrolled them by an override.
    /// Waitlisted workers only exist without overlapping holds, so promotion never breaks the overlap rule.
    /// </summary>
    public static async Task<IReadOnlyList<long>> PromoteWaitlistAsync(DbConnection connection, DbTransaction tx, Catalogue catalogue, long cohortId, DateTimeOffset now, SqlDialect? dialect = null)
    {
        var cohort = await connection.QuerySingleOrDefaultAsync<CohortSeats>(dialect?.Render(CohortSql) ?? CohortSql, new { CohortId = cohortId }, tx);
        if (cohort is null || cohort.Status is not (CohortStatus.Open or CohortStatus.Confirmed) || cohort.SeatsTaken >= cohort.Capacity)
        {
            return [];
        }
        var waiting = (await connection.QueryAsync<(long Id, long WorkerId, string? Override)>(NextWaitlistedSql, new { CohortId = cohortId }, tx)).ToList();
        var promoted = new List<long>();
        var free = (int)(cohort.Capacity - cohort.SeatsTaken);
        foreach (var (id, workerId, overridden) in waiting)
        {
            if (promoted.Count == free)
            {
                break;
            }
            var ineligible = overridden is null ? await EnrolmentEligibility.ReasonsAsync(connection, tx, catalogue, cohortId, workerId) : [];
            if (ineligible.Count > 0)
            {
                await connection.ExecuteAsync(PassOverSql, new { Id = id, Note = "候补递补时不符合报名资格：" + string.Join("；", ineligible) }, tx);
                continue;
            }
            await connection.ExecuteAsync(PromoteSql, new { Id = id, Note = "候补递补：有名额空出", Now = now }, tx);
            promoted.Add(id);
        }
        return promoted;
    }

    private sealed class CohortSeats
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Status { get; init; } = "";
        public long Capacity { get; init; }
        public DateOnly EnrolmentDeadline { get; init; }
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public long SeatsTaken { get; init; }
    }
}

/// <summary>Enrolments: clerks enrol workers, record their answers; seats free up to the waitlist.</summary>
public sealed class EnrolmentStore(Database database, TimeProvider time, Catalogue catalogue)
{
    private const string Select = """
        SELECT e.id, e.cohort_id, c.name AS cohort_name, c.employer_id, c.institution_id, c.start_date AS cohort_start, c.end_date AS cohort_end,
            e.worker_id, w.real_name AS worker_name, w.county_code AS worker_county, w.priority_groups AS worker_priority_groups,
            e.status, e.source, e.note, e.dispatch_round_id,
            CASE WHEN e.status = 'waitlisted' THEN (SELECT COUNT(*) FROM enrolments q WHERE q.cohort_id = e.cohort_id AND q.status = 'waitlisted'
                AND (q.updated_at < e.updated_at OR (q.updated_at = e.updated_at AND q.id <= e.id))) END AS waitlist_position,
            e.created_at, e.updated_at
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN workers w ON w.id = e.worker_id
        """;
    private const string CurrentSql = """
        SELECT e.status, e.cohort_id, c.status AS cohort_status, c.name AS cohort_name
        FROM enrolments e /*UPDLOCK*/ JOIN cohorts c ON c.id = e.cohort_id WHERE e.id = @Id
        """;
    private const string SetStatusSql = "UPDATE enrolments SET status = @Status, updated_at = @Now WHERE id = @Id";

    /// <summary>
    /// Enrols a worker: an offer when a seat is free, else a waitlist place (or a refusal when no waitlist is wanted).
    /// A worker the eligibility rule refuses is enrolled only with <paramref name="override"/> (who and why, audited).
    /// </summary>
    public Task<SeatResult> EnrolAsync(long cohortId, long workerId, bool allowWaitlist, EligibilityOverride? @override = null, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync((connection, tx) => EnrolmentSeats.RequestAsync(database.Dialect, connection, tx, catalogue, cohortId, workerId, allowWaitlist,
            EnrolmentSource.Manual, null, null, ChinaTime.Today(time), time.GetUtcNow(), @override), cancellationToken);

    /// <summary>
    /// Records the worker's answer: accept or decline an offer, or withdraw (from an offer, an accepted seat or the
    /// waitlist). A seat that frees goes to the waitlist at once. Returns the promoted enrolments.
    /// </summary>
    public Task<(WriteResult Result, IReadOnlyList<long> Promoted)> AnswerAsync(long id, EnrolmentAnswer answer, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync<(WriteResult, IReadOnlyList<long>)>(async (connection, tx) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<(string Status, long CohortId, string CohortStatus, string CohortName)?>(database.Dialect.Render(CurrentSql), new { Id = id }, tx);
            if (current is not { } c)
            {
                return (WriteResult.NotFound, []);
            }
            if (c.CohortStatus is CohortStatus.Completed or CohortStatus.Cancelled)
            {
                return (WriteResult.Conflict($"班期“{c.CohortName}”{CohortStatus.NameOf(c.CohortStatus)}，报名不能再变更"), []);
            }
            var (allowedFrom, to) = answer switch
            {
                EnrolmentAnswer.Accept => (new[] { EnrolmentStatus.Offered }, EnrolmentStatus.Accepted),
                EnrolmentAnswer.Decline => ([EnrolmentStatus.Offered], EnrolmentStatus.Declined),
                _ => ([EnrolmentStatus.Offered, EnrolmentStatus.Accepted, EnrolmentStatus.Waitlisted], EnrolmentStatus.Withdrawn),
            };
            if (!allowedFrom.Contains(c.Status))
            {
                var wanted = string.Join("或", allowedFrom.Select(s => $"“{EnrolmentStatus.NameOf(s)}”"));
                return (WriteResult.Conflict($"当前状态为“{EnrolmentStatus.NameOf(c.Status)}”，只有{wanted}的报名可以{AnswerName(answer)}"), []);
            }
            if (answer == EnrolmentAnswer.Accept && c.CohortStatus is CohortStatus.InTraining)
            {
                return (WriteResult.Conflict($"班期“{c.CohortName}”已开班，不能再确认参训"), []);
            }
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(SetStatusSql, new { Id = id, Status = to, Now = now }, tx);
            IReadOnlyList<long> promoted = EnrolmentStatus.HoldingSeat.Contains(c.Status) && !EnrolmentStatus.HoldingSeat.Contains(to)
                ? await EnrolmentSeats.PromoteWaitlistAsync(connection, tx, catalogue, c.CohortId, now, database.Dialect)
                : [];
            await OutboxWriter.EnqueueAsync(connection, tx, CohortStore.OutboxEntity, c.CohortId, OutboxWriter.Upsert, now);
            return (WriteResult.Ok(id, 1), promoted);
        }, cancellationToken);

    public static string AnswerName(EnrolmentAnswer answer) => answer switch
    {
        EnrolmentAnswer.Accept => "确认参训",
        EnrolmentAnswer.Decline => "婉拒",
        _ => "退出",
    };

    public async Task<Enrolment?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<EnrolmentRow>(Select + " WHERE e.id = @Id", new { Id = id });
        return row?.ToEnrolment();
    }

    /// <summary>Every enrolment the list with this filter would show, in id order, one at a time (exports).</summary>
    public IEnumerable<Enrolment> Stream(System.Data.Common.DbConnection connection, EnrolmentFilter filter) =>
        Query(filter).Stream<EnrolmentRow>(connection, Select, "e.id").Select(r => r.ToEnrolment());

    private static ListQuery Query(EnrolmentFilter filter) => new ListQuery()
        .Add("e.cohort_id = @CohortId", "CohortId", filter.CohortId)
        .Add("e.worker_id = @WorkerId", "WorkerId", filter.WorkerId)
        .Add("e.status = @Status", "Status", filter.Status)
        .Add("w.county_code IN @CountyCodes", "CountyCodes", filter.CountyCodes is { Count: > 0 } counties ? counties : null)
        .Add("c.employer_id = @EmployerId", "EmployerId", filter.EmployerId)
        .Add("c.institution_id = @InstitutionId", "InstitutionId", filter.InstitutionId)
        .When(filter.OnlyPriorityGroups, "w.priority_groups <> ''")
        .Add("e.created_at >= @CreatedFrom", "CreatedFrom", filter.CreatedFrom)
        .Add("e.created_at < @CreatedBefore", "CreatedBefore", filter.CreatedBefore);

    public async Task<PagedList<Enrolment>> ListAsync(EnrolmentFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = Query(filter);
        const string From = "enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN workers w ON w.id = e.worker_id";
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {From}{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<EnrolmentRow>($"{Select}{query.Where} ORDER BY e.id{database.Dialect.Page}", query.Parameters);
        return new PagedList<Enrolment>(rows.Select(r => r.ToEnrolment()).ToList(), page, pageSize, total);
    }

    private sealed class EnrolmentRow
    {
        public long Id { get; init; }
        public long CohortId { get; init; }
        public string CohortName { get; init; } = "";
        public long EmployerId { get; init; }
        public long? InstitutionId { get; init; }
        public DateOnly CohortStart { get; init; }
        public DateOnly CohortEnd { get; init; }
        public long WorkerId { get; init; }
        public string WorkerName { get; init; } = "";
        public string WorkerCounty { get; init; } = "";
        public string WorkerPriorityGroups { get; init; } = "";
        public string Status { get; init; } = "";
        public string Source { get; init; } = "";
        public string? Note { get; init; }
        public long? DispatchRoundId { get; init; }
        public long? WaitlistPosition { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public Enrolment ToEnrolment() => new(Id, CohortId, CohortName, EmployerId, InstitutionId, CohortStart, CohortEnd, WorkerId, WorkerName, WorkerCounty,
            Codes.Split(WorkerPriorityGroups), Status, Source, Note, DispatchRoundId, (int?)WaitlistPosition, CreatedAt, UpdatedAt);
    }
}
