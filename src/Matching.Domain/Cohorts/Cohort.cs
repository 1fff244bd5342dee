using Matching.Domain.Catalogues;
using Matching.Domain.Validation;

namespace Matching.Domain.Cohorts;

/// <summary>A training class (培训班期) at a base, e.g. a 岗前培训 cohort for 焊工 in March.</summary>
public sealed record CohortInput(
    long? BaseId,
    string? Name,
    string? TrainingType,
    IReadOnlyList<string?>? Trades,
    int? Capacity,
    int? MinSize,
    DateOnly? EnrolmentDeadline,
    DateOnly? StartDate,
    DateOnly? EndDate,
    IReadOnlyList<long>? LinkedOpeningIds,
    string? Status);

public sealed record CohortDraft(
    long BaseId,
    string Name,
    string TrainingType,
    IReadOnlyList<string> Trades,
    int Capacity,
    int MinSize,
    DateOnly EnrolmentDeadline,
    DateOnly StartDate,
    DateOnly EndDate,
    IReadOnlyList<long> LinkedOpeningIds,
    string Status);

/// <summary>Cohort lifecycle: planned → open → confirmed → in-training → completed, or cancelled before training ends.</summary>
public static class CohortStatus
{
    public const string Planned = "planned";
    public const string Open = "open";
    public const string Confirmed = "confirmed";
    public const string InTraining = "in-training";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Planned, Open, Confirmed, InTraining, Completed, Cancelled];

    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        [Planned] = [Open, Cancelled],
        [Open] = [Confirmed, Cancelled],
        [Confirmed] = [InTraining, Cancelled],
        [InTraining] = [Completed, Cancelled],
        [Completed] = [],
        [Cancelled] = [],
    };

    public static bool CanMove(string from, string to) => from == to || (Allowed.TryGetValue(from, out var next) && next.Contains(to));

    /// <summary>Completed and cancelled cohorts have nothing ahead of them.</summary>
    public static bool IsFinal(string status) => status is Completed or Cancelled;

    /// <summary>
    /// The one rule of every status change, for the scheduled steps and for people alike (PUT, POST …/cancel): the
    /// move must follow the lifecycle, and its dates must allow it — enrolment opens only before the deadline, a
    /// cohort is confirmed only with enough accepted workers, training starts on the start date, and a cohort is
    /// completed only once its end date has come. Null when allowed; otherwise why not, in Chinese.
    /// </summary>
    public static string? Refusal(string from, string to, CohortProgress cohort, DateOnly today)
    {
        if (from == to)
        {
            return null;
        }
        if (!CanMove(from, to))
        {
            return $"班期状态不能从“{NameOf(from)}”改为“{NameOf(to)}”";
        }
        return to switch
        {
            Open when today > cohort.EnrolmentDeadline => $"报名截止日 {cohort.EnrolmentDeadline:yyyy-MM-dd} 已过，不能再开始招生",
            Confirmed when cohort.Accepted < cohort.MinSize => $"确认参训 {cohort.Accepted} 人，未达到最低开班人数 {cohort.MinSize}，不能确认开班",
            InTraining when today < cohort.StartDate => $"开班日期 {cohort.StartDate:yyyy-MM-dd} 未到，不能开班",
            Completed when today < cohort.EndDate => $"结业日期 {cohort.EndDate:yyyy-MM-dd} 未到，不能结业",
            _ => null,
        };
    }

    public static string NameOf(string status) => status switch
    {
        Planned => "计划中",
        Open => "招生中",
        Confirmed => "已确认开班",
        InTraining => "培训中",
        Completed => "已结业",
        Cancelled => "已取消",
        _ => status,
    };
}

/// <summary>What the lifecycle rule reads of a cohort: its dates and how many workers accepted a seat.</summary>
public sealed record CohortProgress(DateOnly EnrolmentDeadline, DateOnly StartDate, DateOnly EndDate, int Accepted, int MinSize);

/// <summary>A stored cohort's status and dates, against which a replacement (PUT) is checked.</summary>
public sealed record CohortStored(string Status, DateOnly EnrolmentDeadline, DateOnly StartDate, DateOnly EndDate);

public static class CohortRules
{
    /// <summary>A cohort's dates lie from shortly before today (one just begun is still registered) …</summary>
    public const int EarliestDaysBefore = 30;

    /// <summary>… to two years ahead: plans further out are not plans, and no job should wait decades to fire.</summary>
    public const int LatestYearsAhead = 2;

    /// <summary>
    /// A new cohort (<paramref name="stored"/> null) starts as planned (计划中); its status then changes only through the
    /// lifecycle (<see cref="CohortStatus.Refusal"/>). Each date must lie in the window around today, except a date a
    /// replacement leaves as it was stored (a cohort in training keeps its past start date).
    /// </summary>
    public static CohortDraft? Validate(CohortInput input, Catalogue catalogue, DateOnly today, ValidationErrors errors, CohortStored? stored = null)
    {
        if (input.BaseId is null or <= 0)
        {
            errors.Add("baseId", "必填");
        }
        var name = Check.Text(errors, "name", input.Name, 100, required: true, minLength: 2);
        var trainingType = input.TrainingType?.Trim();
        if (string.IsNullOrEmpty(trainingType) || !catalogue.TrainingTypesById.ContainsKey(trainingType))
        {
            errors.Add("trainingType", "未知的培训类型");
        }
        var trades = Check.Codes(errors, "trades", input.Trades, 10, catalogue.TradesById.ContainsKey, "未知的工种编号", required: true);
        var capacity = Check.Range(errors, "capacity", input.Capacity, 1, 1000);
        var minSize = Check.Range(errors, "minSize", input.MinSize ?? 1, 1, 1000);
        if (capacity is not null && minSize > capacity)
        {
            errors.Add("minSize", "最低开班人数不能超过容量");
        }
        var deadline = InWindow(errors, "enrolmentDeadline", "报名截止日期", input.EnrolmentDeadline, stored?.EnrolmentDeadline, today);
        var start = InWindow(errors, "startDate", "开班日期", input.StartDate, stored?.StartDate, today);
        var end = InWindow(errors, "endDate", "结业日期", input.EndDate, stored?.EndDate, today, extraDays: 366);
        if (deadline is not null && start is not null && deadline > start)
        {
            errors.Add("enrolmentDeadline", "报名截止日期不能晚于开班日期");
        }
        if (start is not null && end is not null)
        {
            if (end < start)
            {
                errors.Add("endDate", "结业日期不能早于开班日期");
            }
            else if (end.Value.DayNumber - start.Value.DayNumber > 366)
            {
                errors.Add("endDate", "培训期不能超过一年");
            }
        }
        var openings = input.LinkedOpeningIds ?? [];
        if (openings.Count > 20)
        {
            errors.Add("linkedOpeningIds", "最多20项");
        }
        else if (openings.Any(id => id <= 0) || openings.Distinct().Count() != openings.Count)
        {
            errors.Add("linkedOpeningIds", "岗位编号无效或重复");
        }
        var status = input.Status?.Trim() ?? stored?.Status ?? CohortStatus.Planned;
        if (!CohortStatus.All.Contains(status))
        {
            errors.Add("status", "应为 planned、open、confirmed、in-training、completed 或 cancelled");
        }
        else if (stored is null && status != CohortStatus.Planned)
        {
            errors.Add("status", "新班期从“计划中”（planned）开始；此后随招生、报名截止、开班、结业按流程变更");
        }
        if (!errors.IsValid)
        {
            return null;
        }
        return new CohortDraft(input.BaseId!.Value, name!, trainingType!, trades, capacity!.Value, minSize!.Value,
            deadline!.Value, start!.Value, end!.Value, openings, status);
    }

    /// <summary>A required date inside [today − 30 days, today + 2 years (+ <paramref name="extraDays"/>)], or left as stored.</summary>
    private static DateOnly? InWindow(ValidationErrors errors, string field, string label, DateOnly? value, DateOnly? storedValue, DateOnly today, int extraDays = 0)
    {
        if (Check.Required(errors, field, value) is not { } date)
        {
            return null;
        }
        var earliest = today.AddDays(-EarliestDaysBefore);
        var latest = today.AddYears(LatestYearsAhead).AddDays(extraDays);
        if (date != storedValue && (date < earliest || date > latest))
        {
            errors.Add(field, extraDays == 0
                ? $"{label}应在{EarliestDaysBefore}天前至{LatestYearsAhead}年后之间（{earliest:yyyy-MM-dd} 至 {latest:yyyy-MM-dd}）"
                : $"{label}应在{earliest:yyyy-MM-dd} 至 {latest:yyyy-MM-dd}之间");
            return null;
        }
        return date;
    }
}
