using System.Globalization;
using Dapper;
using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Placements;
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

namespace Matching.Data.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "matching-data-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    private readonly List<string> _connectionStrings = [];

    /// <summary>Remembers a database opened in this folder, so its pooled connections are closed before deleting.</summary>
    public DataEnvironment Track(DataEnvironment environment)
    {
        _connectionStrings.Add(environment.Database.ConnectionString);
        return environment;
    }

    public void Dispose()
    {
        // Only this folder's pools: clearing all would close (and checkpoint) other test classes' databases under them.
        foreach (var connectionString in _connectionStrings)
        {
            SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        }
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A clock standing still at a fixed instant (10:00 in Beijing on 15 March 2026).</summary>
public sealed class FixedClock : TimeProvider
{
    public static readonly DateTimeOffset Instant = new(2026, 3, 15, 2, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Today = new(2026, 3, 15);

    public override DateTimeOffset GetUtcNow() => Instant;
}

/// <summary>
/// A real SQLite database in its own temp folder (migrated, with the shipped catalogues and a generated data key),
/// the stores over it, and valid drafts made through the domain rules. One per test class.
/// </summary>
public class DataFixture : IDisposable
{
    private static int _counter;

    public DataFixture()
        : this((folder, time) => folder.Track(DataEnvironment.Open(new MatchingOptions { DataDirectory = folder.Path }, time)))
    {
    }

    /// <summary>
    /// The same fixture over another storage: <paramref name="open"/> opens and migrates it, keys in the fixture's
    /// folder; <paramref name="database"/> chooses the database the stores use (the environment's by default).
    /// </summary>
    internal DataFixture(Func<TempFolder, TimeProvider, DataEnvironment> open, Func<DataEnvironment, Database>? database = null)
    {
        Environment = open(Folder, Time);
        Database = database?.Invoke(Environment) ?? Environment.Database;
    }

    public TempFolder Folder { get; } = new();
    public TimeProvider Time { get; } = new FixedClock();
    public DataEnvironment Environment { get; }
    public Database Database { get; }

    public WorkerStore Workers => new(Database, Environment.Protector, Time);
    public EmployerStore Employers => new(Database, Time);
    public TrainingBaseStore Bases => new(Database, Time);
    public OpeningStore Openings => new(Database, Time);
    public CohortStore Cohorts => new(Database, Time);
    public PlacementStore Placements => new(Database, Time);

    /// <summary>A number no other call in this test run returns, to keep ID numbers, phones and credit codes unique.</summary>
    public static int Next() => Interlocked.Increment(ref _counter);

    /// <summary>A valid registration of a worker born in <paramref name="county"/>, with a unique ID number and phone.</summary>
    public static WorkerInput WorkerInput(string county = "520102", string tradeId = "T001", IReadOnlyList<string?>? groups = null, DateOnly? availableFrom = null)
    {
        var n = Next();
        var birth = new DateOnly(1980, 1, 1).AddDays(n);
        return new WorkerInput(
            RealName: "王小明",
            IdNumber: ResidentIdNumber.Compose(county, birth, 100 + n % 800),
            Gender: null,
            BirthDate: null,
            Phone: string.Create(CultureInfo.InvariantCulture, $"139{n:D8}"),
            CountyCode: county,
            Education: "junior",
            Trades: [new WorkerTradeInput(tradeId, 2)],
            Certificates: [],
            PriorityGroups: groups ?? [],
            PreferredDestinations: ["440000"],
            ExpectedMonthlyWage: 5500,
            AvailableFrom: availableFrom ?? FixedClock.Today.AddDays(7),
            TrainingIntentions: ["pre-job"],
            Notes: null);
    }

    public WorkerDraft Worker(WorkerInput input)
    {
        var errors = new ValidationErrors();
        return WorkerRules.Validate(input, Environment.Catalogue, FixedClock.Today, errors) ?? throw new InvalidOperationException(errors.ToString());
    }

    public WorkerDraft Worker(string county = "520102", string tradeId = "T001") => Worker(WorkerInput(county, tradeId));

    public EmployerDraft Employer(string name = "深圳华创电子科技有限公司", string city = "440300")
    {
        var first17 = string.Create(CultureInfo.InvariantCulture, $"91{city}{Next():D9}");
        var errors = new ValidationErrors();
        return EmployerRules.Validate(new EmployerInput(name, CreditCode.Compose(first17), city, ["digital"], "李经理", "0755-12345678", null),
            Environment.Catalogue, errors) ?? throw new InvalidOperationException(errors.ToString());
    }

    public TrainingBaseDraft Base(long employerId, string city = "440300")
    {
        var errors = new ValidationErrors();
        return TrainingBaseRules.Validate(new TrainingBaseInput(employerId, "华创东西部协作实训基地", "enterprise", city, null, ["T001", "T029"], ["pre-job"]),
            Environment.Catalogue, errors) ?? throw new InvalidOperationException(errors.ToString());
    }

    public OpeningDraft Opening(long baseId, string tradeId = "T001")
    {
        var errors = new ValidationErrors();
        return OpeningRules.Validate(new OpeningInput(baseId, "电子厂普工", tradeId, 1, 8, 20, 4500, 6500, true, true, [], 18, 45, "pre-job", null, "open"),
            Environment.Catalogue, errors) ?? throw new InvalidOperationException(errors.ToString());
    }

    public CohortDraft Cohort(long baseId, IReadOnlyList<long>? openings = null, int capacity = 30, string status = CohortStatus.Planned)
    {
        var errors = new ValidationErrors();
        // A new cohort is valid only as planned; the stores take a draft in any state (as seeding and the lifecycle do).
        var draft = CohortRules.Validate(new CohortInput(baseId, "普工岗前培训2026年4月", "pre-job", ["T001"], capacity, 1,
                new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 8), new DateOnly(2026, 4, 30), openings ?? [], CohortStatus.Planned),
            Environment.Catalogue, FixedClock.Today, errors) ?? throw new InvalidOperationException(errors.ToString());
        return draft with { Status = status };
    }

    /// <summary>Creates and returns the id, failing the test if the store refused.</summary>
    public static long Created(WriteResult result)
    {
        Assert.True(result.Status == WriteStatus.Ok, $"{result.Status}: {result.Field} {result.Message}");
        return result.Id;
    }

    /// <summary>A row as text, to compare two reads of it field by field (lists included).</summary>
    public static string Snapshot(object? row) => System.Text.Json.JsonSerializer.Serialize(row);

    /// <summary>An employer with one base; returns both ids.</summary>
    public async Task<(long EmployerId, long BaseId)> EmployerWithBaseAsync()
    {
        var employerId = Created(await Employers.CreateAsync(Employer()));
        var baseId = Created(await Bases.CreateAsync(Base(employerId)));
        return (employerId, baseId);
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = await Database.OpenAsync();
        // Table names come from the tests themselves.
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }

    public async Task<IReadOnlyList<(string Entity, long EntityId, string Operation)>> OutboxAsync()
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<(string, long, string)>("SELECT entity, entity_id, operation FROM outbox ORDER BY id")).AsList();
    }

    public void Dispose()
    {
        Environment.Dispose();
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }
}
