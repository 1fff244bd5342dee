using System.Globalization;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Validation;

namespace Matching.Data.Reports;

/// <summary>A count of a report, per county for the period: its key, its column header and what it counts.</summary>
public sealed record ReportMetric(string Key, string Header, string Definition);

/// <summary>
/// One pass over a table that yields several counts: SQL returning the county code then one column per metric of
/// <see cref="Metrics"/> (in that order), with @From/@To (UTC) and @FromDate/@ToDate. Counts of the same rows share a
/// pass instead of each reading them again.
/// </summary>
public sealed record ReportSource(string Sql, IReadOnlyList<string> Metrics);

/// <summary>A share computed from two counts when the report is rendered (so it adds up correctly over counties and prefectures).</summary>
public sealed record ReportShare(string Header, string Numerator, string Denominator);

/// <summary>
/// THE ONE PLACE that says what the reports count. A new figure (certificates, high-skilled gained, progress against
/// targets — issue 11) is one more entry in <see cref="Counts"/>, computed by a column of one of <see cref="Sources"/>
/// (and <see cref="Shares"/> for a rate): storage, the per-county, per-prefecture and total sheets, scoping and
/// versions follow from it.
/// </summary>
public static class ReportMetrics
{
    private const string Priority = "w.priority_groups <> ''";

    public static readonly IReadOnlyList<ReportMetric> Counts =
    [
        new("registrations", "新登记劳动者", "期间内登记（含导入）的劳动者人数，按户籍县"),
        new("priority-registrations", "其中重点群体", "新登记劳动者中属于重点群体的人数"),
        new("enrolments", "报名人次", "期间内产生的培训报名（录取通知）人次"),
        new("completions", "结业人数", "期间内结业的班期中已确认参训的人数（证书、高技能人才数待补贴模块接入后增加）"),
        new("placements", "就业安置", "期间内上岗的就业安置人次"),
        new("priority-placements", "其中重点群体安置", "就业安置中属于重点群体的人次"),
        new("six-month-due", "6个月应回访", "第6个月回访日期在期间内的就业安置数"),
        new("six-month-retained", "6个月仍在岗", "其中第6个月回访登记为在岗的人数"),
        new("follow-ups-due", "应回访次数", "回访日期在期间内的回访（1、3、6、12个月）次数"),
        new("follow-ups-done", "已回访次数", "其中已登记回访结果的次数"),
        new("alerts-raised", "新增预警", "期间内产生的防返贫就业预警数"),
        new("open-alerts", "未处置预警", "生成报告时尚未处置（待处理或已接收）且在期末前产生的预警数"),
    ];

    private const string RegistrationsSql = $"""
        SELECT w.county_code, COUNT(*), SUM(CASE WHEN {Priority} THEN 1 ELSE 0 END)
        FROM workers w WHERE w.created_at >= @From AND w.created_at < @To GROUP BY w.county_code
        """;
    private const string EnrolmentsSql = """
        SELECT w.county_code, COUNT(*) FROM enrolments e JOIN workers w ON w.id = e.worker_id
        WHERE e.created_at >= @From AND e.created_at < @To GROUP BY w.county_code
        """;
    private const string CompletionsSql = """
        SELECT w.county_code, COUNT(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN workers w ON w.id = e.worker_id
        WHERE c.status = 'completed' AND e.status = 'accepted' AND c.end_date >= @FromDate AND c.end_date < @ToDate GROUP BY w.county_code
        """;
    private const string PlacementsSql = $"""
        SELECT w.county_code, COUNT(*), SUM(CASE WHEN {Priority} THEN 1 ELSE 0 END)
        FROM placements p JOIN workers w ON w.id = p.worker_id WHERE p.start_date >= @FromDate AND p.start_date < @ToDate GROUP BY w.county_code
        """;
    private const string FollowUpsSql = """
        SELECT w.county_code,
            SUM(CASE WHEN f.month = 6 THEN 1 ELSE 0 END),
            SUM(CASE WHEN f.month = 6 AND f.still_employed = 1 THEN 1 ELSE 0 END),
            COUNT(*),
            SUM(CASE WHEN f.followed_up_on IS NOT NULL THEN 1 ELSE 0 END)
        FROM placement_follow_ups f JOIN placements p ON p.id = f.placement_id JOIN workers w ON w.id = p.worker_id
        WHERE f.due_date >= @FromDate AND f.due_date < @ToDate GROUP BY w.county_code
        """;
    private const string AlertsSql = """
        SELECT a.county_code,
            SUM(CASE WHEN a.raised_at >= @From THEN 1 ELSE 0 END),
            SUM(CASE WHEN a.status <> 'resolved' THEN 1 ELSE 0 END)
        FROM job_loss_alerts a WHERE a.raised_at < @To GROUP BY a.county_code
        """;

    // Each pass starts from the rows of the period (found by the date index) and looks up each row's worker by key:
    // the workers table is never scanned whole. Registrations are counted from ix_workers_created alone.
    public static readonly IReadOnlyList<ReportSource> Sources =
    [
        new(RegistrationsSql, ["registrations", "priority-registrations"]),
        new(EnrolmentsSql, ["enrolments"]),
        new(CompletionsSql, ["completions"]),
        new(PlacementsSql, ["placements", "priority-placements"]),
        new(FollowUpsSql, ["six-month-due", "six-month-retained", "follow-ups-due", "follow-ups-done"]),
        new(AlertsSql, ["alerts-raised", "open-alerts"]),
    ];

    public static readonly IReadOnlyList<ReportShare> Shares =
    [
        new("重点群体登记占比", "priority-registrations", "registrations"),
        new("重点群体安置占比", "priority-placements", "placements"),
        new("6个月留存率", "six-month-retained", "six-month-due"),
        new("回访完成率", "follow-ups-done", "follow-ups-due"),
    ];
}

/// <summary>The figures of a period, per county, counted in SQL by the passes of <see cref="ReportMetrics.Sources"/>.</summary>
public sealed class ReportCounts(Database database)
{
    /// <summary>Every metric for every county with a non-zero value; the passes run side by side, each on its own connection.</summary>
    public async Task<IReadOnlyList<ReportFigure>> ComputeAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var parameters = Parameters(from, to);
        var results = await Task.WhenAll(ReportMetrics.Sources.Select(async source =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(source.Sql, parameters, commandTimeout: 600, cancellationToken: cancellationToken));
            var figures = new List<ReportFigure>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var county = reader.GetString(0);
                for (var i = 0; i < source.Metrics.Count; i++)
                {
                    // SUM over no rows is NULL on both engines; a zero is not stored (absent reads as zero).
                    var value = reader.IsDBNull(i + 1) ? 0 : Convert.ToInt64(reader.GetValue(i + 1), CultureInfo.InvariantCulture);
                    if (value != 0)
                    {
                        figures.Add(new ReportFigure(county, source.Metrics[i], value));
                    }
                }
            }
            return figures;
        }));
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>
    /// The benchmark's baseline: the same passes run as the report ran before counts of the same rows shared a pass,
    /// once for each count they compute, side by side. Returns the rows read (nothing is kept).
    /// </summary>
    public async Task<long> OnePassPerCountAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var parameters = Parameters(from, to);
        var rows = await Task.WhenAll(ReportMetrics.Sources.SelectMany(source => source.Metrics.Select(_ => source)).Select(async source =>
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return (await connection.QueryAsync(new CommandDefinition(source.Sql, parameters, commandTimeout: 600, cancellationToken: cancellationToken))).LongCount();
        }));
        return rows.Sum();
    }

    // Instants from Beijing midnight of each day; dates as they are.
    private static object Parameters(DateOnly from, DateOnly to) => new
    {
        From = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset),
        To = new DateTimeOffset(to.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset),
        FromDate = from,
        ToDate = to,
    };
}
