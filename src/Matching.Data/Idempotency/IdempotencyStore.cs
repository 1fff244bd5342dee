using Dapper;
using Matching.Data.Privacy;
using Matching.Data.Storage;

namespace Matching.Data.Idempotency;

/// <summary>How a request carrying an Idempotency-Key may go on.</summary>
public enum IdempotencyStart
{
    /// <summary>First time (or a key expired or abandoned): run the request, then store its response.</summary>
    Started,

    /// <summary>The same request was answered before: send the stored response again.</summary>
    Replay,

    /// <summary>The same key is being processed right now (409).</summary>
    InFlight,

    /// <summary>The key was used for a different request (422).</summary>
    Mismatch,
}

/// <summary>A stored response, replayed byte for byte.</summary>
public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, string? ETag, byte[] Body);

/// <summary>
/// Idempotency keys per caller (IETF draft-ietf-httpapi-idempotency-key-header). Keys are kept 24 hours; a request in
/// flight holds its key for at most <see cref="Lease"/>, so a process that died mid-request does not block the retry
/// forever. A stored response may hold personal data (a name): it is kept encrypted with the data key, the request's
/// fingerprint is a keyed hash (an ID number in a body cannot be guessed back from it), and expired keys are removed
/// whenever a key is used, not only by the nightly job.
/// </summary>
public sealed class IdempotencyStore(Database database, PersonalDataProtector protector, TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private const string FindSql = """
        SELECT fingerprint, state, status_code, content_type, location, etag, body, created_at
        FROM idempotency_keys /*UPDLOCK*/ WHERE user_id = @UserId AND idempotency_key = @Key
        """;
    private const string DeleteSql = "DELETE FROM idempotency_keys WHERE user_id = @UserId AND idempotency_key = @Key";
    private const string InsertSql = """
        INSERT INTO idempotency_keys (user_id, idempotency_key, fingerprint, state, created_at)
        VALUES (@UserId, @Key, @Fingerprint, 'in-flight', @Now)
        """;
    private const string CompleteSql = """
        UPDATE idempotency_keys SET state = 'done', status_code = @StatusCode, content_type = @ContentType, location = @Location,
            etag = @ETag, body = @Body, completed_at = @Now
        WHERE user_id = @UserId AND idempotency_key = @Key AND state = 'in-flight'
        """;
    private const string AbandonSql = "DELETE FROM idempotency_keys WHERE user_id = @UserId AND idempotency_key = @Key AND state = 'in-flight'";
    private const string PurgeSql = "DELETE FROM idempotency_keys WHERE created_at < @Before";

    public Task<(IdempotencyStart Start, StoredResponse? Stored)> BeginAsync(long userId, string key, string requestHash, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync<(IdempotencyStart, StoredResponse?)>(async (connection, tx) =>
        {
            var now = time.GetUtcNow();
            var fingerprint = Convert.ToHexString(protector.Hash("idempotency", requestHash));
            await connection.ExecuteAsync(PurgeSql, new { Before = now - Retention }, tx);
            var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(database.Dialect.Render(FindSql), new { UserId = userId, Key = key }, tx);
            var usable = row is not null
                && row.CreatedAt > now - Retention
                && !(row.State == "in-flight" && row.CreatedAt <= now - Lease);
            if (usable)
            {
                if (row!.Fingerprint != fingerprint)
                {
                    return (IdempotencyStart.Mismatch, null);
                }
                if (row.State == "in-flight")
                {
                    return (IdempotencyStart.InFlight, null);
                }
                return (IdempotencyStart.Replay, new StoredResponse((int)row.StatusCode!, row.ContentType, row.Location, row.ETag,
                    row.Body is { Length: > 0 } body ? protector.DecryptBytes(body) : []));
            }
            await connection.ExecuteAsync(DeleteSql, new { UserId = userId, Key = key }, tx);
            await connection.ExecuteAsync(InsertSql, new { UserId = userId, Key = key, Fingerprint = fingerprint, Now = now }, tx);
            return (IdempotencyStart.Started, null);
        }, cancellationToken);

    public async Task CompleteAsync(long userId, string key, StoredResponse response, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(CompleteSql, new
        {
            UserId = userId, Key = key, response.StatusCode, response.ContentType, response.Location, response.ETag,
            Body = protector.Encrypt(response.Body), Now = time.GetUtcNow(),
        });
    }

    /// <summary>Frees the key of a request that failed on the server side, so the client's retry runs again.</summary>
    public async Task AbandonAsync(long userId, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(AbandonSql, new { UserId = userId, Key = key });
    }

    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(PurgeSql, new { Before = time.GetUtcNow() - Retention });
    }

    private sealed class KeyRow
    {
        public string Fingerprint { get; init; } = "";
        public string State { get; init; } = "";
        public long? StatusCode { get; init; }
        public string? ContentType { get; init; }
        public string? Location { get; init; }
        public string? ETag { get; init; }
        public byte[]? Body { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }
}
