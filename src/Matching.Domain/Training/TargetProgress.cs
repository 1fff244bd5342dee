using Matching.Domain.Catalogues;

namespace Matching.Domain.Training;

/// <summary>Progress of an area against its targets in a year (目标任务完成情况); a target is null where none is configured.</summary>
public sealed record AreaProgress(
    string AreaCode,
    string AreaName,
    string Level,
    int Year,
    int TrainingCompleted,
    int? TrainingTarget,
    double? TrainingProgress,
    int HighSkilledCumulative,
    int HighSkilledFromYear,
    int? HighSkilledTarget,
    double? HighSkilledProgress);

/// <summary>
/// Progress from completions and certificates: training person-times are completions (结业) in the year; high-skilled
/// workers are workers whose first certificate at 高级工 or above was issued from the target's first year to the end
/// of the year (one person counts once). Counts come per county; areas add up their counties.
/// </summary>
public static class TargetProgress
{
    /// <summary>The first year high-skilled workers are counted from when an area has no target of its own: the province's.</summary>
    public static int HighSkilledFromYear(TrainingPolicy policy, string areaCode, int year) =>
        (policy.TargetFor(areaCode, TargetKinds.HighSkilled, year) ?? policy.TargetFor(Catalogue.GuizhouProvinceCode, TargetKinds.HighSkilled, year))?.FromYear ?? year;

    /// <param name="completionsByCounty">completions in the year per county</param>
    /// <param name="firstHighSkilled">per county, per year, workers whose first high-skilled certificate was issued that year</param>
    public static AreaProgress Compute(Catalogue catalogue, string areaCode, int year, IReadOnlyDictionary<string, int> completionsByCounty,
        IReadOnlyDictionary<(string County, int Year), int> firstHighSkilled)
    {
        var counties = CountiesOf(catalogue, areaCode);
        var completed = counties.Sum(c => completionsByCounty.GetValueOrDefault(c));
        var from = HighSkilledFromYear(catalogue.Policy, areaCode, year);
        var highSkilled = firstHighSkilled.Where(kv => counties.Contains(kv.Key.County) && kv.Key.Year >= from && kv.Key.Year <= year).Sum(kv => kv.Value);
        var training = catalogue.Policy.TargetFor(areaCode, TargetKinds.Training, year);
        var skilled = catalogue.Policy.TargetFor(areaCode, TargetKinds.HighSkilled, year);
        var level = areaCode == Catalogue.GuizhouProvinceCode ? "province" : catalogue.IsPrefecture(areaCode) ? "prefecture" : "county";
        return new AreaProgress(areaCode, catalogue.NameOf(areaCode), level, year, completed, training?.Value, Share(completed, training?.Value),
            highSkilled, from, skilled?.Value, Share(highSkilled, skilled?.Value));
    }

    /// <summary>The Guizhou counties an area covers: the province, a prefecture, or a county itself.</summary>
    public static HashSet<string> CountiesOf(Catalogue catalogue, string areaCode) =>
        areaCode == Catalogue.GuizhouProvinceCode
            ? catalogue.GuizhouCounties.Select(c => c.Code).ToHashSet(StringComparer.Ordinal)
            : catalogue.IsPrefecture(areaCode)
                ? catalogue.GuizhouCounties.Where(c => c.ParentCode == areaCode).Select(c => c.Code).ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>([areaCode], StringComparer.Ordinal);

    /// <summary>An area and the areas one level below it (province → prefectures, prefecture → counties).</summary>
    public static IReadOnlyList<string> AreaWithChildren(Catalogue catalogue, string areaCode) =>
        [areaCode, .. catalogue.Divisions.Where(d => d.ParentCode == areaCode && d.Code.StartsWith("52", StringComparison.Ordinal)).Select(d => d.Code)];

    public static bool IsGuizhouArea(Catalogue catalogue, string code) =>
        code == Catalogue.GuizhouProvinceCode || catalogue.IsGuizhouCounty(code) || (catalogue.IsPrefecture(code) && code.StartsWith("52", StringComparison.Ordinal));

    private static double? Share(int done, int? target) => target is > 0 ? Math.Round((double)done / target.Value, 4) : null;
}
