using Matching.Domain.Catalogues;
using Matching.Domain.Training;
using Matching.Domain.Workers;

namespace Matching.Domain.Matching;

/// <summary>How a worker's trade relates to an opening's trade (工种匹配).</summary>
public enum TradeMatch { None = 0, Related = 1, SameFamily = 2, SameTrade = 3 }

/// <summary>What the hard constraints and the search relevance read of an opening (岗位) and its base.</summary>
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

/// <summary>What the hard constraints and the search relevance read of a worker (劳动者).</summary>
public sealed record WorkerTerms(
    DateOnly BirthDate,
    IReadOnlyList<WorkerTrade> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    IReadOnlyList<string> Destinations,
    DateOnly AvailableFrom,
    IReadOnlyList<string> TrainingIntentions);

/// <summary>The worker's trade that fits the opening best, and how.</summary>
public readonly record struct TradeFit(TradeMatch Match, WorkerTrade? Trade)
{
    public int LevelGap(int minLevel) => Trade is null ? -minLevel : Trade.Level - minLevel;
}

/// <summary>
/// The hard constraints every recalled candidate passes (whichever engine recalls) and the simple attribute
/// relevance the SQL recall orders by. Pure rules: the demo history uses them too, to pick whom clerks offered.
/// </summary>
public static class MatchRules
{
    public const string SpecialOperationCertificate = "special-operation";
    public const string SkillLevelCertificate = "skill-level";

    /// <summary>Same trade beats same family beats related; among equals the higher level.</summary>
    public static TradeFit BestTrade(Catalogue catalogue, IReadOnlyList<WorkerTrade> trades, string openingTradeId)
    {
        var best = new TradeFit(TradeMatch.None, null);
        foreach (var trade in trades)
        {
            var match = Relation(catalogue, trade.TradeId, openingTradeId);
            if (match > best.Match || (match == best.Match && match != TradeMatch.None && trade.Level > best.Trade!.Level))
            {
                best = new TradeFit(match, trade);
            }
        }
        return best;
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

    /// <summary>1-based position of the first preferred destination in the opening's province (a province or one of its cities); 0 if none.</summary>
    public static int DestinationRank(Catalogue catalogue, IReadOnlyList<string> destinations, string provinceCode)
    {
        for (var i = 0; i < destinations.Count; i++)
        {
            if (destinations[i] == provinceCode || catalogue.ProvinceOf(destinations[i]) == provinceCode)
            {
                return i + 1;
            }
        }
        return 0;
    }

    /// <summary>
    /// Whether the worker holds a certificate of the type for the opening's trade family, valid on the day and, when
    /// <paramref name="requiredIn"/> (the opening's province) is given, issued there or recognised there (证书互认).
    /// </summary>
    public static bool HoldsCertificate(Catalogue catalogue, IReadOnlyList<WorkerCertificate> certificates, string type, string openingTradeId, DateOnly on, string? requiredIn = null)
    {
        foreach (var c in certificates)
        {
            if (CertificateRequirement.Check(catalogue, c, type, openingTradeId, on, requiredIn) >= CertificateOutcome.IssuedThere)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The hard constraints: same trade or same trade family at the opening's minimum level or above; the special
    /// operation certificate (特种作业操作证) when the trade needs one; age within the opening's range on the start
    /// day; available by the start day (unless <paramref name="checkAvailability"/> is false, for past offers); the
    /// opening's province among the worker's preferred destinations.
    /// </summary>
    public static bool PassesHardConstraints(Catalogue catalogue, WorkerTerms worker, OpeningTerms opening, DateOnly startBy, bool checkAvailability = true)
    {
        var fit = BestTrade(catalogue, worker.Trades, opening.TradeId);
        if (fit.Match < TradeMatch.SameFamily || fit.Trade!.Level < opening.MinLevel)
        {
            return false;
        }
        var age = WorkerRules.AgeOn(worker.BirthDate, startBy);
        if (age < opening.AgeMin || age > opening.AgeMax)
        {
            return false;
        }
        if (checkAvailability && worker.AvailableFrom > startBy)
        {
            return false;
        }
        if (DestinationRank(catalogue, worker.Destinations, opening.ProvinceCode) == 0)
        {
            return false;
        }
        return !NeedsSpecialOperationCertificate(catalogue, opening)
            || HoldsCertificate(catalogue, worker.Certificates, SpecialOperationCertificate, opening.TradeId, startBy, opening.ProvinceCode);
    }

    public static bool NeedsSpecialOperationCertificate(Catalogue catalogue, OpeningTerms opening) =>
        opening.RequiredCertificates.Contains(SpecialOperationCertificate)
        || (catalogue.TradesById.TryGetValue(opening.TradeId, out var trade) && trade.SpecialOperation);

    /// <summary>
    /// The SQL recall's relevance, an attribute score a clerk's search would give: trade (same 1.0, same family 0.6,
    /// related 0.3) + 0.15 per level above the minimum (at most 2) + destination (first choice 0.4, second 0.25,
    /// later 0.1) + 0.2 when the base's city itself is named + 0.2 for a skill-level certificate in the trade family
    /// + 0.1 when the worker intends the opening's training type. Between 0 and 2.2.
    /// </summary>
    public static double SearchRelevance(Catalogue catalogue, WorkerTerms worker, OpeningTerms opening, DateOnly on)
    {
        var fit = BestTrade(catalogue, worker.Trades, opening.TradeId);
        var score = fit.Match switch
        {
            TradeMatch.SameTrade => 1.0,
            TradeMatch.SameFamily => 0.6,
            TradeMatch.Related => 0.3,
            _ => 0,
        };
        score += 0.15 * Math.Clamp(fit.LevelGap(opening.MinLevel), 0, 2);
        score += DestinationRank(catalogue, worker.Destinations, opening.ProvinceCode) switch
        {
            1 => 0.4,
            2 => 0.25,
            0 => 0,
            _ => 0.1,
        };
        if (worker.Destinations.Contains(opening.CityCode))
        {
            score += 0.2;
        }
        if (HoldsCertificate(catalogue, worker.Certificates, SkillLevelCertificate, opening.TradeId, on))
        {
            score += 0.2;
        }
        if (opening.TrainingType is { } type && worker.TrainingIntentions.Contains(type))
        {
            score += 0.1;
        }
        return Math.Round(score, 4);
    }
}
