using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Matching.Browser.Tests;

/// <summary>Each role's main journeys end to end in a real browser: sign in, do the day's work, see the result, sign out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RoleJourneyTests(BrowserHost host, ITestOutputHelper output)
{
    [Fact]
    public async Task County_office_signs_in_to_its_dashboard_and_signs_out()
    {
        await using var journey = await Journey.StartAsync(host, output, "county");
        await journey.OpenAsync("/");
        Assert.Contains("/signin", journey.Page.Url, StringComparison.Ordinal);
        var clock = Stopwatch.StartNew();
        await journey.SignInAsync("demo-county");
        await journey.Page.WaitForSelectorAsync("body[data-charts=drawn]");
        journey.Report($"first page after sign-in (dashboard, charts drawn): {clock.ElapsedMilliseconds} ms");
        Assert.EndsWith("/dashboard", journey.Page.Url, StringComparison.Ordinal);
        await Assertions.Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "工作台" })).ToBeVisibleAsync();
        await journey.ShotAsync("dashboard");
        await journey.SignOutAsync();
    }
}
