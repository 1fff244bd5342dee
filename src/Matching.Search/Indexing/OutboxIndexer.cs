using Dapper;
using Matching.Data.Cohorts;
using Matching.Data.Openings;
using Matching.Data.Outbox;
using Matching.Data.Workers;
using Matching.Data.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matching.Search.Indexing;

/// <summary>What one drain pass did.</summary>
public sealed record DrainResult(int Processed, int Failed, bool MoreWaiting);

/// <summary>
/// Drains the outbox into the index: due rows in id order, a batch at a time; the current SQL state of each entity is
/// read and written (upsert, or delete when the row is gone), the index is committed, and only then are the rows
/// marked processed. A process dying anywhere before that mark leaves the rows pending, and writing the current state
/// again is harmless (so order between rows does not matter), so nothing is lost. When a batch fails while the index
/// itself answers, its rows are tried one by one: the good ones are indexed, a failing one waits out an exponential
/// back-off (attempts, next_attempt_at, last_error) without holding up the rows after it, and after
/// <see cref="MaxAttempts"/> failures it is set aside (set_aside_at), shown to admins, and no longer retried. When
/// the index does not answer, the whole batch backs off and nothing is set aside.
/// </summary>
public sealed class OutboxIndexer(Database database, SearchSource source, ISearchIndex index, TimeProvider time, ILogger<OutboxIndexer>? logger = null) : IDisposable
{
    public const int DefaultBatchSize = 500;
    public const int MaxAttempts = 5;
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(10);

    private readonly ILogger _logger = logger ?? NullLogger<OutboxIndexer>.Instance;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    private const string PendingSql = """
        SELECT id, entity, entity_id, operation, attempts, next_attempt_at FROM outbox
        WHERE processed_at IS NULL AND set_aside_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= @Now)
        ORDER BY id LIMIT @Take
        """;
    private const string MarkProcessedSql = "UPDATE outbox SET processed_at = @Now, last_error = NULL WHERE id IN @Ids";
    private const string MarkFailedSql = """
        UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @NextAttempt, last_error = @Error WHERE id IN @Ids
        """;
    private const string SetAsideSql = "UPDATE outbox SET set_aside_at = @Now WHERE id = @Id";
    private const string StatusSql = """
        SELECT COUNT(*) AS pending, CAST(MIN(created_at) AS TEXT) AS oldest,
            COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS failing,
            CAST((SELECT last_error FROM outbox WHERE processed_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS TEXT) AS last_error
        FROM outbox WHERE processed_at IS NULL AND set_aside_at IS NULL
        """;
    private const string SetAsideListSql = """
        SELECT id, entity, entity_id, attempts, last_error, CAST(set_aside_at AS TEXT) AS set_aside_at FROM outbox
        WHERE processed_at IS NULL AND set_aside_at IS NOT NULL ORDER BY id LIMIT 100
        """;
    private const string SetAsideCountSql = "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL AND set_aside_at IS NOT NULL";
    private const string MaxIdSql = "SELECT COALESCE(MAX(id), 0) FROM outbox";
    private const string MarkCoveredSql = "UPDATE outbox SET processed_at = @Now, last_error = NULL WHERE id <= @UpTo AND processed_at IS NULL";
    private const string ReplaySql = "SELECT id, entity, entity_id, operation, attempts, next_attempt_at FROM outbox WHERE id > @After ORDER BY id";

    /// <summary>Drains batches until the outbox holds nothing due (or a batch fails). Returns the rows processed.</summary>
    public async Task<int> DrainAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var result = await DrainOnceAsync(batchSize, cancellationToken);
            total += result.Processed;
            if (!result.MoreWaiting || result.Failed > 0)
            {
                return total;
            }
        }
    }

    /// <summary>One batch: the oldest rows that are due (rows waiting out a back-off are left for later).</summary>
    public async Task<DrainResult> DrainOnceAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            List<OutboxRow> rows;
            var now = time.GetUtcNow();
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(PendingSql, new { Take = batchSize, Now = now }, cancellationToken: cancellationToken))).AsList();
            }
            if (rows.Count == 0)
            {
                return new DrainResult(0, 0, false);
            }
            try
            {
                await ApplyAsync(rows, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return await RecoverAsync(rows, exception, batchSize, cancellationToken);
            }
            await MarkProcessedAsync(rows);
            return new DrainResult(rows.Count, 0, rows.Count == batchSize);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// After a failed batch: if the index answers, the failure lies with some rows, so each row is tried alone (the good
    /// ones indexed, the failing ones backed off, and set aside after <see cref="MaxAttempts"/>); otherwise the whole
    /// batch backs off.
    /// </summary>
    private async Task<DrainResult> RecoverAsync(List<OutboxRow> rows, Exception batchError, int batchSize, CancellationToken cancellationToken)
    {
        var indexAnswers = true;
        try
        {
            await index.CountAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            indexAnswers = false;
        }
        if (!indexAnswers || rows.Count == 1)
        {
            var failed = await MarkFailedAsync(rows, batchError, setAsideWhenExhausted: indexAnswers);
            return new DrainResult(0, failed, indexAnswers);
        }
        var processed = 0;
        var failures = 0;
        foreach (var row in rows)
        {
            try
            {
                await ApplyAsync([row], cancellationToken);
                await MarkProcessedAsync([row]);
                processed++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failures += await MarkFailedAsync([row], exception, setAsideWhenExhausted: true);
            }
        }
        // Rows that failed now wait out their back-off; the next batch moves on past them.
        return new DrainResult(processed, failures, rows.Count == batchSize || processed > 0);
    }

    private async Task MarkProcessedAsync(IReadOnlyList<OutboxRow> rows)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(MarkProcessedSql, new { Ids = rows.Select(r => r.Id).ToArray(), Now = time.GetUtcNow() });
    }

    private async Task<int> MarkFailedAsync(IReadOnlyList<OutboxRow> rows, Exception exception, bool setAsideWhenExhausted)
    {
        var now = time.GetUtcNow();
        var attempts = rows.Max(r => r.Attempts) + 1;
        var delay = RetryDelay(attempts);
        _logger.LogWarning(exception, "Search index update of {Rows} outbox rows failed (attempt {Attempts}); retry in {Delay}", rows.Count, attempts, delay);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(MarkFailedSql, new
        {
            Ids = rows.Select(r => r.Id).ToArray(),
            NextAttempt = now + delay,
            Error = Truncate($"{exception.GetType().Name}: {exception.Message}", 1000),
        });
        if (setAsideWhenExhausted && rows.Count == 1 && attempts >= MaxAttempts)
        {
            _logger.LogError("Outbox row {Id} ({Entity} {EntityId}) failed {Attempts} times on its own: set aside", rows[0].Id, rows[0].Entity, rows[0].EntityId, attempts);
            await connection.ExecuteAsync(SetAsideSql, new { rows[0].Id, Now = now });
        }
        return rows.Count;
    }

    /// <summary>The newest outbox id: a rebuild notes it before reading SQL and replays what came after.</summary>
    public async Task<long> HighWaterMarkAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(MaxIdSql);
    }

    /// <summary>Applies again every change after <paramref name="afterId"/> (processed or not) to the live index.</summary>
    public async Task ReplayAfterAsync(long afterId, CancellationToken cancellationToken = default)
    {
        List<OutboxRow> rows;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(ReplaySql, new { After = afterId }, cancellationToken: cancellationToken))).AsList();
        }
        foreach (var chunk in rows.Chunk(DefaultBatchSize))
        {
            await ApplyAsync(chunk, cancellationToken);
        }
    }

    /// <summary>
    /// Marks pending rows up to the rebuild's high-water mark as processed: the rebuild read SQL after they were
    /// committed, so the new index already holds their changes.
    /// </summary>
    public async Task MarkCoveredByRebuildAsync(long upTo, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(MarkCoveredSql, new { UpTo = upTo, Now = time.GetUtcNow() });
    }

    public async Task<OutboxStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<StatusRow>(new CommandDefinition(StatusSql, cancellationToken: cancellationToken));
        var setAside = (await connection.QueryAsync<SetAsideRow>(new CommandDefinition(SetAsideListSql, cancellationToken: cancellationToken)))
            .Select(r => new SetAsideChange(r.Id, r.Entity, r.EntityId, (int)r.Attempts, r.LastError, r.SetAsideAt)).ToList();
        var setAsideCount = await connection.ExecuteScalarAsync<long>(new CommandDefinition(SetAsideCountSql, cancellationToken: cancellationToken));
        return new OutboxStatus(row.Pending, row.Oldest, row.Failing, row.LastError, setAsideCount, setAside);
    }

    /// <summary>2 s, 4 s, 8 s … doubling per attempt, at most 10 minutes.</summary>
    public static TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));

    private async Task ApplyAsync(IReadOnlyList<OutboxRow> rows, CancellationToken cancellationToken)
    {
        // The current SQL state decides, not the operation recorded: several changes to one row collapse into one write.
        var workerIds = Distinct(rows, WorkerEntity);
        var openingIds = Distinct(rows, OpeningEntity).ToHashSet();
        foreach (var cohortId in Distinct(rows, CohortEntity))
        {
            // A cohort's dates and free seats live on its openings: those linked now, and those the index still links.
            openingIds.UnionWith(await source.OpeningsOfCohortAsync(cohortId, cancellationToken));
            openingIds.UnionWith(await index.OpeningsOfCohortAsync(cohortId, cancellationToken));
        }

        if (workerIds.Count > 0)
        {
            var documents = await source.WorkersAsync(workerIds, cancellationToken);
            await index.UpsertWorkersAsync(documents, cancellationToken);
            var gone = workerIds.Except(documents.Select(d => d.Id)).ToList();
            if (gone.Count > 0)
            {
                await index.DeleteWorkersAsync(gone, cancellationToken);
            }
        }
        if (openingIds.Count > 0)
        {
            var ids = openingIds.Order().ToList();
            var documents = await source.OpeningsAsync(ids, cancellationToken);
            await index.UpsertOpeningsAsync(documents, cancellationToken);
            var gone = ids.Except(documents.Select(d => d.Id)).ToList();
            if (gone.Count > 0)
            {
                await index.DeleteOpeningsAsync(gone, cancellationToken);
            }
        }
        await index.CommitAsync(cancellationToken);
    }

    private const string WorkerEntity = WorkerStore.OutboxEntity;
    private const string OpeningEntity = OpeningStore.OutboxEntity;
    private const string CohortEntity = CohortStore.OutboxEntity;

    public void Dispose() => _oneAtATime.Dispose();

    private static List<long> Distinct(IReadOnlyList<OutboxRow> rows, string entity) =>
        rows.Where(r => r.Entity == entity).Select(r => r.EntityId).Distinct().ToList();

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private sealed class StatusRow
    {
        public long Pending { get; init; }
        public string? Oldest { get; init; }
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
        public string? SetAsideAt { get; init; }
    }

    private sealed class OutboxRow
    {
        public long Id { get; init; }
        public string Entity { get; init; } = "";
        public long EntityId { get; init; }
        public string Operation { get; init; } = OutboxWriter.Upsert;
        public int Attempts { get; init; }
        public DateTimeOffset? NextAttemptAt { get; init; }
    }
}

/// <summary>
/// Pending outbox rows: how many, since when, how many already failed at least once, the last error; and the rows set
/// aside after <see cref="OutboxIndexer.MaxAttempts"/> failures (the first 100), which need an admin's look.
/// </summary>
public sealed record OutboxStatus(long Pending, string? Oldest, long Failing, string? LastError, long SetAside, IReadOnlyList<SetAsideChange> SetAsideRows);

/// <summary>A change the indexer could not apply after its retries: which entity, how often it failed, the last error.</summary>
public sealed record SetAsideChange(long Id, string Entity, long EntityId, int Attempts, string? LastError, string? SetAsideAt);
