using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Access;

/// <summary>A user of the service with a role and a scope (county codes, a prefecture code or an employer id).</summary>
public sealed record User(long Id, string Name, string Role, IReadOnlyList<string> Scopes, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version) : IVersioned;

public sealed record UserDraft(string Name, string Role, IReadOnlyList<string> Scopes, bool Active);

/// <summary>Users and their scopes; the role and scope of a token's subject are read from here.</summary>
public sealed class UserStore(Database database, TimeProvider time)
{
    private const string Columns = "id, name, role, scopes, active, created_at, updated_at, version";
    private const string InsertSql = """
        INSERT INTO users (name, role, scopes, active, created_at, updated_at, version)
        VALUES (@Name, @Role, @Scopes, @Active, @Now, @Now, 1)
        """;
    private const string UpdateSql = """
        UPDATE users SET name = @Name, role = @Role, scopes = @Scopes, active = @Active, updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;
    private const string FindByNameSql = "SELECT id FROM users /*UPDLOCK*/ WHERE name = @Name";
    private const string VersionSql = "SELECT version FROM users /*UPDLOCK*/ WHERE id = @Id";
    private const string GetSql = $"SELECT {Columns} FROM users WHERE id = @Id";
    private const string GetByNameSql = $"SELECT {Columns} FROM users WHERE name = @Name";

    public Task<WriteResult> CreateAsync(UserDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByNameSql), new { draft.Name }, tx) is { } existing)
            {
                return WriteResult.Conflict($"用户名已被用户 {existing} 使用", existing);
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, Parameters(draft), tx);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public Task<WriteResult> UpdateAsync(long id, UserDraft draft, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByNameSql), new { draft.Name }, tx) is { } other && other != id)
            {
                return WriteResult.Conflict($"用户名已被用户 {other} 使用", other);
            }
            var parameters = Parameters(draft);
            parameters.Add("Id", id);
            await connection.ExecuteAsync(UpdateSql, parameters, tx);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    /// <summary>The user of that name, created with the role and scope if missing (the embedded token command).</summary>
    public async Task<User> EnsureAsync(UserDraft draft, CancellationToken cancellationToken = default)
    {
        if (await GetByNameAsync(draft.Name, cancellationToken) is { } existing)
        {
            return existing;
        }
        var result = await CreateAsync(draft, cancellationToken);
        return await GetByNameAsync(draft.Name, cancellationToken)
            ?? throw new InvalidOperationException($"user {draft.Name} could not be created: {result.Message}");
    }

    public async Task<User?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<UserRow>(GetSql, new { Id = id }))?.ToUser();
    }

    public async Task<User?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<UserRow>(GetByNameSql, new { Name = name }))?.ToUser();
    }

    public async Task<PagedList<User>> ListAsync(string? role, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery().Add("role = @Role", "Role", role);
        var (rows, total) = await query.RunAsync<UserRow>(database, "users", $"SELECT {Columns} FROM users", page, pageSize, cancellationToken);
        return new PagedList<User>(rows.Select(r => r.ToUser()).ToList(), page, pageSize, total);
    }

    private DynamicParameters Parameters(UserDraft d)
    {
        var parameters = new DynamicParameters(new { d.Name, d.Role, Scopes = Codes.Join(d.Scopes), d.Active });
        parameters.Add("Now", time.GetUtcNow());
        return parameters;
    }

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string Scopes { get; init; } = "";
        public bool Active { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public User ToUser() => new(Id, Name, Role, Codes.Split(Scopes), Active, CreatedAt, UpdatedAt, (int)Version);
    }
}
