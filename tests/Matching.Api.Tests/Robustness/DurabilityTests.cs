using System.Net;
using System.Text;
using Dapper;
using Matching.Api.Infrastructure;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Demo;
using Matching.Data.Workers;
using Matching.Domain.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Matching.Data.Idempotency;
using Matching.Scheduling.Tests;
using Microsoft.Data.Sqlite;

namespace Matching.Api.Tests.Robustness;

/// <summary>
/// A change and its audit row commit together or not at all; idempotency records keep the replayed response only
/// encrypted and only as long as a retry may come.
/// </summary>
public sealed class DurabilityTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_change_whose_audit_row_cannot_be_written_is_not_kept_and_a_kept_change_has_exactly_one_audit_row()
    {
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var admin = api.AsAdmin();
        var before = await admin.TotalAsync("/api/workers");
        await ExecuteAsync("""
            CREATE TRIGGER audit_log_test_failure BEFORE INSERT ON audit_log WHEN NEW.action = 'worker.create'
            BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END;
            """);
        try
        {
            using var refused = await office.PostAsync("/api/workers", Bodies.Worker());
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Equal(before, await admin.TotalAsync("/api/workers"));
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER audit_log_test_failure;");
        }

        var created = Http.IdOf(await office.CreateAsync("/api/workers", Bodies.Worker()));
        Assert.Equal(before + 1, await admin.TotalAsync("/api/workers"));
        await using var connection = new SqliteConnection($"Data Source={api.DatabasePath};Pooling=False");
        var rows = (await connection.QueryAsync<(string Outcome, long Status)>(
            "SELECT outcome, status_code FROM audit_log WHERE action = 'worker.create' AND resource_id = @Id", new { Id = created.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        Assert.Equal([("success", 201L)], rows);
    }

    [Fact]
    public async Task Idempotency_records_keep_the_response_encrypted_and_are_gone_once_no_retry_can_come()
    {
        using var world = new TestWorld();
        var store = new IdempotencyStore(world.Database, world.Environment.Protector, world.Time);
        var body = Encoding.UTF8.GetBytes("{\"workerName\":\"王小勇\",\"phone\":\"13985261234\"}");
        Assert.Equal(IdempotencyStart.Started, (await store.BeginAsync(7, "k1", "request-hash")).Start);
        await store.CompleteAsync(7, "k1", new StoredResponse(201, "application/json", "/api/enrolments/1", "\"1\"", body));

        await using (var connection = await world.Database.OpenAsync())
        {
            var (stored, fingerprint) = await connection.QuerySingleAsync<(byte[] Body, string Fingerprint)>("SELECT body, fingerprint FROM idempotency_keys");
            Assert.False(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes("王小勇")) >= 0, "the name is stored in clear");
            Assert.False(stored.AsSpan().IndexOf("13985261234"u8) >= 0, "the phone is stored in clear");
            Assert.NotEqual("request-hash", fingerprint);
        }
        var (replay, response) = await store.BeginAsync(7, "k1", "request-hash");
        Assert.Equal(IdempotencyStart.Replay, replay);
        Assert.Equal(body, response!.Body);

        // Once the retry window has passed, the next use of any key removes the record.
        world.Time.Advance(IdempotencyStore.Retention + TimeSpan.FromSeconds(1));
        await store.BeginAsync(8, "other", "another-request");
        await using (var connection = await world.Database.OpenAsync())
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_keys WHERE user_id = 7"));
        }
    }

    [Fact]
    public async Task Committed_pages_reach_the_database_file_through_the_services_background_checkpoint_not_in_the_commit()
    {
        Assert.True(api.Services.GetRequiredService<Matching.Data.Storage.Database>().CheckpointsInBackground);

        // SQLite alone copies the log into the database file in the commit that takes it past 1,000 pages…
        var (alone, aloneGrew) = await LargeImportAsync(checkpointInBackground: false);
        using (alone)
        {
            Assert.True(aloneGrew, "SQLite's own checkpoint did not run in the commit");
        }

        // …the service leaves it to its background checkpoint, which copies them within seconds while nobody waits.
        var (deferred, deferredGrew) = await LargeImportAsync(checkpointInBackground: true);
        using (deferred)
        {
            Assert.False(deferredGrew, "the commit copied the log into the database file itself");
            using var service = new CheckpointService(deferred.Environment.Database, TimeProvider.System, NullLogger<CheckpointService>.Instance);
            await service.StartAsync(CancellationToken.None);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (new FileInfo(deferred.File).Length == deferred.Before && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
            await service.StopAsync(CancellationToken.None);
            Assert.True(new FileInfo(deferred.File).Length > deferred.Before, "the background checkpoint did not copy the log");
        }
    }

    /// <summary>A database of its own, its file's size once the migrations are in it, then 8,000 workers imported in one commit (some 3,000 pages of log).</summary>
    private static async Task<(ScratchDatabase Database, bool FileGrewInCommit)> LargeImportAsync(bool checkpointInBackground)
    {
        var scratch = new ScratchDatabase(checkpointInBackground);
        var environment = scratch.Environment;
        var store = new WorkerStore(environment.Database, environment.Protector, TimeProvider.System);
        var workers = new DemoData(environment.Catalogue, ChinaTime.Today(TimeProvider.System)).Workers(8_000).ToList();
        await using (var writer = await store.BeginImportAsync())
        {
            await writer.WriteAsync(workers, []);
            await writer.CommitAsync();
        }
        return (scratch, new FileInfo(scratch.File).Length > scratch.Before);
    }

    private sealed class ScratchDatabase : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "matching-checkpoint-" + Guid.NewGuid().ToString("N"));

        public ScratchDatabase(bool checkpointInBackground)
        {
            Environment = Matching.Data.Storage.DataEnvironment.Open(new Matching.Data.Storage.MatchingOptions { DataDirectory = _folder, DemoWorkers = 0, CheckpointInBackground = checkpointInBackground }, TimeProvider.System);
            File = Path.Combine(_folder, "matching.db");
            // The migrations' own pages go into the file first, so that only the import's can make it grow.
            Environment.Database.CheckpointAsync().GetAwaiter().GetResult();
            Before = new FileInfo(File).Length;
        }

        public Matching.Data.Storage.DataEnvironment Environment { get; }
        public string File { get; }
        public long Before { get; }

        public void Dispose()
        {
            Environment.Dispose();
            SqliteConnection.ClearPool(new SqliteConnection(Environment.Database.ConnectionString));
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={api.DatabasePath};Pooling=False");
        await connection.ExecuteAsync(sql);
    }
}
