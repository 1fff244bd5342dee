using System.Globalization;
using Dapper;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Matching.Scheduling.Reports;

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

    // Each pass starts from the rows of the period (found by the date index) and looks up each row's worker by key:
    // the workers table is never scanned whole. Registrations are counted from ix_workers_created alone.
    public static readonly IReadOnlyList<ReportSource> Sources =
    [
        new($"""
            SELECT w.county_code, COUNT(*), SUM(CASE WHEN {Priority} THEN 1 ELSE 0 END)
            FROM workers w WHERE w.created_at >= @From AND w.created_at < @To GROUP BY w.county_code
            """, ["registrations", "priority-registrations"]),
        new("""
            SELECT w.county_code, COUNT(*) FROM enrolments e JOIN workers w ON w.id = e.worker_id
            WHERE e.created_at >= @From AND e.created_at < @To GROUP BY w.county_code
            """, ["enrolments"]),
        new("""
            SELECT w.county_code, COUNT(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN workers w ON w.id = e.worker_id
            WHERE c.status = 'completed' AND e.status = 'accepted' AND c.end_date >= @FromDate AND c.end_date < @ToDate GROUP BY w.county_code
            """, ["completions"]),
        new($"""
            SELECT w.county_code, COUNT(*), SUM(CASE WHEN {Priority} THEN 1 ELSE 0 END)
            FROM placements p JOIN workers w ON w.id = p.worker_id WHERE p.start_date >= @FromDate AND p.start_date < @ToDate GROUP BY w.county_code
            """, ["placements", "priority-placements"]),
        new("""
            SELECT w.county_code,
                SUM(CASE WHEN f.month = 6 THEN 1 ELSE 0 END),
                SUM(CASE WHEN f.month = 6 AND f.still_employed = 1 THEN 1 ELSE 0 END),
                COUNT(*),
                SUM(CASE WHEN f.followed_up_on IS NOT NULL THEN 1 ELSE 0 END)
            FROM placement_follow_ups f JOIN placements p ON p.id = f.placement_id JOIN workers w ON w.id = p.worker_id
            WHERE f.due_date >= @FromDate AND f.due_date < @ToDate GROUP BY w.county_code
            """, ["six-month-due", "six-month-retained", "follow-ups-due", "follow-ups-done"]),
        new("""
            SELECT a.county_code,
                SUM(CASE WHEN a.raised_at >= @From THEN 1 ELSE 0 END),
                SUM(CASE WHEN a.status <> 'resolved' THEN 1 ELSE 0 END)
            FROM job_loss_alerts a WHERE a.raised_at < @To GROUP BY a.county_code
            """, ["alerts-raised", "open-alerts"]),
    ];

    public static readonly IReadOnlyList<ReportShare> Shares =
    [
        new("重点群体登记占比", "priority-registrations", "registrations"),
        new("重点群体安置占比", "priority-placements", "placements"),
        new("6个月留存率", "six-month-retained", "six-month-due"),
        new("回访完成率", "follow-ups-done", "follow-ups-due"),
    ];
}

/// <summary>
/// The monthly (月调度), quarterly (季小结) and annual (年总结) reports: figures per county computed from the same
/// tables the API lists read, stored as a version, rendered as .xlsx with sheets per county, per prefecture and in
/// total, for the counties of the reader's scope only.
/// </summary>
public sealed class SummaryReports(Database database, Catalogue catalogue, TimeProvider time)
{
    /// <summary>The month before today's, e.g. 2026-06 when run in July 2026.</summary>
    public static (string Period, DateOnly From, DateOnly To) PreviousMonth(DateOnly today)
    {
        var to = new DateOnly(today.Year, today.Month, 1);
        var from = to.AddMonths(-1);
        return (from.ToString("yyyy-MM", CultureInfo.InvariantCulture), from, to);
    }

    /// <summary>The quarter before the one containing today, e.g. 2026-Q2 when run in July 2026.</summary>
    public static (string Period, DateOnly From, DateOnly To) PreviousQuarter(DateOnly today)
    {
        var thisQuarterStart = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        var from = thisQuarterStart.AddMonths(-3);
        return (string.Create(CultureInfo.InvariantCulture, $"{from.Year}-Q{(from.Month - 1) / 3 + 1}"), from, thisQuarterStart);
    }

    /// <summary>The year before today's.</summary>
    public static (string Period, DateOnly From, DateOnly To) PreviousYear(DateOnly today) =>
        ((today.Year - 1).ToString(CultureInfo.InvariantCulture), new DateOnly(today.Year - 1, 1, 1), new DateOnly(today.Year, 1, 1));

    /// <summary>The days of a period written as 2026-06, 2026-Q2 or 2026; null when it is not one of the kind's.</summary>
    public static (DateOnly From, DateOnly To)? ParsePeriod(string kind, string period)
    {
        if (kind == ReportKinds.Monthly && DateOnly.TryParseExact(period + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return (month, month.AddMonths(1));
        }
        if (kind == ReportKinds.Quarterly && period.Length == 7 && period[4..6] == "-Q" && int.TryParse(period[..4], CultureInfo.InvariantCulture, out var qy)
            && period[6] is >= '1' and <= '4' && qy is >= 2000 and <= 2200)
        {
            var from = new DateOnly(qy, (period[6] - '1') * 3 + 1, 1);
            return (from, from.AddMonths(3));
        }
        if (kind == ReportKinds.Annual && period.Length == 4 && int.TryParse(period, CultureInfo.InvariantCulture, out var year) && year is >= 2000 and <= 2200)
        {
            return (new DateOnly(year, 1, 1), new DateOnly(year + 1, 1, 1));
        }
        return null;
    }

    public static string Title(string kind, string period) => kind switch
    {
        ReportKinds.Monthly => $"{period} 东西部劳务协作月调度",
        ReportKinds.Quarterly => $"{period} 东西部劳务协作季小结",
        _ => $"{period}年东西部劳务协作年总结",
    };

    /// <summary>The scheduled run: the report of the period before today's, unless that period has one already.</summary>
    public async Task<(bool Written, string Period)> WriteAsync(string kind, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var (period, from, to) = kind switch
        {
            ReportKinds.Annual => PreviousYear(today),
            ReportKinds.Quarterly => PreviousQuarter(today),
            _ => PreviousMonth(today),
        };
        var store = new ReportStore(database, time);
        if (await store.ExistsAsync(kind, period, cancellationToken))
        {
            return (false, period);
        }
        await GenerateAsync(kind, period, from, to, "系统（定时生成）", cancellationToken);
        return (true, period);
    }

    /// <summary>Computes the period's figures now and stores them as the next version (late data included).</summary>
    public async Task<(long Id, int Version)> GenerateAsync(string kind, string period, DateOnly from, DateOnly to, string createdBy, CancellationToken cancellationToken = default)
    {
        var figures = await ComputeAsync(from, to, cancellationToken);
        return await new ReportStore(database, time).AddVersionAsync(kind, period, Title(kind, period), from, to, createdBy, figures, cancellationToken);
    }

    /// <summary>Every metric for every county with a non-zero value; the passes run side by side, each on its own connection.</summary>
    public async Task<IReadOnlyList<ReportFigure>> ComputeAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var parameters = new
        {
            From = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset),
            To = new DateTimeOffset(to.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset),
            FromDate = from,
            ToDate = to,
        };
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
    /// The report as .xlsx: a cover sheet (period, version, scope, definitions), then sheets per county, per prefecture
    /// and the total, from the figures given (already confined to the reader's counties).
    /// </summary>
    public byte[] Render(StoredReport report, IReadOnlyList<ReportFigure> figures, IReadOnlyList<string>? counties, string scopeName)
    {
        var byCounty = figures.GroupBy(f => f.CountyCode).ToDictionary(g => g.Key, g => g.ToDictionary(f => f.Metric, f => f.Value));
        var countyList = (counties ?? catalogue.GuizhouCounties.Select(c => c.Code).ToList()).Where(catalogue.IsGuizhouCounty).Order(StringComparer.Ordinal).ToList();
        Dictionary<string, object?> Figures(IReadOnlyDictionary<string, long> values)
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var metric in ReportMetrics.Counts)
            {
                row[metric.Header] = values.GetValueOrDefault(metric.Key);
            }
            foreach (var share in ReportMetrics.Shares)
            {
                var denominator = values.GetValueOrDefault(share.Denominator);
                row[share.Header] = denominator == 0 ? null : Math.Round(100.0 * values.GetValueOrDefault(share.Numerator) / denominator, 1);
            }
            return row;
        }
        IReadOnlyDictionary<string, long> Sum(IEnumerable<string> codes) => ReportMetrics.Counts.ToDictionary(m => m.Key,
            m => codes.Sum(c => byCounty.TryGetValue(c, out var v) ? v.GetValueOrDefault(m.Key) : 0));

        var countyRows = countyList.Select(code =>
        {
            var prefecture = catalogue.PrefectureOf(code) ?? "";
            var row = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["市州"] = catalogue.NameOf(prefecture),
                ["县代码"] = code,
                ["县（市、区）"] = catalogue.NameOf(code),
            };
            foreach (var (k, v) in Figures(byCounty.GetValueOrDefault(code) ?? new Dictionary<string, long>()))
            {
                row[k] = v;
            }
            return row;
        }).ToList();
        var prefectureRows = countyList.GroupBy(c => catalogue.PrefectureOf(c) ?? "").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal) { ["市州代码"] = g.Key, ["市州"] = catalogue.NameOf(g.Key), ["县数"] = g.Count() };
            foreach (var (k, v) in Figures(Sum(g)))
            {
                row[k] = v;
            }
            return row;
        }).ToList();
        var total = new Dictionary<string, object?>(StringComparer.Ordinal) { ["范围"] = scopeName };
        foreach (var (k, v) in Figures(Sum(countyList)))
        {
            total[k] = v;
        }
        var cover = new List<Dictionary<string, object?>>
        {
            Line("报告", report.Title),
            Line("类型", ReportKinds.NameOf(report.Kind)),
            Line("统计期间", $"{report.PeriodFrom:yyyy-MM-dd} 至 {report.PeriodTo?.AddDays(-1):yyyy-MM-dd}"),
            Line("版本", $"第 {report.Version} 版{(report.Current ? "（当前）" : "（已被新版本取代）")}"),
            Line("生成时间", report.CreatedAt.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)),
            Line("生成人", report.CreatedBy),
            Line("范围", scopeName),
        };
        cover.AddRange(ReportMetrics.Counts.Select(m => Line(m.Header, m.Definition)));
        cover.AddRange(ReportMetrics.Shares.Select(s => Line(s.Header + "（%）",
            $"{ReportMetrics.Counts.First(m => m.Key == s.Numerator).Header} ÷ {ReportMetrics.Counts.First(m => m.Key == s.Denominator).Header}")));
        var sheets = new Dictionary<string, object>
        {
            ["说明"] = cover,
            ["按县（市、区）"] = countyRows,
            ["按市州"] = prefectureRows,
            ["合计"] = new[] { total },
        };
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration { AutoFilter = false });
        return stream.ToArray();
    }

    private static Dictionary<string, object?> Line(string item, string? content) => new(StringComparer.Ordinal) { ["项目"] = item, ["内容"] = content };
}
