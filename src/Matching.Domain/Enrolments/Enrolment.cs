namespace Matching.Domain.Enrolments;

/// <summary>Enrolment (报名/录取) of a worker in a cohort: offered → accepted / declined, or waitlisted.</summary>
public static class EnrolmentStatus
{
    public const string Offered = "offered";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Waitlisted = "waitlisted";
    public const string Withdrawn = "withdrawn";

    /// <summary>The cohort was cancelled (班期取消); the worker is re-offered a seat elsewhere when one suits.</summary>
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Offered, Accepted, Declined, Waitlisted, Withdrawn, Cancelled];

    /// <summary>Statuses that hold a seat.</summary>
    public static readonly IReadOnlyList<string> HoldingSeat = [Offered, Accepted];

    /// <summary>Statuses that bind the worker to the cohort's dates (no overlapping cohort meanwhile).</summary>
    public static readonly IReadOnlyList<string> Active = [Offered, Accepted, Waitlisted];

    public static string NameOf(string status) => status switch
    {
        Offered => "已录取待确认",
        Accepted => "已确认参训",
        Declined => "已婉拒",
        Waitlisted => "候补",
        Withdrawn => "已退出",
        Cancelled => "班期取消",
        _ => status,
    };
}

/// <summary>Where an enrolment came from.</summary>
public static class EnrolmentSource
{
    public const string Manual = "manual";
    public const string Dispatch = "dispatch";
    public const string Waitlist = "waitlist";
    public const string ReOffer = "re-offer";
}
