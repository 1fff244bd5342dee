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
/// Drains the outbox into the index: rows in id order, a batch at a time; the current SQL state of each entity is
/// read and written (upsert, or delete when the row is gone), the index is committed, and only then are the rows
/// marked processed. A process dying anywhere before that mark leaves the rows pending, and writing the current state
/// again is harmless, so nothing is lost. A failed batch is retried with exponential back-off (attempts,
/// next_attempt_at, last_error); rows stay in id order because a batch never skips a failed row.
/// </summary>
public sealed class OutboxIndexer(Database database, SearchSource source, ISearchIndex index, TimeProvider time, ILogger<OutboxIndexer>? logger = null) : IDisposable
{
    public const int DefaultBatchSize = 500;
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(10);

    private readonly ILogger _logger = logger ?? NullLogger<OutboxIndexer>.Instance;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    private const string PendingSql = """
        SELECT id, entity, entity_id, operation, attempts, next_attempt_at FROM outbox
        WHERE processed_at IS NULL
        ORDER BY id LIMIT @Take
        """;
    private const string MarkProcessedSql = "UPDATE outbox SET processed_at = @Now, last_error = NULL WHERE id IN @Ids";
    private const string MarkFailedSql = """
        UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @NextAttempt, last_error = @Error WHERE id IN @Ids
        """;
    private const string StatusSql = """
        SELECT COUNT(*) AS pending, CAST(MIN(created_at) AS TEXT) AS oldest,
            COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS failing,
            CAST((SELECT last_error FROM outbox WHERE processed_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS TEXT) AS last_error
        FROM outbox WHERE processed_at IS NULL
        """;
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

    /// <summary>One batch: the oldest pending rows, unless the oldest is still waiting out its back-off.</summary>
    public async Task<DrainResult> DrainOnceAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            List<OutboxRow> rows;
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(PendingSql, new { Take = batchSize }, cancellationToken: cancellationToken))).AsList();
            }
            if (rows.Count == 0)
            {
                return new DrainResult(0, 0, false);
            }
            var now = time.GetUtcNow();
            // Id order: a batch waits while its oldest row waits out its back-off.
            if (rows[0].NextAttemptAt is { } due && due > now)
            {
                return new DrainResult(0, 0, false);
            }
            try
            {
                await ApplyAsync(rows, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var attempts = rows.Max(r => r.Attempts) + 1;
                var delay = RetryDelay(attempts);
                _logger.LogWarning(exception, "Search index update failed (attempt {Attempts}); retry in {Delay}", attempts, delay);
                await using var connection = await database.OpenAsync(CancellationToken.None);
                await connection.ExecuteAsync(MarkFailedSql, new
                {
                    Ids = rows.Select(r => r.Id).ToArray(),
                    NextAttempt = now + delay,
                    Error = Truncate($"{exception.GetType().Name}: {exception.Message}", 1000),
                });
                return new DrainResult(0, rows.Count, true);
            }
            await using (var connection = await database.OpenAsync(CancellationToken.None))
            {
                await connection.ExecuteAsync(MarkProcessedSql, new { Ids = rows.Select(r => r.Id).ToArray(), Now = time.GetUtcNow() });
            }
            return new DrainResult(rows.Count, 0, rows.Count == batchSize);
        }
        finally
        {
            _oneAtATime.Release();
        }
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
        return new OutboxStatus(row.Pending, row.Oldest, row.Failing, row.LastError);
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

/// <summary>Pending outbox rows: how many, since when, how many already failed at least once, the last error.</summary>
public sealed record OutboxStatus(long Pending, string? Oldest, long Failing, string? LastError);
