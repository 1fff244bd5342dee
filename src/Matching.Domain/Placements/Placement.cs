using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Domain.Placements;

/// <summary>A placement (就业安置): a worker employed at a partner employer, followed up at 1/3/6/12 months.</summary>
public sealed record PlacementInput(
    long? WorkerId,
    long? EmployerId,
    long? OpeningId,
    long? CohortId,
    DateOnly? StartDate,
    int? MonthlyWage);

public sealed record PlacementDraft(long WorkerId, long EmployerId, long? OpeningId, long? CohortId, DateOnly StartDate, int MonthlyWage);

/// <summary>What a follow-up call (跟踪回访) found.</summary>
public sealed record FollowUpInput(DateOnly? FollowedUpOn, bool? StillEmployed, int? MonthlyWage, string? Note);

public sealed record FollowUpDraft(DateOnly FollowedUpOn, bool StillEmployed, int? MonthlyWage, string? Note);

public static class PlacementRules
{
    /// <summary>Months after the start at which a placement is followed up; retention at 6 months is what the ranking learns.</summary>
    public static readonly IReadOnlyList<int> FollowUpMonths = [1, 3, 6, 12];

    public const string Active = "active";
    public const string Left = "left";

    public static PlacementDraft? Validate(PlacementInput input, DateOnly today, ValidationErrors errors)
    {
        if (input.WorkerId is null or <= 0)
        {
            errors.Add("workerId", "必填");
        }
        if (input.EmployerId is null or <= 0)
        {
            errors.Add("employerId", "必填");
        }
        if (input.OpeningId is <= 0)
        {
            errors.Add("openingId", "岗位编号无效");
        }
        if (input.CohortId is <= 0)
        {
            errors.Add("cohortId", "班期编号无效");
        }
        var start = Check.Required(errors, "startDate", input.StartDate);
        if (start is { } s && (s > today.AddYears(1) || s < today.AddYears(-10)))
        {
            errors.Add("startDate", "上岗日期应在十年前至一年后之间");
        }
        var wage = Check.Range(errors, "monthlyWage", input.MonthlyWage, WorkerRules.MinWage, WorkerRules.MaxWage);
        if (!errors.IsValid)
        {
            return null;
        }
        return new PlacementDraft(input.WorkerId!.Value, input.EmployerId!.Value, input.OpeningId, input.CohortId, start!.Value, wage!.Value);
    }

    public static FollowUpDraft? Validate(FollowUpInput input, DateOnly placementStart, DateOnly today, ValidationErrors errors)
    {
        var on = Check.Required(errors, "followedUpOn", input.FollowedUpOn);
        if (on is { } d && (d > today || d < placementStart))
        {
            errors.Add("followedUpOn", "回访日期应在上岗日期与今天之间");
        }
        var still = input.StillEmployed;
        if (still is null)
        {
            errors.Add("stillEmployed", "必填");
        }
        var wage = Check.Range(errors, "monthlyWage", input.MonthlyWage, WorkerRules.MinWage, WorkerRules.MaxWage, required: false);
        var note = Check.Text(errors, "note", input.Note, 1000, multiline: true);
        if (!errors.IsValid)
        {
            return null;
        }
        return new FollowUpDraft(on!.Value, still!.Value, wage, note);
    }
}
