using System.Diagnostics;
using System.Globalization;
using Matching.Search;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Matching.Browser.Tests;

/// <summary>
/// The real service on Kestrel (loopback, a free port) in the Development environment, on a fresh data folder in the
/// temp directory, seeded with the demo data set and its demo accounts as a newcomer's first start would be; and
/// Debian's Chromium driven by Playwright (no browser is downloaded). One host and one browser for the whole suite;
/// each journey opens its own browser context (its own cookies).
/// </summary>
public sealed class BrowserHost : IAsyncLifetime
{
    /// <summary>The demo size of the README's first start; BROWSER_TESTS_DEMO_WORKERS makes it smaller when iterating.</summary>
    public static readonly int DemoWorkers = int.TryParse(Environment.GetEnvironmentVariable("BROWSER_TESTS_DEMO_WORKERS"), NumberStyles.Integer,
        CultureInfo.InvariantCulture, out var workers) ? workers : 20_000;

    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// The service's start-up warm-up, on as a newcomer's first start has it (appsettings.json); BROWSER_TESTS_WARM_UP=0
    /// turns it off, to time the first pages a process ever renders.
    /// </summary>
    public static readonly bool WarmUp = Environment.GetEnvironmentVariable("BROWSER_TESTS_WARM_UP") != "0";

    private HostFactory? _factory;
    private IPlaywright? _playwright;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "matching-browser-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Screenshots of every journey (test output); the README's pictures are copied from here.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public Uri BaseAddress { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public IServiceProvider Services => _factory!.Services;

    /// <summary>Seconds from start until the service answered with the search index built.</summary>
    public double StartSeconds { get; private set; }

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        Directory.CreateDirectory(ScreenshotDirectory);
        _factory = new HostFactory(DataDirectory);
        _factory.StartServer();
        BaseAddress = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        // The start-up rebuild of the search index runs in the background: the worker register needs it complete.
        var search = _factory.Services.GetRequiredService<SearchComponents>();
        while ((await search.Index.CountAsync()).Workers < DemoWorkers)
        {
            if (started.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("the search index was not built within five minutes");
            }
            await Task.Delay(200);
        }
        if (WarmUp)
        {
            // As a person arriving after start would find it: the warm-up has run.
            await _factory.Services.GetRequiredService<Matching.Api.Web.WebWarmUp>().Done.WaitAsync(TimeSpan.FromMinutes(5));
        }
        StartSeconds = started.Elapsed.TotalSeconds;

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=zh-CN"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        try
        {
            if (_factory is not null)
            {
                await _factory.DisposeAsync();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }

    private sealed class HostFactory : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory;

        public HostFactory(string dataDirectory)
        {
            _dataDirectory = dataDirectory;
            UseKestrel(0);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Development: the demo accounts exist, as after the README's first command.
            builder.UseEnvironment("Development");
            builder.UseSetting("Matching:DataDirectory", _dataDirectory);
            builder.UseSetting("Matching:DemoWorkers", DemoWorkers.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Matching:WarmUp", WarmUp ? "true" : "false");
            // One browser on one address makes every request of the suite: not a client to rate-limit.
            builder.UseSetting("Matching:Auth:RequestsPerMinute", "100000");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserHost>
{
    public const string Name = "browser";
}
