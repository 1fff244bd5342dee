using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Matching.Browser.Tests;

/// <summary>
/// One person's visit in their own browser context: pages opened by address or by clicking as a person would, every
/// page checked for labelled controls and a Chinese heading, screenshots saved step by step, and every console error
/// or script error collected (a journey fails on any it did not expect), as is any request to another address than the
/// service's own (the application must work on an intranet without internet).
/// </summary>
public sealed partial class Journey : IAsyncDisposable
{
    public const string DemoPassword = "Guizhou@2026";

    private readonly BrowserHost _host;
    private readonly ITestOutputHelper _output;
    private readonly string _name;
    private readonly IBrowserContext _context;
    private readonly List<string> _consoleErrors = [];
    private readonly List<string> _foreignRequests = [];
    private readonly HashSet<string> _expectedFailures = [];
    private int _shot;

    private Journey(BrowserHost host, ITestOutputHelper output, string name, IBrowserContext context, IPage page)
    {
        _host = host;
        _output = output;
        _name = name;
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpected(message))
            {
                _consoleErrors.Add($"{message.Text} @ {message.Location}");
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add("script error: " + error);
        // An intranet has no internet: every script, style, font, image and chart library must come from the service.
        context.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                && (url.Host != host.BaseAddress.Host || url.Port != host.BaseAddress.Port))
            {
                _foreignRequests.Add(request.Url);
            }
        };
    }

    public IPage Page { get; }

    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>The phone screen the pages are checked on (CSS pixels): 375 × 812, the narrowest common phone width.</summary>
    public static readonly ViewportSize PhoneScreen = new() { Width = 375, Height = 812 };

    /// <summary>A new visitor (no cookies) on a desktop screen, or a phone's (<see cref="PhoneScreen"/>) when <paramref name="phone"/>.</summary>
    public static async Task<Journey> StartAsync(BrowserHost host, ITestOutputHelper output, string name, bool phone = false)
    {
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.BaseAddress.ToString(),
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = phone ? PhoneScreen : new ViewportSize { Width = 1366, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            DeviceScaleFactor = 1,
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        return new Journey(host, output, name, context, page);
    }

    /// <summary>Opens a page by its address and checks the status the service answered (a person would see that page).</summary>
    public async Task<IResponse> OpenAsync(string path, int status = 200)
    {
        if (status >= 400)
        {
            ExpectFailure(path);
        }
        var response = await Page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");
        Assert.True(response.Status == status, $"{path}: expected {status}, got {response.Status}");
        await CheckPageAsync();
        return response;
    }

    /// <summary>Signs in through the sign-in page as a person does, and waits for the role's first page.</summary>
    public async Task SignInAsync(string userName, string password = DemoPassword)
    {
        if (!Page.Url.Contains("/signin", StringComparison.Ordinal))
        {
            await OpenAsync("/signin");
        }
        await Page.GetByLabel("账号").FillAsync(userName);
        await Page.GetByLabel("密码").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await Page.WaitForLoadStateAsync(LoadState.Load);
        await CheckPageAsync();
    }

    /// <summary>Signs out with the button in the top bar and checks the session is over (a page then asks to sign in).</summary>
    public async Task SignOutAsync()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
        await Assertions.Expect(Page.GetByText("已退出登录")).ToBeVisibleAsync();
        await Page.GotoAsync("/dashboard");
        Assert.Contains("/signin", Page.Url, StringComparison.Ordinal);
        await ShotAsync("signed-out");
    }

    /// <summary>Follows a link or a button by its visible name.</summary>
    public async Task ClickAsync(string name, AriaRole role = AriaRole.Link)
    {
        await Page.GetByRole(role, new() { Name = name, Exact = true }).First.ClickAsync();
        await Page.WaitForLoadStateAsync(LoadState.Load);
        await CheckPageAsync();
    }

    /// <summary>Sends the form holding the button and waits for the next page (the service answers with the result or the form again).</summary>
    public async Task SubmitAsync(string button)
    {
        await NavigatingAsync(() => Page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).First.ClickAsync());
        await CheckPageAsync();
    }

    /// <summary>
    /// Does something that loads a new document (a form post answered by the form again, or a redirect) and waits until
    /// the new document has loaded: the old one is marked first, so its own load state cannot be mistaken for the new one's.
    /// </summary>
    public async Task NavigatingAsync(Func<Task> action)
    {
        await Page.EvaluateAsync("() => { window.__journeyOldDocument = true; }");
        await action();
        await Page.WaitForFunctionAsync("() => window.__journeyOldDocument === undefined && document.readyState === 'complete'");
    }

    /// <summary>A failing status on this address is what the journey tests (e.g. another county's worker is not found).</summary>
    public void ExpectFailure(string path) => _expectedFailures.Add(new Uri(_host.BaseAddress, path).AbsolutePath);

    /// <summary>
    /// Saves a full-page screenshot as test output, numbered in the order of the journey. A step named for the README
    /// (<paramref name="readme"/>) is also written to docs/screenshots when UPDATE_README_SCREENSHOTS=1.
    /// </summary>
    public async Task<string> ShotAsync(string step, string? readme = null)
    {
        if (await Page.Locator(".chart[data-chart]").CountAsync() > 0)
        {
            // Charts are drawn by script after load; wait for them so the picture shows them.
            await Page.WaitForSelectorAsync("body[data-charts=drawn]");
        }
        var path = Path.Combine(BrowserHost.ScreenshotDirectory, $"{_name}-{++_shot:00}-{step}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine("screenshot: " + path);
        if (readme is not null && Environment.GetEnvironmentVariable("UPDATE_README_SCREENSHOTS") == "1")
        {
            // The visible screen only, as a person first sees it, kept small for the repository.
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepositoryDocs(), readme + ".png") });
        }
        return path;
    }

    /// <summary>What every page must hold: Chinese, a heading, and a label for every control (read out by screen readers).</summary>
    public async Task CheckPageAsync()
    {
        Assert.Equal("zh-CN", await Page.Locator("html").GetAttributeAsync("lang"));
        Assert.True(await Page.Locator("h1").CountAsync() >= 1, $"{Page.Url}: no heading");
        var unlabelled = await Page.EvaluateAsync<string[]>(UnlabelledControlsScript);
        Assert.True(unlabelled.Length == 0, $"{Page.Url}: controls without a label:\n" + string.Join("\n", unlabelled));
    }

    public void Report(string line) => _output.WriteLine(line);

    private static string RepositoryDocs()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Matching.sln")))
        {
            folder = folder.Parent;
        }
        var docs = Path.Combine(folder?.FullName ?? throw new InvalidOperationException("not inside the repository"), "docs", "screenshots");
        Directory.CreateDirectory(docs);
        return docs;
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        Assert.True(_foreignRequests.Count == 0, $"{_name}: requests to other addresses than the service's:\n" + string.Join("\n", _foreignRequests.Distinct()));
        Assert.True(_consoleErrors.Count == 0, $"{_name}: errors in the browser console:\n" + string.Join("\n", _consoleErrors));
    }

    private bool IsExpected(IConsoleMessage message) =>
        message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)
        && Uri.TryCreate(LineAndColumn().Replace(message.Location, ""), UriKind.Absolute, out var url) && _expectedFailures.Contains(url.AbsolutePath);

    /// <summary>Form controls with no accessible name (no label with text, no aria-label or aria-labelledby), and buttons without text.</summary>
    private const string UnlabelledControlsScript = """
        () => Array.from(document.querySelectorAll('input, select, textarea, button')).filter(el => {
            if (el.type === 'hidden') return false;
            if (el.tagName === 'BUTTON') return !(el.textContent.trim() || el.getAttribute('aria-label'));
            const labelled = (el.labels && Array.from(el.labels).some(l => l.textContent.trim().length > 0))
                || (el.getAttribute('aria-label') || '').trim().length > 0
                || (el.getAttribute('aria-labelledby') || '').split(' ').some(id => id && document.getElementById(id));
            return !labelled;
        }).map(el => el.outerHTML.slice(0, 160))
        """;

    /// <summary>The ":line:column" Playwright puts after a console message's URL.</summary>
    [GeneratedRegex(@":\d+:\d+$")]
    private static partial Regex LineAndColumn();
}
