using System.Globalization;
using Matching.Domain.Catalogues;
using Matching.Domain.Training;
using Matching.Domain.Workers;

namespace Matching.Domain.Matching;

/// <summary>How a worker's trade relates to an opening's trade (工种匹配).</summary>
public enum TradeMatch { None = 0, Related = 1, SameFamily = 2, SameTrade = 3 }

/// <summary>What the eligibility rule and the recall relevance read of an opening (岗位) and its base.</summary>
public sealed record OpeningTerms(
    string TradeId,
    int MinLevel,
    int MaxLevel,
    IReadOnlyList<string> RequiredCertificates,
    int AgeMin,
    int AgeMax,
    string ProvinceCode,
    string CityCode,
    string? TrainingType);

/// <summary>
/// What the eligibility rule and the recall relevance read of a worker (劳动者). <see cref="InActivePlacement"/>: the
/// worker is in a job placed through the programme (an active 就业安置), so is not matched again.
/// </summary>
public sealed record WorkerTerms(
    DateOnly BirthDate,
    IReadOnlyList<WorkerTrade> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    IReadOnlyList<string> Destinations,
    DateOnly AvailableFrom,
    IReadOnlyList<string> TrainingIntentions,
    bool InActivePlacement = false);

/// <summary>
/// How the worker's trades fit the opening: the closest relation any of them has (<see cref="Match"/>), and the trade
/// whose level counts (<see cref="Trade"/>): the highest level among the worker's trades of the opening's trade family
/// (the same trade wins a tie); when none is of the family, the highest related trade; null when nothing relates.
/// </summary>
public readonly record struct TradeFit(TradeMatch Match, WorkerTrade? Trade)
{
    public int LevelGap(int minLevel) => Trade is null ? -minLevel : Trade.Level - minLevel;

    /// <summary>Same trade or same trade family (工种大类): what eligibility asks for.</summary>
    public bool InFamily => Match >= TradeMatch.SameFamily;
}

/// <summary>Which part of the rule a worker failed, in the order the rule checks them.</summary>
public enum EligibilityCheck { Employed, Trade, Level, Age, Availability, Destination, TrainingIntention, Certificate }

/// <summary>One failed part of the rule with its reason in Chinese, as a clerk reads it.</summary>
public sealed record Ineligibility(EligibilityCheck Check, string Reason);

/// <summary>
/// THE eligibility rule (匹配资格): who may be matched with an opening (岗位) whose training or work starts on a given day.
/// Every engine that filters — SQL recall, the Lucene and Elasticsearch query planner, dispatch pairs, enrolment,
/// re-offers, the demo history — calls this rule or is proven equal to it by the eligibility contract suite. A worker
/// is eligible when all of these hold:
/// <list type="number">
/// <item><b>Not employed</b>: no active placement (在岗) made through the programme.</item>
/// <item><b>Trade</b>: one of the worker's trades is the opening's trade or of the same trade family (工种大类).</item>
/// <item><b>Level</b>: the level that counts — the highest among the worker's trades of that family — reaches the
/// opening's minimum level.</item>
/// <item><b>Age</b> on the start day within the opening's range. A worker reaches age n on the day n years after
/// birth; one born on 29 February reaches it on 1 March in common years (<see cref="BirthBounds"/>).</item>
/// <item><b>Availability</b>: available (可出行) on or before the start day.</item>
/// <item><b>Destination</b>: the worker named the opening's province (anywhere in it) or the base's city (that city
/// only). <b>No stated preference means any partner province</b> (服从调剂).</item>
/// <item><b>Training intention</b>: when the opening trains through a training type (岗前培训…), a worker who stated
/// training intentions includes it. No stated intention means no objection, as with destinations.</item>
/// <item><b>Certificates</b>: every certificate type the opening requires, and the special-operation certificate
/// (特种作业操作证) when its trade is a special operation, is held valid on the start day and recognised for the
/// opening's trade in the opening's province: issued there or recognised there by mutual recognition (证书互认)
/// (<see cref="Covers"/>, the one place certificate recognition is decided).</item>
/// </list>
/// Pure and allocation-free on the <see cref="Admits"/> path, which runs for every pair of a dispatch round.
/// </summary>
public static class Eligibility
{
    public const string SpecialOperationCertificate = "special-operation";
    public const string SkillLevelCertificate = "skill-level";

    /// <summary><see cref="DestinationRank"/> of a worker who named no destination: any partner province.</summary>
    public const int AnyDestination = 0;

    /// <summary><see cref="DestinationRank"/> of a place the worker did not name (not eligible).</summary>
    public const int NotPreferred = -1;

    /// <summary>Whether the worker is eligible for the opening starting on <paramref name="start"/>.</summary>
    public static bool Admits(Catalogue catalogue, WorkerTerms worker, OpeningTerms opening, DateOnly start) =>
        !worker.InActivePlacement
        && worker.AvailableFrom <= start
        && AgeFits(worker.BirthDate, start, opening.AgeMin, opening.AgeMax)
        && DestinationRank(worker.Destinations, opening.ProvinceCode, opening.CityCode) != NotPreferred
        && IntendsTraining(worker.TrainingIntentions, opening.TrainingType)
        && CountingLevel(catalogue, worker.Trades, opening.TradeId) >= opening.MinLevel
        && MissingCertificate(catalogue, worker.Certificates, opening, start) is null;

    /// <summary>Every part of the rule the worker fails, with the reasons in Chinese; empty when eligible.</summary>
    public static IReadOnlyList<Ineligibility> Check(Catalogue catalogue, WorkerTerms worker, OpeningTerms opening, DateOnly start)
    {
        var failed = new List<Ineligibility>();
        if (worker.InActivePlacement)
        {
            failed.Add(new(EligibilityCheck.Employed, "劳动者在岗（有在职的就业安置），不再匹配"));
        }
        var openingTrade = catalogue.TradesById.GetValueOrDefault(opening.TradeId);
        var level = CountingLevel(catalogue, worker.Trades, opening.TradeId);
        if (level == 0)
        {
            var family = openingTrade is not null && catalogue.TradeFamiliesById.TryGetValue(openingTrade.FamilyId, out var f) ? f.Name : "";
            failed.Add(new(EligibilityCheck.Trade,
                $"工种不对口：岗位工种为{openingTrade?.Name ?? opening.TradeId}，劳动者没有同一工种大类（{family}）的工种"));
        }
        else if (level < opening.MinLevel)
        {
            failed.Add(new(EligibilityCheck.Level,
                $"技能等级不足：岗位至少要求{LevelName(catalogue, opening.MinLevel)}（{Number(opening.MinLevel)}级），劳动者同类工种最高为{LevelName(catalogue, level)}（{Number(level)}级）"));
        }
        if (!AgeFits(worker.BirthDate, start, opening.AgeMin, opening.AgeMax))
        {
            failed.Add(new(EligibilityCheck.Age,
                $"年龄不符：岗位要求{Number(opening.AgeMin)}至{Number(opening.AgeMax)}周岁，开班日（{Day(start)}）劳动者{Number(AgeOn(worker.BirthDate, start))}周岁"));
        }
        if (worker.AvailableFrom > start)
        {
            failed.Add(new(EligibilityCheck.Availability, $"开班时劳动者尚不能出行（{Day(worker.AvailableFrom)}起可出行，开班日{Day(start)}）"));
        }
        if (DestinationRank(worker.Destinations, opening.ProvinceCode, opening.CityCode) == NotPreferred)
        {
            failed.Add(new(EligibilityCheck.Destination,
                $"不在劳动者意向地区：意向为{string.Join("、", worker.Destinations.Select(catalogue.NameOf))}，岗位在{catalogue.NameOf(opening.ProvinceCode)}{catalogue.NameOf(opening.CityCode)}"));
        }
        if (!IntendsTraining(worker.TrainingIntentions, opening.TrainingType))
        {
            failed.Add(new(EligibilityCheck.TrainingIntention,
                $"劳动者未表示愿意参加{TrainingName(catalogue, opening.TrainingType!)}（培训意向为{string.Join("、", worker.TrainingIntentions.Select(t => TrainingName(catalogue, t)))}）"));
        }
        foreach (var type in RequiredCertificateTypes(catalogue, opening))
        {
            if (!Holds(catalogue, worker.Certificates, type, opening.TradeId, opening.ProvinceCode, start))
            {
                var certificate = catalogue.CertificateTypesById.TryGetValue(type, out var c) ? c.Name : type;
                var best = CertificateRequirement.Best(catalogue, worker.Certificates, type, opening.TradeId, start, opening.ProvinceCode);
                failed.Add(new(EligibilityCheck.Certificate, best.Outcome == CertificateOutcome.NotRecognised
                    ? $"缺少{certificate}：{CertificateRequirement.Reason(catalogue, best)}"
                    : $"缺少{certificate}：开班日（{Day(start)}）须持有效的{openingTrade?.Name ?? opening.TradeId}同类证书"));
            }
        }
        return failed;
    }

    /// <summary>The rule's trade fit of the worker's trades to the opening's trade (see <see cref="TradeFit"/>).</summary>
    public static TradeFit Fit(Catalogue catalogue, IReadOnlyList<WorkerTrade> trades, string openingTradeId)
    {
        var match = TradeMatch.None;
        WorkerTrade? counting = null;
        var countingRelation = TradeMatch.None;
        foreach (var trade in trades)
        {
            var relation = Relation(catalogue, trade.TradeId, openingTradeId);
            if (relation > match)
            {
                match = relation;
            }
            if (relation == TradeMatch.None)
            {
                continue;
            }
            // The level that counts: the highest in the family; a related trade only when nothing of the family exists.
            var better = counting is null
                || (relation >= TradeMatch.SameFamily && countingRelation < TradeMatch.SameFamily)
                || ((relation >= TradeMatch.SameFamily) == (countingRelation >= TradeMatch.SameFamily)
                    && (trade.Level > counting.Level || (trade.Level == counting.Level && relation > countingRelation)));
            if (better)
            {
                counting = trade;
                countingRelation = relation;
            }
        }
        return new TradeFit(match, counting);
    }

    /// <summary>The level that counts: the highest among the worker's trades of the opening's family; 0 when none is.</summary>
    public static int CountingLevel(Catalogue catalogue, IReadOnlyList<WorkerTrade> trades, string openingTradeId)
    {
        var level = 0;
        for (var i = 0; i < trades.Count; i++)
        {
            var trade = trades[i];
            if (trade.Level > level && Relation(catalogue, trade.TradeId, openingTradeId) >= TradeMatch.SameFamily)
            {
                level = trade.Level;
            }
        }
        return level;
    }

    public static TradeMatch Relation(Catalogue catalogue, string workerTradeId, string openingTradeId)
    {
        if (workerTradeId == openingTradeId)
        {
            return TradeMatch.SameTrade;
        }
        if (!catalogue.TradesById.TryGetValue(workerTradeId, out var worker) || !catalogue.TradesById.TryGetValue(openingTradeId, out var opening))
        {
            return TradeMatch.None;
        }
        if (worker.FamilyId == opening.FamilyId)
        {
            return TradeMatch.SameFamily;
        }
        return worker.Related.Contains(openingTradeId) || opening.Related.Contains(workerTradeId) ? TradeMatch.Related : TradeMatch.None;
    }

    /// <summary>
    /// 1-based position of the first stated destination that covers the place: the province itself, or the city
    /// itself; <see cref="AnyDestination"/> (0) when the worker stated none; <see cref="NotPreferred"/> (−1) otherwise.
    /// A city elsewhere in the same province does not cover it.
    /// </summary>
    public static int DestinationRank(IReadOnlyList<string> destinations, string provinceCode, string cityCode)
    {
        if (destinations.Count == 0)
        {
            return AnyDestination;
        }
        for (var i = 0; i < destinations.Count; i++)
        {
            if (destinations[i] == provinceCode || destinations[i] == cityCode)
            {
                return i + 1;
            }
        }
        return NotPreferred;
    }

    /// <summary>
    /// The birth dates whose age on <paramref name="start"/> lies within [ageMin, ageMax]: born after
    /// <c>BornAfter</c> (exclusive) and on or before <c>BornBy</c>. Reaching age n means born on or before the start
    /// minus n years (29 February minus whole years is the 28th in a common year).
    /// </summary>
    public static (DateOnly BornAfter, DateOnly BornBy) BirthBounds(DateOnly start, int ageMin, int ageMax) =>
        (start.AddYears(-(ageMax + 1)), start.AddYears(-ageMin));

    public static bool AgeFits(DateOnly birthDate, DateOnly start, int ageMin, int ageMax)
    {
        var (after, by) = BirthBounds(start, ageMin, ageMax);
        return birthDate > after && birthDate <= by;
    }

    /// <summary>Whole years of age on the day, counted as <see cref="BirthBounds"/> counts them.</summary>
    public static int AgeOn(DateOnly birthDate, DateOnly day)
    {
        var age = day.Year - birthDate.Year;
        if (birthDate > day.AddYears(-age))
        {
            age--;
        }
        return age;
    }

    /// <summary>No training type asked, or the worker stated none, or the worker's intentions include it.</summary>
    public static bool IntendsTraining(IReadOnlyList<string> intentions, string? trainingType)
    {
        if (trainingType is null || intentions.Count == 0)
        {
            return true;
        }
        for (var i = 0; i < intentions.Count; i++)
        {
            if (intentions[i] == trainingType)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The certificate types a worker must hold: those the opening lists, and 特种作业操作证 for a special operation.</summary>
    public static IReadOnlyList<string> RequiredCertificateTypes(Catalogue catalogue, OpeningTerms opening)
    {
        var types = opening.RequiredCertificates.Distinct(StringComparer.Ordinal).ToList();
        if (NeedsSpecialOperation(catalogue, opening) && !types.Contains(SpecialOperationCertificate))
        {
            types.Add(SpecialOperationCertificate);
        }
        return types;
    }

    public static bool NeedsSpecialOperation(Catalogue catalogue, OpeningTerms opening) =>
        catalogue.TradesById.TryGetValue(opening.TradeId, out var trade) && trade.SpecialOperation;

    /// <summary>The first required certificate type the worker does not hold valid on the day, or null.</summary>
    public static string? MissingCertificate(Catalogue catalogue, IReadOnlyList<WorkerCertificate> certificates, OpeningTerms opening, DateOnly on)
    {
        for (var i = 0; i < opening.RequiredCertificates.Count; i++)
        {
            if (!Holds(catalogue, certificates, opening.RequiredCertificates[i], opening.TradeId, opening.ProvinceCode, on))
            {
                return opening.RequiredCertificates[i];
            }
        }
        if (NeedsSpecialOperation(catalogue, opening) && !Holds(catalogue, certificates, SpecialOperationCertificate, opening.TradeId, opening.ProvinceCode, on))
        {
            return SpecialOperationCertificate;
        }
        return null;
    }

    /// <summary>
    /// Whether one of the certificates is of the type, recognised for the opening's trade in the opening's province
    /// (<paramref name="requiredIn"/>), and valid on the day.
    /// </summary>
    public static bool Holds(Catalogue catalogue, IReadOnlyList<WorkerCertificate> certificates, string type, string openingTradeId, string requiredIn, DateOnly on)
    {
        for (var i = 0; i < certificates.Count; i++)
        {
            if (ValidOn(certificates[i], on) && Covers(catalogue, certificates[i], type, openingTradeId, requiredIn))
            {
                return true;
            }
        }
        return false;
    }

    public static bool ValidOn(WorkerCertificate certificate, DateOnly day) => certificate.ExpiresOn is not { } expires || expires >= day;

    /// <summary>
    /// Certificate recognition (证书认定), the one function that says whether a held certificate meets a required type
    /// for an opening's trade in the opening's province: the same type; issued for a trade of the opening's trade
    /// family (a special-operation certificate is issued per operation category, which the trade families mirror), a
    /// certificate naming no trade counting for any trade except a special-operation certificate, which always names
    /// one; and issued in that province or recognised there by the mutual-recognition catalogue (证书互认,
    /// <see cref="TrainingPolicy.Recognises"/>). The search index and the query planner encode certificates through it.
    /// </summary>
    public static bool Covers(Catalogue catalogue, WorkerCertificate held, string requiredType, string openingTradeId, string requiredIn) =>
        CoversTrade(catalogue, held, requiredType, openingTradeId)
        && catalogue.Policy.Recognises(requiredType, CertificateRequirement.IssuingProvinceOf(held), requiredIn);

    /// <summary>The type and trade part of <see cref="Covers"/>, wherever the certificate was issued.</summary>
    public static bool CoversTrade(Catalogue catalogue, WorkerCertificate held, string requiredType, string openingTradeId) =>
        held.Type == requiredType
        && (held.TradeId is null
            ? requiredType != SpecialOperationCertificate
            : Relation(catalogue, held.TradeId, openingTradeId) >= TradeMatch.SameFamily);

    private static string LevelName(Catalogue catalogue, int level) =>
        catalogue.SkillLevelsByLevel.TryGetValue(level, out var l) ? l.Name : Number(level) + "级";

    private static string TrainingName(Catalogue catalogue, string type) =>
        catalogue.TrainingTypesById.TryGetValue(type, out var t) ? t.Name : type;

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The recall relevance (召回相关度): how well a worker's stated wishes and trade meet an eligible opening, the score
/// every recall path returns and orders by (then the lower id). Sum of: the worker has the opening's own trade 4; the
/// worker named the base's city 2; the worker's first stated destination is the opening's province or city 1; the
/// worker named the opening's province 1. Whole numbers from 0 to 8, so every engine adds them exactly.
/// </summary>
public static class RecallRelevance
{
    public const double SameTradeWeight = 4;
    public const double CityNamedWeight = 2;
    public const double FirstChoiceWeight = 1;
    public const double ProvinceNamedWeight = 1;

    public static double Of(WorkerTerms worker, OpeningTerms opening)
    {
        var score = 0.0;
        foreach (var trade in worker.Trades)
        {
            if (trade.TradeId == opening.TradeId)
            {
                score += SameTradeWeight;
                break;
            }
        }
        var destinations = worker.Destinations;
        if (destinations.Count > 0 && (destinations[0] == opening.ProvinceCode || destinations[0] == opening.CityCode))
        {
            score += FirstChoiceWeight;
        }
        if (destinations.Contains(opening.CityCode))
        {
            score += CityNamedWeight;
        }
        if (destinations.Contains(opening.ProvinceCode))
        {
            score += ProvinceNamedWeight;
        }
        return score;
    }
}
