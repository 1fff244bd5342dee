using System.Security.Claims;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Matching.Api.Access;
using Matching.Domain.Access;
using Matching.Search;
using Matching.Search.Indexing;

namespace Matching.Api.Web;

/// <summary>
/// Visits the sign-in page and renders each role's first page once after start, so the first person to sign in does not
/// pay for the process's first visit: compiling the code (JIT), building the route table, the first Blazor render, the
/// first run of each query. It starts once the service has started and the search index is built (readiness never
/// waits for it). Signed out, it fetches the sign-in page, its style and scripts and a page that asks for a session
/// over the service's own address; then it renders each role's first page inside the process as nobody: identities
/// whose scope is a county, a prefecture, a region or an employer that does not exist, so every query runs and finds
/// nothing real. Nothing is audited (a nobody receives no personal data; the signed-out requests are not audited) and
/// every answer is discarded. On with <c>Matching:WarmUp</c> (the service's appsettings.json turns it on; the test
/// hosts leave it off unless a test asks for it).
/// </summary>
public sealed class WebWarmUp(IServiceProvider services, EndpointDataSource endpoints, IServer server, IHostApplicationLifetime lifetime, SearchComponents search,
    IHttpContextAccessor accessor, TimeProvider time, ILogger<WebWarmUp> logger) : BackgroundService
{
    public const string Setting = "Matching:WarmUp";

    /// <summary>The name the warm-up identities carry (never a user's: account names are checked against the users table).</summary>
    public const string Name = "system-warm-up";

    /// <summary>A county code that names no county: its workers, placements and alerts are none.</summary>
    private const string Nowhere = "000000";

    /// <summary>An employer id no employer has.</summary>
    private const long NoEmployer = -1;

    /// <summary>An institution id no institution has.</summary>
    private const long NoInstitution = -1;

    /// <summary>Fetched signed out over the service's own address: the sign-in page and its files, then a page that sends to sign-in.</summary>
    public static readonly IReadOnlyList<string> Fetches = ["/signin", "/css/app.css", "/js/app.js", "/lib/echarts/echarts.custom.min.js", "/dashboard"];

    /// <summary>Rendered inside the process, in order: each role's first page after sign-in, as nobody of that role.</summary>
    public static readonly IReadOnlyList<(string Path, Caller Caller)> Renders =
    [
        ("/dashboard", new Caller(0, Name, Roles.CountyOffice, [Nowhere], null)),
        ("/dashboard", new Caller(0, Name, Roles.PrefectureOffice, [Nowhere], null)),
        ("/enterprise", new Caller(0, Name, Roles.Enterprise, [], NoEmployer)),
        ("/rural", new Caller(0, Name, Roles.RuralRevitalisation, [Nowhere], null)),
        ("/institution", new Caller(0, Name, Roles.TrainingInstitution, [], null, NoInstitution)),
    ];

    private static readonly TimeSpan IndexWait = TimeSpan.FromMinutes(5);

    private readonly TaskCompletionSource<IReadOnlyList<WarmUpVisit>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The visits as rendered (status and time), once the warm-up has run.</summary>
    public Task<IReadOnlyList<WarmUpVisit>> Done => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await StartedAsync(stoppingToken);
            await IndexBuiltAsync(stoppingToken);
            var visits = new List<WarmUpVisit>(Fetches.Count + Renders.Count);
            visits.AddRange(await FetchAsync(stoppingToken));
            foreach (var (path, caller) in Renders)
            {
                visits.Add(await RenderAsync(path, caller, stoppingToken));
            }
            logger.LogInformation("Warm-up done: {Visits}", string.Join("; ", visits));
            _done.TrySetResult(visits);
        }
        catch (OperationCanceledException)
        {
            _done.TrySetCanceled(stoppingToken);
        }
        catch (Exception exception)
        {
            // A warm-up that fails costs the first visitor a slower page, nothing else.
            logger.LogWarning(exception, "Warm-up stopped");
            _done.TrySetException(exception);
        }
    }

    private Task StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    /// <summary>Until the index holds the workers (the start-up rebuild is over), at most a few minutes.</summary>
    private async Task IndexBuiltAsync(CancellationToken stoppingToken)
    {
        var since = time.GetTimestamp();
        while (time.GetElapsedTime(since) < IndexWait)
        {
            if (search.Reindexer.Status.State != ReindexState.Running
                && ((await search.Index.CountAsync(stoppingToken)).Workers > 0 || (await search.Source.CountAsync(stoppingToken)).Workers == 0))
            {
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
        }
    }

    /// <summary>Requests <see cref="Fetches"/> signed out from the service's own (loopback) address; none when it has no plain HTTP address.</summary>
    private async Task<IReadOnlyList<WarmUpVisit>> FetchAsync(CancellationToken stoppingToken)
    {
        if (OwnAddress() is not { } address)
        {
            return [];
        }
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var visits = new List<WarmUpVisit>(Fetches.Count);
        foreach (var path in Fetches)
        {
            var since = time.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(path, stoppingToken);
                await response.Content.CopyToAsync(Stream.Null, stoppingToken);
                visits.Add(new WarmUpVisit(path, "signed-out", (int)response.StatusCode, (long)time.GetElapsedTime(since).TotalMilliseconds));
            }
            catch (HttpRequestException exception)
            {
                logger.LogInformation("Warm-up could not fetch {Path} from {Address}: {Reason}", path, address, exception.Message);
                return visits;
            }
        }
        return visits;
    }

    /// <summary>The service's first plain-HTTP address, a wildcard host read as this machine's loopback.</summary>
    private Uri? OwnAddress()
    {
        foreach (var listening in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var text = listening.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://[::1]", StringComparison.Ordinal);
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp)
            {
                return uri;
            }
        }
        return null;
    }

    /// <summary>Runs the page's endpoint as a GET from nowhere with the identity given, the response thrown away.</summary>
    private async Task<WarmUpVisit> RenderAsync(string path, Caller caller, CancellationToken stoppingToken)
    {
        var who = caller.Role;
        var endpoint = endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e => e.RoutePattern.RawText == path && e.RequestDelegate is not null);
        if (endpoint is null)
        {
            return new WarmUpVisit(path, who, 0, 0);
        }
        var since = time.GetTimestamp();
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = stoppingToken };
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = path;
        context.Response.Body = Stream.Null;
        context.SetEndpoint(endpoint);
        context.Items[AccessSetup.CallerItem] = caller;
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", caller.Name), new Claim("role", caller.Role)], "warm-up", "sub", "role"));
        accessor.HttpContext = context;
        try
        {
            await endpoint.RequestDelegate!(context);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Warm-up of {Path} as {Role} failed", path, who);
            return new WarmUpVisit(path, who, 500, (long)time.GetElapsedTime(since).TotalMilliseconds);
        }
        finally
        {
            accessor.HttpContext = null;
        }
        return new WarmUpVisit(path, who, context.Response.StatusCode, (long)time.GetElapsedTime(since).TotalMilliseconds);
    }
}

/// <summary>One page the warm-up rendered: as whom, the status it answered and how long it took.</summary>
public sealed record WarmUpVisit(string Path, string Role, int Status, long Milliseconds)
{
    public override string ToString() => $"{Path} as {Role}: {Status} in {Milliseconds} ms";
}
