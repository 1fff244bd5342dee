using Dapper;
using Matching.Data.Alerts;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Alerts;
using Matching.Domain.Placements;

namespace Matching.Data.Placements;

public sealed record FollowUp(int Month, DateOnly DueDate, DateOnly? FollowedUpOn, bool? StillEmployed, int? MonthlyWage, string? Note);

public sealed record Placement(
    long Id,
    long WorkerId,
    long EmployerId,
    long? OpeningId,
    long? CohortId,
    DateOnly StartDate,
    int MonthlyWage,
    string Status,
    DateOnly? LeftOn,
    IReadOnlyList<FollowUp> FollowUps,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned;

public sealed record PlacementFilter(
    long? WorkerId = null,
    long? EmployerId = null,
    string? Status = null,
    IReadOnlyList<string>? CountyCodes = null,
    string? PriorityGroup = null,
    DateOnly? FollowUpDueBy = null,
    bool OnlyPriorityGroups = false,
    DateOnly? StartedFrom = null,
    DateOnly? StartedBefore = null,
    IReadOnlyList<long>? WorkerIds = null);

/// <summary>Placements (就业安置) and their follow-ups (跟踪回访) at 1/3/6/12 months.</summary>
public sealed class PlacementStore(Database database, TimeProvider time)
{
    private const string Select = """
        SELECT id, worker_id, employer_id, opening_id, cohort_id, start_date, monthly_wage, status, left_on, created_at, updated_at, version
        FROM placements
        """;

    private const string InsertSql = """
        INSERT INTO placements (worker_id, employer_id, opening_id, cohort_id, start_date, monthly_wage, status, left_on, created_at, updated_at, version)
        VALUES (@WorkerId, @EmployerId, @OpeningId, @CohortId, @StartDate, @MonthlyWage, 'active', NULL, @Now, @Now, 1)
        """;

    private const string InsertFollowUpSql = """
        INSERT INTO placement_follow_ups (placement_id, month, due_date) VALUES (@PlacementId, @Month, @DueDate)
        """;

    private const string WorkerExistsSql = "SELECT COUNT(*) FROM workers WHERE id = @WorkerId";
    private const string EmployerExistsSql = "SELECT COUNT(*) FROM employers WHERE id = @EmployerId";
    private const string OpeningEmployerSql = "SELECT employer_id FROM openings WHERE id = @OpeningId";
    private const string CohortEmployerSql = "SELECT employer_id FROM cohorts WHERE id = @CohortId";
    private const string ActiveElsewhereSql = "SELECT id FROM placements /*UPDLOCK*/ WHERE worker_id = @WorkerId AND status = 'active'";
    private const string FollowUpsSql = """
        SELECT placement_id, month, due_date, followed_up_on, still_employed, monthly_wage, note
        FROM placement_follow_ups WHERE placement_id IN @Ids ORDER BY month
        """;
    private const string VersionSql = "SELECT version FROM placements /*UPDLOCK*/ WHERE id = @Id";
    private const string RecordFollowUpSql = """
        UPDATE placement_follow_ups SET followed_up_on = @FollowedUpOn, still_employed = @StillEmployed,
            monthly_wage = @MonthlyWage, note = @Note
        WHERE placement_id = @PlacementId AND month = @Month
        """;
    private const string MarkLeftSql = """
        UPDATE placements SET status = 'left', left_on = @LeftOn, updated_at = @Now, version = version + 1 WHERE id = @Id
        """;
    private const string StatusSql = "SELECT status, start_date FROM placements WHERE id = @Id";
    private const string LeaveSql = """
        UPDATE placements SET status = 'left', left_on = @LeftOn, left_reason = @Reason, updated_at = @Now, version = version + 1 WHERE id = @Id
        """;
    private const string TouchSql = "UPDATE placements SET updated_at = @Now, version = version + 1 WHERE id = @Id";
    private const string DeleteFollowUpsSql = "DELETE FROM placement_follow_ups WHERE placement_id = @Id";
    private const string DeleteSql = "DELETE FROM placements WHERE id = @Id";
    private const string WorkerOfSql = "SELECT worker_id FROM placements WHERE id = @Id";

    public Task<WriteResult> CreateAsync(PlacementDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await connection.ExecuteScalarAsync<long>(WorkerExistsSql, new { draft.WorkerId }, tx) == 0)
            {
                return WriteResult.Invalid("workerId", "劳动者不存在");
            }
            if (await connection.ExecuteScalarAsync<long>(EmployerExistsSql, new { draft.EmployerId }, tx) == 0)
            {
                return WriteResult.Invalid("employerId", "协作企业不存在");
            }
            if (draft.OpeningId is { } openingId
                && await connection.ExecuteScalarAsync<long?>(OpeningEmployerSql, new { OpeningId = openingId }, tx) != draft.EmployerId)
            {
                return WriteResult.Invalid("openingId", "岗位不存在或不属于该企业");
            }
            if (draft.CohortId is { } cohortId
                && await connection.ExecuteScalarAsync<long?>(CohortEmployerSql, new { CohortId = cohortId }, tx) != draft.EmployerId)
            {
                return WriteResult.Invalid("cohortId", "培训班期不存在或不属于该企业");
            }
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(ActiveElsewhereSql), new { draft.WorkerId }, tx) is { } active)
            {
                return WriteResult.Conflict($"该劳动者已有在岗的就业安置 {active}，请先登记离岗", active);
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId,
                new { draft.WorkerId, draft.EmployerId, draft.OpeningId, draft.CohortId, draft.StartDate, draft.MonthlyWage, Now = time.GetUtcNow() }, tx);
            await connection.ExecuteAsync(InsertFollowUpSql,
                PlacementRules.FollowUpMonths.Select(m => new { PlacementId = id, Month = m, DueDate = draft.StartDate.AddMonths(m) }), tx);
            await WorkerChangedAsync(connection, tx, draft.WorkerId);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    /// <summary>Records a follow-up; a follow-up that finds the worker gone marks the placement as left.</summary>
    public Task<WriteResult> RecordFollowUpAsync(long id, int month, FollowUpDraft draft, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            var now = time.GetUtcNow();
            var changed = await connection.ExecuteAsync(RecordFollowUpSql,
                new { PlacementId = id, Month = month, draft.FollowedUpOn, draft.StillEmployed, draft.MonthlyWage, draft.Note }, tx);
            if (changed == 0)
            {
                return WriteResult.Invalid("month", "回访月份应为 1、3、6 或 12");
            }
            await connection.ExecuteAsync(draft.StillEmployed ? TouchSql : MarkLeftSql, new { Id = id, LeftOn = draft.FollowedUpOn, Now = now }, tx);
            if (!draft.StillEmployed)
            {
                await WorkerChangedAsync(connection, tx, await connection.ExecuteScalarAsync<long>(WorkerOfSql, new { Id = id }, tx));
                // 防返贫: a monitored or poverty-lifted worker found out of work raises an alert in the same transaction.
                await JobLossAlertStore.RaiseAsync(database.Dialect, connection, tx, id, JobLossAlertRules.NotEmployedAtFollowUp, month, draft.FollowedUpOn, now, now);
            }
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    /// <summary>
    /// Records that the worker left (登记离岗) on a day with a reason. Leaving before the last follow-up is an early end,
    /// which raises a job-loss alert for a covered worker in the same transaction.
    /// </summary>
    public Task<WriteResult> LeaveAsync(long id, DateOnly leftOn, string reason, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            var (status, start) = await connection.QuerySingleAsync<(string Status, DateOnly StartDate)>(StatusSql, new { Id = id }, tx);
            if (status != PlacementRules.Active)
            {
                return WriteResult.Conflict("该就业安置已登记离岗");
            }
            if (leftOn < start)
            {
                return WriteResult.Invalid("leftOn", "离岗日期不能早于上岗日期");
            }
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(LeaveSql, new { Id = id, LeftOn = leftOn, Reason = reason, Now = now }, tx);
            // No longer in an active placement: the worker may be matched again (search index, recall).
            await WorkerChangedAsync(connection, tx, await connection.ExecuteScalarAsync<long>(WorkerOfSql, new { Id = id }, tx));
            if (JobLossAlertRules.IsEarlyEnd(start, leftOn))
            {
                await JobLossAlertStore.RaiseAsync(database.Dialect, connection, tx, id, JobLossAlertRules.LeftEarly, null, leftOn, now, now);
            }
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    public Task<WriteResult> DeleteAsync(long id, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await References.RefusalAsync(connection, tx, database.Dialect, "placements", id, "就业安置记录") is { } referenced)
            {
                return referenced;
            }
            var workerId = await connection.ExecuteScalarAsync<long>(WorkerOfSql, new { Id = id }, tx);
            await connection.ExecuteAsync(DeleteFollowUpsSql, new { Id = id }, tx);
            await connection.ExecuteAsync(DeleteSql, new { Id = id }, tx);
            await WorkerChangedAsync(connection, tx, workerId);
            return WriteResult.Ok(id, version);
        }, cancellationToken);

    /// <summary>Whether a worker is in a job decides whether they are matched again: the search index must learn it.</summary>
    private Task WorkerChangedAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, long workerId) =>
        OutboxWriter.EnqueueAsync(connection, tx, WorkerStore.OutboxEntity, workerId, OutboxWriter.Upsert, time.GetUtcNow());

    public async Task<Placement?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PlacementRow>(Select + " WHERE id = @Id", new { Id = id });
        if (row is null)
        {
            return null;
        }
        var followUps = await connection.QueryAsync<FollowUpRow>(FollowUpsSql, new { Ids = new[] { id } });
        return row.ToPlacement(followUps.Select(f => f.ToFollowUp()).ToList());
    }

    public async Task<PagedList<Placement>> ListAsync(PlacementFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var (rows, total) = await Query(filter).RunAsync<PlacementRow>(database, "placements", Select, page, pageSize, cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var followUps = (await connection.QueryAsync<FollowUpRow>(FollowUpsSql, new { Ids = rows.Select(r => r.Id).ToArray() }))
            .ToLookup(f => f.PlacementId, f => f.ToFollowUp());
        return new PagedList<Placement>(rows.Select(r => r.ToPlacement(followUps[r.Id].ToList())).ToList(), page, pageSize, total);
    }

    /// <summary>
    /// Each named worker's newest placement (by start date) among those the filter lets through, with its follow-ups:
    /// one read for a page of workers instead of one list per worker.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, Placement>> NewestPerWorkerAsync(PlacementFilter filter, IReadOnlyList<long> workerIds, CancellationToken cancellationToken = default)
    {
        if (workerIds.Count == 0)
        {
            return new Dictionary<long, Placement>();
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var newest = Query(filter with { WorkerIds = workerIds }).Stream<PlacementRow>(connection, Select)
            .GroupBy(r => r.WorkerId)
            .Select(rows => rows.OrderByDescending(r => r.StartDate).ThenByDescending(r => r.Id).First())
            .ToList();
        var followUps = (await connection.QueryAsync<FollowUpRow>(FollowUpsSql, new { Ids = newest.Select(r => r.Id).ToArray() }))
            .ToLookup(f => f.PlacementId, f => f.ToFollowUp());
        return newest.ToDictionary(r => r.WorkerId, r => r.ToPlacement(followUps[r.Id].ToList()));
    }

    /// <summary>Every placement the list with this filter would show, in id order, one at a time (exports; follow-ups not read).</summary>
    public IEnumerable<Placement> Stream(System.Data.Common.DbConnection connection, PlacementFilter filter) =>
        Query(filter).Stream<PlacementRow>(connection, Select).Select(r => r.ToPlacement([]));

    private static ListQuery Query(PlacementFilter filter)
    {
        return new ListQuery()
            .Add("worker_id = @WorkerId", "WorkerId", filter.WorkerId)
            .Add("worker_id IN @WorkerIds", "WorkerIds", filter.WorkerIds)
            .Add("employer_id = @EmployerId", "EmployerId", filter.EmployerId)
            .Add("status = @Status", "Status", filter.Status)
            .Add("worker_id IN (SELECT id FROM workers WHERE county_code IN @CountyCodes)", "CountyCodes", filter.CountyCodes is { Count: > 0 } c ? c : null)
            .Add("worker_id IN (SELECT id FROM workers WHERE priority_groups LIKE @GroupPattern ESCAPE '\\')", "GroupPattern",
                filter.PriorityGroup is null ? null : Codes.ContainsPattern(filter.PriorityGroup))
            .Add("id IN (SELECT placement_id FROM placement_follow_ups WHERE followed_up_on IS NULL AND due_date <= @DueBy)", "DueBy", filter.FollowUpDueBy)
            .When(filter.OnlyPriorityGroups, "worker_id IN (SELECT id FROM workers WHERE priority_groups <> '')")
            .Add("start_date >= @StartedFrom", "StartedFrom", filter.StartedFrom)
            .Add("start_date < @StartedBefore", "StartedBefore", filter.StartedBefore);
    }

    private sealed class PlacementRow
    {
        public long Id { get; init; }
        public long WorkerId { get; init; }
        public long EmployerId { get; init; }
        public long? OpeningId { get; init; }
        public long? CohortId { get; init; }
        public DateOnly StartDate { get; init; }
        public long MonthlyWage { get; init; }
        public string Status { get; init; } = "";
        public DateOnly? LeftOn { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public Placement ToPlacement(IReadOnlyList<FollowUp> followUps) => new(Id, WorkerId, EmployerId, OpeningId, CohortId,
            StartDate, (int)MonthlyWage, Status, LeftOn, followUps, CreatedAt, UpdatedAt, (int)Version);
    }

    private sealed class FollowUpRow
    {
        public long PlacementId { get; init; }
        public long Month { get; init; }
        public DateOnly DueDate { get; init; }
        public DateOnly? FollowedUpOn { get; init; }
        public bool? StillEmployed { get; init; }
        public long? MonthlyWage { get; init; }
        public string? Note { get; init; }

        public FollowUp ToFollowUp() => new((int)Month, DueDate, FollowedUpOn, StillEmployed, (int?)MonthlyWage, Note);
    }
}
