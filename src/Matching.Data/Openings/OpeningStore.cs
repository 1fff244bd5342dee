using Dapper;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Domain.Openings;

namespace Matching.Data.Openings;

public sealed record Opening(
    long Id,
    long BaseId,
    long EmployerId,
    string Title,
    string TradeId,
    int MinLevel,
    int MaxLevel,
    int Headcount,
    int WageMin,
    int WageMax,
    bool Accommodation,
    bool Meals,
    IReadOnlyList<string> RequiredCertificates,
    int AgeMin,
    int AgeMax,
    string? TrainingType,
    string? Requirements,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned;

public sealed record OpeningFilter(long? EmployerId = null, long? BaseId = null, string? TradeId = null, string? Status = null, string? ProvinceCode = null);

/// <summary>Openings (岗位) at training bases.</summary>
public sealed class OpeningStore(Database database, TimeProvider time)
{
    public const string OutboxEntity = "opening";

    private const string Columns = """
        id, base_id, employer_id, title, trade_id, min_level, max_level, headcount, wage_min, wage_max, accommodation,
        meals, required_certificates, age_min, age_max, training_type, requirements, status, created_at, updated_at, version
        """;

    private const string InsertSql = """
        INSERT INTO openings (base_id, employer_id, title, trade_id, min_level, max_level, headcount, wage_min, wage_max,
            accommodation, meals, required_certificates, age_min, age_max, training_type, requirements, status,
            created_at, updated_at, version)
        VALUES (@BaseId, @EmployerId, @Title, @TradeId, @MinLevel, @MaxLevel, @Headcount, @WageMin, @WageMax,
            @Accommodation, @Meals, @RequiredCertificates, @AgeMin, @AgeMax, @TrainingType, @Requirements, @Status,
            @Now, @Now, 1)
        """;

    private const string UpdateSql = """
        UPDATE openings SET title = @Title, trade_id = @TradeId, min_level = @MinLevel, max_level = @MaxLevel,
            headcount = @Headcount, wage_min = @WageMin, wage_max = @WageMax, accommodation = @Accommodation,
            meals = @Meals, required_certificates = @RequiredCertificates, age_min = @AgeMin, age_max = @AgeMax,
            training_type = @TrainingType, requirements = @Requirements, status = @Status, updated_at = @Now,
            version = version + 1
        WHERE id = @Id
        """;

    private const string BaseEmployerSql = "SELECT employer_id FROM training_bases WHERE id = @BaseId";
    private const string CurrentBaseSql = "SELECT base_id FROM openings WHERE id = @Id";
    private const string VersionSql = "SELECT version FROM openings /*UPDLOCK*/ WHERE id = @Id";
    private const string GetSql = $"SELECT {Columns} FROM openings WHERE id = @Id";
    private const string DeleteSql = "DELETE FROM openings WHERE id = @Id";

    public Task<WriteResult> CreateAsync(OpeningDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var employerId = await connection.ExecuteScalarAsync<long?>(BaseEmployerSql, new { draft.BaseId }, tx);
            if (employerId is null)
            {
                return WriteResult.Invalid("baseId", "实训基地不存在");
            }
            var now = time.GetUtcNow();
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, Parameters(draft, employerId.Value, now), tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public Task<WriteResult> UpdateAsync(long id, OpeningDraft draft, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await connection.ExecuteScalarAsync<long>(CurrentBaseSql, new { Id = id }, tx) != draft.BaseId)
            {
                return WriteResult.Invalid("baseId", "岗位不能移到另一个实训基地，请新建岗位");
            }
            var now = time.GetUtcNow();
            var parameters = Parameters(draft, 0, now);
            parameters.Add("Id", id);
            await connection.ExecuteAsync(UpdateSql, parameters, tx);
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
            if (await References.RefusalAsync(connection, tx, database.Dialect, "openings", id, "岗位", "可将状态改为 closed") is { } referenced)
            {
                return referenced;
            }
            await connection.ExecuteAsync(DeleteSql, new { Id = id }, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Delete, time.GetUtcNow());
            return WriteResult.Ok(id, version);
        }, cancellationToken);

    public async Task<Opening?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<OpeningRow>(GetSql, new { Id = id }))?.ToOpening();
    }

    public async Task<PagedList<Opening>> ListAsync(OpeningFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("employer_id = @EmployerId", "EmployerId", filter.EmployerId)
            .Add("base_id = @BaseId", "BaseId", filter.BaseId)
            .Add("trade_id = @TradeId", "TradeId", filter.TradeId)
            .Add("status = @Status", "Status", filter.Status)
            .Add("base_id IN (SELECT id FROM training_bases WHERE province_code = @ProvinceCode)", "ProvinceCode", filter.ProvinceCode);
        var (rows, total) = await query.RunAsync<OpeningRow>(database, "openings", $"SELECT {Columns} FROM openings", page, pageSize, cancellationToken);
        return new PagedList<Opening>(rows.Select(r => r.ToOpening()).ToList(), page, pageSize, total);
    }

    private static DynamicParameters Parameters(OpeningDraft d, long employerId, DateTimeOffset now)
    {
        var parameters = new DynamicParameters(new
        {
            d.BaseId, EmployerId = employerId, d.Title, d.TradeId, d.MinLevel, d.MaxLevel, d.Headcount, d.WageMin, d.WageMax,
            d.Accommodation, d.Meals, RequiredCertificates = Codes.Join(d.RequiredCertificates), d.AgeMin, d.AgeMax,
            d.TrainingType, d.Requirements, d.Status,
        });
        parameters.Add("Now", now);
        return parameters;
    }

    private sealed class OpeningRow
    {
        public long Id { get; init; }
        public long BaseId { get; init; }
        public long EmployerId { get; init; }
        public string Title { get; init; } = "";
        public string TradeId { get; init; } = "";
        public long MinLevel { get; init; }
        public long MaxLevel { get; init; }
        public long Headcount { get; init; }
        public long WageMin { get; init; }
        public long WageMax { get; init; }
        public bool Accommodation { get; init; }
        public bool Meals { get; init; }
        public string RequiredCertificates { get; init; } = "";
        public long AgeMin { get; init; }
        public long AgeMax { get; init; }
        public string? TrainingType { get; init; }
        public string? Requirements { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public Opening ToOpening() => new(Id, BaseId, EmployerId, Title, TradeId, (int)MinLevel, (int)MaxLevel, (int)Headcount,
            (int)WageMin, (int)WageMax, Accommodation, Meals, Codes.Split(RequiredCertificates), (int)AgeMin, (int)AgeMax,
            TrainingType, Requirements, Status, CreatedAt, UpdatedAt, (int)Version);
    }
}
