using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>
/// The whole service on real Kestrel (a loopback port), with its own empty data folder in the temp directory, the
/// catalogues the program finds itself, and a fixed clock. One per test class; the folder is removed afterwards.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    private readonly SocketsHttpHandler _handler = new() { AllowAutoRedirect = false, UseCookies = false };
    private MatchingApiFactory? _factory;
    private Uri? _baseAddress;

    /// <summary>Demo workers seeded at start; 0 starts with an empty database.</summary>
    protected virtual int DemoWorkers => 0;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "matching-api-tests-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "matching.db");

    /// <summary>Everything the service logged, after the service's own log-level configuration.</summary>
    public LogSink Logs { get; } = new();

    /// <summary>The running service's container, for what a test must compare against (e.g. the mapped routes).</summary>
    public IServiceProvider Services => Factory.Services;

    private MatchingApiFactory Factory => _factory ?? throw new InvalidOperationException("fixture not started");

    public virtual Task InitializeAsync()
    {
        _factory = new MatchingApiFactory(DataDirectory, DemoWorkers, Logs);
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _baseAddress = new Uri(address);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The only place a test gets an HTTP client: anything every request needs (e.g. a bearer token once the API
    /// requires one) is added here. Clients share one connection pool; redirects are not followed, so tests see them.
    /// </summary>
    public HttpClient CreateClient() => new(_handler, disposeHandler: false) { BaseAddress = _baseAddress };

    public async Task DisposeAsync()
    {
        _handler.Dispose();
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
        private readonly LogSink _logs;

        public MatchingApiFactory(string dataDirectory, int demoWorkers, LogSink logs)
        {
            _dataDirectory = dataDirectory;
            _demoWorkers = demoWorkers;
            _logs = logs;
            // A real server, so request limits and headers behave as they do for a real client.
            UseKestrel(0);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Matching:DataDirectory", _dataDirectory);
            builder.UseSetting("Matching:DemoWorkers", _demoWorkers.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(new FixedClock(TestClock.Now));
                services.AddSingleton<ILoggerProvider>(_logs);
            });
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

/// <summary>Keeps every log entry (message and exception) the service writes, to check what reaches operators.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
