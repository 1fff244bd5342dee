namespace Matching.Domain.Alerts;

/// <summary>
/// 防返贫就业预警: when a worker of a poverty-lifted (脱贫) or monitored (监测帮扶) household loses work, rural
/// revitalisation staff and the worker's county office are told at once. The whole rule of who is covered, what
/// raises an alert and how an alert moves is here; the stores and jobs call it.
/// </summary>
public static class JobLossAlertRules
{
    /// <summary>Priority groups whose workers are watched (a household type of the same name implies the group).</summary>
    public static readonly IReadOnlyList<string> CoveredGroups = ["poverty-lifted", "monitored"];

    /// <summary>A follow-up still not made this many days after its due date raises an alert (configurable).</summary>
    public const int DefaultOverdueDays = 30;

    public const string NotEmployedAtFollowUp = "not-employed";
    public const string LeftEarly = "left-early";
    public const string FollowUpOverdue = "follow-up-overdue";

    public static readonly IReadOnlyList<string> Triggers = [NotEmployedAtFollowUp, LeftEarly, FollowUpOverdue];

    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";

    public static readonly IReadOnlyList<string> Statuses = [Open, Acknowledged, Resolved];

    public static bool Covers(IEnumerable<string> priorityGroups) => priorityGroups.Any(CoveredGroups.Contains);

    /// <summary>The months before which leaving counts as an early end: the last follow-up (12 months) not reached.</summary>
    public const int EarlyEndMonths = 12;

    public static bool IsEarlyEnd(DateOnly start, DateOnly leftOn) => leftOn < start.AddMonths(EarlyEndMonths);

    /// <summary>The reason shown to people, in Chinese.</summary>
    public static string Reason(string trigger, int? month, DateOnly? on) => trigger switch
    {
        NotEmployedAtFollowUp => $"第{month}个月回访（{on:yyyy-MM-dd}）登记为已不在岗",
        LeftEarly => $"就业未满{EarlyEndMonths}个月即离岗（{on:yyyy-MM-dd}）",
        FollowUpOverdue => $"第{month}个月回访应于{on:yyyy-MM-dd}完成，已逾期未回访",
        _ => trigger,
    };

    public static string TriggerName(string trigger) => trigger switch
    {
        NotEmployedAtFollowUp => "回访未在岗",
        LeftEarly => "提前离岗",
        FollowUpOverdue => "回访逾期",
        _ => trigger,
    };

    public static string StatusName(string status) => status switch
    {
        Open => "待处理",
        Acknowledged => "已接收",
        Resolved => "已处置",
        _ => status,
    };

    /// <summary>open → acknowledged → resolved; an open alert may be resolved at once. Nothing leaves resolved.</summary>
    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Open, Acknowledged) => true,
        (Open, Resolved) => true,
        (Acknowledged, Resolved) => true,
        _ => false,
    };
}
