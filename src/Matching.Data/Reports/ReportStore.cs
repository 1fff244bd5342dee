using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Reports;

public static class ReportKinds
{
    /// <summary>季小结.</summary>
    public const string Quarterly = "quarterly";

    /// <summary>年总结.</summary>
    public const string Annual = "annual";

    public static readonly IReadOnlyList<string> All = [Quarterly, Annual];
}

/// <summary>A stored report as listed (without its content).</summary>
public sealed record StoredReport(long Id, string Kind, string Period, string Title, string FileName, string ContentType, DateTimeOffset CreatedAt);

/// <summary>Reports stored for download, one per kind and period: written once, so a job that runs twice keeps the first.</summary>
public sealed class ReportStore(Database database, TimeProvider time)
{
    private const string Columns = "id, kind, period, title, file_name, content_type, created_at";
    private const string InsertSql = """
        INSERT INTO reports (kind, period, title, file_name, content_type, content, created_at)
        SELECT @Kind, @Period, @Title, @FileName, @ContentType, @Content, @Now
        WHERE NOT EXISTS (SELECT 1 FROM reports /*UPDLOCK*/ WHERE kind = @Kind AND period = @Period)
        """;
    private const string ContentSql = "SELECT content FROM reports WHERE id = @Id";

    /// <summary>Stores the report unless one for the kind and period exists; true when stored now.</summary>
    public async Task<bool> AddAsync(string kind, string period, string title, string fileName, string contentType, string content, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(database.Dialect.Render(InsertSql), new { Kind = kind, Period = period, Title = title, FileName = fileName, ContentType = contentType, Content = content, Now = time.GetUtcNow() }) == 1;
    }

    public async Task<PagedList<StoredReport>> ListAsync(string? kind, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery().Add("kind = @Kind", "Kind", kind);
        var (rows, total) = await query.RunAsync<Row>(database, "reports", $"SELECT {Columns} FROM reports", page, pageSize, cancellationToken);
        return new PagedList<StoredReport>(rows.Select(r => r.ToReport()).ToList(), page, pageSize, total);
    }

    public async Task<StoredReport?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM reports WHERE id = @Id", new { Id = id }))?.ToReport();
    }

    public async Task<string?> ContentAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(ContentSql, new { Id = id });
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Period { get; init; } = "";
        public string Title { get; init; } = "";
        public string FileName { get; init; } = "";
        public string ContentType { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }

        public StoredReport ToReport() => new(Id, Kind, Period, Title, FileName, ContentType, CreatedAt);
    }
}
