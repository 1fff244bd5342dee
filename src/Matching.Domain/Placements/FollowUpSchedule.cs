namespace Matching.Domain.Placements;

/// <summary>
/// When a follow-up (跟踪回访) is due and when it is overdue. A follow-up falls due on its date (1, 3, 6, 12 months
/// after the start) and is overdue once the grace period after it has passed; the county office is reminded at
/// both moments.
/// </summary>
public static class FollowUpSchedule
{
    /// <summary>Days after the due date within which a follow-up still counts as on time (回访窗口).</summary>
    public const int GraceDays = 15;

    public const string Due = "due";
    public const string Overdue = "overdue";

    /// <summary>due, overdue, or null (not yet due, or done) for an open follow-up on <paramref name="today"/>.</summary>
    public static string? StateOn(DateOnly dueDate, DateOnly? followedUpOn, DateOnly today) =>
        followedUpOn is not null || today < dueDate ? null
        : today > dueDate.AddDays(GraceDays) ? Overdue
        : Due;

    /// <summary>The last due date that is overdue on <paramref name="today"/>.</summary>
    public static DateOnly OverdueBefore(DateOnly today) => today.AddDays(-GraceDays);
}
