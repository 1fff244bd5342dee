using Matching.Domain.Catalogues;
using Matching.Domain.Matching;

namespace Matching.Data.Demo;

/// <summary>A worker as the demo world's outcome process sees them (from the stored row; no hidden value).</summary>
public sealed record DemoWorker(
    long Id,
    string CountyCode,
    string PrefectureCode,
    WorkerTerms Terms,
    IReadOnlyList<string> PriorityGroups,
    int ExpectedWage,
    DateOnly RegisteredOn);

/// <summary>An opening as the demo world's outcome process sees it.</summary>
public sealed record DemoOpening(long Id, long EmployerId, OpeningTerms Terms, int WageMin, int WageMax, bool Accommodation)
{
    public int WageMid => (WageMin + WageMax) / 2;
}

/// <summary>
/// The demo world's truth (演示数据的真实规律) for one offer: the chance it is declined, that the worker does not show up,
/// and that a placement lasts six months. The oracle of every pair the generator could produce.
/// </summary>
public readonly record struct DemoOutcome(double Decline, double NoShow, double Retain)
{
    /// <summary>The true probability that an offer becomes a placement still there at six months (六个月留存).</summary>
    public double SixMonthRetention => (1 - Decline) * (1 - NoShow) * Retain;

    /// <summary>
    /// The true probability that the offer's training label is positive given that it has one (a placement that ended
    /// in months 3–6 is left out of the labels): what a perfect ranker would order by.
    /// </summary>
    public double PositiveLabel
    {
        get
        {
            var positive = SixMonthRetention;
            var negative = Decline + (1 - Decline) * NoShow + (1 - Decline) * (1 - NoShow) * (1 - Retain) * DemoTruth.LeavesEarlyShare;
            return positive / Math.Max(1e-12, positive + negative);
        }
    }
}

/// <summary>
/// The hidden process behind the demo history (documented in <c>seeds/demo-history.md</c>; keep the two in step).
/// Outcomes depend on facts the ranking model also sees, but through non-linear and interacting effects, and on three
/// things it never sees: a per-worker reliability, each employer's retention culture and the employer's partner
/// counties (结对县, a county–employer affinity). The hidden values are drawn from the seed and the ids, so the truth
/// of any (worker, opening, day) pair can be computed again later (the oracle of <c>evaluate</c> and
/// <c>bench dispatch</c>) while nothing of it is stored where the model or its features could read it.
/// </summary>
public sealed class DemoTruth(Catalogue catalogue, int seed = DemoData.DefaultSeed)
{
    /// <summary>Share of placements that do not last six months which end within three months (negative labels).</summary>
    public const double LeavesEarlyShare = 0.65;

    public const double ReliabilitySd = 0.35;
    public const double CultureSd = 0.6;
    public const double PartnerAffinity = 0.7;
    public const int PartnerCounties = 3;

    private static readonly HashSet<string> PhysicalFamilies = new(StringComparer.Ordinal)
    {
        "construction", "welding", "mining-energy", "logistics", "machining",
    };

    /// <summary>Hidden: how steady the worker is, Normal(0, <see cref="ReliabilitySd"/>).</summary>
    public double Reliability(long workerId) => ReliabilitySd * Normal(Hash(1, (ulong)workerId));

    /// <summary>Hidden: the employer's retention culture, Normal(0, <see cref="CultureSd"/>); seen only through outcomes.</summary>
    public double Culture(long employerId) => CultureSd * Normal(Hash(2, (ulong)employerId));

    /// <summary>Hidden: the employer's three partner counties (结对县), drawn from Guizhou's counties.</summary>
    public bool IsPartnerCounty(long employerId, string countyCode)
    {
        var counties = catalogue.GuizhouCounties;
        for (var k = 0; k < PartnerCounties; k++)
        {
            if (counties[(int)(Hash(3, (ulong)employerId * 16 + (ulong)k) % (ulong)counties.Count)].Code == countyCode)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The three probabilities of an offer of the opening to the worker on the day, with the fellow villagers known then.</summary>
    public DemoOutcome Of(DemoWorker w, DemoOpening o, DateOnly on, int fellowVillagersRetained)
    {
        var terms = o.Terms;
        var wage = Math.Clamp((o.WageMid - w.ExpectedWage) / 1000.0, -3, 3);
        var rank = Eligibility.DestinationRank(w.Terms.Destinations, terms.ProvinceCode, terms.CityCode);
        var cityNamed = w.Terms.Destinations.Contains(terms.CityCode) ? 1 : 0;
        var far = (Geography.Kilometres(w.PrefectureCode, terms.CityCode) - 1200) / 1000.0;
        var fit = Eligibility.Fit(catalogue, w.Terms.Trades, terms.TradeId);
        var gap = fit.LevelGap(terms.MinLevel);
        var intends = terms.TrainingType is { } type && w.Terms.TrainingIntentions.Contains(type) ? 1 : 0;
        var supported = o.Accommodation && w.PriorityGroups.Any(g => g is "poverty-lifted" or "relocated" or "monitored") ? 1 : 0;
        var age = Eligibility.AgeOn(w.Terms.BirthDate, on);
        var physical = catalogue.TradesById.TryGetValue(terms.TradeId, out var trade) && PhysicalFamilies.Contains(trade.FamilyId);
        var skillCertificate = Eligibility.Holds(catalogue, w.Terms.Certificates, Eligibility.SkillLevelCertificate, terms.TradeId, terms.ProvinceCode, on) ? 1 : 0;
        var years = Math.Max(0, on.DayNumber - w.RegisteredOn.DayNumber) / 365.0;
        var reliability = Reliability(w.Id);
        var affinity = IsPartnerCounty(o.EmployerId, w.CountyCode) ? PartnerAffinity : 0;

        // Below the expectation a wage hurts in proportion; above it, the gain saturates.
        var wageEffect = wage < 0 ? 1.2 * wage : 0.3 * Math.Tanh(1.5 * wage);
        // Someone of the family but not the trade stays when they wanted the training that teaches it.
        var tradeEffect = fit.Match == TradeMatch.SameTrade ? 0.5 : intends == 1 ? 0.6 : -0.5;
        var gapEffect = gap switch { 1 => 0.4, 2 => 0.2, >= 3 => -0.9, _ => 0.0 };
        var destinationEffect = rank switch { 1 => 0.5, 2 => 0.2, Eligibility.AnyDestination => 0.1, _ => 0.0 };
        // Distance hurts less where the employer houses the worker.
        var distanceEffect = (o.Accommodation ? 0 : -1.2) * far;
        // Physical trades wear older workers sooner.
        var ageEffect = physical ? -0.08 * Math.Max(0, age - 38) : -0.03 * Math.Max(0, age - 45);
        var nearAgeLimit = age > terms.AgeMax - 3 ? -0.3 : 0;

        var retention = -1.1 + tradeEffect + gapEffect + wageEffect + destinationEffect + 0.3 * cityNamed + 0.9 * supported
            + distanceEffect + ageEffect + nearAgeLimit + 0.7 * Math.Log(1 + fellowVillagersRetained) + 0.25 * skillCertificate
            - 0.2 * Math.Min(years, 5) + reliability + Culture(o.EmployerId) + affinity;
        var decline = -1.0 - 0.6 * wage + 0.5 * (rank >= 2 ? 1 : 0) - 0.4 * cityNamed + 0.4 * far - 0.3 * (o.Accommodation ? 1 : 0) - 0.3 * reliability;
        var noShow = -2.6 + 0.5 * far - 0.4 * (fellowVillagersRetained >= 3 ? 1 : 0) - 0.5 * reliability;
        return new DemoOutcome(Sigmoid(decline), Sigmoid(noShow), Sigmoid(retention));
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>SplitMix64 of the seed, a stream number and a key: the same value on every machine.</summary>
    private ulong Hash(ulong stream, ulong key)
    {
        var x = (ulong)seed * 0x9E3779B97F4A7C15UL ^ stream * 0xBF58476D1CE4E5B9UL ^ key * 0x94D049BB133111EBUL;
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    /// <summary>A standard normal from a hash (Box–Muller on its two halves).</summary>
    private static double Normal(ulong hash)
    {
        var u1 = ((hash >> 32) + 1.0) / 4294967297.0;
        var u2 = (hash & 0xFFFFFFFFUL) / 4294967296.0;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
