using System.Diagnostics;
using Matching.Api.Access;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Matching.Browser.Tests;

/// <summary>
/// The first page after sign-in of every demo account, in a fresh browser: from the click on 登录 to the page loaded
/// and, where the page has charts, drawn. Reported in the output and in timings.json, never asserted (the machine is
/// shared). What it does assert: the account lands on a page of its own, not on the sign-in page or an error.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FirstPageTimingTests(BrowserHost host, ITestOutputHelper output)
{
    public static TheoryData<string> Accounts() => [.. DemoAccounts.All.Select(account => account.Name)];

    [Theory]
    [MemberData(nameof(Accounts))]
    public async Task Each_accounts_first_page_after_sign_in_is_timed_from_the_click(string account)
    {
        await using var journey = await Journey.StartAsync(host, output, "first-page-" + account["demo-".Length..]);
        await journey.OpenAsync("/signin");
        // A person takes a few seconds to type: what the sign-in page does meanwhile (fetching and running the chart
        // library) is done.
        await journey.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await journey.Page.WaitForSelectorAsync("body[data-charts=ready]", new() { State = WaitForSelectorState.Attached });
        var clock = Stopwatch.StartNew();
        await journey.SignInAsync(account);
        var loaded = clock.ElapsedMilliseconds;
        if (await journey.Page.Locator(".chart[data-chart]").CountAsync() > 0)
        {
            await journey.Page.WaitForSelectorAsync("body[data-charts=drawn]", new() { State = WaitForSelectorState.Attached });
        }
        Timings.Record(journey, $"first page after sign-in ({account}, {new Uri(journey.Page.Url).AbsolutePath})", loaded, clock.ElapsedMilliseconds, await Timings.NavigationAsync(journey));
        Assert.DoesNotContain("/signin", journey.Page.Url, StringComparison.Ordinal);
        await journey.SignOutAsync();
    }
}
