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

    private readonly OutboxQueue _queue = new(database);

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
            var rows = await _queue.DueAsync(batchSize, time.GetUtcNow(), cancellationToken);
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
    private async Task<DrainResult> RecoverAsync(IReadOnlyList<OutboxEntry> rows, Exception batchError, int batchSize, CancellationToken cancellationToken)
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

    private Task MarkProcessedAsync(IReadOnlyList<OutboxEntry> rows) =>
        _queue.MarkProcessedAsync(rows.Select(r => r.Id).ToArray(), time.GetUtcNow(), CancellationToken.None);

    private async Task<int> MarkFailedAsync(IReadOnlyList<OutboxEntry> rows, Exception exception, bool setAsideWhenExhausted)
    {
        var now = time.GetUtcNow();
        var attempts = rows.Max(r => r.Attempts) + 1;
        var delay = RetryDelay(attempts);
        _logger.LogWarning(exception, "Search index update of {Rows} outbox rows failed (attempt {Attempts}); retry in {Delay}", rows.Count, attempts, delay);
        await _queue.MarkFailedAsync(rows.Select(r => r.Id).ToArray(), now + delay, $"{exception.GetType().Name}: {exception.Message}", CancellationToken.None);
        if (setAsideWhenExhausted && rows.Count == 1 && attempts >= MaxAttempts)
        {
            _logger.LogError("Outbox row {Id} ({Entity} {EntityId}) failed {Attempts} times on its own: set aside", rows[0].Id, rows[0].Entity, rows[0].EntityId, attempts);
            await _queue.SetAsideAsync(rows[0].Id, now, CancellationToken.None);
        }
        return rows.Count;
    }

    /// <summary>The newest outbox id: a rebuild notes it before reading SQL and replays what came after.</summary>
    public Task<long> HighWaterMarkAsync(CancellationToken cancellationToken = default) => _queue.HighWaterMarkAsync(cancellationToken);

    /// <summary>Applies again every change after <paramref name="afterId"/> (processed or not) to the live index.</summary>
    public async Task ReplayAfterAsync(long afterId, CancellationToken cancellationToken = default)
    {
        var rows = await _queue.AfterAsync(afterId, cancellationToken);
        foreach (var chunk in rows.Chunk(DefaultBatchSize))
        {
            await ApplyAsync(chunk, cancellationToken);
        }
    }

    /// <summary>
    /// Marks pending rows up to the rebuild's high-water mark as processed: the rebuild read SQL after they were
    /// committed, so the new index already holds their changes.
    /// </summary>
    public Task MarkCoveredByRebuildAsync(long upTo, CancellationToken cancellationToken = default) =>
        _queue.MarkCoveredAsync(upTo, time.GetUtcNow(), cancellationToken);

    public Task<OutboxStatus> StatusAsync(CancellationToken cancellationToken = default) => _queue.StatusAsync(cancellationToken);

    /// <summary>2 s, 4 s, 8 s … doubling per attempt, at most 10 minutes.</summary>
    public static TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));

    private async Task ApplyAsync(IReadOnlyList<OutboxEntry> rows, CancellationToken cancellationToken)
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

    private static List<long> Distinct(IReadOnlyList<OutboxEntry> rows, string entity) =>
        rows.Where(r => r.Entity == entity).Select(r => r.EntityId).Distinct().ToList();
}
