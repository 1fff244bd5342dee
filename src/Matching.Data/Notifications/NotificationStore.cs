using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Notifications;

/// <summary>A message waiting for the sender (e.g. a start reminder), by worker id; the sender looks up the contact itself.</summary>
public sealed record Notification(long Id, string Kind, long CohortId, long WorkerId, long? EnrolmentId, string Message, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, int Attempts);

/// <summary>
/// The notification outbox: jobs write messages in their own transaction (once per kind, cohort and worker), a sender
/// drains them and marks each sent, or records the failure for the next attempt.
/// </summary>
public sealed class NotificationStore(Database database, TimeProvider time)
{
    public const string CohortStartReminder = "cohort-start-reminder";

    private const string PendingSql = """
        SELECT id, kind, cohort_id, worker_id, enrolment_id, message, created_at, sent_at, attempts
        FROM notifications WHERE sent_at IS NULL ORDER BY id
        """;
    private const string MarkSentSql = "UPDATE notifications SET sent_at = @Now, attempts = attempts + 1, last_error = NULL WHERE id = @Id AND sent_at IS NULL";
    private const string MarkFailedSql = "UPDATE notifications SET attempts = attempts + 1, last_error = @Error WHERE id = @Id";
    private const string ForCohortSql = """
        SELECT id, kind, cohort_id, worker_id, enrolment_id, message, created_at, sent_at, attempts
        FROM notifications WHERE cohort_id = @CohortId ORDER BY id
        """;

    public async Task<IReadOnlyList<Notification>> PendingAsync(int max, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(PendingSql + database.Dialect.Page, new { Skip = 0, Take = max })).Select(r => r.ToNotification()).ToList();
    }

    public async Task<IReadOnlyList<Notification>> ForCohortAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(ForCohortSql, new { CohortId = cohortId })).Select(r => r.ToNotification()).ToList();
    }

    public async Task MarkSentAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(MarkSentSql, new { Id = id, Now = time.GetUtcNow() });
    }

    public async Task MarkFailedAsync(long id, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(MarkFailedSql, new { Id = id, Error = error.Length > 500 ? error[..500] : error });
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public long CohortId { get; init; }
        public long WorkerId { get; init; }
        public long? EnrolmentId { get; init; }
        public string Message { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? SentAt { get; init; }
        public long Attempts { get; init; }

        public Notification ToNotification() => new(Id, Kind, CohortId, WorkerId, EnrolmentId, Message, CreatedAt, SentAt, (int)Attempts);
    }
}
