using System.Globalization;
using Dapper;
using Elastic.Transport;
using Matching.Allocation;
using Matching.Data.Demo;
using Matching.Data.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Matching;
using Matching.Domain.Workers;
using Matching.Ranking.Features;
using Matching.Ranking.Recall;
using Matching.Search.Documents;
using Matching.Search.Elasticsearch;
using Matching.Search.Indexing;
using Matching.Search.Lucene;

namespace Matching.Search.Tests;

/// <summary>
/// The eligibility contract (匹配资格契约): on randomly generated worlds full of edge values (ages a day either side of
/// each bound, 29 February births and starts, certificates expiring on the start day, certificates of another trade
/// family or naming no trade, issued in another province and recognised there or not (证书互认), no stated destination, a named city elsewhere in the province, availability on the start
/// day, training intentions, workers in an active placement, cohorts linked to several openings, overlapping held
/// seats), every engine that filters returns exactly the set the one rule (<see cref="Eligibility"/>) admits: SQL recall
/// from a real SQLite database, the Lucene index built from it as the service builds it, Elasticsearch when
/// ELASTICSEARCH_URL is set, and the dispatch pair builder (with each pair scored against its best admitting opening).
/// The expected sets are computed from the generator's own terms, not read back through the engines.
/// </summary>
public sealed class EligibilityContractTests
{
    private static readonly string? ElasticsearchUrl = Environment.GetEnvironmentVariable("ELASTICSEARCH_URL");

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task SQL_and_Lucene_recall_return_exactly_the_workers_and_openings_the_rule_admits(int seed)
    {
        using var db = new TestDatabase();
        var world = EligibilityWorld.Generate(Shared.Catalogue, seed, workers: 2_500, openings: 250, Shared.Today);
        await world.StoreAsync(db);

        using var folder = new TempFolder();
        using var lucene = new LuceneSearchIndex(folder.Path, Shared.Planner);
        await world.IndexAsync(db, lucene);

        await AssertRecallsAsync(world, db, lucene, sql: true);
    }

    [SkippableFact]
    public async Task Elasticsearch_recall_returns_exactly_the_workers_and_openings_the_rule_admits()
    {
        Skip.If(string.IsNullOrWhiteSpace(ElasticsearchUrl),
            "ELASTICSEARCH_URL 未设置：没有可用的 Elasticsearch 服务器，资格契约的 Elasticsearch 部分跳过（SQL 与 Lucene 部分已运行）");
        using var db = new TestDatabase();
        var world = EligibilityWorld.Generate(Shared.Catalogue, 21, workers: 2_000, openings: 200, Shared.Today);
        await world.StoreAsync(db);
        var prefix = "matching-contract-" + Guid.NewGuid().ToString("N")[..8];
        var client = SearchComponents.CreateClient(new SearchOptions { SearchProvider = "elasticsearch", ElasticsearchUrl = ElasticsearchUrl });
        var elastic = new ElasticsearchSearchIndex(client, Shared.Planner, prefix);
        try
        {
            await world.IndexAsync(db, elastic);
            await AssertRecallsAsync(world, db, elastic, sql: false);
        }
        finally
        {
            // By exact name: clusters refuse wildcard deletes by default (action.destructive_requires_name).
            var listed = await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.GET, $"/_cat/indices/{prefix}-*?h=index", CancellationToken.None);
            foreach (var name in (listed.Body ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.DELETE, $"/{name}", CancellationToken.None);
            }
            foreach (var template in new[] { $"{prefix}-workers", $"{prefix}-openings" })
            {
                await client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.DELETE, $"/_index_template/{template}", CancellationToken.None);
            }
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void The_dispatch_pair_builder_admits_exactly_the_pairs_of_the_rule_scored_against_the_best_admitting_opening(int seed)
    {
        var catalogue = Shared.Catalogue;
        var world = EligibilityWorld.Generate(catalogue, seed, workers: 3_000, openings: 300, Shared.Today);
        var (workers, cohorts) = world.DispatchInputs(seed);
        // Any deterministic score that differs between targets shows which target a pair was scored against.
        static double Score(int w, int c, int t) => ((w * 7919 + c * 104_729 + t * 1_299_709) % 1000) / 1000.0;

        var pairs = CandidatePairBuilder.Build(catalogue, workers, cohorts, perWorker: int.MaxValue, Score);

        var expected = new HashSet<(int, int)>();
        var admittedByTargets = 0;
        for (var w = 0; w < workers.Count; w++)
        {
            for (var c = 0; c < cohorts.Count; c++)
            {
                var admitting = Enumerable.Range(0, cohorts[c].Terms.Targets.Count)
                    .Where(t => Eligibility.Admits(catalogue, workers[w].Terms, cohorts[c].Terms.Targets[t].Terms, cohorts[c].StartDate)).ToList();
                var overlaps = workers[w].Held.Any(h => h.CohortId == cohorts[c].CohortId || (h.StartDate <= cohorts[c].EndDate && cohorts[c].StartDate <= h.EndDate));
                if (admitting.Count > 0 && !overlaps)
                {
                    expected.Add((w, c));
                    admittedByTargets += admitting.Count > 1 ? 1 : 0;
                }
            }
        }
        Assert.True(expected.Count > 500, $"seed {seed}: only {expected.Count} feasible pairs; the world is too sparse to prove anything");
        Assert.True(admittedByTargets > 10, $"seed {seed}: only {admittedByTargets} pairs admitted by several linked openings");
        var built = pairs.Select(p => (p.Worker, p.Cohort)).ToHashSet();
        Assert.Equal(pairs.Count, built.Count);
        AssertSameSet(expected, built, $"seed {seed}: dispatch pairs", p => $"worker #{p.Item1} cohort #{p.Item2}");

        foreach (var pair in pairs)
        {
            var targets = cohorts[pair.Cohort].Terms.Targets;
            var best = Enumerable.Range(0, targets.Count)
                .Where(t => Eligibility.Admits(catalogue, workers[pair.Worker].Terms, targets[t].Terms, cohorts[pair.Cohort].StartDate))
                .MaxBy(t => Score(pair.Worker, pair.Cohort, t));
            Assert.Equal(best, pair.Target);
            Assert.True(HardConstraints.IsFeasible(workers[pair.Worker], cohorts[pair.Cohort], catalogue));
        }
    }

    private static async Task AssertRecallsAsync(EligibilityWorld world, TestDatabase db, ISearchIndex index, bool sql)
    {
        var catalogue = Shared.Catalogue;
        var today = Shared.Today;
        var profiles = new ProfileReader(db.Environment.Database, db.Time);
        var sqlRecall = new SqlCandidateRecall(db.Environment.Database, catalogue, profiles);
        var admittedSomewhere = 0;
        foreach (var opening in world.Openings)
        {
            var start = opening.StartOn(today);
            var expected = world.Workers.Where(w => Eligibility.Admits(catalogue, world.TermsOf(w), opening.Terms, start))
                .Select(w => world.IdOf(w)).ToHashSet();
            admittedSomewhere += expected.Count;
            var hits = await index.RecallWorkersAsync(new CandidateCriteria(opening.Terms, start), SearchScope.Unrestricted, 10_000);
            AssertSameSet(expected, hits.Select(h => h.Id).ToHashSet(), $"{index.Engine} recall, opening {Describe(opening, start)}", id => world.Describe(id));
            // Scores are the rule's relevance, best first, the lower id breaking ties: the same order in every engine.
            Assert.Equal(hits.Select(h => (h.Id, RecallRelevance.Of(world.TermsById(h.Id), opening.Terms))), hits.Select(h => (h.Id, h.Score)));
            Assert.Equal(hits.OrderByDescending(h => h.Score).ThenBy(h => h.Id).Select(h => h.Id), hits.Select(h => h.Id));
            if (sql)
            {
                var profile = new OpeningProfile(opening.Id, opening.EmployerId, opening.BaseId, opening.Title, opening.WageMin, opening.WageMax,
                    false, false, opening.Status, start, opening.Terms);
                var recalled = await sqlRecall.RecallWorkersAsync(profile, 10_000);
                Assert.Equal(hits.Select(h => (h.Id, h.Score)), recalled.Select(r => (r.WorkerId, r.Relevance)));
            }
        }
        Assert.True(admittedSomewhere > 1_000, $"only {admittedSomewhere} admitted (worker, opening) pairs; the world is too sparse to prove anything");

        // The worker's side: the open openings whose rule, each on its own start day, admits the worker.
        var admittedOpenings = 0;
        foreach (var worker in world.Workers.Take(600))
        {
            var terms = world.TermsOf(worker);
            var expected = world.Openings.Where(o => o.Status == "open" && Eligibility.Admits(catalogue, terms, o.Terms, o.StartOn(today)))
                .Select(o => o.Id).ToHashSet();
            admittedOpenings += expected.Count;
            var hits = await index.RecallOpeningsAsync(new OpeningCriteria(terms), SearchScope.Unrestricted, 10_000);
            AssertSameSet(expected, hits.Select(h => h.Id).ToHashSet(), $"{index.Engine} opening recall, worker {world.Describe(world.IdOf(worker))}", id => $"opening {id}");
        }
        Assert.True(admittedOpenings > 100, $"only {admittedOpenings} admitted openings for the sampled workers");
    }

    private static string Describe(OpeningFacts o, DateOnly start) => string.Create(CultureInfo.InvariantCulture,
        $"{o.Id} ({o.TradeId} ≥{o.MinLevel}, age {o.AgeMin}–{o.AgeMax}, {o.ProvinceCode}/{o.CityCode}, certs [{string.Join(',', o.RequiredCertificates)}], training {o.TrainingType}, start {start:yyyy-MM-dd})");

    private static void AssertSameSet<T>(IReadOnlySet<T> expected, IReadOnlySet<T> actual, string what, Func<T, string> describe)
    {
        var missing = expected.Where(x => !actual.Contains(x)).Take(5).Select(describe).ToList();
        var extra = actual.Where(x => !expected.Contains(x)).Take(5).Select(describe).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{what}: the rule admits {expected.Count}, the engine returned {actual.Count}; missing [{string.Join("; ", missing)}]; not admitted [{string.Join("; ", extra)}]");
    }
}

/// <summary>
/// A random world for the eligibility contract: workers, openings (with their cohorts) and dispatch cohorts drawn
/// around the bounds the rule tests, from a small set of trades of three families (two of them special operations).
/// </summary>
internal sealed class EligibilityWorld
{
    private static readonly string[] Provinces = ["440000", "330000", "320000"];
    private static readonly string?[] IssuingProvinces = [null, "520000", "440000", "330000", "350000"];
    private static readonly string[] Cities = ["440300", "440100", "441900", "330100", "320500"];
    private static readonly (int Min, int Max)[] AgeRanges = [(18, 45), (16, 60), (20, 35), (18, 55), (25, 50)];

    private readonly Dictionary<long, int> _indexById = [];
    private readonly List<long> _ids = [];

    private EligibilityWorld(Catalogue catalogue, List<WorkerDraft> workers, HashSet<int> employed, List<OpeningFacts> openings, DateOnly[] starts)
    {
        Catalogue = catalogue;
        Drafts = workers;
        Employed = employed;
        Openings = openings;
        Starts = starts;
    }

    public Catalogue Catalogue { get; }

    public IReadOnlyList<WorkerDraft> Drafts { get; }

    /// <summary>Indexes into <see cref="Drafts"/> of the workers in an active placement.</summary>
    public IReadOnlySet<int> Employed { get; }

    public IReadOnlyList<OpeningFacts> Openings { get; }

    /// <summary>The start days the world is built around (cohort starts, the direct-hire day, 29 February).</summary>
    public IReadOnlyList<DateOnly> Starts { get; }

    public IEnumerable<int> Workers => Enumerable.Range(0, Drafts.Count);

    public long IdOf(int worker) => _ids.Count > 0 ? _ids[worker] : worker + 1;

    public WorkerTerms TermsOf(int worker)
    {
        var d = Drafts[worker];
        return new WorkerTerms(d.BirthDate, d.Trades, d.Certificates, d.PreferredDestinations, d.AvailableFrom, d.TrainingIntentions, Employed.Contains(worker));
    }

    public WorkerTerms TermsById(long id) => TermsOf(_indexById.TryGetValue(id, out var i) ? i : (int)id - 1);

    public string Describe(long id)
    {
        var t = TermsById(id);
        return string.Create(CultureInfo.InvariantCulture,
            $"#{id} born {t.BirthDate:yyyy-MM-dd}, trades [{string.Join(',', t.Trades.Select(x => x.TradeId + ":" + x.Level))}], certs [{string.Join(',', t.Certificates.Select(c => $"{c.Type}/{c.TradeId}/{c.ExpiresOn:yyyy-MM-dd}"))}], to [{string.Join(',', t.Destinations)}], from {t.AvailableFrom:yyyy-MM-dd}, training [{string.Join(',', t.TrainingIntentions)}], employed {t.InActivePlacement}");
    }

    public static EligibilityWorld Generate(Catalogue catalogue, int seed, int workers, int openings, DateOnly today)
    {
        var random = new Random(seed);
        var trades = new[] { "general", "welding", "electrical", "assembly" }
            .SelectMany(f => catalogue.Trades.Where(t => t.FamilyId == f).Take(4)).Select(t => t.Id).ToArray();
        var training = catalogue.TrainingTypesById.Keys.Order(StringComparer.Ordinal).Take(3).ToArray();
        // Cohort starts on and around 29 February, and the direct-hire day (today + 30) of openings without an intake.
        var starts = new[]
        {
            today.AddDays(20), today.AddDays(45), new DateOnly(2027, 2, 28), new DateOnly(2027, 3, 1), new DateOnly(2028, 2, 29),
            Intakes.StartOf(null, today),
        };
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        var openingList = new List<OpeningFacts>();
        for (var i = 1; i <= openings; i++)
        {
            var trade = Pick(trades);
            var (ageMin, ageMax) = Pick(AgeRanges);
            var province = Pick(Provinces);
            var city = Cities.Where(c => c[..2] == province[..2]).DefaultIfEmpty("320500").First();
            city = random.Next(3) == 0 ? Cities.Where(c => c[..2] == province[..2]).DefaultIfEmpty(city).Last() : city;
            var certificates = random.Next(5) switch { 0 => new[] { "skill-level" }, 1 => ["special-operation"], 2 => ["special-ability"], _ => Array.Empty<string>() };
            // No cohort (a direct hire), an upcoming one, several (the earliest upcoming counts), or one past its deadline.
            var cohorts = new List<OpeningCohort>();
            foreach (var _ in Enumerable.Range(0, random.Next(4)))
            {
                var start = Pick(starts[..5]);
                var deadline = random.Next(5) == 0 ? today.AddDays(-1) : start.AddDays(-3);
                cohorts.Add(new OpeningCohort(i * 10 + cohorts.Count, random.Next(6) == 0 ? "planned" : "open", start, 30, random.Next(8) == 0 ? 30 : 0, deadline));
            }
            openingList.Add(new OpeningFacts(i, 1, 1, $"岗位{i}", trade, 1 + random.Next(4), 8, 10, 5000, 7000, certificates, ageMin, ageMax,
                random.Next(3) == 0 ? null : Pick(training), null, random.Next(10) == 0 ? "closed" : "open", province, city, cohorts));
        }
        var openingStarts = openingList.Select(o => o.StartOn(today)).Distinct().ToArray();

        var drafts = new List<WorkerDraft>(workers);
        var employed = new HashSet<int>();
        var ageBounds = AgeRanges.SelectMany(r => new[] { r.Min, r.Max + 1 }).Distinct().ToArray();
        for (var i = 0; i < workers; i++)
        {
            var start = Pick(openingStarts);
            // Born a day either side of an age bound on a start day, on 29 February, or anywhere in between.
            var birth = random.Next(5) switch
            {
                0 => new DateOnly(1980 + 4 * random.Next(9), 2, 29),
                1 or 2 => start.AddYears(-Pick(ageBounds)).AddDays(random.Next(-1, 2)),
                _ => start.AddYears(-(20 + random.Next(40))).AddDays(-random.Next(365)),
            };
            var workerTrades = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => new WorkerTrade(Pick(trades), 1 + random.Next(5)))
                .DistinctBy(t => t.TradeId).ToList();
            var certificates = new List<WorkerCertificate>();
            foreach (var _ in Enumerable.Range(0, random.Next(3)))
            {
                var type = random.Next(3) switch { 0 => "skill-level", 1 => "special-ability", _ => "special-operation" };
                var tradeId = random.Next(5) == 0 ? null : random.Next(2) == 0 ? Pick(workerTrades).TradeId : Pick(trades);
                DateOnly? expires = random.Next(4) switch { 0 => null, 1 => start, 2 => start.AddDays(-1), _ => start.AddDays(random.Next(1, 900)) };
                // Issued in Guizhou (recorded or not), in a province of the openings, or elsewhere: mutual recognition
                // (证书互认) decides where a special-ability certificate counts.
                certificates.Add(new WorkerCertificate(type, tradeId, null, today.AddYears(-2), expires, Pick(IssuingProvinces)));
            }
            var destinations = random.Next(4) switch
            {
                0 => Array.Empty<string>(),
                1 => [Pick(Provinces)],
                2 => [Pick(Cities)],
                _ => [Pick(Cities), Pick(Provinces)],
            };
            var intentions = random.Next(3) switch { 0 => Array.Empty<string>(), 1 => [Pick(training)], _ => [Pick(training), Pick(training)] };
            // County and sequence number make each ID number unique whatever the birth date.
            var counties = catalogue.GuizhouCounties;
            var county = counties[i % counties.Count].Code;
            drafts.Add(new WorkerDraft("测试", ResidentIdNumber.Compose(county, birth, 100 + i / counties.Count % 800), Gender.Male, birth,
                string.Create(CultureInfo.InvariantCulture, $"138{i:D8}"), county, county[..4] + "00", "junior", workerTrades, certificates, [],
                destinations.Distinct().ToList(), 5000, start.AddDays(random.Next(-2, 3) * (random.Next(3) == 0 ? 30 : 1)), intentions.Distinct().ToList(), null));
            if (random.Next(10) == 0)
            {
                employed.Add(i);
            }
        }
        return new EligibilityWorld(catalogue, drafts, employed, openingList, starts);
    }

    /// <summary>Stores the workers and, for the employed ones, an active placement with a seeded employer.</summary>
    public async Task StoreAsync(TestDatabase db)
    {
        await new DemoSeeder(db.Environment, db.Time).SeedEmployersAsync(1);
        await new WorkerStore(db.Environment.Database, db.Environment.Protector, db.Time).BulkInsertAsync(Drafts);
        await using var connection = await db.Environment.Database.OpenAsync();
        _ids.AddRange(await connection.QueryAsync<long>("SELECT id FROM workers ORDER BY id"));
        Assert.Equal(Drafts.Count, _ids.Count);
        for (var i = 0; i < _ids.Count; i++)
        {
            _indexById[_ids[i]] = i;
        }
        var employer = await connection.ExecuteScalarAsync<long>("SELECT MIN(id) FROM employers");
        foreach (var i in Employed)
        {
            await connection.ExecuteAsync("""
                INSERT INTO placements (worker_id, employer_id, opening_id, cohort_id, start_date, monthly_wage, status, left_on, created_at, updated_at, version)
                VALUES (@WorkerId, @EmployerId, NULL, NULL, @Start, 5000, 'active', NULL, @Now, @Now, 1)
                """, new { WorkerId = _ids[i], EmployerId = employer, Start = Shared.Today.AddMonths(-2), Now = Shared.Now });
        }
    }

    /// <summary>Indexes the workers as the service does (read back from SQL, placements included) and the openings.</summary>
    public async Task IndexAsync(TestDatabase db, ISearchIndex index)
    {
        await index.EnsureCreatedAsync();
        var source = new SearchSource(db.Environment.Database, Shared.Builder, db.Time);
        await using var rebuild = await index.BeginRebuildAsync();
        for (long after = 0; ;)
        {
            var page = await source.WorkersAfterAsync(after, 1_000);
            if (page.Count == 0)
            {
                break;
            }
            await rebuild.AddWorkersAsync(page);
            after = page[^1].Id;
        }
        await rebuild.AddOpeningsAsync(Openings.Select(o => Shared.Builder.Opening(o, Shared.Today)).ToList());
        await rebuild.SwapAsync();
    }

    /// <summary>
    /// Dispatch inputs from the same world: every worker (with, for some, a held seat whose dates may overlap) and
    /// cohorts linked to one to three of the world's openings (or to none: then the cohort's own trades count).
    /// </summary>
    public (IReadOnlyList<Allocation.WorkerProfile> Workers, IReadOnlyList<CohortProfile> Cohorts) DispatchInputs(int seed)
    {
        var random = new Random(seed * 31);
        var cohorts = new List<CohortProfile>();
        var open = Openings.Where(o => o.Status == "open").ToList();
        for (var c = 0; c < 200; c++)
        {
            var linked = Enumerable.Range(0, random.Next(4)).Select(_ => open[random.Next(open.Count)]).DistinctBy(o => o.Id).ToList();
            var first = linked.FirstOrDefault() ?? open[random.Next(open.Count)];
            var start = Starts[random.Next(Starts.Count)];
            var terms = new CohortTerms(1_000 + c, $"班期{c}", linked.Count > 0 ? linked.Select(o => o.TradeId).Distinct().ToList() : [first.TradeId],
                first.TrainingType ?? "pre-job", start, start.AddDays(20 + random.Next(40)), first.ProvinceCode, first.CityCode,
                linked.Select(o => new CohortOpening(o.Id, o.Terms)).ToList());
            cohorts.Add(new CohortProfile(terms, 1 + random.Next(20), linked.Select(o => new OpeningOffer(o.WageMin, o.WageMax, false)).ToList()));
        }
        var workers = new List<Allocation.WorkerProfile>();
        foreach (var w in Workers)
        {
            var d = Drafts[w];
            var held = new List<HeldEnrolment>();
            if (random.Next(6) == 0)
            {
                var other = cohorts[random.Next(cohorts.Count)];
                held.Add(new HeldEnrolment(other.CohortId, other.Name, other.StartDate.AddDays(random.Next(-30, 30)), other.EndDate.AddDays(random.Next(-30, 30))));
            }
            workers.Add(new Allocation.WorkerProfile(w + 1, d.CountyCode, TermsOf(w), d.PriorityGroups, d.ExpectedMonthlyWage, held, d.PrefectureCode));
        }
        return (workers, cohorts);
    }
}
