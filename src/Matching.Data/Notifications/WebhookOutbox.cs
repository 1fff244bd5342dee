using System.Data.Common;
using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Notifications;

/// <summary>A message waiting for (or delivered to) the webhook.</summary>
public sealed record WebhookMessage(long Id, string MessageKey, string Kind, string Payload, DateTimeOffset CreatedAt, int Attempts,
    DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset? GaveUpAt, string? LastError);

/// <summary>
/// The webhook's durable outbox: messages are written in the transaction of what caused them and stay until the
/// receiver acknowledged them (2xx), so neither a failing gateway nor a restart loses one. Delivery is at least
/// once; the message key travels with each attempt so the receiver can drop repeats.
/// </summary>
public sealed class WebhookOutbox(Database database)
{
    private const string InsertSql = """
        INSERT INTO webhook_outbox (message_key, kind, payload, created_at, attempts, next_attempt_at)
        SELECT @MessageKey, @Kind, @Payload, @Now, 0, @Now
        WHERE NOT EXISTS (SELECT 1 FROM webhook_outbox /*UPDLOCK*/ WHERE message_key = @MessageKey)
        """;
    private const string Columns = "id, message_key, kind, payload, created_at, attempts, next_attempt_at, delivered_at, gave_up_at, last_error";
    private const string DueSql = $"""
        SELECT {Columns} FROM webhook_outbox
        WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= @Now
        ORDER BY next_attempt_at, id
        """;
    private const string DeliveredSql = "UPDATE webhook_outbox SET delivered_at = @Now, attempts = attempts + 1, last_error = NULL WHERE id = @Id";
    private const string FailedSql = """
        UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = @NextAttemptAt, gave_up_at = @GaveUpAt, last_error = @Error WHERE id = @Id
        """;
    private const string ByKeySql = $"SELECT {Columns} FROM webhook_outbox WHERE message_key = @MessageKey";
    private const string CountsSql = """
        SELECT
            (SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL) AS pending,
            (SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NOT NULL) AS delivered,
            (SELECT COUNT(*) FROM webhook_outbox WHERE gave_up_at IS NOT NULL) AS gave_up
        """;

    public static async Task<bool> EnqueueAsync(SqlDialect dialect, DbConnection connection, DbTransaction? transaction, string messageKey, string kind, string payload, DateTimeOffset now) =>
        await connection.ExecuteAsync(dialect.Render(InsertSql), new { MessageKey = messageKey, Kind = kind, Payload = payload, Now = now }, transaction) == 1;

    public async Task<bool> EnqueueAsync(string messageKey, string kind, string payload, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EnqueueAsync(database.Dialect, connection, null, messageKey, kind, payload, now);
    }

    public async Task<IReadOnlyList<WebhookMessage>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(DueSql + database.Dialect.Page, new { Now = now, Skip = 0, Take = max })).Select(r => r.ToMessage()).ToList();
    }

    public async Task<WebhookMessage?> FindAsync(string messageKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(ByKeySql, new { MessageKey = messageKey }))?.ToMessage();
    }

    public async Task MarkDeliveredAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(DeliveredSql, new { Id = id, Now = now });
    }

    /// <summary>Records a failed attempt: tried again at <paramref name="nextAttemptAt"/>, or given up when that is null.</summary>
    public async Task MarkFailedAsync(long id, DateTimeOffset now, DateTimeOffset? nextAttemptAt, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(FailedSql, new
        {
            Id = id,
            NextAttemptAt = nextAttemptAt ?? now,
            GaveUpAt = nextAttemptAt is null ? now : (DateTimeOffset?)null,
            Error = error.Length > 500 ? error[..500] : error,
        });
    }

    public async Task<(long Pending, long Delivered, long GaveUp)> CountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long, long)>(CountsSql);
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string MessageKey { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Payload { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public long Attempts { get; init; }
        public DateTimeOffset NextAttemptAt { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
        public DateTimeOffset? GaveUpAt { get; init; }
        public string? LastError { get; init; }

        public WebhookMessage ToMessage() => new(Id, MessageKey, Kind, Payload, CreatedAt, (int)Attempts, NextAttemptAt, DeliveredAt, GaveUpAt, LastError);
    }
}
