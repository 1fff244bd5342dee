using System.Collections.Frozen;
using System.Globalization;

namespace Matching.Domain.Training;

/// <summary>
/// Which certificates count where (证书互认): a certificate of <see cref="CertificateType"/> issued in
/// <see cref="IssuedIn"/> satisfies a requirement in <see cref="RecognisedIn"/>. <c>*</c> means any province. A
/// certificate always counts in the province that issued it.
/// </summary>
public sealed record CertificateRecognition(string CertificateType, string IssuedIn, string RecognisedIn, string Note);

/// <summary>The certificate subsidy (证书直补) for a certificate type and level (null: certificates without a level); training type <c>*</c> = any.</summary>
public sealed record SubsidyAmount(string CertificateType, int? Level, string TrainingType, int Amount, string Note);

/// <summary>A named local value of the subsidy rules, as the catalogue states it (shown to users beside its meaning).</summary>
public sealed record PolicyValue(string Key, string Value, string Description);

/// <summary>The limits and thresholds of the subsidy rules (configurable local values, seeded with common defaults).</summary>
public sealed record SubsidyLimits(
    int ClaimWindowMonths,
    int YearlyLimit,
    int MinAge,
    int MaxAgeMale,
    int MaxAgeFemale,
    int AttendanceThresholdPercent,
    int SharedContactReview,
    int SharedContactBlock,
    int LivingAllowancePerDay,
    int LivingAllowanceMaxDays,
    IReadOnlyList<string> LivingAllowanceGroups);

/// <summary>Kinds of the province's targets (目标任务).</summary>
public static class TargetKinds
{
    /// <summary>Training person-times (培训人次) completed in a calendar year.</summary>
    public const string Training = "training";

    /// <summary>High-skilled workers (高技能人才, 高级工 and above) certified cumulatively from the target's first year.</summary>
    public const string HighSkilled = "high-skilled";

    public static readonly IReadOnlyList<string> All = [Training, HighSkilled];

    public static string NameOf(string kind) => kind switch
    {
        Training => "职业技能培训人次（年度）",
        HighSkilled => "高技能人才（累计）",
        _ => kind,
    };
}

/// <summary>A target of an area (province, prefecture or county) from <see cref="FromYear"/> to <see cref="ToYear"/> (null: until replaced).</summary>
public sealed record TrainingTarget(string AreaCode, string Kind, int FromYear, int? ToYear, int Value, string Note)
{
    public bool AppliesTo(int year) => year >= FromYear && (ToYear is null || year <= ToYear);
}

/// <summary>
/// The training and subsidy policy held as catalogue data: certificate recognition, subsidy amounts, the subsidy
/// rules' limits, and targets. Loaded with the reference catalogues; a catalogue folder without these files gets
/// <see cref="Unconfigured"/>, where every certificate counts everywhere and no subsidy can be computed.
/// </summary>
public sealed class TrainingPolicy
{
    private readonly SubsidyLimits? _limits;
    private readonly FrozenSet<(string Type, string IssuedIn, string RecognisedIn)> _recognised;

    public TrainingPolicy(IReadOnlyList<CertificateRecognition> recognitions, IReadOnlyList<SubsidyAmount> amounts, IReadOnlyList<PolicyValue> values,
        SubsidyLimits? limits, IReadOnlyList<TrainingTarget> targets, bool configured = true)
    {
        Recognitions = recognitions;
        Amounts = amounts;
        Values = values;
        _limits = limits;
        Targets = targets;
        IsConfigured = configured;
        _recognised = recognitions.Select(r => (r.CertificateType, r.IssuedIn, r.RecognisedIn)).ToFrozenSet();
    }

    /// <summary>No policy files in the catalogue folder.</summary>
    public static TrainingPolicy Unconfigured { get; } = new([], [], [], null, [], configured: false);

    public bool IsConfigured { get; }
    public IReadOnlyList<CertificateRecognition> Recognitions { get; }
    public IReadOnlyList<SubsidyAmount> Amounts { get; }
    public IReadOnlyList<PolicyValue> Values { get; }
    public IReadOnlyList<TrainingTarget> Targets { get; }

    public SubsidyLimits Limits => _limits ?? throw new InvalidOperationException("目录中没有补贴规则（subsidy-rules.csv），不能计算补贴或核查");

    /// <summary>Whether a certificate of the type issued in one province counts in another (always in its own province).</summary>
    public bool Recognises(string certificateType, string issuedIn, string requiredIn) =>
        !IsConfigured
        || issuedIn == requiredIn
        || _recognised.Contains((certificateType, issuedIn, requiredIn))
        || _recognised.Contains((certificateType, "*", requiredIn))
        || _recognised.Contains((certificateType, issuedIn, "*"))
        || _recognised.Contains((certificateType, "*", "*"));

    /// <summary>The catalogue row that makes a certificate count in another province, if any.</summary>
    public CertificateRecognition? RecognitionOf(string certificateType, string issuedIn, string requiredIn) =>
        Recognitions.FirstOrDefault(r => r.CertificateType == certificateType && (r.IssuedIn == "*" || r.IssuedIn == issuedIn)
            && (r.RecognisedIn == "*" || r.RecognisedIn == requiredIn));

    /// <summary>The subsidy amount for a certificate; a row for the exact training type wins over <c>*</c>.</summary>
    public SubsidyAmount? AmountFor(string certificateType, int? level, string trainingType) =>
        Amounts.FirstOrDefault(a => a.CertificateType == certificateType && a.Level == level && a.TrainingType == trainingType)
        ?? Amounts.FirstOrDefault(a => a.CertificateType == certificateType && a.Level == level && a.TrainingType == "*");

    /// <summary>The target of the area and kind in force in the year, if configured.</summary>
    public TrainingTarget? TargetFor(string areaCode, string kind, int year) =>
        Targets.Where(t => t.AreaCode == areaCode && t.Kind == kind && t.AppliesTo(year)).MaxBy(t => t.FromYear);
}

/// <summary>Parses the policy files named in the catalogue manifest, reporting every problem with the other catalogue problems.</summary>
public static class TrainingPolicyParser
{
    public const string RecognitionKey = "certificateRecognition";
    public const string AmountsKey = "subsidyAmounts";
    public const string RulesKey = "subsidyRules";
    public const string TargetsKey = "targets";

    /// <summary>What the policy files refer to, from the rest of the catalogue.</summary>
    public sealed record References(
        ISet<string> CertificateTypes, ISet<string> TrainingTypes, ISet<string> PriorityGroups, Func<string, bool> IsProvince, Func<string, bool> IsGuizhouArea);

    public static TrainingPolicy Parse(Func<string, bool> listed, Func<string, string[], List<string[]>> rows, References refs, List<string> problems)
    {
        if (!listed(RecognitionKey) && !listed(AmountsKey) && !listed(RulesKey) && !listed(TargetsKey))
        {
            return TrainingPolicy.Unconfigured;
        }

        var recognitions = rows(RecognitionKey, ["certificate_type", "issued_in", "recognised_in", "note"]).Select(r =>
        {
            var where = $"certificate-recognition {r[0]},{r[1]},{r[2]}";
            if (!refs.CertificateTypes.Contains(r[0])) problems.Add($"{where}: 未知的证书类型");
            if (r[1] != "*" && !refs.IsProvince(r[1])) problems.Add($"{where}: 发证省份应为省级行政区划代码或 *");
            if (r[2] != "*" && !refs.IsProvince(r[2])) problems.Add($"{where}: 互认省份应为省级行政区划代码或 *");
            return new CertificateRecognition(r[0], r[1], r[2], r[3]);
        }).ToList();
        Unique(problems, recognitions, r => $"{r.CertificateType},{r.IssuedIn},{r.RecognisedIn}", "证书互认条目");

        var amounts = rows(AmountsKey, ["certificate_type", "level", "training_type", "amount", "note"]).Select(r =>
        {
            var where = $"subsidy-amounts {r[0]},{r[1]},{r[2]}";
            if (!refs.CertificateTypes.Contains(r[0])) problems.Add($"{where}: 未知的证书类型");
            int? level = null;
            if (r[1].Length > 0)
            {
                level = Number(problems, r[1], where + " 等级", 1, 8);
            }
            if (r[2] != "*" && !refs.TrainingTypes.Contains(r[2])) problems.Add($"{where}: 未知的培训类型");
            return new SubsidyAmount(r[0], level, r[2], Number(problems, r[3], where + " 金额", 0, 100_000), r[4]);
        }).ToList();
        Unique(problems, amounts, a => $"{a.CertificateType},{a.Level},{a.TrainingType}", "补贴标准条目");

        var values = rows(RulesKey, ["key", "value", "description"]).Select(r => new PolicyValue(r[0], r[1], r[2])).ToList();
        Unique(problems, values, v => v.Key, "补贴规则");
        var byKey = values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        int Value(string key, int min, int max)
        {
            if (!byKey.TryGetValue(key, out var text))
            {
                problems.Add($"subsidy-rules: 缺少 {key}");
                return min;
            }
            return Number(problems, text, $"subsidy-rules {key}", min, max);
        }
        var groups = byKey.TryGetValue("living-allowance-groups", out var groupText)
            ? groupText.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : Fail<string[]>(problems, [], "subsidy-rules: 缺少 living-allowance-groups");
        foreach (var g in groups.Where(g => !refs.PriorityGroups.Contains(g)))
        {
            problems.Add($"subsidy-rules living-allowance-groups: 未知的重点群体 {g}");
        }
        var limits = new SubsidyLimits(
            Value("claim-window-months", 1, 60),
            Value("yearly-limit", 1, 20),
            Value("min-age", 14, 30),
            Value("max-age-male", 40, 75),
            Value("max-age-female", 40, 75),
            Value("attendance-threshold-percent", 1, 100),
            Value("shared-contact-review", 2, 1000),
            Value("shared-contact-block", 2, 1000),
            Value("living-allowance-per-day", 0, 1000),
            Value("living-allowance-max-days", 0, 366),
            groups);
        if (limits.SharedContactBlock < limits.SharedContactReview)
        {
            problems.Add("subsidy-rules: shared-contact-block 不能小于 shared-contact-review");
        }

        var targets = rows(TargetsKey, ["area_code", "kind", "from_year", "to_year", "value", "note"]).Select(r =>
        {
            var where = $"targets {r[0]},{r[1]},{r[2]}";
            if (!refs.IsGuizhouArea(r[0])) problems.Add($"{where}: 地区应为贵州省、市州或县的代码");
            if (!TargetKinds.All.Contains(r[1])) problems.Add($"{where}: 目标类型应为 {string.Join(" 或 ", TargetKinds.All)}");
            var from = Number(problems, r[2], where + " 起始年", 2000, 2100);
            int? to = r[3].Length == 0 ? null : Number(problems, r[3], where + " 截止年", 2000, 2100);
            if (to < from) problems.Add($"{where}: 截止年早于起始年");
            return new TrainingTarget(r[0], r[1], from, to, Number(problems, r[4], where + " 目标值", 1, 10_000_000), r[5]);
        }).ToList();
        Unique(problems, targets, t => $"{t.AreaCode},{t.Kind},{t.FromYear}", "目标任务条目");

        return new TrainingPolicy(recognitions, amounts, values, limits, targets);
    }

    private static int Number(List<string> problems, string text, string where, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add($"{where}: 应为{min}至{max}之间的整数，实际 '{text}'");
            return min;
        }
        return value;
    }

    private static T Fail<T>(List<string> problems, T fallback, string problem)
    {
        problems.Add(problem);
        return fallback;
    }

    private static void Unique<T>(List<string> problems, IEnumerable<T> items, Func<T, string> key, string what)
    {
        foreach (var dup in items.GroupBy(key).Where(g => g.Count() > 1))
        {
            problems.Add($"{what} 重复: {dup.Key}");
        }
    }
}
