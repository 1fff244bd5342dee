namespace Matching.Domain.Enrolments;

/// <summary>Enrolment (报名/录取) of a worker in a cohort: offered → accepted / declined, or waitlisted.</summary>
public static class EnrolmentStatus
{
    public const string Offered = "offered";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Waitlisted = "waitlisted";
    public const string Withdrawn = "withdrawn";

    public static readonly IReadOnlyList<string> All = [Offered, Accepted, Declined, Waitlisted, Withdrawn];

    /// <summary>Statuses that hold a seat.</summary>
    public static readonly IReadOnlyList<string> HoldingSeat = [Offered, Accepted];
}
