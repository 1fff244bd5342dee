using System.Globalization;
using System.Text.Json;

namespace Matching.Browser.Tests;

/// <summary>
/// Time of the first page after sign-in, as a person waits for it (click on 登录 → page loaded → charts drawn), and
/// the browser's own navigation timing. Reported in the test output and in timings.json beside the screenshots;
/// never asserted (the machine is shared, the figure is noisy).
/// </summary>
public static class Timings
{
    private static readonly Lock Gate = new();
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Record(Journey journey, string what, long loadedMs, long drawnMs, double[]? navigation)
    {
        var line = navigation is { Length: 4 }
            ? string.Create(CultureInfo.InvariantCulture, $"{what}: page loaded {loadedMs} ms after the click, charts drawn at {drawnMs} ms (as the test sees it); on the browser's clock from the request: server answered in {navigation[0]:F0} ms, DOM ready {navigation[1]:F0} ms, load {navigation[2]:F0} ms{(navigation[3] >= 0 ? string.Create(CultureInfo.InvariantCulture, $", charts drawn {navigation[3]:F0} ms") : "")} ({BrowserHost.DemoWorkers:N0} demo workers; {WarmUpText}; load average {LoadAverage()})")
            : string.Create(CultureInfo.InvariantCulture, $"{what}: page loaded {loadedMs} ms ({BrowserHost.DemoWorkers:N0} demo workers; {WarmUpText}; load average {LoadAverage()})");
        journey.Report(line);
        Console.WriteLine("[timing] " + line);
        lock (Gate)
        {
            var path = Path.Combine(BrowserHost.ScreenshotDirectory, "timings.json");
            var entries = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, object>>(File.ReadAllText(path)) ?? [] : [];
            entries[what] = new { loadedMs, drawnMs, serverMs = navigation?[0], domReadyMs = navigation?[1], loadMs = navigation?[2], chartsDrawnMs = navigation?[3] is >= 0 ? navigation[3] : (double?)null, demoWorkers = BrowserHost.DemoWorkers, warmUp = BrowserHost.WarmUp, loadAverage = LoadAverage() };
            File.WriteAllText(path, JsonSerializer.Serialize(entries, Indented));
        }
    }

    private static string WarmUpText => BrowserHost.WarmUp ? "after the start-up warm-up" : "no warm-up";

    /// <summary>
    /// The browser's own timing of the page in view, free of the test driver's round trips: the server's answer
    /// (request to first byte), then DOM ready, load and charts drawn (-1: no chart) counted from the start of the
    /// navigation. After sign-in that start is the 登录 form's request, and the redirect to the first page is inside.
    /// </summary>
    public static Task<double[]> NavigationAsync(Journey journey) => journey.Page.EvaluateAsync<double[]>(
        "() => { const n = performance.getEntriesByType('navigation')[0]; const c = document.body.getAttribute('data-charts-at'); return [n.responseStart - n.requestStart, n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime, c === null ? -1 : Number(c)]; }");

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
