namespace Matching.Domain.Workers;

/// <summary>A fixed code with its Chinese name and the other words survey sheets write for it.</summary>
public sealed record SurveyCode(string Id, string Name, IReadOnlyList<string> Aliases);

/// <summary>
/// Household type (户类型) as the labour-force survey (摸排) records it. A household type that is also a priority
/// group (重点群体) puts the worker in that group, so every rule that reads priority groups (visibility to rural
/// revitalisation staff, job-loss alerts, ranking weight) treats both the same.
/// </summary>
public static class HouseholdTypes
{
    public const string PovertyLifted = "poverty-lifted";
    public const string Monitored = "monitored";
    public const string Relocated = "relocated";
    public const string Ordinary = "ordinary";

    public static readonly IReadOnlyList<SurveyCode> All =
    [
        new(PovertyLifted, "脱贫户", ["脱贫家庭", "脱贫人口", "建档立卡户", "脱贫不稳定户"]),
        new(Monitored, "监测户", ["监测对象", "监测帮扶对象", "边缘易致贫户", "突发严重困难户"]),
        new(Relocated, "易地搬迁户", ["易地扶贫搬迁户", "搬迁户"]),
        new(Ordinary, "一般户", ["一般农户", "普通户", "非贫困户"]),
    ];

    public static bool IsKnown(string id) => All.Any(t => t.Id == id);

    /// <summary>The priority group the household type implies, if any.</summary>
    public static string? ImpliedPriorityGroup(string? householdType) => householdType switch
    {
        PovertyLifted => "poverty-lifted",
        Monitored => "monitored",
        Relocated => "relocated",
        _ => null,
    };
}

/// <summary>Current employment status (当前就业状态) as the survey records it.</summary>
public static class EmploymentStatuses
{
    public const string EmployedInProvince = "employed-in-province";
    public const string EmployedOutside = "employed-outside";
    public const string Unemployed = "unemployed";
    public const string InSchool = "in-school";
    public const string UnableToWork = "unable-to-work";

    public static readonly IReadOnlyList<SurveyCode> All =
    [
        new(EmployedInProvince, "省内就业", ["县内就业", "本地就业", "省内务工", "就近就业", "本地务工"]),
        new(EmployedOutside, "省外就业", ["省外务工", "外出务工", "跨省就业"]),
        new(Unemployed, "未就业", ["失业", "待业", "无业", "未务工"]),
        new(InSchool, "在校学生", ["在校", "在读", "学生"]),
        new(UnableToWork, "无劳动能力", ["丧失劳动能力", "弱劳动力或无劳动力"]),
    ];

    public static bool IsKnown(string id) => All.Any(t => t.Id == id);
}

public static class SurveyCodes
{
    /// <summary>The code for an id, a Chinese name or an alias (as typed in a sheet); null when none matches.</summary>
    public static string? Find(IReadOnlyList<SurveyCode> codes, string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        foreach (var code in codes)
        {
            if (code.Id == value || code.Name == value || code.Aliases.Contains(value))
            {
                return code.Id;
            }
        }
        return null;
    }

    public static string NameOf(IReadOnlyList<SurveyCode> codes, string? id) => codes.FirstOrDefault(c => c.Id == id)?.Name ?? id ?? "";
}
