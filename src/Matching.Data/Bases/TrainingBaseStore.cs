using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Bases;

namespace Matching.Data.Bases;

public sealed record TrainingBase(
    long Id,
    long EmployerId,
    string Name,
    string Kind,
    string CityCode,
    string ProvinceCode,
    string? Address,
    IReadOnlyList<string> Trades,
    IReadOnlyList<string> TrainingTypes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned;

public sealed record TrainingBaseFilter(long? EmployerId = null, string? ProvinceCode = null, string? CityCode = null, string? TradeId = null);

/// <summary>Training bases (实训基地) of partner employers.</summary>
public sealed class TrainingBaseStore(Database database, TimeProvider time)
{
    private const string Columns = "id, employer_id, name, kind, city_code, province_code, address, trades, training_types, created_at, updated_at, version";

    private const string InsertSql = """
        INSERT INTO training_bases (employer_id, name, kind, city_code, province_code, address, trades, training_types, created_at, updated_at, version)
        VALUES (@EmployerId, @Name, @Kind, @CityCode, @ProvinceCode, @Address, @Trades, @TrainingTypes, @Now, @Now, 1)
        """;

    private const string UpdateSql = """
        UPDATE training_bases SET employer_id = @EmployerId, name = @Name, kind = @Kind, city_code = @CityCode,
            province_code = @ProvinceCode, address = @Address, trades = @Trades, training_types = @TrainingTypes,
            updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;

    private const string EmployerExistsSql = "SELECT COUNT(*) FROM employers WHERE id = @EmployerId";
    private const string OwnerSql = "SELECT employer_id FROM training_bases WHERE id = @Id";
    private const string VersionSql = "SELECT version FROM training_bases /*UPDLOCK*/ WHERE id = @Id";
    private const string GetSql = $"SELECT {Columns} FROM training_bases WHERE id = @Id";
    private const string DeleteSql = "DELETE FROM training_bases WHERE id = @Id";

    public Task<WriteResult> CreateAsync(TrainingBaseDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await connection.ExecuteScalarAsync<long>(EmployerExistsSql, new { draft.EmployerId }, tx) == 0)
            {
                return WriteResult.Invalid("employerId", "协作企业不存在");
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, Parameters(draft), tx);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public Task<WriteResult> UpdateAsync(long id, TrainingBaseDraft draft, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await connection.ExecuteScalarAsync<long>(OwnerSql, new { Id = id }, tx) != draft.EmployerId)
            {
                return WriteResult.Invalid("employerId", "实训基地不能转到另一家企业名下");
            }
            var parameters = Parameters(draft);
            parameters.Add("Id", id);
            await connection.ExecuteAsync(UpdateSql, parameters, tx);
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
            if (await References.RefusalAsync(connection, tx, database.Dialect, "training_bases", id, "实训基地") is { } referenced)
            {
                return referenced;
            }
            await connection.ExecuteAsync(DeleteSql, new { Id = id }, tx);
            return WriteResult.Ok(id, version);
        }, cancellationToken);

    public async Task<TrainingBase?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<BaseRow>(GetSql, new { Id = id }))?.ToBase();
    }

    public async Task<PagedList<TrainingBase>> ListAsync(TrainingBaseFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("employer_id = @EmployerId", "EmployerId", filter.EmployerId)
            .Add("province_code = @ProvinceCode", "ProvinceCode", filter.ProvinceCode)
            .Add("city_code = @CityCode", "CityCode", filter.CityCode)
            .Contains("trades", "TradePattern", filter.TradeId);
        var (rows, total) = await query.RunAsync<BaseRow>(database, "training_bases", $"SELECT {Columns} FROM training_bases", page, pageSize, cancellationToken);
        return new PagedList<TrainingBase>(rows.Select(r => r.ToBase()).ToList(), page, pageSize, total);
    }

    private DynamicParameters Parameters(TrainingBaseDraft d)
    {
        var parameters = new DynamicParameters(new
        {
            d.EmployerId, d.Name, d.Kind, d.CityCode, d.ProvinceCode, d.Address, Trades = Codes.Join(d.Trades),
            TrainingTypes = Codes.Join(d.TrainingTypes),
        });
        parameters.Add("Now", time.GetUtcNow());
        return parameters;
    }

    private sealed class BaseRow
    {
        public long Id { get; init; }
        public long EmployerId { get; init; }
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string CityCode { get; init; } = "";
        public string ProvinceCode { get; init; } = "";
        public string? Address { get; init; }
        public string Trades { get; init; } = "";
        public string TrainingTypes { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public TrainingBase ToBase() => new(Id, EmployerId, Name, Kind, CityCode, ProvinceCode, Address, Codes.Split(Trades),
            Codes.Split(TrainingTypes), CreatedAt, UpdatedAt, (int)Version);
    }
}
