using System.Net;
using System.Text;
using Dapper;
using Matching.Api.Tests.Infrastructure;
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

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={api.DatabasePath};Pooling=False");
        await connection.ExecuteAsync(sql);
    }
}
