using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Statistics;

/// <summary>
/// Whose figures: the workers of these counties (null: every county), only priority-group workers or all; for
/// placement figures, only the placements at one employer when <see cref="EmployerId"/> is set (an enterprise's own).
/// </summary>
public sealed record StatisticsScope(IReadOnlyList<string>? Counties, bool OnlyPriorityGroups, long? EmployerId = null);

/// <summary>Figures of one county or prefecture.</summary>
public sealed record AreaFigures(string Code, long Workers, long PriorityGroupWorkers, long Enrolled, long InTraining, long Placed, long Left);

/// <summary>Placements started in a month (yyyy-MM) and how many of those have since ended.</summary>
public sealed record MonthFigures(string Month, long Started, long LeftSince);

/// <summary>
/// A region's overview (工作台): workers registered, enrolled (offered or accepted a seat in a cohort not yet
/// started), in training, placed and in work, left; follow-ups due in the next two weeks and overdue; by area
/// (county for offices, prefecture province-wide) and placements by month over the last twelve.
/// </summary>
public sealed record OverviewFigures(
    long Workers,
    long PriorityGroupWorkers,
    long Enrolled,
    long InTraining,
    long Placed,
    long Left,
    long FollowUpsDueSoon,
    long FollowUpsOverdue,
    string AreaLevel,
    IReadOnlyList<AreaFigures> ByArea,
    IReadOnlyList<MonthFigures> PlacementsByMonth);

/// <summary>Retention of one area's placements at 3, 6 and 12 months: retained (still employed at that follow-up) against lost (left by then).</summary>
public sealed record RetentionFigures(string Code, long Placements, long Retained3, long Lost3, long Retained6, long Lost6, long Retained12, long Lost12);

/// <summary>
/// Counts for dashboards and charts. The scope is a condition of every query (a county office's counties, rural
/// revitalisation's priority groups), so figures are built only from rows the caller may see; no personal data.
/// </summary>
public sealed class StatisticsStore(Database database, TimeProvider time)
{
    public const int DueSoonDays = 14;

    // Each statement is written for the whole province by county: at run time the area column (w.county_code) may be
    // swapped for w.prefecture_code and the condition 1 = 1 for the scope's (both fixed fragments of this class), so
    // the constants stay whole SQL that the T-SQL check parses.
    private const string WorkersSql = """
        SELECT w.county_code AS code, COUNT(*) AS workers, SUM(CASE WHEN w.priority_groups <> '' THEN 1 ELSE 0 END) AS priority
        FROM workers w WHERE 1 = 1 GROUP BY w.county_code
        """;
    // Seats held in cohorts that have not started (offered or accepted), and accepted seats in cohorts in training.
    private const string EnrolmentsSql = """
        SELECT w.county_code AS code,
            COUNT(DISTINCT CASE WHEN c.status IN ('planned', 'open', 'confirmed') AND e.status IN ('offered', 'accepted') THEN e.worker_id END) AS enrolled,
            COUNT(DISTINCT CASE WHEN c.status = 'in-training' AND e.status = 'accepted' THEN e.worker_id END) AS in_training
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN workers w ON w.id = e.worker_id
        WHERE 1 = 1 GROUP BY w.county_code
        """;
    private const string PlacementsSql = """
        SELECT w.county_code AS code, SUM(CASE WHEN p.status = 'active' THEN 1 ELSE 0 END) AS placed, SUM(CASE WHEN p.status = 'left' THEN 1 ELSE 0 END) AS left_count
        FROM placements p JOIN workers w ON w.id = p.worker_id
        WHERE 1 = 1 GROUP BY w.county_code
        """;
    private const string FollowUpsSql = """
        SELECT SUM(CASE WHEN f.due_date >= @Today AND f.due_date <= @Soon THEN 1 ELSE 0 END) AS due_soon,
            SUM(CASE WHEN f.due_date < @Today THEN 1 ELSE 0 END) AS overdue
        FROM placement_follow_ups f JOIN placements p ON p.id = f.placement_id JOIN workers w ON w.id = p.worker_id
        WHERE f.followed_up_on IS NULL AND p.status = 'active' AND 1 = 1
        """;
    // By start date; the months are formed in code, so the SQL needs no dialect's date functions.
    private const string StartsSql = """
        SELECT p.start_date AS day, COUNT(*) AS started, SUM(CASE WHEN p.status = 'left' THEN 1 ELSE 0 END) AS left_since
        FROM placements p JOIN workers w ON w.id = p.worker_id
        WHERE p.start_date >= @From AND 1 = 1 GROUP BY p.start_date
        """;
    // A placement is lost by month M when a follow-up at or before M found the worker gone; retained when the
    // follow-up at M found the worker in work. Placements not yet followed up that far count in neither. Follow-ups
    // are folded to one row per placement first (inside the scope), in the order of the placements' keys so that no
    // sort is needed: the months found in work as bits (3 → 1, 6 → 2, 12 → 4; a placement has one follow-up a month, so
    // the sum is the set) and the first month found gone.
    private const string RetentionSql = """
        SELECT x.code AS code, COUNT(*) AS placements,
            SUM(CASE WHEN x.kept % 2 = 1 THEN 1 ELSE 0 END) AS retained3, SUM(CASE WHEN x.lost_at <= 3 THEN 1 ELSE 0 END) AS lost3,
            SUM(CASE WHEN x.kept / 2 % 2 = 1 THEN 1 ELSE 0 END) AS retained6, SUM(CASE WHEN x.lost_at <= 6 THEN 1 ELSE 0 END) AS lost6,
            SUM(CASE WHEN x.kept / 4 = 1 THEN 1 ELSE 0 END) AS retained12, SUM(CASE WHEN x.lost_at <= 12 THEN 1 ELSE 0 END) AS lost12
        FROM (
            SELECT MAX(w.county_code) AS code, p.id AS id,
                SUM(CASE WHEN f.still_employed = 1 THEN CASE f.month WHEN 3 THEN 1 WHEN 6 THEN 2 WHEN 12 THEN 4 ELSE 0 END ELSE 0 END) AS kept,
                MIN(CASE WHEN f.still_employed = 0 THEN f.month END) AS lost_at
            FROM placements p JOIN workers w ON w.id = p.worker_id LEFT JOIN placement_follow_ups f ON f.placement_id = p.id
            WHERE 1 = 1 GROUP BY p.id
        ) x
        GROUP BY x.code
        """;

    /// <summary>The overview of the scope, by county when the scope names counties, else by prefecture.</summary>
    public async Task<OverviewFigures> OverviewAsync(StatisticsScope scope, CancellationToken cancellationToken = default)
    {
        if (scope.EmployerId is not null)
        {
            throw new ArgumentException("the overview counts workers of a region, not an employer's", nameof(scope));
        }
        var byCounty = scope.Counties is not null;
        var (area, where, parameters) = Build(scope, byCounty);
        var today = Domain.Validation.ChinaTime.Today(time);
        parameters.Add("Today", today);
        parameters.Add("Soon", today.AddDays(DueSoonDays));
        var firstMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-11);
        parameters.Add("From", firstMonth);

        await using var connection = await database.OpenAsync(cancellationToken);
        var workers = (await connection.QueryAsync<WorkerRow>(Sql(WorkersSql, area, where), parameters)).ToDictionary(r => r.Code);
        var enrolments = (await connection.QueryAsync<EnrolmentRow>(Sql(EnrolmentsSql, area, where), parameters)).ToDictionary(r => r.Code);
        var placements = (await connection.QueryAsync<PlacementRow>(Sql(PlacementsSql, area, where), parameters)).ToDictionary(r => r.Code);
        var followUps = await connection.QuerySingleAsync<FollowUpRow>(Sql(FollowUpsSql, area, where), parameters);
        var starts = (await connection.QueryAsync<StartRow>(Sql(StartsSql, area, where), parameters)).ToList();

        var areas = workers.Keys.Union(placements.Keys).Union(enrolments.Keys).Order(StringComparer.Ordinal)
            .Select(code => new AreaFigures(code,
                workers.GetValueOrDefault(code)?.Workers ?? 0, workers.GetValueOrDefault(code)?.Priority ?? 0,
                enrolments.GetValueOrDefault(code)?.Enrolled ?? 0, enrolments.GetValueOrDefault(code)?.InTraining ?? 0,
                placements.GetValueOrDefault(code)?.Placed ?? 0, placements.GetValueOrDefault(code)?.LeftCount ?? 0))
            .ToList();
        var months = Enumerable.Range(0, 12).Select(i => firstMonth.AddMonths(i)).Select(m => new MonthFigures(
            m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            starts.Where(s => s.Day.Year == m.Year && s.Day.Month == m.Month).Sum(s => s.Started),
            starts.Where(s => s.Day.Year == m.Year && s.Day.Month == m.Month).Sum(s => s.LeftSince))).ToList();
        return new OverviewFigures(areas.Sum(a => a.Workers), areas.Sum(a => a.PriorityGroupWorkers), areas.Sum(a => a.Enrolled),
            areas.Sum(a => a.InTraining), areas.Sum(a => a.Placed), areas.Sum(a => a.Left), followUps.DueSoon ?? 0, followUps.Overdue ?? 0,
            byCounty ? "county" : "prefecture", areas, months);
    }

    /// <summary>Retention by county (or by prefecture when <paramref name="byCounty"/> is false).</summary>
    public async Task<IReadOnlyList<RetentionFigures>> RetentionAsync(StatisticsScope scope, bool byCounty, CancellationToken cancellationToken = default)
    {
        var (area, where, parameters) = Build(scope, byCounty);
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RetentionRow>(Sql(RetentionSql, area, where), parameters))
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new RetentionFigures(r.Code, r.Placements, r.Retained3, r.Lost3, r.Retained6, r.Lost6, r.Retained12, r.Lost12))
            .ToList();
    }

    /// <summary>The area column and the scope's condition on the worker (alias w) and placement (alias p), with its parameters.</summary>
    private static (string Area, string Where, DynamicParameters Parameters) Build(StatisticsScope scope, bool byCounty)
    {
        var parameters = new DynamicParameters();
        var clauses = new List<string> { Everywhere };
        if (scope.Counties is { } counties)
        {
            clauses.Add("w.county_code IN @Counties");
            parameters.Add("Counties", counties);
        }
        if (scope.OnlyPriorityGroups)
        {
            clauses.Add("w.priority_groups <> ''");
        }
        if (scope.EmployerId is { } employer)
        {
            // Only in placement queries (alias p): an employer's scope is its placements.
            clauses.Add("p.employer_id = @Employer");
            parameters.Add("Employer", employer);
        }
        return (byCounty ? CountyColumn : "w.prefecture_code", string.Join(" AND ", clauses), parameters);
    }

    // Only fixed fragments of this class are put into the SQL text; every value travels as a parameter.
    private static string Sql(string template, string area, string where) =>
        template.Replace(CountyColumn, area, StringComparison.Ordinal).Replace(Everywhere, where, StringComparison.Ordinal);

    private const string CountyColumn = "w.county_code";
    private const string Everywhere = "1 = 1";

    private sealed class WorkerRow
    {
        public string Code { get; init; } = "";
        public long Workers { get; init; }
        public long Priority { get; init; }
    }

    private sealed class EnrolmentRow
    {
        public string Code { get; init; } = "";
        public long Enrolled { get; init; }
        public long InTraining { get; init; }
    }

    private sealed class PlacementRow
    {
        public string Code { get; init; } = "";
        public long Placed { get; init; }
        public long LeftCount { get; init; }
    }

    private sealed class FollowUpRow
    {
        public long? DueSoon { get; init; }
        public long? Overdue { get; init; }
    }

    private sealed class StartRow
    {
        public DateOnly Day { get; init; }
        public long Started { get; init; }
        public long LeftSince { get; init; }
    }

    private sealed class RetentionRow
    {
        public string Code { get; init; } = "";
        public long Placements { get; init; }
        public long Retained3 { get; init; }
        public long Lost3 { get; init; }
        public long Retained6 { get; init; }
        public long Lost6 { get; init; }
        public long Retained12 { get; init; }
        public long Lost12 { get; init; }
    }
}
