using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Domain.Validation;

namespace Matching.Search.Tests;

/// <summary>
/// "A process killed between the commit and the index write loses nothing", with a real process and a real kill.
/// The child is the real service (Matching.Api) on its own data folder; workers are registered over HTTP, each commit
/// writing its outbox row in the same transaction; then the child is killed with SIGKILL (Process.Kill: no shutdown
/// hooks, no flush, Lucene's write lock left as it was). A fresh indexer in this process then drains the outbox.
/// In the first test the child's background indexer is switched off, so the kill falls between commit and index write
/// every time, deterministically, instead of by luck of timing. The second test lets the child's indexer run and kills
/// it at whatever point it has reached (maybe mid-write): whatever that point, the index must end equal to SQL.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private static readonly string DataKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Workers_committed_before_a_kill_reach_the_index_after_restart()
    {
        var ids = await RegisterThenKillAsync(indexerEnabled: false, workers: 4);

        using var db = OpenData();
        Assert.Equal(ids.Count, await ScalarAsync(db, "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL"));
        using var search = new SearchComponents(new SearchOptions(), db.Options, db.Catalogue, db.Database, TimeProvider.System);
        await search.Index.EnsureCreatedAsync();
        Assert.Equal(0, (await search.Index.CountAsync()).Workers);

        Assert.Equal(ids.Count, await search.Outbox.DrainAsync());

        Assert.Equal(ids.Count, (await search.Index.CountAsync()).Workers);
        var found = await search.Index.SearchWorkersAsync(new WorkerSearch("月嫂", Size: 50), SearchScope.Unrestricted);
        Assert.Equal(ids.Order(), found.Hits.Select(h => h.Id).Order());
        Assert.Equal(0, await ScalarAsync(db, "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL"));
        Assert.True((await search.Consistency.RunAsync()).Consistent);
    }

    [Fact]
    public async Task A_kill_at_any_point_of_indexing_leaves_an_index_that_catches_up_with_sql()
    {
        var ids = await RegisterThenKillAsync(indexerEnabled: true, workers: 6);

        using var db = OpenData();
        using var search = new SearchComponents(new SearchOptions(), db.Options, db.Catalogue, db.Database, TimeProvider.System);
        // The killed process held Lucene's write lock; the operating system released it with the process.
        await search.Index.EnsureCreatedAsync();
        await search.Outbox.DrainAsync();

        var report = await search.Consistency.RunAsync(sample: 100);
        Assert.True(report.Consistent, string.Join("; ", report.Mismatches.Select(m => $"{m.Kind} {m.Id}: {m.Problem}")));
        Assert.Equal(ids.Count, report.Index.Workers);
    }

    private sealed class Data(MatchingOptions options, DataEnvironment environment) : IDisposable
    {
        public MatchingOptions Options { get; } = options;
        public Domain.Catalogues.Catalogue Catalogue => environment.Catalogue;
        public Database Database => environment.Database;

        public void Dispose()
        {
            environment.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    private Data OpenData()
    {
        var options = new MatchingOptions { DataDirectory = _folder.Path, DemoWorkers = 0, DataKey = DataKey };
        return new Data(options, DataEnvironment.Open(options, TimeProvider.System));
    }

    private static async Task<long> ScalarAsync(Data db, string sql)
    {
        await using var connection = await db.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>Starts the service, registers maternity nurses (月嫂) over HTTP, kills the process, returns their ids.</summary>
    private async Task<List<long>> RegisterThenKillAsync(bool indexerEnabled, int workers)
    {
        var port = FreePort();
        var program = Path.Combine(AppContext.BaseDirectory, "Matching.Api.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", program, "--urls", $"http://127.0.0.1:{port}", "--Matching:DataDirectory", _folder.Path,
            "--Matching:DemoWorkers", "0", "--Matching:DataKey", DataKey, "--Matching:Auth:SigningKey", TestTokens.SigningKey,
            "--Matching:SearchIndexerEnabled", indexerEnabled ? "true" : "false", "--Matching:SearchIndexerPollSeconds", "0.05",
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start)!;
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        var ids = new List<long>();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            // A county office of every county registers the workers (they come from all over Guizhou).
            using (var data = OpenData())
            {
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                    await TestTokens.IssueAsync(data.Database, Matching.Domain.Access.Roles.CountyOffice, TestTokens.AllCounties));
            }
            await SearchApiFactory.Eventually(async () =>
            {
                Assert.False(child.HasExited, "the service exited during start-up");
                try
                {
                    return (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            });
            var drafts = new DemoData(Shared.Catalogue, ChinaTime.Today(TimeProvider.System), seed: 777).Workers(workers).ToList();
            foreach (var draft in drafts)
            {
                var input = new
                {
                    draft.RealName, draft.IdNumber, draft.Phone, draft.CountyCode, draft.Education,
                    Trades = new[] { new { TradeId = "T091", Level = 2 } },
                    Certificates = Array.Empty<object>(), PriorityGroups = Array.Empty<string>(), PreferredDestinations = Array.Empty<string>(),
                    draft.ExpectedMonthlyWage, draft.AvailableFrom, TrainingIntentions = Array.Empty<string>(), Notes = (string?)null,
                };
                var response = await client.PostAsJsonAsync("/api/workers", input, new JsonSerializerOptions(JsonSerializerDefaults.Web));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
            }
        }
        finally
        {
            // SIGKILL: the process gets no chance to finish anything.
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
        Assert.NotEqual(0, child.ExitCode);
        return ids;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
