using System.Data.Common;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Alerts;

namespace Matching.Data.Alerts;

/// <summary>A re-match opening suggested by the ranker for a worker who lost their job.</summary>
public sealed record SuggestedOpening(long OpeningId, string Title, long EmployerId, string TradeName, string CityName, int WageMin, int WageMax, double Score);

/// <summary>An open cohort suggested for retraining.</summary>
public sealed record SuggestedCohort(long CohortId, string Name, string TrainingType, DateOnly StartDate, int SeatsLeft);

/// <summary>What an alert suggests; <see cref="Note"/> says why a part is empty (e.g. no ranking model).</summary>
public sealed record AlertSuggestions(IReadOnlyList<SuggestedOpening> Openings, IReadOnlyList<SuggestedCohort> Cohorts, string? Note);

/// <summary>A job-loss alert (防返贫就业预警) as listed and shown.</summary>
public sealed record JobLossAlert(
    long Id,
    long WorkerId,
    string WorkerName,
    long PlacementId,
    long EmployerId,
    string CountyCode,
    string PrefectureCode,
    string Trigger,
    int? FollowUpMonth,
    string Reason,
    DateTimeOffset EventAt,
    DateTimeOffset RaisedAt,
    DateTimeOffset? DeliveredAt,
    double? DeliverySeconds,
    int? Recipients,
    AlertSuggestions? Suggestions,
    string Status,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    string? ResolutionNote,
    int Version) : IVersioned;

public sealed record AlertFilter(
    IReadOnlyList<string>? CountyCodes = null,
    string? PrefectureCode = null,
    string? Status = null,
    string? Trigger = null,
    long? WorkerId = null,
    DateTimeOffset? RaisedFrom = null,
    DateTimeOffset? RaisedBefore = null);

/// <summary>An alert still to be delivered.</summary>
public sealed record PendingAlert(long Id, long WorkerId, string CountyCode, string PrefectureCode, string Trigger, string Reason, DateTimeOffset EventAt);

/// <summary>Counts by status and trigger, and how long delivery took (from the triggering event to the messages written).</summary>
public sealed record AlertSummary(long Total, IReadOnlyDictionary<string, long> ByStatus, IReadOnlyDictionary<string, long> ByTrigger, long Undelivered,
    double? DeliveryP50Seconds, double? DeliveryP95Seconds, double? DeliveryMaxSeconds);

/// <summary>Job-loss alerts: raised in the transaction of the triggering write (or by the overdue scan), delivered, then handled.</summary>
public sealed class JobLossAlertStore(Database database, TimeProvider time)
{
    /// <summary>The SQL form of <see cref="JobLossAlertRules.Covers"/> on a <c>workers w</c> row (proven equal by a contract test).</summary>
    public static readonly string CoveredSql = "(" + string.Join(" OR ", JobLossAlertRules.CoveredGroups.Select(g => $"w.priority_groups LIKE '%|{g}|%'")) + ")";

    private const string PlacementWorkerSql = """
        SELECT w.id AS worker_id, w.county_code, w.prefecture_code, w.priority_groups
        FROM placements p JOIN workers w ON w.id = p.worker_id WHERE p.id = @PlacementId
        """;
    private const string InsertSql = """
        INSERT INTO job_loss_alerts (worker_id, placement_id, county_code, prefecture_code, trigger_kind, trigger_key, follow_up_month, reason,
            event_at, raised_at, status, version)
        SELECT @WorkerId, @PlacementId, @CountyCode, @PrefectureCode, @Trigger, @TriggerKey, @Month, @Reason, @EventAt, @Now, 'open', 1
        WHERE NOT EXISTS (SELECT 1 FROM job_loss_alerts /*UPDLOCK*/ WHERE trigger_key = @TriggerKey)
        """;
    private static readonly string OverdueSql = $"""
        SELECT f.placement_id, f.month, f.due_date FROM placement_follow_ups f
        JOIN placements p ON p.id = f.placement_id JOIN workers w ON w.id = p.worker_id
        WHERE f.followed_up_on IS NULL AND f.due_date < @Cutoff AND p.status = 'active' AND {CoveredSql}
          AND NOT EXISTS (SELECT 1 FROM job_loss_alerts a WHERE a.placement_id = f.placement_id AND a.trigger_kind = 'follow-up-overdue' AND a.follow_up_month = f.month)
        ORDER BY f.due_date, f.placement_id
        """;
    private const string IdByKeySql = "SELECT id FROM job_loss_alerts WHERE trigger_key = @Key";
    private const string PendingSql = """
        SELECT id, worker_id, county_code, prefecture_code, trigger_kind, reason, event_at FROM job_loss_alerts
        WHERE delivered_at IS NULL ORDER BY id
        """;
    private const string DeliveredSql = """
        UPDATE job_loss_alerts SET delivered_at = @Now, delivery_seconds = @Seconds, recipients = @Recipients, suggestions = @Suggestions
        WHERE id = @Id AND delivered_at IS NULL
        """;
    private const string Select = """
        SELECT a.id, a.worker_id, w.real_name AS worker_name, a.placement_id, p.employer_id, a.county_code, a.prefecture_code, a.trigger_kind,
            a.follow_up_month, a.reason, a.event_at, a.raised_at, a.delivered_at, a.delivery_seconds, a.recipients, a.suggestions, a.status,
            a.acknowledged_at, a.acknowledged_by, a.resolved_at, a.resolved_by, a.resolution_note, a.version
        FROM job_loss_alerts a JOIN workers w ON w.id = a.worker_id JOIN placements p ON p.id = a.placement_id
        """;
    private const string VersionSql = "SELECT version FROM job_loss_alerts /*UPDLOCK*/ WHERE id = @Id";
    private const string StatusSql = "SELECT status FROM job_loss_alerts WHERE id = @Id";
    private const string AcknowledgeSql = """
        UPDATE job_loss_alerts SET status = 'acknowledged', acknowledged_at = @Now, acknowledged_by = @By, version = version + 1 WHERE id = @Id
        """;
    private const string ResolveSql = """
        UPDATE job_loss_alerts SET status = 'resolved', resolved_at = @Now, resolved_by = @By, resolution_note = @Note,
            acknowledged_at = COALESCE(acknowledged_at, @Now), acknowledged_by = COALESCE(acknowledged_by, @By), version = version + 1 WHERE id = @Id
        """;

    /// <summary>
    /// Raises an alert for the placement's worker when the worker is covered (<see cref="JobLossAlertRules.Covers"/>),
    /// once per triggering event; the id of the new alert, or null (not covered, or raised already).
    /// </summary>
    public static async Task<long?> RaiseAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, long placementId, string trigger, int? month,
        DateOnly eventDate, DateTimeOffset eventAt, DateTimeOffset now)
    {
        var worker = await connection.QuerySingleOrDefaultAsync<(long WorkerId, string CountyCode, string PrefectureCode, string PriorityGroups)>(
            PlacementWorkerSql, new { PlacementId = placementId }, transaction);
        if (worker.WorkerId == 0 || !JobLossAlertRules.Covers(Codes.Split(worker.PriorityGroups)))
        {
            return null;
        }
        var key = month is { } m ? $"placement:{placementId}:{trigger}:{m}" : $"placement:{placementId}:{trigger}";
        var inserted = await connection.ExecuteAsync(dialect.Render(InsertSql), new
        {
            worker.WorkerId,
            PlacementId = placementId,
            worker.CountyCode,
            worker.PrefectureCode,
            Trigger = trigger,
            TriggerKey = key,
            Month = month,
            Reason = JobLossAlertRules.Reason(trigger, month, eventDate),
            EventAt = eventAt,
            Now = now,
        }, transaction);
        return inserted == 1 ? await connection.ExecuteScalarAsync<long>(IdByKeySql, new { Key = key }, transaction) : null;
    }

    /// <summary>
    /// Raises alerts for covered workers whose follow-up is more than <paramref name="overdueDays"/> days past its due
    /// date. The event is the moment the follow-up crossed that line (Beijing midnight), so a late scan shows as delay.
    /// </summary>
    public async Task<int> RaiseOverdueAsync(DateOnly today, int overdueDays, int max, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, tx) =>
        {
            var rows = (await connection.QueryAsync<(long PlacementId, long Month, DateOnly DueDate)>(OverdueSql + database.Dialect.Page,
                new { Cutoff = today.AddDays(-overdueDays), Skip = 0, Take = max }, tx)).AsList();
            var raised = 0;
            foreach (var (placementId, month, dueDate) in rows)
            {
                var crossed = dueDate.AddDays(overdueDays + 1);
                var eventAt = new DateTimeOffset(crossed.ToDateTime(TimeOnly.MinValue), Domain.Validation.ChinaTime.Offset);
                if (await RaiseAsync(database.Dialect, connection, tx, placementId, JobLossAlertRules.FollowUpOverdue, (int)month, dueDate, eventAt, now) is not null)
                {
                    raised++;
                }
            }
            return raised;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<PendingAlert>> PendingAsync(int max, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PendingRow>(PendingSql + database.Dialect.Page, new { Skip = 0, Take = max }))
            .Select(r => new PendingAlert(r.Id, r.WorkerId, r.CountyCode, r.PrefectureCode, r.TriggerKind, r.Reason, r.EventAt)).ToList();
    }

    /// <summary>Records the delivery in the transaction that wrote the messages; false when another run delivered it first.</summary>
    public static async Task<bool> MarkDeliveredAsync(DbConnection connection, DbTransaction transaction, PendingAlert alert, int recipients,
        AlertSuggestions suggestions, DateTimeOffset now) =>
        await connection.ExecuteAsync(DeliveredSql, new
        {
            alert.Id,
            Now = now,
            Seconds = Math.Max(0, (now - alert.EventAt).TotalSeconds),
            Recipients = recipients,
            Suggestions = StoredJson.Write(suggestions),
        }, transaction) == 1;

    public async Task<JobLossAlert?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(Select + " WHERE a.id = @Id", new { Id = id }))?.ToAlert();
    }

    public async Task<PagedList<JobLossAlert>> ListAsync(AlertFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = Query(filter);
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM job_loss_alerts a{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<Row>($"{Select}{query.Where} ORDER BY a.id DESC{database.Dialect.Page}", query.Parameters);
        return new PagedList<JobLossAlert>(rows.Select(r => r.ToAlert()).ToList(), page, pageSize, total);
    }

    public async Task<AlertSummary> SummaryAsync(AlertFilter filter, CancellationToken cancellationToken = default)
    {
        var query = Query(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(string Status, string Trigger, double? Seconds)>(
            $"SELECT a.status, a.trigger_kind, a.delivery_seconds FROM job_loss_alerts a{query.Where}", query.Parameters)).AsList();
        var delivered = rows.Where(r => r.Seconds is not null).Select(r => r.Seconds!.Value).Order().ToList();
        double? Percentile(double p) => delivered.Count == 0 ? null : delivered[Math.Min(delivered.Count - 1, (int)Math.Ceiling(p * delivered.Count) - 1)];
        return new AlertSummary(rows.Count,
            JobLossAlertRules.Statuses.ToDictionary(s => s, s => (long)rows.Count(r => r.Status == s)),
            JobLossAlertRules.Triggers.ToDictionary(t => t, t => (long)rows.Count(r => r.Trigger == t)),
            rows.Count(r => r.Seconds is null),
            Percentile(0.5), Percentile(0.95), delivered.Count == 0 ? null : delivered[^1]);
    }

    /// <summary>Moves the alert along its lifecycle (<see cref="JobLossAlertRules.CanMove"/>); a note is kept on resolving.</summary>
    public Task<WriteResult> MoveAsync(long id, string to, string by, string? note, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            var status = await connection.ExecuteScalarAsync<string>(StatusSql, new { Id = id }, tx);
            if (!JobLossAlertRules.CanMove(status!, to))
            {
                return WriteResult.Conflict($"预警当前为“{JobLossAlertRules.StatusName(status!)}”，不能改为“{JobLossAlertRules.StatusName(to)}”");
            }
            await connection.ExecuteAsync(to == JobLossAlertRules.Resolved ? ResolveSql : AcknowledgeSql, new { Id = id, Now = time.GetUtcNow(), By = by, Note = note }, tx);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    private static ListQuery Query(AlertFilter filter) => new ListQuery()
        .Add("a.county_code IN @CountyCodes", "CountyCodes", filter.CountyCodes is { Count: > 0 } c ? c : null)
        .Add("a.prefecture_code = @PrefectureCode", "PrefectureCode", filter.PrefectureCode)
        .Add("a.status = @Status", "Status", filter.Status)
        .Add("a.trigger_kind = @Trigger", "Trigger", filter.Trigger)
        .Add("a.worker_id = @WorkerId", "WorkerId", filter.WorkerId)
        .Add("a.raised_at >= @RaisedFrom", "RaisedFrom", filter.RaisedFrom)
        .Add("a.raised_at < @RaisedBefore", "RaisedBefore", filter.RaisedBefore);

    private sealed class PendingRow
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public string CountyCode { get; init; } = "";
        public string PrefectureCode { get; init; } = "";
        public string TriggerKind { get; init; } = "";
        public string Reason { get; init; } = "";
        public DateTimeOffset EventAt { get; init; }
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public string WorkerName { get; init; } = "";
        public long PlacementId { get; init; }
        public long EmployerId { get; init; }
        public string CountyCode { get; init; } = "";
        public string PrefectureCode { get; init; } = "";
        public string TriggerKind { get; init; } = "";
        public long? FollowUpMonth { get; init; }
        public string Reason { get; init; } = "";
        public DateTimeOffset EventAt { get; init; }
        public DateTimeOffset RaisedAt { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
        public double? DeliverySeconds { get; init; }
        public long? Recipients { get; init; }
        public string? Suggestions { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset? AcknowledgedAt { get; init; }
        public string? AcknowledgedBy { get; init; }
        public DateTimeOffset? ResolvedAt { get; init; }
        public string? ResolvedBy { get; init; }
        public string? ResolutionNote { get; init; }
        public long Version { get; init; }

        public JobLossAlert ToAlert() => new(Id, WorkerId, WorkerName, PlacementId, EmployerId, CountyCode, PrefectureCode, TriggerKind, (int?)FollowUpMonth,
            Reason, EventAt, RaisedAt, DeliveredAt, DeliverySeconds, (int?)Recipients,
            Suggestions is null ? null : StoredJson.Read<AlertSuggestions>(Suggestions), Status, AcknowledgedAt, AcknowledgedBy, ResolvedAt,
            ResolvedBy, ResolutionNote, (int)Version);
    }
}
