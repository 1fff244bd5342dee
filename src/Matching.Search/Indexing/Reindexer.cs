using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matching.Search.Indexing;

public enum ReindexState { Idle, Running, Completed, Failed }

/// <summary>Progress of a rebuild, as the admin endpoint and the CLI show it.</summary>
public sealed record ReindexStatus(
    ReindexState State,
    string? Version,
    long WorkersIndexed,
    long WorkersTotal,
    long OpeningsIndexed,
    long OpeningsTotal,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    public static readonly ReindexStatus Idle = new(ReindexState.Idle, null, 0, 0, 0, 0, null, null, null);
}

/// <summary>
/// Rebuilds the index from SQL into a new version and swaps it in, while searches keep using the old one. Changes
/// committed during the rebuild are replayed from the outbox after the swap (the outbox high-water mark is taken before
/// SQL is read), so none is lost. One rebuild at a time.
/// </summary>
public sealed class Reindexer(SearchSource source, ISearchIndex index, OutboxIndexer outbox, TimeProvider time, ILogger<Reindexer>? logger = null) : IDisposable
{
    public const int PageSize = 2_000;

    private readonly ILogger _logger = logger ?? NullLogger<Reindexer>.Instance;
    private readonly SemaphoreSlim _running = new(1, 1);
    private ReindexStatus _status = ReindexStatus.Idle;

    public ReindexStatus Status => _status;

    /// <summary>Starts a rebuild in the background; false when one is already running.</summary>
    public bool TryStart(IProgress<string>? progress = null)
    {
        if (!_running.Wait(0))
        {
            return false;
        }
        _status = ReindexStatus.Idle with { State = ReindexState.Running, StartedAt = time.GetUtcNow() };
        _ = Task.Run(async () =>
        {
            try
            {
                await RunLockedAsync(progress, CancellationToken.None);
            }
            finally
            {
                _running.Release();
            }
        });
        return true;
    }

    /// <summary>Rebuilds now and returns the final status (the CLI's way).</summary>
    public async Task<ReindexStatus> RunAsync(IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!await _running.WaitAsync(0, cancellationToken))
        {
            throw new InvalidOperationException("已有重建索引任务在运行");
        }
        try
        {
            _status = ReindexStatus.Idle with { State = ReindexState.Running, StartedAt = time.GetUtcNow() };
            return await RunLockedAsync(progress, cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<ReindexStatus> RunLockedAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        try
        {
            await index.EnsureCreatedAsync(cancellationToken);
            var marker = await outbox.HighWaterMarkAsync(cancellationToken);
            var totals = await source.CountAsync(cancellationToken);
            _status = _status with { WorkersTotal = totals.Workers, OpeningsTotal = totals.Openings };
            await using var rebuild = await index.BeginRebuildAsync(cancellationToken);
            _status = _status with { Version = rebuild.Version };
            progress?.Report($"重建索引 {rebuild.Version}：劳动者 {totals.Workers:N0} 名，岗位 {totals.Openings:N0} 个");

            long after = 0, done = 0;
            var step = Math.Max(PageSize, totals.Workers / 10);
            while (true)
            {
                var page = await source.WorkersAfterAsync(after, PageSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }
                await rebuild.AddWorkersAsync(page, cancellationToken);
                after = page[^1].Id;
                done += page.Count;
                _status = _status with { WorkersIndexed = done };
                if (done % step < PageSize)
                {
                    progress?.Report($"劳动者 {done:N0}/{totals.Workers:N0}");
                }
            }
            after = 0;
            done = 0;
            while (true)
            {
                var page = await source.OpeningsAfterAsync(after, PageSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }
                await rebuild.AddOpeningsAsync(page, cancellationToken);
                after = page[^1].Id;
                done += page.Count;
                _status = _status with { OpeningsIndexed = done };
            }
            progress?.Report($"岗位 {done:N0}/{totals.Openings:N0}");
            await rebuild.SwapAsync(cancellationToken);
            await outbox.ReplayAfterAsync(marker, cancellationToken);
            await outbox.MarkCoveredByRebuildAsync(marker, cancellationToken);
            progress?.Report($"已切换到新索引 {rebuild.Version}，并补上重建期间的变更");
            _status = _status with { State = ReindexState.Completed, FinishedAt = time.GetUtcNow() };
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Rebuilding the search index failed");
            progress?.Report($"重建索引失败：{exception.Message}");
            _status = _status with { State = ReindexState.Failed, FinishedAt = time.GetUtcNow(), Error = exception.Message };
        }
        return _status;
    }

    public void Dispose() => _running.Dispose();
}
