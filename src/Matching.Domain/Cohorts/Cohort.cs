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

    /// <summary>Whether a cohort takes enrolments today: open (招生中) and its enrolment deadline not passed.</summary>
    public static bool TakesEnrolment(string status, DateOnly enrolmentDeadline, DateOnly today) => status == Open && today <= enrolmentDeadline;

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

public static class CohortRules
{
    public static CohortDraft? Validate(CohortInput input, Catalogue catalogue, ValidationErrors errors)
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
        var deadline = Check.Required(errors, "enrolmentDeadline", input.EnrolmentDeadline);
        var start = Check.Required(errors, "startDate", input.StartDate);
        var end = Check.Required(errors, "endDate", input.EndDate);
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
        var status = input.Status?.Trim() ?? CohortStatus.Planned;
        if (!CohortStatus.All.Contains(status))
        {
            errors.Add("status", "应为 planned、open、confirmed、in-training、completed 或 cancelled");
        }
        if (!errors.IsValid)
        {
            return null;
        }
        return new CohortDraft(input.BaseId!.Value, name!, trainingType!, trades, capacity!.Value, minSize!.Value,
            deadline!.Value, start!.Value, end!.Value, openings, status);
    }
}
