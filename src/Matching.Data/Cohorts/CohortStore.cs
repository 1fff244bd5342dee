using System.Data.Common;
using Dapper;
using Matching.Data.Enrolments;
using Matching.Data.Institutions;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;

namespace Matching.Data.Cohorts;

/// <summary>A cohort; <see cref="InstitutionId"/> is the training institution that delivers it (承训机构), if any.</summary>
public sealed record Cohort(
    long Id,
    long BaseId,
    long EmployerId,
    long? InstitutionId,
    string Name,
    string TrainingType,
    IReadOnlyList<string> Trades,
    int Capacity,
    int MinSize,
    int SeatsTaken,
    DateOnly EnrolmentDeadline,
    DateOnly StartDate,
    DateOnly EndDate,
    IReadOnlyList<long> LinkedOpeningIds,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned;

/// <summary>
/// A lifecycle step run inside a cohort write's transaction: moves the cohort to the status with the rule and effects
/// of the lifecycle, or refuses (writing nothing).
/// </summary>
public delegate Task<WriteResult> CohortStatusChange(DbConnection connection, DbTransaction transaction, long cohortId, string to, CancellationToken cancellationToken);

public sealed record CohortFilter(long? EmployerId = null, long? BaseId = null, string? TradeId = null, string? Status = null, DateOnly? StartsFrom = null, DateOnly? StartsTo = null,
    long? InstitutionId = null);

/// <summary>Training cohorts (培训班期) with their linked openings.</summary>
public sealed class CohortStore(Database database, TimeProvider time, Catalogue catalogue)
{
    public const string OutboxEntity = "cohort";

    // seats_taken counts enrolments holding a seat (offered or accepted).
    private const string Select = """
        SELECT c.id, c.base_id, c.employer_id, c.institution_id, c.name, c.training_type, c.trades, c.capacity, c.min_size,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_taken,
            c.enrolment_deadline, c.start_date, c.end_date, c.status, c.created_at, c.updated_at, c.version
        FROM cohorts c
        """;

    private const string InsertSql = """
        INSERT INTO cohorts (base_id, employer_id, name, training_type, trades, capacity, min_size, enrolment_deadline,
            start_date, end_date, status, created_at, updated_at, version)
        VALUES (@BaseId, @EmployerId, @Name, @TrainingType, @Trades, @Capacity, @MinSize, @EnrolmentDeadline,
            @StartDate, @EndDate, @Status, @Now, @Now, 1)
        """;

    // The status is not written here: it changes only through the lifecycle (see UpdateAsync).
    private const string UpdateSql = """
        UPDATE cohorts SET name = @Name, training_type = @TrainingType, trades = @Trades, capacity = @Capacity,
            min_size = @MinSize, enrolment_deadline = @EnrolmentDeadline, start_date = @StartDate, end_date = @EndDate,
            updated_at = @Now, version = @NextVersion
        WHERE id = @Id
        """;

    private const string BaseEmployerSql = "SELECT employer_id FROM training_bases WHERE id = @BaseId";
    private const string CurrentSql = """
        SELECT c.base_id, c.status,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_taken
        FROM cohorts c WHERE c.id = @Id
        """;
    private const string OpeningEmployersSql = "SELECT id, employer_id FROM openings WHERE id IN @Ids";
    private const string DeleteLinksSql = "DELETE FROM cohort_openings WHERE cohort_id = @CohortId";
    private const string InsertLinkSql = "INSERT INTO cohort_openings (cohort_id, opening_id) VALUES (@CohortId, @OpeningId)";
    private const string LinksSql = "SELECT cohort_id, opening_id FROM cohort_openings WHERE cohort_id IN @Ids ORDER BY opening_id";
    private const string VersionSql = "SELECT version FROM cohorts /*UPDLOCK*/ WHERE id = @Id";
    private const string DeleteSql = "DELETE FROM cohorts WHERE id = @Id";

    public Task<WriteResult> CreateAsync(CohortDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var employerId = await connection.ExecuteScalarAsync<long?>(BaseEmployerSql, new { draft.BaseId }, tx);
            if (employerId is null)
            {
                return WriteResult.Invalid("baseId", "实训基地不存在");
            }
            if (await CheckOpeningsAsync(connection, tx, draft.LinkedOpeningIds, employerId.Value) is { } invalid)
            {
                return invalid;
            }
            var now = time.GetUtcNow();
            var parameters = Parameters(draft, now);
            parameters.Add("EmployerId", employerId.Value);
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, parameters, tx);
            await LinkAsync(connection, tx, id, draft.LinkedOpeningIds);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    /// <summary>
    /// Replaces a cohort's fields. A different status is a lifecycle step: <paramref name="changeStatus"/> (the
    /// lifecycle's own move, with its rule and its effects) runs in this transaction before the fields change; without
    /// it a status change is refused. Every refusal comes before anything is written.
    /// </summary>
    public Task<WriteResult> UpdateAsync(long id, CohortDraft draft, int? expectedVersion, CohortStatusChange? changeStatus = null, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            var current = await connection.QuerySingleAsync<(long BaseId, string Status, long SeatsTaken)>(CurrentSql, new { Id = id }, tx);
            if (current.BaseId != draft.BaseId)
            {
                return WriteResult.Invalid("baseId", "培训班期不能移到另一个实训基地");
            }
            if (draft.Capacity < current.SeatsTaken)
            {
                return WriteResult.Invalid("capacity", $"已有{current.SeatsTaken}人占用名额，容量不能小于此数");
            }
            var employerId = await connection.ExecuteScalarAsync<long>(BaseEmployerSql, new { draft.BaseId }, tx);
            if (await CheckOpeningsAsync(connection, tx, draft.LinkedOpeningIds, employerId) is { } invalid)
            {
                return invalid;
            }
            if (draft.Status != current.Status)
            {
                if (changeStatus is null)
                {
                    return WriteResult.Invalid("status", "班期状态只能按流程变更");
                }
                // Enrolment (招生) opens only with an institution and teachers that keep item 9's rules.
                if (draft.Status == CohortStatus.Open && await InstitutionStore.OpeningProblemAsync(connection, tx, id) is { } teaching)
                {
                    return WriteResult.Conflict(teaching);
                }
                var moved = await changeStatus(connection, tx, id, draft.Status, cancellationToken);
                if (moved.Status != WriteStatus.Ok)
                {
                    return moved;
                }
            }
            var now = time.GetUtcNow();
            var parameters = Parameters(draft, now);
            parameters.Add("Id", id);
            // One replacement is one new version, whether or not a lifecycle step ran in it.
            parameters.Add("NextVersion", version + 1);
            await connection.ExecuteAsync(UpdateSql, parameters, tx);
            await connection.ExecuteAsync(DeleteLinksSql, new { CohortId = id }, tx);
            await LinkAsync(connection, tx, id, draft.LinkedOpeningIds);
            // A larger capacity frees seats: the waitlist gets them at once.
            await EnrolmentSeats.PromoteWaitlistAsync(connection, tx, catalogue, id, now, database.Dialect);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
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
            if (await References.RefusalAsync(connection, tx, database.Dialect, "cohorts", id, "班期", "可取消班期（POST /api/cohorts/{id}/cancel）") is { } referenced)
            {
                return referenced;
            }
            await connection.ExecuteAsync(DeleteLinksSql, new { CohortId = id }, tx);
            await connection.ExecuteAsync(DeleteSql, new { Id = id }, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Delete, time.GetUtcNow());
            return WriteResult.Ok(id, version);
        }, cancellationToken);

    public async Task<Cohort?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CohortRow>(Select + " WHERE c.id = @Id", new { Id = id });
        if (row is null)
        {
            return null;
        }
        var links = await connection.QueryAsync<(long CohortId, long OpeningId)>(LinksSql, new { Ids = new[] { id } });
        return row.ToCohort(links.Select(l => l.OpeningId).ToList());
    }

    public async Task<PagedList<Cohort>> ListAsync(CohortFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("employer_id = @EmployerId", "EmployerId", filter.EmployerId)
            .Add("base_id = @BaseId", "BaseId", filter.BaseId)
            .Add("institution_id = @InstitutionId", "InstitutionId", filter.InstitutionId)
            .Contains("trades", "TradePattern", filter.TradeId)
            .Add("status = @Status", "Status", filter.Status)
            .Add("start_date >= @StartsFrom", "StartsFrom", filter.StartsFrom)
            .Add("start_date <= @StartsTo", "StartsTo", filter.StartsTo);
        var (rows, total) = await query.RunAsync<CohortRow>(database, "cohorts", Select, page, pageSize, cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var links = (await connection.QueryAsync<(long CohortId, long OpeningId)>(LinksSql, new { Ids = rows.Select(r => r.Id).ToArray() }))
            .ToLookup(l => l.CohortId, l => l.OpeningId);
        return new PagedList<Cohort>(rows.Select(r => r.ToCohort(links[r.Id].ToList())).ToList(), page, pageSize, total);
    }

    private static async Task<WriteResult?> CheckOpeningsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<long> openingIds, long employerId)
    {
        if (openingIds.Count == 0)
        {
            return null;
        }
        var owners = (await connection.QueryAsync<(long Id, long EmployerId)>(OpeningEmployersSql, new { Ids = openingIds }, tx))
            .ToDictionary(o => o.Id, o => o.EmployerId);
        foreach (var openingId in openingIds)
        {
            if (!owners.TryGetValue(openingId, out var owner))
            {
                return WriteResult.Invalid("linkedOpeningIds", $"岗位 {openingId} 不存在");
            }
            if (owner != employerId)
            {
                return WriteResult.Invalid("linkedOpeningIds", $"岗位 {openingId} 不属于本基地所在企业");
            }
        }
        return null;
    }

    private static async Task LinkAsync(DbConnection connection, DbTransaction tx, long cohortId, IReadOnlyList<long> openingIds)
    {
        if (openingIds.Count > 0)
        {
            await connection.ExecuteAsync(InsertLinkSql, openingIds.Select(o => new { CohortId = cohortId, OpeningId = o }), tx);
        }
    }

    private static DynamicParameters Parameters(CohortDraft d, DateTimeOffset now)
    {
        var parameters = new DynamicParameters(new
        {
            d.BaseId, d.Name, d.TrainingType, Trades = Codes.Join(d.Trades), d.Capacity, d.MinSize, d.EnrolmentDeadline,
            d.StartDate, d.EndDate, d.Status,
        });
        parameters.Add("Now", now);
        return parameters;
    }

    private sealed class CohortRow
    {
        public long Id { get; init; }
        public long BaseId { get; init; }
        public long EmployerId { get; init; }
        public long? InstitutionId { get; init; }
        public string Name { get; init; } = "";
        public string TrainingType { get; init; } = "";
        public string Trades { get; init; } = "";
        public long Capacity { get; init; }
        public long MinSize { get; init; }
        public long SeatsTaken { get; init; }
        public DateOnly EnrolmentDeadline { get; init; }
        public DateOnly StartDate { get; init; }
        public DateOnly EndDate { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public Cohort ToCohort(IReadOnlyList<long> openings) => new(Id, BaseId, EmployerId, InstitutionId, Name, TrainingType, Codes.Split(Trades),
            (int)Capacity, (int)MinSize, (int)SeatsTaken, EnrolmentDeadline, StartDate, EndDate, openings, Status, CreatedAt,
            UpdatedAt, (int)Version);
    }
}
