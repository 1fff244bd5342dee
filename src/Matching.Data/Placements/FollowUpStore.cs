using System.Data.Common;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Placements;

namespace Matching.Data.Placements;

/// <summary>An open follow-up of an active placement that is due or overdue.</summary>
public sealed record OpenFollowUp(long PlacementId, long WorkerId, string WorkerName, string CountyCode, long EmployerId, int Month, DateOnly DueDate, string State, int DaysLate);

/// <summary>Due and overdue follow-ups of one county.</summary>
public sealed record CountyFollowUps(string CountyCode, long Due, long Overdue);

public sealed record FollowUpFilter(
    DateOnly Today,
    string? State = null,
    IReadOnlyList<string>? CountyCodes = null,
    long? EmployerId = null,
    bool OnlyPriorityGroups = false);

/// <summary>A follow-up whose reminder has not gone out yet for its stage.</summary>
public sealed record FollowUpReminder(long PlacementId, long WorkerId, string CountyCode, string PrefectureCode, int Month, DateOnly DueDate, string Stage);

/// <summary>
/// Due (应回访) and overdue (逾期未回访) follow-ups (<see cref="FollowUpSchedule"/>), listed per county for the offices,
/// and the reminders sent about them.
/// </summary>
public sealed class FollowUpStore(Database database)
{
    private const string From = """
        FROM placement_follow_ups f JOIN placements p ON p.id = f.placement_id JOIN workers w ON w.id = p.worker_id
        """;
    private const string Select = $"""
        SELECT f.placement_id, p.worker_id, w.real_name AS worker_name, w.county_code, p.employer_id, f.month, f.due_date
        {From}
        """;
    private const string ReminderCandidatesSql = $"""
        SELECT f.placement_id, p.worker_id, w.county_code, w.prefecture_code, f.month, f.due_date
        {From}
        WHERE f.followed_up_on IS NULL AND p.status = 'active' AND f.due_date <= @DueBy
          AND NOT EXISTS (SELECT 1 FROM follow_up_reminders r WHERE r.placement_id = f.placement_id AND r.month = f.month AND r.stage = @Stage)
        ORDER BY f.due_date, f.placement_id
        """;
    private const string ReminderSentSql = """
        INSERT INTO follow_up_reminders (placement_id, month, stage, county_code, recipients, sent_at)
        SELECT @PlacementId, @Month, @Stage, @CountyCode, @Recipients, @Now
        WHERE NOT EXISTS (SELECT 1 FROM follow_up_reminders /*UPDLOCK*/ WHERE placement_id = @PlacementId AND month = @Month AND stage = @Stage)
        """;

    public async Task<PagedList<OpenFollowUp>> ListAsync(FollowUpFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = Query(filter);
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) {From}{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<Row>($"{Select}{query.Where} ORDER BY f.due_date, f.placement_id, f.month{database.Dialect.Page}", query.Parameters);
        return new PagedList<OpenFollowUp>(rows.Select(r => r.ToFollowUp(filter.Today)).ToList(), page, pageSize, total);
    }

    /// <summary>Every follow-up the list with this filter would show, one at a time (exports).</summary>
    public IEnumerable<OpenFollowUp> Stream(DbConnection connection, FollowUpFilter filter) =>
        Query(filter).Stream<Row>(connection, Select, "f.due_date, f.placement_id, f.month").Select(r => r.ToFollowUp(filter.Today));

    /// <summary>Due and overdue counts per county within the filter (state ignored).</summary>
    public async Task<IReadOnlyList<CountyFollowUps>> PerCountyAsync(FollowUpFilter filter, CancellationToken cancellationToken = default)
    {
        var query = Query(filter with { State = null });
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string County, long Due, long Overdue)>(
            $"SELECT w.county_code, SUM(CASE WHEN f.due_date >= @OverdueBefore THEN 1 ELSE 0 END), SUM(CASE WHEN f.due_date < @OverdueBefore THEN 1 ELSE 0 END) {From}{query.Where} GROUP BY w.county_code ORDER BY w.county_code",
            query.Parameters);
        return rows.Select(r => new CountyFollowUps(r.County, r.Due, r.Overdue)).ToList();
    }

    /// <summary>Open follow-ups that reached a stage (due on their date, overdue after the grace days) without a reminder for it.</summary>
    public async Task<IReadOnlyList<FollowUpReminder>> RemindersToSendAsync(DateOnly today, string stage, int max, CancellationToken cancellationToken = default)
    {
        var dueBy = stage == FollowUpSchedule.Overdue ? FollowUpSchedule.OverdueBefore(today).AddDays(-1) : today;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long PlacementId, long WorkerId, string County, string Prefecture, long Month, DateOnly DueDate)>(
            ReminderCandidatesSql + database.Dialect.Page, new { DueBy = dueBy, Stage = stage, Skip = 0, Take = max });
        return rows.Select(r => new FollowUpReminder(r.PlacementId, r.WorkerId, r.County, r.Prefecture, (int)r.Month, r.DueDate, stage)).ToList();
    }

    public static Task<int> MarkReminderSentAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, FollowUpReminder reminder, int recipients, DateTimeOffset now) =>
        connection.ExecuteAsync(dialect.Render(ReminderSentSql), new { reminder.PlacementId, reminder.Month, reminder.Stage, reminder.CountyCode, Recipients = recipients, Now = now }, transaction);

    private static ListQuery Query(FollowUpFilter filter)
    {
        var overdueBefore = FollowUpSchedule.OverdueBefore(filter.Today);
        var query = new ListQuery()
            .When(true, "f.followed_up_on IS NULL AND p.status = 'active' AND f.due_date <= @Today")
            .When(filter.State == FollowUpSchedule.Due, "f.due_date >= @OverdueBefore")
            .When(filter.State == FollowUpSchedule.Overdue, "f.due_date < @OverdueBefore")
            .Add("w.county_code IN @CountyCodes", "CountyCodes", filter.CountyCodes is { Count: > 0 } c ? c : null)
            .Add("p.employer_id = @EmployerId", "EmployerId", filter.EmployerId)
            .When(filter.OnlyPriorityGroups, "w.priority_groups <> ''");
        query.Parameters.Add("Today", filter.Today);
        query.Parameters.Add("OverdueBefore", overdueBefore);
        return query;
    }

    private sealed class Row
    {
        public long PlacementId { get; init; }
        public long WorkerId { get; init; }
        public string WorkerName { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public long EmployerId { get; init; }
        public long Month { get; init; }
        public DateOnly DueDate { get; init; }

        public OpenFollowUp ToFollowUp(DateOnly today) => new(PlacementId, WorkerId, WorkerName, CountyCode, EmployerId, (int)Month, DueDate,
            FollowUpSchedule.StateOn(DueDate, null, today) ?? FollowUpSchedule.Due, today.DayNumber - DueDate.DayNumber);
    }
}
