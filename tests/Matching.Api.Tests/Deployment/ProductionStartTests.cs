using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Deployment;

/// <summary>
/// The service started as production starts it: on SQL Server, with its secrets as files. Against a server that does
/// not answer it stops at start with the reason; against a real one (<c>SQLSERVER_CONNECTION</c>) it creates and
/// migrates its database, clusters its scheduler and reports ready.
/// </summary>
public sealed class ProductionStartTests : IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "matching-production-" + Guid.NewGuid().ToString("N"))).FullName;
    private readonly string? _databaseName;

    public ProductionStartTests() => _databaseName = "matching_api_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The secrets as the compose file mounts them: one file per configuration key.</summary>
    private string Secrets(string connectionString)
    {
        var secrets = Directory.CreateDirectory(Path.Combine(_folder, "secrets")).FullName;
        File.WriteAllText(Path.Combine(secrets, "Matching__ConnectionString"), connectionString + "\n");
        File.WriteAllText(Path.Combine(secrets, "Matching__DataKey"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.WriteAllText(Path.Combine(secrets, "Matching__Auth__SigningKey"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        return secrets;
    }

    [Fact]
    public void On_a_SQL_Server_that_does_not_answer_the_service_does_not_start_and_says_why()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var service = new ProductionService(_folder, Secrets($"Server=127.0.0.1,{port};Database=matching;User Id=app;Password=Secret-Pw-1;Connect Timeout=3;TrustServerCertificate=true"));

        var error = Assert.ThrowsAny<Exception>(() => service.CreateClient());
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        // The connection string came from the secret file: its server is named, its password is not.
        Assert.Contains($"无法连接 SQL Server 127.0.0.1,{port}", messages, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-Pw-1", messages, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task On_a_reachable_SQL_Server_the_service_migrates_clusters_its_scheduler_and_is_ready()
    {
        var connection = Environment.GetEnvironmentVariable("SQLSERVER_CONNECTION");
        Skip.If(string.IsNullOrWhiteSpace(connection), "SQLSERVER_CONNECTION 未设置：没有可用的 SQL Server，生产启动测试跳过");
        using var service = new ProductionService(_folder, Secrets(new SqlConnectionStringBuilder(connection) { InitialCatalog = _databaseName }.ConnectionString));
        using var client = service.CreateClient();
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var scheduler = await service.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        Assert.True((await scheduler.GetMetadata()).JobStoreClustered);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
        if (error is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
            {
                yield return inner;
            }
        }
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        var connection = Environment.GetEnvironmentVariable("SQLSERVER_CONNECTION");
        if (!string.IsNullOrWhiteSpace(connection))
        {
            SqlConnection.ClearAllPools();
            using var master = new SqlConnection(new SqlConnectionStringBuilder(connection) { InitialCatalog = "master" }.ConnectionString);
            master.Open();
            using var drop = master.CreateCommand();
            drop.CommandText = $"IF DB_ID('{_databaseName}') IS NOT NULL BEGIN ALTER DATABASE [{_databaseName}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_databaseName}]; END";
            drop.ExecuteNonQuery();
        }
    }

    private sealed class ProductionService(string dataDirectory, string secrets) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Matching:DataDirectory", dataDirectory);
            builder.UseSetting("Matching:StorageProvider", "sqlserver");
            builder.UseSetting("Matching:SecretsDirectory", secrets);
            builder.UseSetting("Matching:DemoWorkers", "0");
            builder.UseSetting("Matching:WarmUp", "false");
            builder.UseSetting("Matching:SearchIndexerEnabled", "false");
        }
    }
}
