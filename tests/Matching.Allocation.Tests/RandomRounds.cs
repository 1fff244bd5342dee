using Matching.Data.Catalogues;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Workers;

namespace Matching.Allocation.Tests;

/// <summary>The real catalogues, loaded once.</summary>
public static class TestCatalogue
{
    public static readonly Catalogue Instance = CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(null));

    public static readonly DateOnly Today = new(2026, 6, 15);
}

/// <summary>Cohort profiles for tests: one linked opening per cohort unless told otherwise.</summary>
public static class TestCohorts
{
    public static CohortProfile Create(long id, string name, string trade, DateOnly start, DateOnly end, int freeSeats, string province, string city,
        int ageMin = 18, int ageMax = 55, int minLevel = 1, int wageMin = 4000, int wageMax = 5000, bool accommodation = false,
        IReadOnlyList<string>? certificates = null, string? trainingType = "pre-job", long openingId = 0)
    {
        var special = TestCatalogue.Instance.TradesById[trade].SpecialOperation;
        var terms = new OpeningTerms(trade, minLevel, 8, certificates ?? (special ? ["special-operation"] : []), ageMin, ageMax, province, city, trainingType);
        return new CohortProfile(new CohortTerms(id, name, [trade], "pre-job", start, end, province, city, [new CohortOpening(openingId == 0 ? id * 10 : openingId, terms)]),
            freeSeats, [new OpeningOffer(wageMin, wageMax, accommodation)]);
    }

    /// <summary>A cohort training for several openings (each with its own terms and pay).</summary>
    public static CohortProfile Several(long id, string name, DateOnly start, DateOnly end, int freeSeats, string province, string city,
        params (long OpeningId, OpeningTerms Terms, OpeningOffer Offer)[] openings) =>
        new(new CohortTerms(id, name, openings.Select(o => o.Terms.TradeId).Distinct().ToList(), "pre-job", start, end, province, city,
            openings.Select(o => new CohortOpening(o.OpeningId, o.Terms)).ToList()), freeSeats, openings.Select(o => o.Offer).ToList());
}

/// <summary>
/// Random dispatch rounds from a seed: workers and cohorts drawn over a few trade families (welding is a special
/// operation), partner cities, ages, certificates and already-held enrolments, so that every part of the eligibility
/// rule both holds and breaks somewhere. Seats are scarce, so the modes must choose.
/// </summary>
public static class RandomRounds
{
    private static readonly string[] Trades = ["T001", "T002", "T003", "T029", "T031", "T033"];
    private static readonly (string Province, string City)[] Places = [("440000", "440100"), ("440000", "440300"), ("330000", "330100")];

    public static AllocationProblem Create(int seed, int workers, int cohorts, double? priorityWeight = null, bool secondTrades = true)
    {
        var random = new Random(seed);
        var today = TestCatalogue.Today;
        var cohortList = new List<CohortProfile>();
        for (var c = 0; c < cohorts; c++)
        {
            var trade = Trades[random.Next(Trades.Length)];
            var place = Places[random.Next(Places.Length)];
            var start = today.AddDays(random.Next(10, 60));
            cohortList.Add(TestCohorts.Create(100 + c, $"班期{c}", trade, start, start.AddDays(random.Next(7, 30)), random.Next(0, 4),
                place.Province, place.City, 18, random.Next(2) == 0 ? 45 : 55, random.Next(1, 3), 4000, 4000 + random.Next(0, 30) * 100,
                random.Next(2) == 0));
        }
        var workerList = new List<WorkerProfile>();
        for (var w = 0; w < workers; w++)
        {
            var trades = new List<WorkerTrade> { new(Trades[random.Next(Trades.Length)], random.Next(1, 4)) };
            if (random.Next(3) == 0 && secondTrades)
            {
                var second = Trades[random.Next(Trades.Length)];
                if (second != trades[0].TradeId)
                {
                    trades.Add(new WorkerTrade(second, random.Next(1, 4)));
                }
            }
            var certificates = trades.Where(t => TestCatalogue.Instance.TradesById[t.TradeId].SpecialOperation && random.Next(3) > 0)
                .Select(t => new WorkerCertificate("special-operation", t.TradeId, null, today.AddYears(-1), today.AddYears(random.Next(2) == 0 ? 3 : 0).AddDays(30)))
                .ToList();
            var destinations = Places.OrderBy(_ => random.Next()).Take(random.Next(0, 3)).Select(p => random.Next(2) == 0 ? p.Province : p.City).Distinct().ToList();
            var held = new List<HeldEnrolment>();
            if (random.Next(5) == 0)
            {
                var start = today.AddDays(random.Next(5, 70));
                held.Add(new HeldEnrolment(1, "已报名的焊工班", start, start.AddDays(10)));
            }
            var groups = random.Next(3) == 0 ? new List<string> { "poverty-lifted" } : [];
            var terms = new WorkerTerms(today.AddYears(-random.Next(18, 58)).AddDays(-random.Next(365)), trades, certificates, destinations,
                today.AddDays(random.Next(-20, 50)), random.Next(4) == 0 ? ["job-transfer"] : []);
            workerList.Add(new WorkerProfile(1000 + w, "520502", terms, groups, 3800 + random.Next(0, 30) * 100, held));
        }
        var pairs = new HeuristicCandidatePairSource(TestCatalogue.Instance).FindPairs(workerList, cohortList, perWorker: random.Next(2, 8));
        return new AllocationProblem(workerList, cohortList, pairs, priorityWeight ?? random.Next(0, 5) / 10.0);
    }
}
