using Matching.Domain.Catalogues;
using Matching.Domain.Workers;

namespace Matching.Allocation;

/// <summary>
/// The hard constraints of a worker–cohort pair (硬性条件), the same as recall's (<c>MatchRules</c>) applied to a cohort
/// and its linked openings: trade or trade family at the openings' minimum level, age range, special-operation
/// certificate, availability by the start, destination preference, no overlapping cohort. A pair that breaks any is
/// never offered, whatever its score. Pure, so the property tests check every assignment of every mode against them.
/// </summary>
public static class HardConstraints
{
    /// <summary>Each broken constraint of the pair, in Chinese; empty when the pair is feasible.</summary>
    public static IReadOnlyList<string> Violations(WorkerProfile worker, CohortProfile cohort, Catalogue catalogue)
    {
        var broken = new List<string>();
        var fit = TradeFit(worker, cohort, catalogue);
        if (fit is null)
        {
            broken.Add("工种不对口：班期工种与劳动者工种不同且不属同一工种大类");
        }
        else if (fit.WorkerSkill.Level < cohort.MinLevel)
        {
            broken.Add($"技能等级不足：岗位至少要求{cohort.MinLevel}级");
        }
        var age = WorkerRules.AgeOn(worker.BirthDate, cohort.StartDate);
        if (age < cohort.AgeMin || age > cohort.AgeMax)
        {
            broken.Add($"年龄不符：岗位要求{cohort.AgeMin}至{cohort.AgeMax}周岁");
        }
        if (cohort.RequiresSpecialOperation && !cohort.Trades.Any(worker.SpecialOperationTrades.Contains))
        {
            broken.Add("缺少特种作业操作证");
        }
        if (worker.AvailableFrom > cohort.StartDate)
        {
            broken.Add($"开班时劳动者尚不能出行（{worker.AvailableFrom:yyyy-MM-dd}起可出行）");
        }
        if (DestinationRank(worker, cohort) is null)
        {
            broken.Add("不在劳动者意向地区");
        }
        if (Overlapping(worker, cohort) is { } other)
        {
            broken.Add($"与已报名的班期“{other.CohortName}”时间重叠");
        }
        return broken;
    }

    /// <summary>Whether no constraint is broken; the cheap checks come first, as this runs for every pair of a round.</summary>
    public static bool IsFeasible(WorkerProfile worker, CohortProfile cohort, Catalogue catalogue) =>
        worker.AvailableFrom <= cohort.StartDate
        && DestinationRank(worker, cohort) is not null
        && WorkerRules.AgeOn(worker.BirthDate, cohort.StartDate) is var age && age >= cohort.AgeMin && age <= cohort.AgeMax
        && (!cohort.RequiresSpecialOperation || cohort.Trades.Any(worker.SpecialOperationTrades.Contains))
        && Overlapping(worker, cohort) is null
        && TradeFit(worker, cohort, catalogue) is { } fit && fit.WorkerSkill.Level >= cohort.MinLevel;

    /// <summary>How the worker's trades fit the cohort: the same trade, or the same trade family (工种大类); null when neither.</summary>
    public static TradeMatch? TradeFit(WorkerProfile worker, CohortProfile cohort, Catalogue catalogue)
    {
        TradeMatch? family = null;
        foreach (var skill in worker.Trades)
        {
            foreach (var tradeId in cohort.Trades)
            {
                if (skill.TradeId == tradeId)
                {
                    return new TradeMatch(tradeId, skill, Exact: true);
                }
                if (family is null && catalogue.TradesById.TryGetValue(skill.TradeId, out var own) && catalogue.TradesById.TryGetValue(tradeId, out var taught)
                    && own.FamilyId == taught.FamilyId)
                {
                    family = new TradeMatch(tradeId, skill, Exact: false);
                }
            }
        }
        return family;
    }

    /// <summary>
    /// The rank (1 = first choice) of the cohort's place among the worker's preferred destinations (a province, or a
    /// city within it); 0 when the worker named none (goes anywhere); null when the place is not among them.
    /// </summary>
    public static int? DestinationRank(WorkerProfile worker, CohortProfile cohort)
    {
        if (worker.Destinations.Count == 0)
        {
            return 0;
        }
        for (var i = 0; i < worker.Destinations.Count; i++)
        {
            var code = worker.Destinations[i];
            if (code == cohort.ProvinceCode || code == cohort.CityCode)
            {
                return i + 1;
            }
        }
        return null;
    }

    /// <summary>A held enrolment whose dates overlap the cohort's (both ends inclusive), or null.</summary>
    public static HeldEnrolment? Overlapping(WorkerProfile worker, CohortProfile cohort)
    {
        foreach (var held in worker.Held)
        {
            if (held.CohortId == cohort.CohortId || (held.StartDate <= cohort.EndDate && cohort.StartDate <= held.EndDate))
            {
                return held;
            }
        }
        return null;
    }
}

/// <summary>The cohort trade the worker fits, through which of the worker's own trades, and whether it is the same trade.</summary>
public sealed record TradeMatch(string CohortTradeId, TradeSkill WorkerSkill, bool Exact);
