using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Training;

namespace Matching.Ranking.Features;

/// <summary>The model's features, in vector order. Names are what a labour officer would call them.</summary>
public enum Feature
{
    TradeMatch,
    LevelGap,
    RequiredCertificates,
    MissingCertificates,
    SkillCertificate,
    DestinationRank,
    CityPreferred,
    WageVsExpected,
    Age,
    AgeMargin,
    TrainingTypeFit,
    TravelKm,
    FellowVillagersRetained,
    EmployerRetentionRate,
    EmployerPlacements,
    DaysSinceRegistration,
    PovertyLifted,
    Monitored,
    Relocated,
    HardToEmploy,
    RuralWoman,
    Graduate,
    Accommodation,
    Meals,
    Education,
}

/// <summary>A feature's stable name (in the model card and responses) and its Chinese label.</summary>
public sealed record FeatureInfo(Feature Feature, string Name, string Label, string Meaning);

public static class MatchFeatures
{
    public const int Count = 25;

    /// <summary>Every feature in vector order. Gender and ethnicity are deliberately not features.</summary>
    public static readonly IReadOnlyList<FeatureInfo> All =
    [
        new(Feature.TradeMatch, "trade_match", "工种匹配", "3 同工种, 2 同大类, 1 相关工种, 0 不相关"),
        new(Feature.LevelGap, "level_gap", "技能等级差", "劳动者等级减岗位最低等级"),
        new(Feature.RequiredCertificates, "required_certificates", "岗位要求证书数", "岗位要求的证书种类数"),
        new(Feature.MissingCertificates, "missing_certificates", "缺少证书数", "岗位要求而劳动者未持有的证书数"),
        new(Feature.SkillCertificate, "skill_certificate", "本工种技能等级证书", "持有本工种大类的职业技能等级证书为1"),
        new(Feature.DestinationRank, "destination_rank", "目的地意向排序", "岗位所在省或城市在劳动者意向中的位次（1 首选；4 未填意向、服从调剂）"),
        new(Feature.CityPreferred, "city_preferred", "意向城市", "劳动者意向中点名了基地所在城市为1"),
        new(Feature.WageVsExpected, "wage_vs_expected", "工资与期望之差", "岗位工资中位数减期望月薪，千元"),
        new(Feature.Age, "age", "年龄", "到岗时的周岁"),
        new(Feature.AgeMargin, "age_margin", "年龄余量", "距岗位年龄上下限较近一端的年数"),
        new(Feature.TrainingTypeFit, "training_type_fit", "培训意向相符", "劳动者有该岗位培训类型的意向为1"),
        new(Feature.TravelKm, "travel_km", "离家距离", "户籍市州到基地城市的直线距离，公里"),
        new(Feature.FellowVillagersRetained, "fellow_villagers_retained", "同县老乡稳定就业人数", "同县劳动者在该企业6个月仍在岗的人数"),
        new(Feature.EmployerRetentionRate, "employer_retention_rate", "企业留存率", "该企业贵州劳动力6个月留存率（平滑）"),
        new(Feature.EmployerPlacements, "employer_placements", "企业以往安置人数", "该企业已知结果的以往安置人数"),
        new(Feature.DaysSinceRegistration, "days_since_registration", "登记天数", "劳动者登记至今的天数"),
        new(Feature.PovertyLifted, "poverty_lifted", "脱贫家庭劳动力", "重点群体标记"),
        new(Feature.Monitored, "monitored", "监测帮扶对象", "重点群体标记"),
        new(Feature.Relocated, "relocated", "易地搬迁劳动力", "重点群体标记"),
        new(Feature.HardToEmploy, "hard_to_employ", "就业困难人员", "重点群体标记"),
        new(Feature.RuralWoman, "rural_woman", "农村妇女", "重点群体标记"),
        new(Feature.Graduate, "graduate", "高校毕业生", "重点群体标记"),
        new(Feature.Accommodation, "accommodation", "包住", "岗位提供住宿为1"),
        new(Feature.Meals, "meals", "包吃", "岗位提供伙食为1"),
        new(Feature.Education, "education", "文化程度", "0 未上学 … 7 研究生"),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToList();

    /// <summary>The features that say a worker is in a priority group (重点群体).</summary>
    public static readonly IReadOnlyList<Feature> PriorityGroupFeatures =
        [Feature.PovertyLifted, Feature.Monitored, Feature.Relocated, Feature.HardToEmploy, Feature.RuralWoman, Feature.Graduate];
}

/// <summary>
/// The readable facts of a (worker, opening) pair as of a day. The feature vector and the Chinese reasons are both
/// made from these, for training and for serving alike.
/// </summary>
public sealed record PairFacts(
    TradeFit Fit,
    string OpeningTradeName,
    string? WorkerTradeName,
    string FamilyName,
    int MinLevel,
    int MaxLevel,
    IReadOnlyList<string> RequiredCertificates,
    IReadOnlyList<string> MissingCertificates,
    bool SkillCertificate,
    int DestinationRank,
    bool CityPreferred,
    string ProvinceName,
    string CityName,
    int WageMin,
    int WageMax,
    int ExpectedWage,
    int Age,
    int AgeMin,
    int AgeMax,
    bool TrainingTypeFit,
    string? TrainingType,
    double TravelKm,
    EmployerRecord Employer,
    int DaysSinceRegistration,
    IReadOnlyList<string> PriorityGroups,
    bool Accommodation,
    bool Meals,
    int Education,
    string EducationName,
    IReadOnlyList<CertificateMatch>? CertificateMatches = null)
{
    public int LevelGap => Fit.LevelGap(MinLevel);

    public int AgeMargin => Math.Min(Age - AgeMin, AgeMax - Age);

    public double WageVsExpected => ((WageMin + WageMax) / 2.0 - ExpectedWage) / 1000.0;

    public float[] ToVector()
    {
        var vector = new float[MatchFeatures.Count];
        WriteTo(vector);
        return vector;
    }

    public void WriteTo(Span<float> v)
    {
        v[(int)Feature.TradeMatch] = (int)Fit.Match;
        v[(int)Feature.LevelGap] = LevelGap;
        v[(int)Feature.RequiredCertificates] = RequiredCertificates.Count;
        v[(int)Feature.MissingCertificates] = MissingCertificates.Count;
        v[(int)Feature.SkillCertificate] = SkillCertificate ? 1 : 0;
        v[(int)Feature.DestinationRank] = DestinationRank <= 0 ? 4 : Math.Min(DestinationRank, 4);
        v[(int)Feature.CityPreferred] = CityPreferred ? 1 : 0;
        v[(int)Feature.WageVsExpected] = (float)WageVsExpected;
        v[(int)Feature.Age] = Age;
        v[(int)Feature.AgeMargin] = AgeMargin;
        v[(int)Feature.TrainingTypeFit] = TrainingTypeFit ? 1 : 0;
        v[(int)Feature.TravelKm] = (float)TravelKm;
        v[(int)Feature.FellowVillagersRetained] = Employer.FellowVillagersRetained;
        v[(int)Feature.EmployerRetentionRate] = (float)Employer.RetentionRate;
        v[(int)Feature.EmployerPlacements] = Employer.Placements;
        v[(int)Feature.DaysSinceRegistration] = DaysSinceRegistration;
        v[(int)Feature.PovertyLifted] = Has("poverty-lifted");
        v[(int)Feature.Monitored] = Has("monitored");
        v[(int)Feature.Relocated] = Has("relocated");
        v[(int)Feature.HardToEmploy] = Has("hard-to-employ");
        v[(int)Feature.RuralWoman] = Has("rural-woman");
        v[(int)Feature.Graduate] = Has("graduate");
        v[(int)Feature.Accommodation] = Accommodation ? 1 : 0;
        v[(int)Feature.Meals] = Meals ? 1 : 0;
        v[(int)Feature.Education] = Education;
    }

    private float Has(string group) => PriorityGroups.Contains(group) ? 1 : 0;
}

/// <summary>Builds the facts of a pair; the only place features are computed.</summary>
public sealed class FeatureBuilder(Catalogue catalogue)
{
    private readonly Dictionary<string, int> _educationRank = catalogue.EducationLevels
        .Select((e, i) => (e.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

    public Catalogue Catalogue => catalogue;

    public PairFacts Facts(WorkerProfile worker, OpeningProfile opening, RetentionHistory history, DateOnly asOf)
    {
        var terms = opening.Terms;
        var fit = Eligibility.Fit(catalogue, worker.Terms.Trades, terms.TradeId);
        var openingTrade = catalogue.TradesById[terms.TradeId];
        // Each required certificate judged in the opening's province, so a certificate from elsewhere counts only when recognised (证书互认).
        IReadOnlyList<CertificateMatch> certificates = terms.RequiredCertificates.Count == 0 ? []
            : terms.RequiredCertificates.Select(type => CertificateRequirement.Best(catalogue, worker.Terms.Certificates, type, terms.TradeId, asOf, terms.ProvinceCode)).ToList();
        var missing = certificates.Where(c => !c.Satisfies).Select(c => c.RequiredType).ToList();
        var age = Eligibility.AgeOn(worker.Terms.BirthDate, asOf);
        return new PairFacts(
            fit,
            openingTrade.Name,
            fit.Trade is { } t ? catalogue.TradesById.GetValueOrDefault(t.TradeId)?.Name : null,
            catalogue.TradeFamiliesById.GetValueOrDefault(openingTrade.FamilyId)?.Name ?? openingTrade.FamilyId,
            terms.MinLevel,
            terms.MaxLevel,
            terms.RequiredCertificates,
            missing,
            Eligibility.Holds(catalogue, worker.Terms.Certificates, Eligibility.SkillLevelCertificate, terms.TradeId, terms.ProvinceCode, asOf),
            Eligibility.DestinationRank(worker.Terms.Destinations, terms.ProvinceCode, terms.CityCode),
            worker.Terms.Destinations.Contains(terms.CityCode),
            catalogue.NameOf(terms.ProvinceCode),
            catalogue.NameOf(terms.CityCode),
            opening.WageMin,
            opening.WageMax,
            worker.ExpectedWage,
            age,
            terms.AgeMin,
            terms.AgeMax,
            terms.TrainingType is { } type && worker.Terms.TrainingIntentions.Contains(type),
            terms.TrainingType,
            Geography.Kilometres(worker.PrefectureCode, terms.CityCode),
            history.At(opening.EmployerId, worker.CountyCode, asOf),
            Math.Max(0, asOf.DayNumber - worker.RegisteredOn.DayNumber),
            worker.PriorityGroups,
            opening.Accommodation,
            opening.Meals,
            _educationRank.GetValueOrDefault(worker.Education),
            catalogue.EducationLevelsById.GetValueOrDefault(worker.Education)?.Name ?? worker.Education,
            certificates);
    }
}
