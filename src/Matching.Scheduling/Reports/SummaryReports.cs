using System.Globalization;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Matching.Scheduling.Reports;

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

    /// <summary>Every metric for every county with a non-zero value (<see cref="ReportCounts"/>).</summary>
    public Task<IReadOnlyList<ReportFigure>> ComputeAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        new ReportCounts(database).ComputeAsync(from, to, cancellationToken);

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
