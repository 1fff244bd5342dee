using Matching.Data.Storage;

namespace Matching.Api.Infrastructure;

/// <summary>
/// Copies SQLite's write-ahead log into the database file every second, in the background (passive: it waits for no
/// reader or writer), so a commit, such as an import's, never does it inline. Runs only when the database defers its
/// checkpoints to it (<see cref="MatchingOptions.CheckpointInBackground"/>, which the service sets).
/// </summary>
public sealed class CheckpointService(Database database, TimeProvider time, ILogger<CheckpointService> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.CheckpointsInBackground)
        {
            return;
        }
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await database.CheckpointAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A failed checkpoint loses nothing (the log keeps every commit); the next tick tries again.
                    logger.LogWarning(exception, "后台检查点失败，下一秒重试");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
