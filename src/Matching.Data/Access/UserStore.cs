using System.Data.Common;
using System.Text.Json.Serialization;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Access;

namespace Matching.Data.Access;

/// <summary>A user of the service with a role and a scope (county codes, a prefecture code or an employer id).</summary>
public sealed record User(long Id, string Name, string Role, IReadOnlyList<string> Scopes, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version) : IVersioned
{
    /// <summary>An account administrator (账号管理员) of its employer or area.</summary>
    public bool ManagesAccounts { get; init; }

    /// <summary>Whether the account can sign in with a password (others use the token command or an identity provider).</summary>
    public bool HasPassword { get; init; }

    /// <summary>Locked after repeated wrong passwords until then (null: not locked).</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    public DateTimeOffset? LastSignInAt { get; init; }

    /// <summary>The account that created this one (null: created by the system or the token command).</summary>
    public long? CreatedBy { get; init; }

    /// <summary>Changes whenever the password does; a session carrying an older stamp is over. Never sent out.</summary>
    [JsonIgnore]
    public string? SecurityStamp { get; init; }
}

public sealed record UserDraft(string Name, string Role, IReadOnlyList<string> Scopes, bool Active)
{
    public bool ManagesAccounts { get; init; }

    /// <summary>On creation only: who creates the account.</summary>
    public long? CreatedBy { get; init; }
}

/// <summary>The stored password hash and lockout state of an account, for sign-in only.</summary>
public sealed record UserCredentials(User User, string? PasswordHash, int FailedSignIns);

/// <summary>Users and their scopes; the role and scope of a token's subject are read from here.</summary>
public sealed class UserStore(Database database, TimeProvider time)
{
    private const string Columns = """
        id, name, role, scopes, active, created_at, updated_at, version, manages_accounts, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
        locked_until, last_sign_in_at, created_by, security_stamp
        """;
    private const string InsertSql = """
        INSERT INTO users (name, role, scopes, active, created_at, updated_at, version, manages_accounts, created_by)
        VALUES (@Name, @Role, @Scopes, @Active, @Now, @Now, 1, @ManagesAccounts, @CreatedBy)
        """;
    private const string UpdateSql = """
        UPDATE users SET name = @Name, role = @Role, scopes = @Scopes, active = @Active, manages_accounts = @ManagesAccounts,
            updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;
    private const string DeleteScopesSql = "DELETE FROM user_scopes WHERE user_id = @Id";
    private const string InsertScopeSql = "INSERT INTO user_scopes (user_id, code) VALUES (@Id, @Code)";
    private const string FindByNameSql = "SELECT id FROM users /*UPDLOCK*/ WHERE name = @Name";
    private const string VersionSql = "SELECT version FROM users /*UPDLOCK*/ WHERE id = @Id";
    private const string GetSql = $"SELECT {Columns} FROM users WHERE id = @Id";
    private const string GetByNameSql = $"SELECT {Columns} FROM users WHERE name = @Name";
    private const string CredentialsSql = $"SELECT {Columns}, password_hash, failed_sign_ins FROM users WHERE name = @Name";
    private const string FailuresSql = "SELECT failed_sign_ins, locked_until FROM users /*UPDLOCK*/ WHERE id = @Id";
    private const string SetFailuresSql = "UPDATE users SET failed_sign_ins = @Failures, locked_until = @LockedUntil WHERE id = @Id";
    private const string SignedInSql = "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = @Now WHERE id = @Id";
    private const string SetPasswordSql = """
        UPDATE users SET password_hash = @Hash, security_stamp = @Stamp, failed_sign_ins = 0, locked_until = NULL,
            updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;
    private const string UnlockSql = "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, updated_at = @Now, version = version + 1 WHERE id = @Id";

    // An account lies in an area when it has scopes and none of them is outside the area's codes (see AccountArea).
    private const string OfficeInAreaSql = """
        ((role = 'county_office' AND EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id)
            AND NOT EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id AND s.code NOT IN @AreaCounties))
         OR (role = 'prefecture_office' AND EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id)
            AND NOT EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id AND s.code NOT IN @AreaPrefectures)))
        """;
    private const string InstitutionInAreaSql = """
        (role = 'training_institution' AND EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id)
            AND NOT EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id AND s.code NOT IN @AreaInstitutions))
        """;
    private const string EmployerInAreaSql = """
        (role = 'enterprise' AND EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id)
            AND NOT EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = users.id AND s.code <> @AreaEmployer))
        """;

    public Task<WriteResult> CreateAsync(UserDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByNameSql), new { draft.Name }, tx) is { } existing)
            {
                return WriteResult.Conflict($"用户名已被用户 {existing} 使用", existing);
            }
            var parameters = Parameters(draft);
            parameters.Add("CreatedBy", draft.CreatedBy);
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, parameters, tx);
            await WriteScopesAsync(connection, tx, id, draft.Scopes);
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
            await WriteScopesAsync(connection, tx, id, draft.Scopes);
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

    /// <summary>
    /// A page of users of the role (any when null) inside <paramref name="area"/> (everyone when null): the area is a
    /// condition of the query, so an administrator's list holds only the accounts it administers.
    /// </summary>
    public async Task<PagedList<User>> ListAsync(string? role, AccountArea area, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery().Add("role = @Role", "Role", role);
        if (!area.All)
        {
            // The parts of the area, any of which admits an account; none at all admits nothing.
            var parts = new List<string>();
            if (area.EmployerId is { } employer)
            {
                parts.Add(EmployerInAreaSql);
                query.Parameters.Add("AreaEmployer", employer.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (area.Counties.Count > 0)
            {
                parts.Add(OfficeInAreaSql);
                query.Parameters.Add("AreaCounties", area.Counties);
                query.Parameters.Add("AreaPrefectures", area.Prefectures);
            }
            if (area.Institutions.Count > 0)
            {
                parts.Add(InstitutionInAreaSql);
                query.Parameters.Add("AreaInstitutions", area.Institutions);
            }
            query.When(true, parts.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", parts) + ")");
        }
        var (rows, total) = await query.RunAsync<UserRow>(database, "users", $"SELECT {Columns} FROM users", page, pageSize, cancellationToken);
        return new PagedList<User>(rows.Select(r => r.ToUser()).ToList(), page, pageSize, total);
    }

    /// <summary>The account of that name with its password hash and failure count (sign-in only), or null.</summary>
    public async Task<UserCredentials?> GetCredentialsAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(CredentialsSql, new { Name = name });
        return row is null ? null : new UserCredentials(row.ToUser(), row.PasswordHash, (int)row.FailedSignIns);
    }

    /// <summary>
    /// Counts one more wrong password with the lockout rule (<see cref="Lockout.AfterFailure"/>), in one transaction so
    /// that guesses sent at once are all counted. Returns the lock, if the account is now locked.
    /// </summary>
    public Task<DateTimeOffset?> RecordFailedSignInAsync(long id, int maxFailures, TimeSpan lockout, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var state = await connection.QuerySingleAsync<FailureRow>(database.Dialect.Render(FailuresSql), new { Id = id }, tx);
            var now = time.GetUtcNow();
            var (count, until) = Lockout.AfterFailure((int)state.FailedSignIns, state.LockedUntil, now, maxFailures, lockout);
            await connection.ExecuteAsync(SetFailuresSql, new { Id = id, Failures = count, LockedUntil = until }, tx);
            return Lockout.IsLocked(until, now) ? until : null;
        }, cancellationToken);

    /// <summary>A successful sign-in: the failure count starts again and the time is kept.</summary>
    public async Task RecordSignInAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(SignedInSql, new { Id = id, Now = time.GetUtcNow() });
    }

    /// <summary>Stores a new password hash with a new security stamp (ending other sessions) and lifts any lock.</summary>
    public Task<WriteResult> SetPasswordAsync(long id, string passwordHash, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            await connection.ExecuteAsync(SetPasswordSql, new { Id = id, Hash = passwordHash, Stamp = Guid.NewGuid().ToString("N"), Now = time.GetUtcNow() }, tx);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    /// <summary>Lifts a lockout before it ends (an administrator's decision).</summary>
    public Task<WriteResult> UnlockAsync(long id, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, null);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            await connection.ExecuteAsync(UnlockSql, new { Id = id, Now = time.GetUtcNow() }, tx);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    private static async Task WriteScopesAsync(DbConnection connection, DbTransaction tx, long id, IReadOnlyList<string> scopes)
    {
        await connection.ExecuteAsync(DeleteScopesSql, new { Id = id }, tx);
        foreach (var code in scopes.Distinct())
        {
            await connection.ExecuteAsync(InsertScopeSql, new { Id = id, Code = code }, tx);
        }
    }

    private DynamicParameters Parameters(UserDraft d)
    {
        var parameters = new DynamicParameters(new { d.Name, d.Role, Scopes = Codes.Join(d.Scopes), d.Active, d.ManagesAccounts });
        parameters.Add("Now", time.GetUtcNow());
        return parameters;
    }

    private sealed class FailureRow
    {
        public long FailedSignIns { get; init; }
        public DateTimeOffset? LockedUntil { get; init; }
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
        public bool ManagesAccounts { get; init; }
        public bool HasPassword { get; init; }
        public DateTimeOffset? LockedUntil { get; init; }
        public DateTimeOffset? LastSignInAt { get; init; }
        public long? CreatedBy { get; init; }
        public string? SecurityStamp { get; init; }
        public string? PasswordHash { get; init; }
        public long FailedSignIns { get; init; }

        public User ToUser() => new(Id, Name, Role, Codes.Split(Scopes), Active, CreatedAt, UpdatedAt, (int)Version)
        {
            ManagesAccounts = ManagesAccounts,
            HasPassword = HasPassword,
            LockedUntil = LockedUntil,
            LastSignInAt = LastSignInAt,
            CreatedBy = CreatedBy,
            SecurityStamp = SecurityStamp,
        };
    }
}
