using System.Collections.Frozen;
using Matching.Domain.Training;

namespace Matching.Domain.Catalogues;

/// <summary>
/// The reference catalogues loaded at start (versioned, validated). Immutable; look-ups are frozen dictionaries.
/// </summary>
public sealed class Catalogue
{
    public Catalogue(
        string version,
        IReadOnlyList<Division> divisions,
        IReadOnlyList<HistoricDivision> divisionHistory,
        IReadOnlyList<Industry> industries,
        IReadOnlyList<TradeFamily> tradeFamilies,
        IReadOnlyList<Trade> trades,
        IReadOnlyList<TradeSynonym> tradeSynonyms,
        IReadOnlyList<SkillLevel> skillLevels,
        IReadOnlyList<CertificateType> certificateTypes,
        IReadOnlyList<PriorityGroup> priorityGroups,
        IReadOnlyList<TrainingType> trainingTypes,
        IReadOnlyList<EducationLevel> educationLevels,
        TrainingPolicy? policy = null,
        IReadOnlyList<TradePhraseRule>? tradePhrases = null)
    {
        TradePhrases = tradePhrases ?? [];
        Version = version;
        Divisions = divisions;
        DivisionHistory = divisionHistory;
        Industries = industries;
        TradeFamilies = tradeFamilies;
        Trades = trades;
        TradeSynonyms = tradeSynonyms;
        SkillLevels = skillLevels;
        CertificateTypes = certificateTypes;
        PriorityGroups = priorityGroups;
        TrainingTypes = trainingTypes;
        EducationLevels = educationLevels;
        Policy = policy ?? TrainingPolicy.Unconfigured;

        DivisionsByCode = divisions.ToFrozenDictionary(d => d.Code, StringComparer.Ordinal);
        HistoryByOldCode = divisionHistory.ToFrozenDictionary(h => h.OldCode, StringComparer.Ordinal);
        TradesById = trades.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        TradeFamiliesById = tradeFamilies.ToFrozenDictionary(f => f.Id, StringComparer.Ordinal);
        IndustriesById = industries.ToFrozenDictionary(i => i.Id, StringComparer.Ordinal);
        CertificateTypesById = certificateTypes.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        PriorityGroupsById = priorityGroups.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        TrainingTypesById = trainingTypes.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        EducationLevelsById = educationLevels.ToFrozenDictionary(e => e.Id, StringComparer.Ordinal);
        SkillLevelsByLevel = skillLevels.ToFrozenDictionary(l => l.Level);
        GuizhouCounties = divisions
            .Where(d => d.Level == DivisionLevel.County && d.Code.StartsWith(GuizhouProvinceCode[..2], StringComparison.Ordinal))
            .ToList();
        Provinces = divisions.Where(d => d.Level == DivisionLevel.Province).ToList();
        DestinationProvinces = Provinces.Where(d => d.Code != GuizhouProvinceCode).ToList();
    }

    /// <summary>贵州省.</summary>
    public const string GuizhouProvinceCode = "520000";

    public string Version { get; }
    public IReadOnlyList<Division> Divisions { get; }
    public IReadOnlyList<HistoricDivision> DivisionHistory { get; }
    public IReadOnlyList<Industry> Industries { get; }
    public IReadOnlyList<TradeFamily> TradeFamilies { get; }
    public IReadOnlyList<Trade> Trades { get; }
    public IReadOnlyList<TradeSynonym> TradeSynonyms { get; }

    /// <summary>Activity and workplace patterns of the text-to-concept layer (活动/场所说法 → 工种).</summary>
    public IReadOnlyList<TradePhraseRule> TradePhrases { get; }
    public IReadOnlyList<SkillLevel> SkillLevels { get; }
    public IReadOnlyList<CertificateType> CertificateTypes { get; }
    public IReadOnlyList<PriorityGroup> PriorityGroups { get; }
    public IReadOnlyList<TrainingType> TrainingTypes { get; }
    public IReadOnlyList<EducationLevel> EducationLevels { get; }

    /// <summary>Certificate recognition, subsidy amounts and rules, targets (证书互认、补贴标准、目标任务).</summary>
    public TrainingPolicy Policy { get; }

    public FrozenDictionary<string, Division> DivisionsByCode { get; }
    public FrozenDictionary<string, HistoricDivision> HistoryByOldCode { get; }
    public FrozenDictionary<string, Trade> TradesById { get; }
    public FrozenDictionary<string, TradeFamily> TradeFamiliesById { get; }
    public FrozenDictionary<string, Industry> IndustriesById { get; }
    public FrozenDictionary<string, CertificateType> CertificateTypesById { get; }
    public FrozenDictionary<string, PriorityGroup> PriorityGroupsById { get; }
    public FrozenDictionary<string, TrainingType> TrainingTypesById { get; }
    public FrozenDictionary<string, EducationLevel> EducationLevelsById { get; }
    public FrozenDictionary<int, SkillLevel> SkillLevelsByLevel { get; }

    /// <summary>Guizhou's county-level divisions (区/县/县级市), where workers' household registrations are.</summary>
    public IReadOnlyList<Division> GuizhouCounties { get; }

    /// <summary>Every province of the division catalogue (Guizhou and the partner provinces).</summary>
    public IReadOnlyList<Division> Provinces { get; }

    /// <summary>The partner provinces (广东, 浙江, 福建, 江苏).</summary>
    public IReadOnlyList<Division> DestinationProvinces { get; }

    public bool IsGuizhouCounty(string code) =>
        DivisionsByCode.TryGetValue(code, out var d) && d.Level == DivisionLevel.County
        && code.StartsWith("52", StringComparison.Ordinal);

    /// <summary>A prefecture-level city anywhere in the catalogue (Guizhou or a partner province).</summary>
    public bool IsPrefecture(string code) =>
        DivisionsByCode.TryGetValue(code, out var d) && d.Level == DivisionLevel.Prefecture;

    /// <summary>A destination a worker may prefer: a partner province or one of its prefecture cities.</summary>
    public bool IsDestination(string code) =>
        DivisionsByCode.TryGetValue(code, out var d)
        && !code.StartsWith("52", StringComparison.Ordinal)
        && d.Level is DivisionLevel.Province or DivisionLevel.Prefecture;

    /// <summary>The prefecture code of a county, or the code itself for a prefecture.</summary>
    public string? PrefectureOf(string code) =>
        DivisionsByCode.TryGetValue(code, out var d)
            ? d.Level switch
            {
                DivisionLevel.County => d.ParentCode,
                DivisionLevel.Prefecture => d.Code,
                _ => null,
            }
            : null;

    /// <summary>The province code of any division in the catalogue.</summary>
    public string? ProvinceOf(string code)
    {
        var current = code;
        while (DivisionsByCode.TryGetValue(current, out var d))
        {
            if (d.Level == DivisionLevel.Province)
            {
                return d.Code;
            }
            if (d.ParentCode is null)
            {
                return null;
            }
            current = d.ParentCode;
        }
        return null;
    }

    public string NameOf(string code) => DivisionsByCode.TryGetValue(code, out var d) ? d.Name : code;

    /// <summary>
    /// Whether the first six digits of a resident ID number name a real issuing area. Guizhou codes must be a division
    /// of the catalogue (current or retired, e.g. 5224xx of the former 毕节地区); partner-province codes must fall in a
    /// known prefecture; other provinces are checked at province level only (a worker registered in Guizhou may hold an
    /// ID issued in Sichuan, say, and the catalogue does not list every county of China).
    /// </summary>
    public bool IsKnownIdAreaCode(string areaCode)
    {
        if (DivisionsByCode.ContainsKey(areaCode) || HistoryByOldCode.ContainsKey(areaCode))
        {
            return true;
        }
        var province = string.Concat(areaCode.AsSpan(0, 2), "0000");
        if (province == GuizhouProvinceCode)
        {
            return false;
        }
        if (DivisionsByCode.ContainsKey(province))
        {
            return DivisionsByCode.TryGetValue(string.Concat(areaCode.AsSpan(0, 4), "00"), out var prefecture)
                && prefecture.Level == DivisionLevel.Prefecture;
        }
        return ProvinceLevelCodes.Contains(areaCode[..2]) && areaCode[2..] != "0000";
    }

    /// <summary>A province-level code of China (e.g. 440000, 510000), whether or not the catalogue lists the province.</summary>
    public static bool IsProvinceLevelCode(string code) =>
        code.Length == 6 && code.EndsWith("0000", StringComparison.Ordinal) && ProvinceLevelCodes.Contains(code[..2]);

    /// <summary>The first two digits of China's 34 provincial-level divisions (GB/T 2260).</summary>
    private static readonly FrozenSet<string> ProvinceLevelCodes = new[]
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
        "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    }.ToFrozenSet(StringComparer.Ordinal);
}
