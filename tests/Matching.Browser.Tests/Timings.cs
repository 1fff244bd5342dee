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
        var line = navigation is { Length: 3 }
            ? string.Create(CultureInfo.InvariantCulture, $"{what}: page loaded {loadedMs} ms after the click, charts drawn at {drawnMs} ms; server answered the page in {navigation[0]:F0} ms, DOM ready {navigation[1]:F0} ms, load {navigation[2]:F0} ms ({BrowserHost.DemoWorkers:N0} demo workers; {WarmUpText}; load average {LoadAverage()})")
            : string.Create(CultureInfo.InvariantCulture, $"{what}: page loaded {loadedMs} ms ({BrowserHost.DemoWorkers:N0} demo workers; {WarmUpText}; load average {LoadAverage()})");
        journey.Report(line);
        Console.WriteLine("[timing] " + line);
        lock (Gate)
        {
            var path = Path.Combine(BrowserHost.ScreenshotDirectory, "timings.json");
            var entries = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, object>>(File.ReadAllText(path)) ?? [] : [];
            entries[what] = new { loadedMs, drawnMs, serverMs = navigation?[0], domReadyMs = navigation?[1], loadMs = navigation?[2], demoWorkers = BrowserHost.DemoWorkers, warmUp = BrowserHost.WarmUp, loadAverage = LoadAverage() };
            File.WriteAllText(path, JsonSerializer.Serialize(entries, Indented));
        }
    }

    private static string WarmUpText => BrowserHost.WarmUp ? "after the start-up warm-up" : "no warm-up";

    /// <summary>The browser's navigation timing of the page in view: server answer (request to first byte), DOM ready and load, from navigation start.</summary>
    public static Task<double[]> NavigationAsync(Journey journey) => journey.Page.EvaluateAsync<double[]>(
        "() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseStart - n.requestStart, n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime]; }");

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
