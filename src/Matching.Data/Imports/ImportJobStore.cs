using System.Collections.Concurrent;
using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Imports;

public static class ImportModes
{
    /// <summary>全部或全不: any rejected row and nothing is written.</summary>
    public const string AllOrNothing = "all-or-nothing";

    /// <summary>仅导入有效行: valid rows are written, the others listed.</summary>
    public const string ValidRows = "valid-rows";

    /// <summary>A row whose ID number is already registered in the caller's county updates that worker.</summary>
    public const string Update = "update";

    /// <summary>…or is only reported, the worker left as it was.</summary>
    public const string Report = "report";

    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Rejected = "rejected";
    public const string Refused = "refused";
    public const string Failed = "failed";

    /// <summary>Rejection kind: the row exists already and was left as it was.</summary>
    public const string Reported = "reported";
}

/// <summary>An import job as its owner sees it.</summary>
public sealed record ImportJob(
    long Id,
    long UserId,
    string UserName,
    IReadOnlyList<string> Counties,
    string FileName,
    string Mode,
    string OnExisting,
    string Status,
    string? Message,
    string? SheetName,
    IReadOnlyList<string> IgnoredColumns,
    int TotalRows,
    int ProcessedRows,
    int Created,
    int Updated,
    int Reported,
    int Rejected,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A row not written (rejected) or written nowhere because it exists already (reported), with its column and reason.</summary>
public sealed record ImportRejection(string Sheet, int RowNumber, string Column, string Reason, string Kind);

/// <summary>How the job ended.</summary>
public sealed record ImportOutcome(string Status, string? Message, string? SheetName, IReadOnlyList<string> IgnoredColumns, int TotalRows, int Created, int Updated,
    int Reported, int Rejected, IReadOnlyList<ImportRejection> Rejections);

/// <summary>Progress of running jobs, kept in memory: the import writes in one transaction, so the database cannot show it.</summary>
public sealed class ImportProgress
{
    private readonly ConcurrentDictionary<long, (string Phase, int Done, int Total)> _jobs = new();

    public void Report(long jobId, string phase, int done, int total) => _jobs[jobId] = (phase, done, total);

    public (string Phase, int Done, int Total)? Of(long jobId) => _jobs.TryGetValue(jobId, out var p) ? p : null;

    public void Forget(long jobId) => _jobs.TryRemove(jobId, out _);
}

/// <summary>Import jobs and their rejected rows.</summary>
public sealed class ImportJobStore(Database database, TimeProvider time)
{
    private const string Columns = """
        id, user_id, user_name, counties, file_name, mode, on_existing, status, message, sheet_name, ignored_columns, total_rows, processed_rows,
        created_count, updated_count, reported_count, rejected_count, created_at, started_at, finished_at
        """;
    private const string InsertSql = """
        INSERT INTO import_jobs (user_id, user_name, counties, file_name, file_content, mode, on_existing, status, created_at)
        VALUES (@UserId, @UserName, @Counties, @FileName, @Content, @Mode, @OnExisting, 'queued', @Now)
        """;
    private const string FileSql = "SELECT file_content FROM import_jobs WHERE id = @Id";
    private const string DeleteRejectionsSql = "DELETE FROM import_rejections WHERE job_id = @Id";
    private const string OldestQueuedSql = "SELECT MIN(id) FROM import_jobs WHERE status = 'queued'";
    private const string ClaimSql = "UPDATE import_jobs SET status = 'running', started_at = @Now WHERE id = @Id AND status = 'queued'";
    // A job cut off by a stop wrote nothing (its writes are one transaction): it runs again from the start.
    private const string RequeueSql = "UPDATE import_jobs SET status = 'queued', started_at = NULL WHERE status = 'running'";
    private const string FinishSql = """
        UPDATE import_jobs SET status = @Status, message = @Message, sheet_name = @SheetName, ignored_columns = @Ignored, total_rows = @TotalRows,
            processed_rows = @TotalRows, created_count = @Created, updated_count = @Updated, reported_count = @Reported, rejected_count = @Rejected,
            finished_at = @Now
        WHERE id = @Id
        """;
    private const string RejectionSql = """
        INSERT INTO import_rejections (job_id, sheet_name, row_number, column_name, reason, kind) VALUES (@JobId, @Sheet, @RowNumber, @Column, @Reason, @Kind)
        """;
    private const string RejectionsSql = """
        SELECT sheet_name AS sheet, row_number, column_name, reason, kind FROM import_rejections WHERE job_id = @Id ORDER BY sheet_name, row_number, column_name
        """;

    public async Task<long> CreateAsync(long userId, string userName, IReadOnlyList<string> counties, string fileName, byte[] content, string mode, string onExisting,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, new
        {
            UserId = userId, UserName = userName, Counties = Codes.Join(counties), FileName = fileName, Content = content, Mode = mode, OnExisting = onExisting,
            Now = time.GetUtcNow(),
        });
    }

    public async Task<ImportJob?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM import_jobs WHERE id = @Id", new { Id = id }))?.ToJob();
    }

    public async Task<byte[]?> ContentAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<byte[]?>(FileSql, new { Id = id });
    }

    /// <summary>Takes the oldest queued job for running; null when none waits. A job another runner took first is passed over.</summary>
    public async Task<long?> ClaimNextAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        while (await connection.ExecuteScalarAsync<long?>(OldestQueuedSql) is { } id)
        {
            if (await connection.ExecuteAsync(ClaimSql, new { Id = id, Now = time.GetUtcNow() }) == 1)
            {
                return id;
            }
        }
        return null;
    }

    public async Task<int> RequeueInterruptedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(RequeueSql);
    }

    public Task FinishAsync(long id, ImportOutcome outcome, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            await connection.ExecuteAsync(DeleteRejectionsSql, new { Id = id }, tx);
            await connection.ExecuteAsync(RejectionSql, outcome.Rejections.Select(r => new { JobId = id, r.Sheet, r.RowNumber, r.Column, r.Reason, r.Kind }), tx);
            return await connection.ExecuteAsync(FinishSql, new
            {
                Id = id, outcome.Status, outcome.Message, outcome.SheetName, Ignored = string.Join("、", outcome.IgnoredColumns), outcome.TotalRows, outcome.Created,
                outcome.Updated, outcome.Reported, outcome.Rejected, Now = time.GetUtcNow(),
            }, tx);
        }, cancellationToken);

    public async Task<IReadOnlyList<ImportRejection>> RejectionsAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RejectionRow>(RejectionsSql, new { Id = id })).Select(r => new ImportRejection(r.Sheet, (int)r.RowNumber, r.ColumnName, r.Reason, r.Kind)).ToList();
    }

    private sealed class RejectionRow
    {
        public string Sheet { get; init; } = "";
        public long RowNumber { get; init; }
        public string ColumnName { get; init; } = "";
        public string Reason { get; init; } = "";
        public string Kind { get; init; } = "";
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public long UserId { get; init; }
        public string UserName { get; init; } = "";
        public string Counties { get; init; } = "";
        public string FileName { get; init; } = "";
        public string Mode { get; init; } = "";
        public string OnExisting { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Message { get; init; }
        public string? SheetName { get; init; }
        public string? IgnoredColumns { get; init; }
        public long TotalRows { get; init; }
        public long ProcessedRows { get; init; }
        public long CreatedCount { get; init; }
        public long UpdatedCount { get; init; }
        public long ReportedCount { get; init; }
        public long RejectedCount { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }

        public ImportJob ToJob() => new(Id, UserId, UserName, Codes.Split(Counties), FileName, Mode, OnExisting, Status, Message, SheetName,
            string.IsNullOrEmpty(IgnoredColumns) ? [] : IgnoredColumns.Split('、'), (int)TotalRows, (int)ProcessedRows, (int)CreatedCount, (int)UpdatedCount,
            (int)ReportedCount, (int)RejectedCount, CreatedAt, StartedAt, FinishedAt);
    }
}
