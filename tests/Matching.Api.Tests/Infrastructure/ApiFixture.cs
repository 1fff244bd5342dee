using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using Matching.Data.Access;
using Matching.Domain.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>
/// The whole service on real Kestrel (a loopback port, so request limits and headers behave as for a real client),
/// with its own empty data folder in the temp directory, the catalogues the program finds itself, a fixed clock, a
/// known signing key and its log captured. Tests act as a user of a role and scope: the user is stored in the
/// test database on first use and its token minted with the service's clock. One per test class; the folder is
/// removed afterwards.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    /// <summary>The key the service validates tokens with, so tests can mint tokens (also expired or forged ones).</summary>
    public static readonly byte[] SigningKeyBytes = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly SocketsHttpHandler _handler = new() { AllowAutoRedirect = false, UseCookies = false };
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _tokens = new();
    private MatchingApiFactory? _factory;
    private Uri? _baseAddress;

    /// <summary>Demo workers seeded at start; 0 starts with an empty database.</summary>
    protected virtual int DemoWorkers => 0;

    /// <summary>Whether the start-up warm-up of the web pages runs (off in tests unless a test asks for it).</summary>
    protected virtual bool WarmUp => false;

    /// <summary>Requests a caller may make a minute; high, so only the rate-limit test meets the limit.</summary>
    protected virtual int RequestsPerMinute => 100_000;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "matching-api-tests-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(DataDirectory, "matching.db");

    /// <summary>Everything the service logged, after its own log-level configuration (what reaches operators).</summary>
    public LogSink Logs { get; } = new();

    /// <summary>The running service's container, for what a test must compare against (e.g. the mapped routes).</summary>
    public IServiceProvider Services => Factory.Services;

    /// <summary>The service's (fixed) time: tokens are judged by it.</summary>
    public DateTimeOffset Now => Services.GetRequiredService<TimeProvider>().GetUtcNow();

    private MatchingApiFactory Factory => _factory ?? throw new InvalidOperationException("fixture not started");

    public virtual Task InitializeAsync()
    {
        Start();
        return Task.CompletedTask;
    }

    private void Start()
    {
        _factory = new MatchingApiFactory(DataDirectory, DemoWorkers, RequestsPerMinute, WarmUp, Logs);
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _baseAddress = new Uri(address);
    }

    /// <summary>
    /// Stops the service as a real shutdown does, runs <paramref name="whileStopped"/> (e.g. writes a row straight into
    /// the database), and starts the real service again on the same data folder. A start-up failure fails the caller.
    /// Clients made before the restart point at the old address: make new ones.
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileStopped = null)
    {
        await Factory.DisposeAsync();
        _factory = null;
        SqliteConnection.ClearAllPools();
        if (whileStopped is not null)
        {
            await whileStopped();
            SqliteConnection.ClearAllPools();
        }
        Start();
    }

    /// <summary>
    /// A client without a token. Clients share one connection pool; redirects are not followed, so tests see them.
    /// </summary>
    public HttpClient CreateClient() => new(_handler, disposeHandler: false) { BaseAddress = _baseAddress };

    /// <summary>A client acting as the user of this role and scope (see <see cref="UserName"/>), with a one-hour token.</summary>
    public HttpClient CreateClient(string role, params string[] scopes)
    {
        var token = _tokens.GetOrAdd(UserName(role, scopes), _ => new Lazy<Task<string>>(async () =>
            Token((await UserAsync(role, scopes)).Name, role, Now, TimeSpan.FromHours(1))));
        return new HttpClient(new BearerToken(() => token.Value) { InnerHandler = _handler }, disposeHandler: false) { BaseAddress = _baseAddress };
    }

    /// <summary>A county labour office (县人社局) of these counties.</summary>
    public HttpClient AsCountyOffice(params string[] countyCodes) => CreateClient(Roles.CountyOffice, countyCodes);

    /// <summary>A prefecture labour office (市州人社局): sees the workers of all its counties.</summary>
    public HttpClient AsPrefectureOffice(string prefectureCode) => CreateClient(Roles.PrefectureOffice, prefectureCode);

    /// <summary>A partner enterprise (协作企业) confined to its employer record.</summary>
    public HttpClient AsEnterprise(long employerId) => CreateClient(Roles.Enterprise, employerId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Rural revitalisation staff (乡村振兴部门): priority-group workers and placements, province-wide.</summary>
    public HttpClient AsRuralRevitalisation() => CreateClient(Roles.RuralRevitalisation);

    public HttpClient AsAdmin() => CreateClient(Roles.Admin);

    /// <summary>A training institution (培训机构) confined to its own profile, the cohorts it delivers and their trainees.</summary>
    public HttpClient AsInstitution(long institutionId) => CreateClient(Roles.TrainingInstitution, institutionId.ToString(CultureInfo.InvariantCulture));

    /// <summary>A client sending exactly this token (expired, forged, for a missing user…).</summary>
    public HttpClient ClientWithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The name of the test user of a role and scope, as the audit log records it.</summary>
    public static string UserName(string role, IReadOnlyList<string> scopes) =>
        scopes.Count == 0 ? "test-" + role : $"test-{role}-{string.Join('-', scopes)}";

    /// <summary>The stored user of this role and scope, created if missing.</summary>
    public Task<User> UserAsync(string role, IReadOnlyList<string> scopes) =>
        Services.GetRequiredService<UserStore>().EnsureAsync(new UserDraft(UserName(role, scopes), role, scopes, true));

    /// <summary>A token naming <paramref name="userName"/>, signed with <paramref name="key"/> (the service's key unless a test forges one).</summary>
    public string Token(string userName, string role, DateTimeOffset issuedAt, TimeSpan lifetime, byte[]? key = null)
    {
        var user = new User(0, userName, role, [], true, issuedAt, issuedAt, 1);
        return Tokens.Issue(user, Services.GetRequiredService<AuthOptions>(), new SymmetricSecurityKey(key ?? SigningKeyBytes), issuedAt, lifetime);
    }

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
            await DeleteDataDirectoryAsync();
        }
    }

    /// <summary>
    /// Removes the data folder. A pooled SQLite connection closed late (its last statement finishing on a loaded
    /// machine) can write the WAL files back while the folder is being emptied, so the delete is retried until the
    /// folder stays empty (bounded); a folder that will not go names what is left in the failure.
    /// </summary>
    private async Task DeleteDataDirectoryAsync()
    {
        for (var attempt = 1; Directory.Exists(DataDirectory); attempt++)
        {
            // Pooled SQLite connections keep the database file open.
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
            catch (IOException e)
            {
                var left = Directory.Exists(DataDirectory)
                    ? string.Join(", ", Directory.EnumerateFileSystemEntries(DataDirectory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(DataDirectory, f)))
                    : "";
                throw new IOException($"data folder {DataDirectory} not removed after {attempt} attempts; left: {left}", e);
            }
        }
    }

    /// <summary>Adds the bearer token to every request; the user behind it is stored on the client's first request.</summary>
    private sealed class BearerToken(Func<Task<string>> token) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await token());
            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class MatchingApiFactory : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory;
        private readonly int _demoWorkers;
        private readonly int _requestsPerMinute;
        private readonly bool _warmUp;
        private readonly LogSink _logs;

        public MatchingApiFactory(string dataDirectory, int demoWorkers, int requestsPerMinute, bool warmUp, LogSink logs)
        {
            _warmUp = warmUp;
            _dataDirectory = dataDirectory;
            _demoWorkers = demoWorkers;
            _requestsPerMinute = requestsPerMinute;
            _logs = logs;
            UseKestrel(0);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Matching:DataDirectory", _dataDirectory);
            builder.UseSetting("Matching:DemoWorkers", _demoWorkers.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Matching:WarmUp", _warmUp ? "true" : "false");
            builder.UseSetting("Matching:Auth:SigningKey", Convert.ToBase64String(SigningKeyBytes));
            builder.UseSetting("Matching:Auth:RequestsPerMinute", _requestsPerMinute.ToString(CultureInfo.InvariantCulture));
            // Filtered by the service's own log levels: the sink holds what an operator's log would.
            builder.ConfigureLogging(logging => logging.AddProvider(_logs));
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

/// <summary>A clock that does not move, so dates, ages and token lifetimes in responses are known in advance.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}

/// <summary>Keeps every log entry (level, category, message and exception) the service writes, to check what reaches operators.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
