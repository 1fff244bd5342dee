using System.Globalization;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Training;
using Matching.Ranking.Features;

namespace Matching.Ranking.Serving;

/// <summary>A factor that moved the predicted retention, with its reason in plain Chinese.</summary>
public sealed record Factor(string Feature, string Label, double Contribution, string Effect, string Reason);

/// <summary>Turns facts and model contributions into what a clerk reads (理由、未满足条件).</summary>
public static class Explanations
{
    /// <summary>How many factors a result names.</summary>
    public const int TopFactors = 4;

    /// <summary>The factors with the largest contributions (either sign), largest first; factors with no effect are left out.</summary>
    public static IReadOnlyList<Factor> TopFactorsOf(PairFacts facts, IReadOnlyList<float> contributions, Catalogue catalogue, int count = TopFactors) =>
        MatchFeatures.All
            .Select(f => (Info: f, Contribution: (double)contributions[(int)f.Feature]))
            .Where(x => Math.Abs(x.Contribution) > 1e-6)
            .OrderByDescending(x => Math.Abs(x.Contribution))
            .ThenBy(x => x.Info.Feature)
            .Take(count)
            .Select(x => new Factor(x.Info.Name, x.Info.Label, Math.Round(x.Contribution, 4), x.Contribution > 0 ? "有利" : "不利",
                Reason(x.Info.Feature, facts, catalogue)))
            .ToList();

    /// <summary>The reasons joined as one sentence, e.g. "同为焊工，等级高于要求一级；期望薪资低于岗位下限".</summary>
    public static string Sentence(IEnumerable<Factor> factors) => string.Join("；", factors.Select(f => f.Reason));

    /// <summary>What a feature says about this pair, in words.</summary>
    public static string Reason(Feature feature, PairFacts f, Catalogue catalogue) => feature switch
    {
        Feature.TradeMatch => f.Fit.Match switch
        {
            TradeMatch.SameTrade => $"同为{f.OpeningTradeName}",
            TradeMatch.SameFamily => $"同属{f.FamilyName}（现为{f.WorkerTradeName}）",
            TradeMatch.Related => $"相关工种（现为{f.WorkerTradeName}）",
            _ => "工种不对口",
        },
        Feature.LevelGap => f.LevelGap switch
        {
            0 => "技能等级正好达到要求",
            > 0 => $"等级高于要求{Number(f.LevelGap)}级",
            _ => $"等级低于要求{Number(-f.LevelGap)}级",
        },
        Feature.RequiredCertificates => f.RequiredCertificates.Count == 0 ? "岗位不要求证书" : $"岗位要求{CertificateNames(f.RequiredCertificates, catalogue)}",
        Feature.MissingCertificates => f.MissingCertificates.Count == 0
            ? (f.RequiredCertificates.Count == 0 ? "岗位不要求证书" : $"持有所需的{CertificateNames(f.RequiredCertificates, catalogue)}{CertificateDetail(f, catalogue, satisfied: true)}")
            : $"缺少{CertificateNames(f.MissingCertificates, catalogue)}{CertificateDetail(f, catalogue, satisfied: false)}",
        Feature.SkillCertificate => f.SkillCertificate ? "持有本工种职业技能等级证书" : "没有本工种职业技能等级证书",
        Feature.DestinationRank => f.DestinationRank switch
        {
            1 => $"{f.ProvinceName}是首选意向地",
            Eligibility.AnyDestination => "未填意向地区，服从调剂",
            Eligibility.NotPreferred => $"{f.ProvinceName}不在意向地中",
            _ => $"{f.ProvinceName}是第{Number(f.DestinationRank)}意向地",
        },
        Feature.CityPreferred => f.CityPreferred ? $"意向城市正是{f.CityName}" : $"未点名{f.CityName}",
        Feature.WageVsExpected => WageReason(f),
        Feature.Age => $"年龄{f.Age}岁",
        Feature.AgeMargin => f.AgeMargin <= 2 ? $"年龄{f.Age}岁，接近岗位年龄限制（{f.AgeMin}–{f.AgeMax}岁）" : $"年龄{f.Age}岁，在岗位年龄范围内",
        Feature.TrainingTypeFit => f.TrainingType is { } type
            ? (f.TrainingTypeFit ? $"有{TrainingName(type, catalogue)}意向" : $"没有{TrainingName(type, catalogue)}意向")
            : "岗位未指定培训类型",
        Feature.TravelKm => string.Create(CultureInfo.InvariantCulture, $"离家约{f.TravelKm:0}公里"),
        Feature.FellowVillagersRetained => f.Employer.FellowVillagersRetained > 0
            ? $"同县已有{f.Employer.FellowVillagersRetained}人在该企业稳定就业"
            : "同县尚无人在该企业稳定就业",
        Feature.EmployerRetentionRate => f.Employer.Placements == 0
            ? "该企业尚无安置留存记录"
            : string.Create(CultureInfo.InvariantCulture, $"该企业贵州劳动力6个月留存率{100.0 * f.Employer.Retained / f.Employer.Placements:0}%（{f.Employer.Placements}人）"),
        Feature.EmployerPlacements => $"该企业以往安置{f.Employer.Placements}名贵州劳动力",
        Feature.DaysSinceRegistration => $"登记已{f.DaysSinceRegistration}天",
        Feature.PovertyLifted => Group(f, "poverty-lifted", "脱贫家庭劳动力"),
        Feature.Monitored => Group(f, "monitored", "监测帮扶对象"),
        Feature.Relocated => Group(f, "relocated", "易地搬迁劳动力"),
        Feature.HardToEmploy => Group(f, "hard-to-employ", "就业困难人员"),
        Feature.RuralWoman => Group(f, "rural-woman", "农村妇女"),
        Feature.Graduate => Group(f, "graduate", "高校毕业生"),
        Feature.Accommodation => f.Accommodation ? "企业包住" : "企业不包住",
        Feature.Meals => f.Meals ? "企业包吃" : "企业不包吃",
        Feature.Education => $"文化程度{f.EducationName}",
        _ => feature.ToString(),
    };

    /// <summary>Soft requirements the worker does not meet (hard constraints are met by every recalled candidate).</summary>
    public static IReadOnlyList<string> UnmetRequirements(PairFacts f, Catalogue catalogue)
    {
        var unmet = new List<string>();
        if (f.Fit.Match != TradeMatch.SameTrade)
        {
            unmet.Add($"非本工种：岗位要求{f.OpeningTradeName}，劳动者现为{f.WorkerTradeName ?? "其他工种"}");
        }
        if (f.MissingCertificates.Count > 0)
        {
            unmet.Add($"缺少{CertificateNames(f.MissingCertificates, catalogue)}{CertificateDetail(f, catalogue, satisfied: false)}");
        }
        if (f.Fit.Trade is { } trade && trade.Level > f.MaxLevel)
        {
            unmet.Add("技能等级高于岗位上限");
        }
        if (f.ExpectedWage > f.WageMax)
        {
            unmet.Add($"期望薪资高于岗位上限{f.ExpectedWage - f.WageMax}元");
        }
        if (f.TrainingType is { } type && !f.TrainingTypeFit)
        {
            unmet.Add($"没有{TrainingName(type, catalogue)}意向");
        }
        return unmet;
    }

    /// <summary>A near miss is a gap that training closes: not yet the opening's trade, or a missing certificate.</summary>
    public static bool TrainingClosesGap(PairFacts f) => f.Fit.Match != TradeMatch.SameTrade || f.MissingCertificates.Count > 0;

    private static string WageReason(PairFacts f)
    {
        if (f.ExpectedWage < f.WageMin)
        {
            return "期望薪资低于岗位下限";
        }
        if (f.ExpectedWage > f.WageMax)
        {
            return $"期望薪资高于岗位上限{f.ExpectedWage - f.WageMax}元";
        }
        return "期望薪资在岗位工资范围内";
    }

    private static string Group(PairFacts f, string id, string name) => f.PriorityGroups.Contains(id) ? $"属于{name}" : $"不属于{name}";

    /// <summary>Which certificate counted or why one did not (e.g. recognised from another province, or not recognised), in brackets.</summary>
    private static string CertificateDetail(PairFacts f, Catalogue catalogue, bool satisfied)
    {
        var reasons = (f.CertificateMatches ?? [])
            .Where(m => satisfied ? m.Outcome == CertificateOutcome.Recognised : m.Outcome is not (CertificateOutcome.OtherType or CertificateOutcome.IssuedThere or CertificateOutcome.Recognised))
            .Select(m => CertificateRequirement.Reason(catalogue, m)).ToList();
        return reasons.Count == 0 ? "" : $"（{string.Join("；", reasons)}）";
    }

    private static string CertificateNames(IEnumerable<string> types, Catalogue catalogue) =>
        string.Join("、", types.Select(t => catalogue.CertificateTypesById.TryGetValue(t, out var c) ? c.Name : t));

    public static string TrainingName(string type, Catalogue catalogue) =>
        catalogue.TrainingTypesById.TryGetValue(type, out var t) ? t.Name : type;

    /// <summary>Small counts in Chinese numerals (一级, 第二意向地), larger ones in digits.</summary>
    public static string Number(int n) => n is >= 1 and <= 10 ? "一二三四五六七八九十"[n - 1].ToString() : n.ToString(CultureInfo.InvariantCulture);
}
