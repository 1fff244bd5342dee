using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Employers;

namespace Matching.Data.Employers;

public sealed record Employer(
    long Id,
    string Name,
    string CreditCode,
    string CityCode,
    string ProvinceCode,
    IReadOnlyList<string> Industries,
    string? ContactName,
    string? ContactPhone,
    string? Address,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned;

public sealed record EmployerFilter(string? ProvinceCode = null, string? CityCode = null, string? Industry = null, string? NameContains = null, long? Id = null);

/// <summary>Partner enterprises (协作企业).</summary>
public sealed class EmployerStore(Database database, TimeProvider time)
{
    private const string Columns = "id, name, credit_code, city_code, province_code, industries, contact_name, contact_phone, address, created_at, updated_at, version";

    private const string InsertSql = """
        INSERT INTO employers (name, credit_code, city_code, province_code, industries, contact_name, contact_phone, address, created_at, updated_at, version)
        VALUES (@Name, @CreditCode, @CityCode, @ProvinceCode, @Industries, @ContactName, @ContactPhone, @Address, @Now, @Now, 1)
        """;

    private const string UpdateSql = """
        UPDATE employers SET name = @Name, credit_code = @CreditCode, city_code = @CityCode, province_code = @ProvinceCode,
            industries = @Industries, contact_name = @ContactName, contact_phone = @ContactPhone, address = @Address,
            updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;

    private const string FindByCodeSql = "SELECT id FROM employers /*UPDLOCK*/ WHERE credit_code = @CreditCode";
    private const string VersionSql = "SELECT version FROM employers /*UPDLOCK*/ WHERE id = @Id";
    private const string GetSql = $"SELECT {Columns} FROM employers WHERE id = @Id";
    private const string DeleteSql = "DELETE FROM employers WHERE id = @Id";

    public Task<WriteResult> CreateAsync(EmployerDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByCodeSql), new { draft.CreditCode }, tx) is { } existing)
            {
                return Duplicate(existing);
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, Parameters(draft), tx);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public Task<WriteResult> UpdateAsync(long id, EmployerDraft draft, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByCodeSql), new { draft.CreditCode }, tx) is { } other && other != id)
            {
                return Duplicate(other);
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
            if (await References.RefusalAsync(connection, tx, database.Dialect, "employers", id, "企业") is { } referenced)
            {
                return referenced;
            }
            await connection.ExecuteAsync(DeleteSql, new { Id = id }, tx);
            return WriteResult.Ok(id, version);
        }, cancellationToken);

    public async Task<Employer?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<EmployerRow>(GetSql, new { Id = id }))?.ToEmployer();
    }

    public async Task<PagedList<Employer>> ListAsync(EmployerFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("id = @Id", "Id", filter.Id)
            .Add("province_code = @ProvinceCode", "ProvinceCode", filter.ProvinceCode)
            .Add("city_code = @CityCode", "CityCode", filter.CityCode)
            .Contains("industries", "IndustryPattern", filter.Industry)
            // The user's text is a parameter; LIKE wildcards in it are escaped so they match literally.
            .Add("name LIKE @NamePattern ESCAPE '\\'", "NamePattern", filter.NameContains is null ? null : "%" + Like.Escape(filter.NameContains) + "%");
        var (rows, total) = await query.RunAsync<EmployerRow>(database, "employers", $"SELECT {Columns} FROM employers", page, pageSize, cancellationToken);
        return new PagedList<Employer>(rows.Select(r => r.ToEmployer()).ToList(), page, pageSize, total);
    }

    private DynamicParameters Parameters(EmployerDraft d)
    {
        var parameters = new DynamicParameters(new
        {
            d.Name, d.CreditCode, d.CityCode, d.ProvinceCode, Industries = Codes.Join(d.Industries), d.ContactName,
            d.ContactPhone, d.Address,
        });
        parameters.Add("Now", time.GetUtcNow());
        return parameters;
    }

    private static WriteResult Duplicate(long existingId) =>
        WriteResult.Conflict($"该统一社会信用代码已登记为企业 {existingId}", existingId);

    private sealed class EmployerRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string CreditCode { get; init; } = "";
        public string CityCode { get; init; } = "";
        public string ProvinceCode { get; init; } = "";
        public string Industries { get; init; } = "";
        public string? ContactName { get; init; }
        public string? ContactPhone { get; init; }
        public string? Address { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public Employer ToEmployer() => new(Id, Name, CreditCode, CityCode, ProvinceCode, Codes.Split(Industries), ContactName,
            ContactPhone, Address, CreatedAt, UpdatedAt, (int)Version);
    }
}
