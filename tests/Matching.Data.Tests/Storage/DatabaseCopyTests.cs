using System.Security.Cryptography;
using Dapper;
using Matching.Data.Access;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Data.Workers;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// <c>migrate-data</c>: a county's whole database copied into a new, empty one (a second SQLite file here; SQL Server
/// when <c>SQLSERVER_CONNECTION</c> is set), same keys, same encrypted personal data, verified table by table.
/// </summary>
public sealed class DatabaseCopyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _dataKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly DataEnvironment _source;
    private readonly List<string> _sqlServerDatabases = [];

    public DatabaseCopyTests()
    {
        _source = _folder.Track(DataEnvironment.Open(new MatchingOptions { DataDirectory = Path.Combine(_folder.Path, "source"), DataKey = _dataKey }, new FixedClock()));
    }

    private async Task<long> SeedSourceAsync()
    {
        await new DemoSeeder(_source, new FixedClock()).SeedAsync(250);
        await new AuditLog(_source.Database, new FixedClock()).AppendAsync(1, "admin", "admin", "worker.reveal", "worker", "1", "success", 200);
        await new UserStore(_source.Database, new FixedClock()).EnsureAsync(new UserDraft("clerk-520502", "county_office", ["520502"], true));
        await using var connection = await _source.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT MAX(id) FROM workers");
    }

    private (DataEnvironment Environment, Database Database) OpenTarget(string provider)
    {
        string? connection = null;
        if (provider == "sqlserver")
        {
            var name = "matching_copy_" + Guid.NewGuid().ToString("N")[..12];
            _sqlServerDatabases.Add(name);
            connection = SqlServerStorage.ConnectionTo(name);
        }
        var environment = DataEnvironment.Open(new MatchingOptions
        {
            DataDirectory = Path.Combine(_folder.Path, "target-" + Guid.NewGuid().ToString("N")[..6]),
            StorageProvider = provider,
            ConnectionString = connection,
            DataKey = _dataKey,
        }, new FixedClock());
        if (provider == "sqlite")
        {
            _folder.Track(environment);
        }
        return (environment, environment.Database);
    }

    private static async Task EmptyAsync(Database database)
    {
        // A target the service has already started on holds its catalogue version; migrate-data wants it empty.
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM catalogue_versions");
    }

    private async Task CopiesEveryTableWithKeysAndEncryptedDataAsync(string provider)
    {
        var workerId = await SeedSourceAsync();
        var (target, database) = OpenTarget(provider);
        using var _ = target;
        await EmptyAsync(database);

        var lines = new List<string>();
        var tables = await DatabaseCopy.CopyAsync(_source.Database, database, new SynchronousProgress(lines.Add));

        await using (var connection = await _source.Database.OpenAsync())
        {
            var sourceTables = await _source.Database.Dialect.TablesAsync(connection);
            Assert.Equal(sourceTables.Order(StringComparer.OrdinalIgnoreCase), tables.Select(t => t.Table).Order(StringComparer.OrdinalIgnoreCase));
        }
        foreach (var table in new[] { "workers", "employers", "openings", "cohorts", "placements", "match_offers", "audit_log", "users", "outbox" })
        {
            Assert.True(tables.Single(t => t.Table == table).Rows > 0, $"{table} copied no rows");
        }
        Assert.Contains(lines, l => l.StartsWith("workers: 校验一致", StringComparison.Ordinal));

        // The same worker under the same key: the target reveals and finds the ID number the source holds.
        var sourceWorkers = new WorkerStore(_source.Database, _source.Protector, new FixedClock());
        var targetWorkers = new WorkerStore(database, target.Protector, new FixedClock());
        var idNumber = await sourceWorkers.RevealIdNumberAsync(workerId);
        Assert.Equal(idNumber, await targetWorkers.RevealIdNumberAsync(workerId));
        Assert.Equal(workerId, await targetWorkers.FindByIdNumberAsync(idNumber!));
        Assert.Equal(DataFixture.Snapshot(await sourceWorkers.GetAsync(workerId)), DataFixture.Snapshot(await targetWorkers.GetAsync(workerId)));

        // New rows continue after the copied keys instead of colliding with them.
        var employerId = DataFixture.Created(await new Employers.EmployerStore(database, new FixedClock()).CreateAsync(
            new Domain.Employers.EmployerDraft("新协作企业有限公司", Domain.Identity.CreditCode.Compose("91440300MA5DC9999"), "440300", "440000", [], null, null, null)));
        Assert.True(employerId > tables.Single(t => t.Table == "employers").Rows);

        // A second copy into the filled target is refused before it writes anything.
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => DatabaseCopy.CopyAsync(_source.Database, database));
        Assert.Contains("已有", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public Task Copies_every_table_from_SQLite_into_another_SQLite_file_with_keys_and_encrypted_data_and_verifies_it() =>
        CopiesEveryTableWithKeysAndEncryptedDataAsync("sqlite");

    [SkippableFact]
    public Task Copies_every_table_from_SQLite_into_SQL_Server_with_keys_and_encrypted_data_and_verifies_it()
    {
        Skip.If(SqlServerStorage.Connection is null or "", SqlServerStorage.NotSetReason);
        return CopiesEveryTableWithKeysAndEncryptedDataAsync("sqlserver");
    }

    [Fact]
    public async Task Verification_finds_a_row_that_differs_after_the_copy()
    {
        await SeedSourceAsync();
        var (target, database) = OpenTarget("sqlite");
        using var _ = target;
        await EmptyAsync(database);
        await DatabaseCopy.CopyAsync(_source.Database, database);

        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE workers SET expected_wage = expected_wage + 1 WHERE id = (SELECT MIN(id) FROM workers)");
        }
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DatabaseCopy.VerifyAsync(_source.Database, database));
        Assert.Contains("workers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_are_copied_after_the_tables_they_reference()
    {
        var order = DatabaseCopy.InForeignKeyOrder(["placements", "workers", "employers", "openings", "training_bases"],
            [("placements", "workers"), ("placements", "employers"), ("placements", "openings"), ("openings", "training_bases"), ("training_bases", "employers")]);
        Assert.True(order.ToList().IndexOf("employers") < order.ToList().IndexOf("training_bases"));
        Assert.True(order.ToList().IndexOf("training_bases") < order.ToList().IndexOf("openings"));
        Assert.Equal("placements", order[^1]);
    }

    [Fact]
    public void Values_read_from_either_engine_compare_in_one_form()
    {
        Assert.Equal(DatabaseCopy.Canonical("2026-03-15"), DatabaseCopy.Canonical(new DateTime(2026, 3, 15)));
        Assert.Equal(DatabaseCopy.Canonical(DatabaseCopy.StoredInstant(FixedClock.Instant)), DatabaseCopy.Canonical(FixedClock.Instant));
        Assert.Equal(DatabaseCopy.Canonical(1L), DatabaseCopy.Canonical(true));
        Assert.Equal(DatabaseCopy.Canonical(5500L), DatabaseCopy.Canonical(5500));
        Assert.NotEqual(DatabaseCopy.Canonical("1"), DatabaseCopy.Canonical(1L));
        Assert.NotEqual(DatabaseCopy.Canonical(DBNull.Value), DatabaseCopy.Canonical(""));
    }

    public void Dispose()
    {
        _source.Dispose();
        _folder.Dispose();
        foreach (var name in _sqlServerDatabases)
        {
            SqlServerStorage.Drop(name);
        }
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
