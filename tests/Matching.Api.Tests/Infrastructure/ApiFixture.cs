using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>
/// The whole service on real Kestrel (a loopback port), with its own empty data folder in the temp directory, the
/// catalogues the program finds itself, and a fixed clock. One per test class; the folder is removed afterwards.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    private MatchingApiFactory? _factory;

    /// <summary>Demo workers seeded at start; 0 starts with an empty database.</summary>
    protected virtual int DemoWorkers => 0;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "matching-api-tests-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "matching.db");

    private MatchingApiFactory Factory => _factory ?? throw new InvalidOperationException("fixture not started");

    public virtual Task InitializeAsync()
    {
        _factory = new MatchingApiFactory(DataDirectory, DemoWorkers);
        _factory.StartServer();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The only place a test gets an HTTP client: anything every request needs (e.g. a bearer token once the API
    /// requires one) is added here.
    /// </summary>
    public HttpClient CreateClient() => Factory.CreateClient();

    public async Task DisposeAsync()
    {
        try
        {
            if (_factory is not null)
            {
                // Stops the service as a real shutdown does; a failure here fails the test class.
                await _factory.DisposeAsync();
            }
        }
        finally
        {
            // Pooled SQLite connections keep the database file open.
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }

    private sealed class MatchingApiFactory : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory;
        private readonly int _demoWorkers;

        public MatchingApiFactory(string dataDirectory, int demoWorkers)
        {
            _dataDirectory = dataDirectory;
            _demoWorkers = demoWorkers;
            // A real server, so request limits and headers behave as they do for a real client.
            UseKestrel(0);
            // Redirects are part of what a client sees (e.g. /api-reference); tests follow them explicitly.
            ClientOptions.AllowAutoRedirect = false;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Matching:DataDirectory", _dataDirectory);
            builder.UseSetting("Matching:DemoWorkers", _demoWorkers.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(new FixedClock(TestClock.Now)));
        }
    }
}

/// <summary>The same service started with a small demo data set, for list and paging tests.</summary>
public sealed class DemoDataFixture : ApiFixture
{
    public const int Workers = 25;

    protected override int DemoWorkers => Workers;
}

/// <summary>The service's clock in every test: noon in Beijing on <see cref="Today"/>.</summary>
public static class TestClock
{
    public static readonly DateOnly Today = new(2026, 6, 15);

    public static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.FromHours(8));
}

/// <summary>A clock that does not move, so dates and ages in responses are known in advance.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}
