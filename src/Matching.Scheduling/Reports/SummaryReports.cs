using System.Globalization;
using System.Text;
using Dapper;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;

namespace Matching.Scheduling.Reports;

/// <summary>
/// Quarterly (季小结) and annual (年总结) summaries per prefecture, as CSV (UTF-8 with BOM, so Excel reads the Chinese
/// headers): enrolments offered and accepted, cohorts completed and cancelled, placements started (of them priority
/// groups), and placements still in work at the 6-month follow-up. Counts only; no personal data.
/// </summary>
public sealed class SummaryReports(Database database, Catalogue catalogue, TimeProvider time)
{
    private const string FiguresSql = """
        SELECT w.prefecture_code AS prefecture,
            (SELECT COUNT(*) FROM enrolments e JOIN workers x ON x.id = e.worker_id
              WHERE x.prefecture_code = w.prefecture_code AND e.created_at >= @From AND e.created_at < @To) AS enrolments,
            (SELECT COUNT(*) FROM enrolments e JOIN workers x ON x.id = e.worker_id
              WHERE x.prefecture_code = w.prefecture_code AND e.status IN ('accepted') AND e.created_at >= @From AND e.created_at < @To) AS accepted,
            (SELECT COUNT(*) FROM placements p JOIN workers x ON x.id = p.worker_id
              WHERE x.prefecture_code = w.prefecture_code AND p.start_date >= @FromDate AND p.start_date < @ToDate) AS placements,
            (SELECT COUNT(*) FROM placements p JOIN workers x ON x.id = p.worker_id
              WHERE x.prefecture_code = w.prefecture_code AND x.priority_groups <> '' AND p.start_date >= @FromDate AND p.start_date < @ToDate) AS priority_placements,
            (SELECT COUNT(*) FROM placement_follow_ups f JOIN placements p ON p.id = f.placement_id JOIN workers x ON x.id = p.worker_id
              WHERE x.prefecture_code = w.prefecture_code AND f.month = 6 AND f.still_employed = 1 AND f.due_date >= @FromDate AND f.due_date < @ToDate) AS retained_six_months
        FROM (SELECT DISTINCT prefecture_code FROM workers) w
        ORDER BY w.prefecture_code
        """;
    private const string CohortsSql = """
        SELECT
            (SELECT COUNT(*) FROM cohorts WHERE status = 'completed' AND end_date >= @FromDate AND end_date < @ToDate) AS completed,
            (SELECT COUNT(*) FROM cohorts WHERE status = 'cancelled' AND enrolment_deadline >= @FromDate AND enrolment_deadline < @ToDate) AS cancelled
        """;

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

    /// <summary>Writes the report of the period before today's, unless it exists; true when written now.</summary>
    public async Task<(bool Written, string Period)> WriteAsync(string kind, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var (period, from, to) = kind == ReportKinds.Annual ? PreviousYear(today) : PreviousQuarter(today);
        var content = await BuildCsvAsync(from, to, cancellationToken);
        var title = kind == ReportKinds.Annual ? $"{period}年东西部劳务协作年总结" : $"{period} 东西部劳务协作季小结";
        var written = await new ReportStore(database, time).AddAsync(kind, period, title, $"{kind}-{period}.csv", "text/csv; charset=utf-8", content, cancellationToken);
        return (written, period);
    }

    public async Task<string> BuildCsvAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        // Stored times are UTC; Beijing midnight is 16:00 UTC the day before.
        var fromUtc = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
        var toUtc = new DateTimeOffset(to.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { From = fromUtc, To = toUtc, FromDate = from, ToDate = to };
        var rows = (await connection.QueryAsync<Row>(FiguresSql, parameters)).ToList();
        var cohorts = await connection.QuerySingleAsync<(long Completed, long Cancelled)>(CohortsSql, parameters);
        var csv = new StringBuilder();
        csv.Append('\uFEFF');
        csv.AppendLine(CultureInfo.InvariantCulture, $"统计期间,{from:yyyy-MM-dd},至,{to.AddDays(-1):yyyy-MM-dd}");
        csv.AppendLine(CultureInfo.InvariantCulture, $"结业班期,{cohorts.Completed},取消班期,{cohorts.Cancelled}");
        csv.AppendLine("市州代码,市州,报名人次,确认参训,就业安置,其中重点群体,6个月在岗");
        foreach (var r in rows)
        {
            csv.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Prefecture},{catalogue.NameOf(r.Prefecture)},{r.Enrolments},{r.Accepted},{r.Placements},{r.PriorityPlacements},{r.RetainedSixMonths}");
        }
        csv.AppendLine(CultureInfo.InvariantCulture,
            $"520000,合计,{rows.Sum(r => r.Enrolments)},{rows.Sum(r => r.Accepted)},{rows.Sum(r => r.Placements)},{rows.Sum(r => r.PriorityPlacements)},{rows.Sum(r => r.RetainedSixMonths)}");
        return csv.ToString();
    }

    private sealed class Row
    {
        public string Prefecture { get; init; } = "";
        public long Enrolments { get; init; }
        public long Accepted { get; init; }
        public long Placements { get; init; }
        public long PriorityPlacements { get; init; }
        public long RetainedSixMonths { get; init; }
    }
}
