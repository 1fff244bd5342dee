using System.Security.Cryptography;
using Dapper;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Data.Workers;

namespace Matching.Data.Tests;

/// <summary>What happens when the service starts on a data folder: migrations, catalogue version, data key.</summary>
public class StorageSetupTests
{
    private static readonly string[] Tables =
    [
        "catalogue_versions", "cohort_openings", "cohorts", "employers", "enrolments", "openings", "outbox",
        "placement_follow_ups", "placements", "training_bases", "workers",
    ];

    private static DataEnvironment Open(TempFolder folder, string? dataKey = null) =>
        folder.Track(DataEnvironment.Open(new MatchingOptions { DataDirectory = folder.Path, DataKey = dataKey }, new FixedClock()));

    private static string KeyFile(TempFolder folder) => Path.Combine(folder.Path, "keys", DataKeys.FileName);

    [Fact]
    public async Task Migrations_create_the_schema_on_an_empty_folder_and_reapplying_changes_nothing()
    {
        using var folder = new TempFolder();
        long employerId;
        int applied;
        using (var first = Open(folder))
        {
            applied = first.AppliedMigrations.Count;
            // Every script once, in name order, starting with the initial schema.
            Assert.Equal("0001_initial.sql", first.AppliedMigrations[0]);
            Assert.Equal(first.AppliedMigrations.Order(StringComparer.Ordinal), first.AppliedMigrations);
            await using var connection = await first.Database.OpenAsync();
            var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'SchemaVersions'");
            Assert.Subset(tables.ToHashSet(), Tables.ToHashSet());
            Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
            var fixture = new EmployerStoreOver(first);
            employerId = DataFixture.Created(await fixture.Store.CreateAsync(fixture.Draft()));
        }

        using var second = Open(folder);
        Assert.Empty(second.AppliedMigrations);
        Assert.NotNull(await new EmployerStoreOver(second).Store.GetAsync(employerId));
        await using var again = await second.Database.OpenAsync();
        Assert.Equal(applied, await again.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM SchemaVersions"));
    }

    [Fact]
    public async Task The_loaded_catalogue_version_is_recorded_in_the_database()
    {
        using var folder = new TempFolder();
        using var environment = Open(folder);
        await using var connection = await environment.Database.OpenAsync();
        Assert.Equal(environment.Catalogue.Version, await connection.ExecuteScalarAsync<string>("SELECT version FROM catalogue_versions WHERE catalogue = 'reference'"));
    }

    [Fact]
    public async Task Data_key_is_generated_once_owner_only_and_reused_on_the_next_start()
    {
        using var folder = new TempFolder();
        long workerId;
        string idNumber;
        using (var first = Open(folder))
        {
            Assert.True(File.Exists(KeyFile(folder)));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile(folder)));
            }
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(KeyFile(folder))).Length);
            var draft = WorkerDraftFor(first);
            idNumber = draft.IdNumber;
            workerId = DataFixture.Created(await new WorkerStore(first.Database, first.Protector, new FixedClock()).CreateAsync(draft));
        }
        var keyText = File.ReadAllText(KeyFile(folder));

        using var second = Open(folder);
        Assert.Equal(keyText, File.ReadAllText(KeyFile(folder)));
        var store = new WorkerStore(second.Database, second.Protector, new FixedClock());
        Assert.Equal(idNumber, await store.RevealIdNumberAsync(workerId));
        Assert.Equal(workerId, await store.FindByIdNumberAsync(idNumber));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder.Path, "keys"), "*.tmp"));
    }

    [Fact]
    public void Two_data_folders_get_different_keys()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        Assert.NotEqual(DataKeys.Load(null, a.Path), DataKeys.Load(null, b.Path));
        Assert.Equal(DataKeys.Load(null, a.Path), DataKeys.Load(null, a.Path));
    }

    [Fact]
    public async Task Configured_data_key_is_used_instead_of_a_generated_one()
    {
        using var folder = new TempFolder();
        var configured = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        long workerId;
        string idNumber;
        using (var first = Open(folder, configured))
        {
            Assert.False(File.Exists(KeyFile(folder)));
            var draft = WorkerDraftFor(first);
            idNumber = draft.IdNumber;
            workerId = DataFixture.Created(await new WorkerStore(first.Database, first.Protector, new FixedClock()).CreateAsync(draft));
        }

        using (var sameKey = Open(folder, configured))
        {
            Assert.Equal(idNumber, await new WorkerStore(sameKey.Database, sameKey.Protector, new FixedClock()).RevealIdNumberAsync(workerId));
        }

        // Started without the configured key, the service generates its own and can neither read nor find the worker.
        using var otherKey = Open(folder);
        var store = new WorkerStore(otherKey.Database, otherKey.Protector, new FixedClock());
        await Assert.ThrowsAnyAsync<CryptographicException>(() => store.RevealIdNumberAsync(workerId));
        Assert.Null(await store.FindByIdNumberAsync(idNumber));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==")] // 16 bytes
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g")] // 33 bytes
    public void Invalid_configured_data_key_is_refused_without_echoing_it_or_writing_a_key_file(string configured)
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<InvalidOperationException>(() => Open(folder, configured));
        Assert.Contains("Matching:DataKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(configured, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KeyFile(folder)));
    }

    private static Domain.Workers.WorkerDraft WorkerDraftFor(DataEnvironment environment)
    {
        var errors = new Domain.Validation.ValidationErrors();
        return Domain.Workers.WorkerRules.Validate(DataFixture.WorkerInput(), environment.Catalogue, FixedClock.Today, errors)
            ?? throw new InvalidOperationException(errors.ToString());
    }

    /// <summary>An employer store and a valid draft over an environment opened by the test itself.</summary>
    private sealed class EmployerStoreOver(DataEnvironment environment)
    {
        public Employers.EmployerStore Store { get; } = new(environment.Database, new FixedClock());

        public Domain.Employers.EmployerDraft Draft() =>
            new("深圳华创电子科技有限公司", Domain.Identity.CreditCode.Compose("91440300MA5DC0001"), "440300", "440000", [], null, null, null);
    }
}
