using Matching.Data.Catalogues;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Workers;
using Matching.Search.Analysis;
using Matching.Search.Documents;

namespace Matching.Search.Tests;

/// <summary>A clock that stands still at a chosen instant and moves only when told (time is injected everywhere).</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>The real catalogue and analyzer, loaded once per test run (jieba's dictionary takes a second to load).</summary>
public static class Shared
{
    private static readonly Lazy<Catalogue> LazyCatalogue = new(() => CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(null)));
    private static readonly Lazy<SearchAnalyzer> LazyAnalyzer = new(() => new SearchAnalyzer(LazyCatalogue.Value));

    public static Catalogue Catalogue => LazyCatalogue.Value;

    public static SearchAnalyzer Analyzer => LazyAnalyzer.Value;

    public static QueryPlanner Planner => new(Analyzer);

    public static DocumentBuilder Builder => new(Analyzer);

    /// <summary>2026-03-02 09:00 Beijing time.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    public static DateOnly Today => DateOnly.FromDateTime(Now.ToOffset(TimeSpan.FromHours(8)).DateTime);
}

/// <summary>A temporary folder deleted at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "matching-search-tests", Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a reader being finalised; the OS temp cleaner takes it.
        }
    }
}

/// <summary>A real SQLite database in a temp folder, migrated, with the catalogues loaded.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempFolder _folder = new();

    public TestDatabase(ManualTime? time = null)
    {
        Time = time ?? new ManualTime(Shared.Now);
        Options = new MatchingOptions { DataDirectory = _folder.Path, DemoWorkers = 0, DataKey = Convert.ToBase64String(new byte[32]) };
        Environment = DataEnvironment.Open(Options, Time);
    }

    public ManualTime Time { get; }
    public MatchingOptions Options { get; }
    public DataEnvironment Environment { get; }
    public string Folder => _folder.Path;

    public void Dispose()
    {
        Environment.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

/// <summary>Hand-made workers and openings whose expected matches are obvious from reading them.</summary>
public static class Fixture
{
    public const string Guiyang = "520102";      // 南明区, 贵阳市
    public const string Bijie = "520502";        // 七星关区, 毕节市
    public const string Guangdong = "440000";
    public const string Shenzhen = "440300";
    public const string Zhejiang = "330000";
    public const string Jiangsu = "320000";

    /// <summary>The cohort start the opening fixtures use: 2026-04-01.</summary>
    public static readonly DateOnly CohortStart = new(2026, 4, 1);

    public static WorkerFacts Worker(long id, string tradeId, int level, string county = Guiyang, int age = 30,
        string[]? destinations = null, string[]? groups = null, bool certificate = false, DateOnly? available = null,
        string? notes = null, string? certificateTrade = null) =>
        new(id, [new WorkerTrade(tradeId, level)],
            certificate ? [new WorkerCertificate("special-operation", certificateTrade ?? tradeId, null, Shared.Today.AddYears(-1), Shared.Today.AddYears(5))] : [],
            county, county[..4] + "00", groups ?? [], destinations ?? [], CohortStart.AddYears(-age).AddDays(-10),
            available ?? Shared.Today, 5000, notes);

    /// <summary>
    /// 1 月嫂 (母婴护理员); 2 welder certified, prefers Shenzhen; 3 welder certified, prefers Zhejiang; 4 chef; 5 electrician
    /// certified in Bijie; 6 welder certified aged 60; 7 welder certified at level 1; 8 welder certified, available only
    /// after the cohort starts; 9 assembler whose notes mention an electronics factory; 10 argon-arc welder certified;
    /// 11 welder certified without destination preference; 12 welder without certificate, prefers Guangdong.
    /// </summary>
    public static IReadOnlyList<WorkerFacts> Workers() =>
    [
        Worker(1, "T091", 2, groups: ["rural-woman"], destinations: [Guangdong]),
        Worker(2, "T029", 3, certificate: true, destinations: [Shenzhen], groups: ["poverty-lifted"]),
        Worker(3, "T029", 3, certificate: true, destinations: [Zhejiang]),
        Worker(4, "T071", 2, county: Bijie, destinations: [Zhejiang]),
        Worker(5, "T035", 4, county: Bijie, certificate: true, destinations: [Jiangsu], groups: ["relocated"]),
        Worker(6, "T029", 4, certificate: true, age: 60, destinations: [Guangdong]),
        Worker(7, "T029", 1, certificate: true, destinations: [Guangdong]),
        Worker(8, "T029", 3, certificate: true, available: CohortStart.AddDays(20), destinations: [Guangdong]),
        Worker(9, "T007", 2, notes: "之前在东莞电子厂做过两年，希望包吃包住", destinations: [Guangdong]),
        Worker(10, "T031", 3, certificate: true, destinations: [Guangdong]),
        Worker(11, "T029", 2, certificate: true, county: Bijie),
        Worker(12, "T029", 3, destinations: [Guangdong]),
    ];

    public static OpeningFacts Opening(long id, string tradeId, string province, string city, int minLevel = 1, bool certificate = false,
        int ageMin = 18, int ageMax = 55, long employerId = 1, DateOnly? cohortStart = null, string status = "open", string? title = null) =>
        new(id, employerId, employerId * 10, title ?? $"{Shared.Catalogue.TradesById[tradeId].Name}岗位", tradeId, minLevel, 8, 10, 5000, 7000,
            certificate ? ["special-operation"] : [], ageMin, ageMax, "pre-job", "包吃住，吃苦耐劳", status, province, city,
            [new OpeningCohort(id * 100, "open", cohortStart ?? CohortStart, 30, 0)]);

    /// <summary>
    /// 101 welder in Shenzhen (certificate, level 2+); 102 welder in Hangzhou; 103 electrician in Nanjing (certificate);
    /// 104 chef in Hangzhou; 105 welder in Shenzhen but closed; 106 welder in Guangzhou of employer 2 whose cohort
    /// starts before worker 8 is available; 107 argon-arc welder in Guangzhou (certificate).
    /// </summary>
    public static IReadOnlyList<OpeningFacts> Openings() =>
    [
        Opening(101, "T029", Guangdong, Shenzhen, minLevel: 2, certificate: true),
        Opening(102, "T029", Zhejiang, "330100", certificate: true),
        Opening(103, "T035", Jiangsu, "320100", certificate: true),
        Opening(104, "T071", Zhejiang, "330100"),
        Opening(105, "T029", Guangdong, Shenzhen, certificate: true, status: "closed"),
        Opening(106, "T029", Guangdong, "440100", certificate: true, employerId: 2, cohortStart: CohortStart.AddDays(-10)),
        Opening(107, "T031", Guangdong, "440100", certificate: true, ageMax: 45),
    ];

    public static IReadOnlyList<WorkerDocument> WorkerDocuments() => Workers().Select(w => Shared.Builder.Worker(w, Shared.Today)).ToList();

    public static IReadOnlyList<OpeningDocument> OpeningDocuments() => Openings().Select(o => Shared.Builder.Opening(o, Shared.Today)).ToList();

    /// <summary>The opening 101's terms and start day, as the recall service derives them.</summary>
    public static CandidateCriteria WelderInShenzhen(bool sameTradeOnly = false) =>
        new(Openings().Single(o => o.Id == 101).Terms, CohortStart, sameTradeOnly);
}

/// <summary>
/// Tokens for the service under test: a user of that role and scope is stored in the data folder's database and a
/// token signed with <see cref="SigningKey"/> (given to the service as Matching:Auth:SigningKey) names it.
/// </summary>
public static class TestTokens
{
    public static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    public static async Task<string> IssueAsync(Matching.Data.Storage.Database database, string role, IReadOnlyList<string> scopes)
    {
        var users = new Matching.Data.Access.UserStore(database, TimeProvider.System);
        var user = await users.EnsureAsync(new Matching.Data.Access.UserDraft($"search-tests-{role}-{string.Join(',', scopes)}", role, scopes, true));
        var auth = new Matching.Data.Access.AuthOptions { SigningKey = SigningKey };
        return Matching.Data.Access.Tokens.Issue(user, auth, Matching.Data.Access.Tokens.SigningKey(auth, ""), TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(1));
    }

    /// <summary>A county office of every Guizhou county: allowed to register any demo worker.</summary>
    public static IReadOnlyList<string> AllCounties => Shared.Catalogue.GuizhouCounties.Select(c => c.Code).ToList();
}
