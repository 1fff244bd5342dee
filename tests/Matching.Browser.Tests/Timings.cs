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
            ? string.Create(CultureInfo.InvariantCulture, $"{what}: page loaded {loadedMs} ms after the sign-in click, charts drawn at {drawnMs} ms; server answered the page in {navigation[0]:F0} ms, DOM ready {navigation[1]:F0} ms, load {navigation[2]:F0} ms ({BrowserHost.DemoWorkers:N0} demo workers; load average {LoadAverage()})")
            : string.Create(CultureInfo.InvariantCulture, $"{what}: page loaded {loadedMs} ms after the sign-in click ({BrowserHost.DemoWorkers:N0} demo workers; load average {LoadAverage()})");
        journey.Report(line);
        Console.WriteLine("[timing] " + line);
        lock (Gate)
        {
            var path = Path.Combine(BrowserHost.ScreenshotDirectory, "timings.json");
            var entries = File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, object>>(File.ReadAllText(path)) ?? [] : [];
            entries[what] = new { loadedMs, drawnMs, serverMs = navigation?[0], domReadyMs = navigation?[1], loadMs = navigation?[2], demoWorkers = BrowserHost.DemoWorkers, loadAverage = LoadAverage() };
            File.WriteAllText(path, JsonSerializer.Serialize(entries, Indented));
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
