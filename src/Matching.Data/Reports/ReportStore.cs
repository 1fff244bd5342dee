using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Reports;

public static class ReportKinds
{
    /// <summary>月调度.</summary>
    public const string Monthly = "monthly";

    /// <summary>季小结.</summary>
    public const string Quarterly = "quarterly";

    /// <summary>年总结.</summary>
    public const string Annual = "annual";

    public static readonly IReadOnlyList<string> All = [Monthly, Quarterly, Annual];

    public static string NameOf(string kind) => kind switch
    {
        Monthly => "月调度",
        Quarterly => "季小结",
        Annual => "年总结",
        _ => kind,
    };
}

/// <summary>A stored report version as listed (its figures are read separately, within the reader's scope).</summary>
public sealed record StoredReport(long Id, string Kind, string Period, int Version, bool Current, string Title, DateOnly? PeriodFrom, DateOnly? PeriodTo,
    string? CreatedBy, DateTimeOffset CreatedAt);

/// <summary>One figure of a report: a metric of one county.</summary>
public sealed record ReportFigure(string CountyCode, string Metric, long Value);

/// <summary>
/// Reports (月调度, 季小结, 年总结) in versions: a period's report can be generated again when late data arrive, each
/// time as a new version; the latest is current and older ones stay readable. Figures are kept per county and metric,
/// so a reader is given only the counties of their scope.
/// </summary>
public sealed class ReportStore(Database database, TimeProvider time)
{
    private const string Columns = """
        r.id, r.kind, r.period, r.version,
        CASE WHEN r.version = (SELECT MAX(x.version) FROM reports x WHERE x.kind = r.kind AND x.period = r.period) THEN 1 ELSE 0 END AS is_current,
        r.title, r.period_from, r.period_to, r.created_by, r.created_at
        """;
    // Read under the dialect's write lock: two regenerations at once queue for the next version instead of colliding.
    private const string NextVersionSql = "SELECT COALESCE(MAX(version), 0) + 1 FROM reports /*UPDLOCK*/ WHERE kind = @Kind AND period = @Period";
    private const string InsertSql = """
        INSERT INTO reports (kind, period, version, title, file_name, content_type, content, period_from, period_to, created_by, created_at)
        VALUES (@Kind, @Period, @Version, @Title, @FileName, @ContentType, '', @From, @To, @CreatedBy, @Now)
        """;
    private const string FigureSql = "INSERT INTO report_figures (report_id, county_code, metric, value) VALUES (@ReportId, @CountyCode, @Metric, @Value)";
    private const string ExistsSql = "SELECT COUNT(*) FROM reports WHERE kind = @Kind AND period = @Period";
    private const string FiguresSql = "SELECT county_code, metric, value FROM report_figures WHERE report_id = @Id";

    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public async Task<bool> ExistsAsync(string kind, string period, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(ExistsSql, new { Kind = kind, Period = period }) > 0;
    }

    /// <summary>Stores a new version of the period's report with its figures; its id and version.</summary>
    public Task<(long Id, int Version)> AddVersionAsync(string kind, string period, string title, DateOnly from, DateOnly to, string createdBy,
        IReadOnlyList<ReportFigure> figures, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var version = await connection.ExecuteScalarAsync<int>(database.Dialect.Render(NextVersionSql), new { Kind = kind, Period = period }, tx);
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, new
            {
                Kind = kind, Period = period, Version = version, Title = title, FileName = $"{kind}-{period}-v{version}.xlsx", ContentType,
                From = from, To = to, CreatedBy = createdBy, Now = time.GetUtcNow(),
            }, tx);
            await connection.ExecuteAsync(FigureSql, figures.Select(f => new { ReportId = id, f.CountyCode, f.Metric, f.Value }), tx);
            return (id, version);
        }, cancellationToken);

    /// <summary>Current versions of the reports, newest first.</summary>
    public Task<PagedList<StoredReport>> ListAsync(string? kind, int page, int pageSize, CancellationToken cancellationToken = default) =>
        ListAsync(kind, null, false, page, pageSize, cancellationToken);

    /// <summary>Reports, newest first; only current versions unless <paramref name="allVersions"/>.</summary>
    public async Task<PagedList<StoredReport>> ListAsync(string? kind, string? period, bool allVersions, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("r.kind = @Kind", "Kind", kind)
            .Add("r.period = @Period", "Period", period)
            .When(!allVersions, "r.version = (SELECT MAX(x.version) FROM reports x WHERE x.kind = r.kind AND x.period = r.period)");
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM reports r{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM reports r{query.Where} ORDER BY r.period DESC, r.kind, r.version DESC{database.Dialect.Page}", query.Parameters);
        return new PagedList<StoredReport>(rows.Select(r => r.ToReport()).ToList(), page, pageSize, total);
    }

    public async Task<StoredReport?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM reports r WHERE r.id = @Id", new { Id = id }))?.ToReport();
    }

    /// <summary>The report's figures of these counties only (null: every county).</summary>
    public async Task<IReadOnlyList<ReportFigure>> FiguresAsync(long id, IReadOnlyList<string>? counties, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sql = counties is null ? FiguresSql : FiguresSql + " AND county_code IN @Counties";
        return (await connection.QueryAsync<(string County, string Metric, long Value)>(sql, new { Id = id, Counties = counties }))
            .Select(f => new ReportFigure(f.County, f.Metric, f.Value)).ToList();
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Period { get; init; } = "";
        public long Version { get; init; }
        public long IsCurrent { get; init; }
        public string Title { get; init; } = "";
        public DateOnly? PeriodFrom { get; init; }
        public DateOnly? PeriodTo { get; init; }
        public string? CreatedBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }

        public StoredReport ToReport() => new(Id, Kind, Period, (int)Version, IsCurrent == 1, Title, PeriodFrom, PeriodTo, CreatedBy, CreatedAt);
    }
}
