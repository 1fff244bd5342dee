using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Outbox;

/// <summary>A row of the outbox: which entity changed, how, and how often applying it failed so far.</summary>
public sealed class OutboxEntry
{
    public long Id { get; init; }
    public string Entity { get; init; } = "";
    public long EntityId { get; init; }
    public string Operation { get; init; } = OutboxWriter.Upsert;
    public int Attempts { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
}

/// <summary>
/// Pending outbox rows: how many, since when, how many already failed at least once, the last error; and the rows set
/// aside after too many failures (the first <see cref="OutboxQueue.SetAsideShown"/>), which need an admin's look.
/// </summary>
public sealed record OutboxStatus(long Pending, string? Oldest, long Failing, string? LastError, long SetAside, IReadOnlyList<SetAsideChange> SetAsideRows);

/// <summary>A change the indexer could not apply after its retries: which entity, how often it failed, the last error.</summary>
public sealed record SetAsideChange(long Id, string Entity, long EntityId, int Attempts, string? LastError, string? SetAsideAt);

/// <summary>
/// The outbox as its readers work through it (the search indexer drains it, the cohort schedule follows its cohort
/// rows): the rows that are due in id order, marking them processed, failed with a back-off, or set aside, and what is
/// still pending. <see cref="OutboxWriter"/> writes the rows in the transactions that change the entities.
/// </summary>
public sealed class OutboxQueue(Database database)
{
    /// <summary>How many set-aside rows the status lists.</summary>
    public const int SetAsideShown = 100;

    // Paged by the dialect (Page, with @Skip = 0).
    private const string DueSql = """
        SELECT id, entity, entity_id, operation, attempts, next_attempt_at FROM outbox
        WHERE processed_at IS NULL AND set_aside_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= @Now)
        ORDER BY id
        """;
    private const string MarkProcessedSql = "UPDATE outbox SET processed_at = @Now, last_error = NULL WHERE id IN @Ids";
    private const string MarkFailedSql = """
        UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @NextAttempt, last_error = @Error WHERE id IN @Ids
        """;
    private const string SetAsideSql = "UPDATE outbox SET set_aside_at = @Now WHERE id = @Id";
    private const string StatusSql = """
        SELECT COUNT(*) AS pending, MIN(created_at) AS oldest,
            COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS failing,
            (SELECT last_error FROM outbox WHERE id = (SELECT MAX(id) FROM outbox WHERE processed_at IS NULL AND last_error IS NOT NULL)) AS last_error
        FROM outbox WHERE processed_at IS NULL AND set_aside_at IS NULL
        """;
    private const string SetAsideListSql = """
        SELECT id, entity, entity_id, attempts, last_error, set_aside_at FROM outbox
        WHERE processed_at IS NULL AND set_aside_at IS NOT NULL ORDER BY id
        """;
    private const string SetAsideCountSql = "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL AND set_aside_at IS NOT NULL";
    private const string MaxIdSql = "SELECT COALESCE(MAX(id), 0) FROM outbox";
    private const string MarkCoveredSql = "UPDATE outbox SET processed_at = @Now, last_error = NULL WHERE id <= @UpTo AND processed_at IS NULL";
    private const string AfterSql = "SELECT id, entity, entity_id, operation, attempts, next_attempt_at FROM outbox WHERE id > @After ORDER BY id";
    private const string ChangedSql = "SELECT DISTINCT entity_id FROM outbox WHERE entity = @Entity AND id > @After AND id <= @Upto";

    /// <summary>The oldest rows neither processed nor set aside whose back-off (if any) is over at <paramref name="now"/>, at most <paramref name="take"/>.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> DueAsync(int take, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<OutboxEntry>(new CommandDefinition(DueSql + database.Dialect.Page, new { Skip = 0, Take = take, Now = now },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task MarkProcessedAsync(IReadOnlyList<long> ids, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(MarkProcessedSql, new { Ids = ids, Now = now });
    }

    /// <summary>One more failed attempt for each row, retried at <paramref name="nextAttempt"/>; the error kept (at most 1,000 characters).</summary>
    public async Task MarkFailedAsync(IReadOnlyList<long> ids, DateTimeOffset nextAttempt, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(MarkFailedSql, new { Ids = ids, NextAttempt = nextAttempt, Error = error.Length <= 1000 ? error : error[..1000] });
    }

    /// <summary>No longer retried: shown to admins instead.</summary>
    public async Task SetAsideAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(SetAsideSql, new { Id = id, Now = now });
    }

    /// <summary>The newest outbox id (0 when empty).</summary>
    public async Task<long> HighWaterMarkAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(MaxIdSql);
    }

    /// <summary>Every row after <paramref name="afterId"/>, processed or not, in id order.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> AfterAsync(long afterId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<OutboxEntry>(new CommandDefinition(AfterSql, new { After = afterId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Marks the pending rows up to <paramref name="upTo"/> processed (a rebuild read SQL after they were committed).</summary>
    public async Task MarkCoveredAsync(long upTo, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(MarkCoveredSql, new { UpTo = upTo, Now = now });
    }

    /// <summary>The distinct ids of the <paramref name="entity"/> rows changed by outbox rows after <paramref name="afterId"/> up to <paramref name="upTo"/>.</summary>
    public async Task<IReadOnlyList<long>> ChangedAsync(string entity, long afterId, long upTo, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(ChangedSql, new { Entity = entity, After = afterId, Upto = upTo },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<OutboxStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<StatusRow>(new CommandDefinition(StatusSql, cancellationToken: cancellationToken));
        var setAside = (await connection.QueryAsync<SetAsideRow>(new CommandDefinition(SetAsideListSql + database.Dialect.Page,
                new { Skip = 0, Take = SetAsideShown }, cancellationToken: cancellationToken)))
            .Select(r => new SetAsideChange(r.Id, r.Entity, r.EntityId, (int)r.Attempts, r.LastError, Instant(r.SetAsideAt))).ToList();
        var setAsideCount = await connection.ExecuteScalarAsync<long>(new CommandDefinition(SetAsideCountSql, cancellationToken: cancellationToken));
        return new OutboxStatus(row.Pending, Instant(row.Oldest), row.Failing, row.LastError, setAsideCount, setAside);
    }

    // Instants as the stores write them on SQLite (UTC, seven decimals), whichever engine holds them.
    private static string? Instant(DateTimeOffset? value) => value is { } instant ? DatabaseCopy.StoredInstant(instant) : null;

    private sealed class StatusRow
    {
        public long Pending { get; init; }
        public DateTimeOffset? Oldest { get; init; }
        public long Failing { get; init; }
        public string? LastError { get; init; }
    }

    private sealed class SetAsideRow
    {
        public long Id { get; init; }
        public string Entity { get; init; } = "";
        public long EntityId { get; init; }
        public long Attempts { get; init; }
        public string? LastError { get; init; }
        public DateTimeOffset? SetAsideAt { get; init; }
    }
}
