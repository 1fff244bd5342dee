using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Bases;
using Matching.Domain.Cohorts;
using Matching.Domain.Employers;
using Matching.Domain.Identity;
using Matching.Domain.Openings;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Matching.Scheduling.Tests;

/// <summary>
/// A real SQLite database in a temp folder, migrated, with a fake clock, and helpers that store employers, bases,
/// openings, cohorts and workers through the product's own stores. Shared by the scheduling and API tests.
/// </summary>
public sealed class TestWorld : IDisposable
{
    /// <summary>Noon in Beijing, 15 June 2026.</summary>
    public static readonly DateTimeOffset Start = new(2026, 6, 15, 12, 0, 0, TimeSpan.FromHours(8));

    private int _sequence;

    public TestWorld(string? folder = null)
    {
        Folder = folder ?? Path.Combine(Path.GetTempPath(), "matching-dispatch-tests-" + Guid.NewGuid().ToString("N"));
        Time = new FakeTimeProvider(Start);
        Environment = DataEnvironment.Open(Options, Time);
    }

    public string Folder { get; }
    public FakeTimeProvider Time { get; }
    public DataEnvironment Environment { get; }
    public Database Database => Environment.Database;
    public MatchingOptions Options => new() { DataDirectory = Folder, DemoWorkers = 0 };
    public DateOnly Today => ChinaTime.Today(Time);

    /// <summary>An employer in Shenzhen with one base and one 普工 opening (ages 18–55, 4500–6000 yuan, housing).</summary>
    public async Task<(long EmployerId, long BaseId, long OpeningId)> EmployerAsync(string tradeId = "T001")
    {
        var n = Interlocked.Increment(ref _sequence);
        var employerId = Ok(await new EmployerStore(Database, Time).CreateAsync(new EmployerDraft($"深圳测试电子有限公司{n}",
            CreditCode.Compose($"9144030000000{n:D4}"), "440300", "440000", [], "张经理", "0755-12345678", "深圳市宝安区")));
        var baseId = Ok(await new TrainingBaseStore(Database, Time).CreateAsync(new TrainingBaseDraft(employerId, $"测试实训基地{n}", "enterprise",
            "440300", "440000", "深圳市宝安区", [tradeId], ["pre-job"])));
        var openingId = Ok(await new OpeningStore(Database, Time).CreateAsync(new OpeningDraft(baseId, "普工（可培训上岗）", tradeId, 1, 8, 50, 4500, 6000,
            true, true, [], 18, 55, "pre-job", null, "open")));
        return (employerId, baseId, openingId);
    }

    public async Task<long> CohortAsync(long baseId, long openingId, int capacity, int minSize, int deadlineInDays, int startInDays, int lengthDays = 10,
        string tradeId = "T001", string status = CohortStatus.Open, string? name = null)
    {
        var start = Today.AddDays(startInDays);
        return Ok(await new CohortStore(Database, Time, Environment.Catalogue).CreateAsync(new CohortDraft(baseId, name ?? $"普工岗前培训{start:M月d日}班", "pre-job", [tradeId],
            capacity, minSize, Today.AddDays(deadlineInDays), start, start.AddDays(lengthDays), [openingId], status)));
    }

    /// <summary>A worker of 七星关区 (520502), 普工 level 2, wanting Guangdong, available now.</summary>
    public async Task<long> WorkerAsync(string county = "520502", string tradeId = "T001", IReadOnlyList<string>? groups = null, IReadOnlyList<string>? destinations = null)
    {
        var n = Interlocked.Increment(ref _sequence);
        var birth = Today.AddYears(-30).AddDays(-n);
        var draft = new WorkerDraft($"测试{n}", ResidentIdNumber.Compose(county, birth, 100 + n % 800), n % 2 == 0 ? Gender.Female : Gender.Male, birth,
            $"139{n:D8}", county, county[..4] + "00", "junior", [new WorkerTrade(tradeId, 2)], [], groups ?? [], destinations ?? ["440000"], 4500,
            Today.AddDays(-1), ["pre-job"], null);
        return Ok(await new WorkerStore(Database, Environment.Protector, Time).CreateAsync(draft));
    }

    private static long Ok(WriteResult result) =>
        result.Status == WriteStatus.Ok ? result.Id : throw new InvalidOperationException($"test data refused: {result.Message} {result.Field}");

    public void Dispose()
    {
        Environment.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder does not change any result.
        }
    }
}

/// <summary>Waits on a condition in the database (real time, bounded), never a fixed sleep.</summary>
public static class Eventually
{
    public static async Task<T> MatchAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 30)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        T value;
        while (!done(value = await read()))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"{what} did not happen within {seconds} s; last value: {value}");
            }
            await Task.Delay(50);
        }
        return value;
    }
}
