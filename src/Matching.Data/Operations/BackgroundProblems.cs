using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Operations;

/// <summary>A row a background job could not handle: which job, which row, why (Chinese), since when.</summary>
public sealed record BackgroundProblem(string Kind, long SubjectId, string Detail, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt);

/// <summary>
/// What background jobs met and could not handle. A job records the row, skips it and goes on; admins see the list
/// (<c>GET /api/problems</c>) and <c>/health/ready</c> reports Degraded while it is not empty. Handling the row again
/// successfully clears it.
/// </summary>
public sealed class BackgroundProblems(Database database, TimeProvider time)
{
    /// <summary>A cohort whose triggers could not be set (e.g. dates out of range).</summary>
    public const string CohortSchedule = "cohort-schedule";

    /// <summary>A cohort lifecycle step (deadline, reminder, start, end) that failed.</summary>
    public const string CohortStep = "cohort-step";

    private const string UpsertSql = """
        UPDATE background_problems SET detail = @Detail, last_seen_at = @Now WHERE kind = @Kind AND subject_id = @SubjectId;
        INSERT INTO background_problems (kind, subject_id, detail, first_seen_at, last_seen_at)
        SELECT @Kind, @SubjectId, @Detail, @Now, @Now
        WHERE NOT EXISTS (SELECT 1 FROM background_problems WHERE kind = @Kind AND subject_id = @SubjectId);
        """;
    private const string ClearSql = "DELETE FROM background_problems WHERE kind = @Kind AND subject_id = @SubjectId";
    private const string ListSql = """
        SELECT kind, subject_id, detail, first_seen_at, last_seen_at FROM background_problems ORDER BY first_seen_at, kind, subject_id
        """;

    public async Task RecordAsync(string kind, long subjectId, string detail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(UpsertSql, new { Kind = kind, SubjectId = subjectId, Detail = detail, Now = time.GetUtcNow() });
    }

    public async Task ClearAsync(string kind, long subjectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(ClearSql, new { Kind = kind, SubjectId = subjectId });
    }

    public async Task<IReadOnlyList<BackgroundProblem>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(ListSql)).Select(r => new BackgroundProblem(r.Kind, r.SubjectId, r.Detail, r.FirstSeenAt, r.LastSeenAt)).ToList();
    }

    private sealed class Row
    {
        public string Kind { get; init; } = "";
        public long SubjectId { get; init; }
        public string Detail { get; init; } = "";
        public DateTimeOffset FirstSeenAt { get; init; }
        public DateTimeOffset LastSeenAt { get; init; }
    }
}
