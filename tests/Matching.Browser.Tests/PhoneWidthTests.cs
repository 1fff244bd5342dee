using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Matching.Browser.Tests;

/// <summary>
/// Every page of each role on a phone (375 × 812): each menu page reached through the folded menu, then the detail
/// pages its links lead to (a worker, an opening, a cohort and its trainee form, a claim, an alert, an account…), two
/// links deep. On each, the document is no wider than the screen (wide tables scroll inside their own box) and the
/// menu button is on the screen. A screenshot of each page is saved.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class PhoneWidthTests(BrowserHost host, ITestOutputHelper output)
{
    /// <summary>At most this many detail pages per role (one per kind of address), so the sweep stays bounded.</summary>
    private const int MaxDetailPages = 40;

    [Theory]
    [InlineData("demo-county")]
    [InlineData("demo-prefecture")]
    [InlineData("demo-enterprise")]
    [InlineData("demo-rural")]
    [InlineData("demo-admin")]
    public async Task Every_page_of_the_role_fits_a_phone_screen_and_its_menu_is_reachable(string account)
    {
        await using var journey = await Journey.StartAsync(host, output, "phone-" + account["demo-".Length..], phone: true);
        await journey.OpenAsync("/signin");
        await FitsAsync(journey, "/signin");
        await journey.SignInAsync(account);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var details = new List<(string Href, int Depth)>();
        await VisitedAsync(journey, seen, details, depth: 0);

        // Each menu item, reached by opening the folded menu on the page before and following the item.
        var menu = await journey.Page.Locator("details.menu-fold a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(menu);
        foreach (var href in menu)
        {
            var fold = journey.Page.Locator("details.menu-fold");
            await fold.Locator("summary").ClickAsync();
            var item = fold.Locator($"a[href='{href}']");
            await Expect(item).ToBeVisibleAsync();
            await InsideScreenAsync(journey, item, $"menu item {href}");
            await journey.NavigatingAsync(() => item.ClickAsync());
            await journey.CheckPageAsync();
            Assert.Equal(href, new Uri(journey.Page.Url).AbsolutePath);
            await VisitedAsync(journey, seen, details, depth: 0);
        }

        // Pages that show only once there is something to show: a dispatch round, an import job, a trainee's form.
        await PagesAfterWorkAsync(journey, account, seen, details);

        // The detail pages their links lead to, one of each kind, two links deep.
        for (var i = 0; i < details.Count && i < MaxDetailPages; i++)
        {
            var (href, depth) = details[i];
            await journey.OpenAsync(href);
            await VisitedAsync(journey, seen, details, depth);
        }
        journey.Report($"{account}: {seen.Count} kinds of page checked at {Journey.PhoneScreen.Width}×{Journey.PhoneScreen.Height}: {string.Join(" ", seen.Order(StringComparer.Ordinal))}");
        await journey.SignOutAsync();
    }

    private async Task PagesAfterWorkAsync(Journey journey, string account, HashSet<string> seen, List<(string Href, int Depth)> details)
    {
        if (account is "demo-county" or "demo-admin")
        {
            // A dispatch round's dry run (reviewed by cohort; its by-county view is among its links).
            await journey.OpenAsync("/dispatch");
            await journey.Page.GetByLabel("范围").SelectOptionAsync(new SelectOptionValue { Label = account == "demo-admin" ? "毕节市" : "大方县" });
            await journey.SubmitAsync("开始试算");
            Assert.Matches(@"/dispatch/\d+$", journey.Page.Url);
            await VisitedAsync(journey, seen, details, depth: 1);
        }
        if (account == "demo-county")
        {
            // An import job with a rejected row (a wrong ID number), listed in its table; nothing is imported.
            await journey.OpenAsync("/imports");
            var id = Matching.Domain.Identity.ResidentIdNumber.Compose(DemoWorld.County, new DateOnly(1990, 1, 1), 101);
            var sheet = OfficeWorkJourneyTests.Workbook(OfficeWorkJourneyTests.Row(OfficeWorkJourneyTests.Name(3, "丁"), id[..17] + (id[17] == '0' ? '1' : '0')));
            await journey.Page.GetByLabel(new Regex("^摸排表文件")).SetInputFilesAsync(new FilePayload
            {
                Name = "摸排表-手机.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = sheet,
            });
            await journey.SubmitAsync("上传并导入");
            await Expect(journey.Page.Locator(".page-head .badge")).ToHaveTextAsync(new Regex("已完成|未导入"), new() { Timeout = 120_000 });
            await journey.CheckPageAsync();
            await VisitedAsync(journey, seen, details, depth: 1);
        }
        if (account == "demo-enterprise")
        {
            // A trainee's record form on the page of a cohort that has ended.
            var (cohort, enrolment, _, _) = await DemoWorld.TraineeToRecordAsync(host, DemoWorld.Employer);
            await journey.OpenAsync($"/cohorts/{cohort}?trainee={enrolment}");
            await Expect(journey.Page.GetByRole(AriaRole.Button, new() { Name = "登记证书" })).ToBeVisibleAsync();
            await VisitedAsync(journey, seen, details, depth: 1);
        }
    }

    /// <summary>Checks the page in view, saves its picture, and queues the detail links of a kind not seen yet.</summary>
    private async Task VisitedAsync(Journey journey, HashSet<string> seen, List<(string Href, int Depth)> details, int depth)
    {
        var url = new Uri(journey.Page.Url);
        var kind = KindOf(url.PathAndQuery);
        if (!seen.Add(kind))
        {
            return;
        }
        await FitsAsync(journey, url.PathAndQuery);
        var fold = journey.Page.Locator("details.menu-fold > summary");
        await Expect(fold).ToBeVisibleAsync();
        await InsideScreenAsync(journey, fold, "the menu button");
        await InsideScreenAsync(journey, journey.Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }), "the sign-out button");
        await journey.ShotAsync(Regex.Replace(kind, "[^a-z0-9]+", "-").Trim('-') is { Length: > 0 } name ? name : "home");
        if (depth >= 2)
        {
            return;
        }
        var links = await journey.Page.Locator("main a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        foreach (var href in links.Where(h => DetailLink().IsMatch(h)).Select(h => h.Split('#')[0]))
        {
            if (!seen.Contains(KindOf(href)) && details.All(d => KindOf(d.Href) != KindOf(href)))
            {
                details.Add((href, depth + 1));
            }
        }
    }

    /// <summary>No part of the document is wider than the screen; when one is, the message names the widest offenders.</summary>
    private static async Task FitsAsync(Journey journey, string what)
    {
        var width = await journey.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        if (width[0] <= width[1] + 1 && width[1] == Journey.PhoneScreen.Width)
        {
            return;
        }
        // A phone zooms out to show a page wider than the screen, so the window then reports the wider width: the
        // screen's own width is the measure.
        var offenders = await journey.Page.EvaluateAsync<string[]>("""
            screen => {
                // Inside a box that scrolls or clips, an element widens nothing; an absolutely placed one only when the
                // box (or one between) is positioned, as its containing block.
                const clipped = e => {
                    let placed = ['absolute', 'fixed'].includes(getComputedStyle(e).position);
                    for (let p = e.parentElement; p; p = p.parentElement) {
                        const style = getComputedStyle(p);
                        if ((!placed || style.position !== 'static') && ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) return true;
                        if (style.position !== 'static') placed = false;
                    }
                    return false;
                };
                return Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > screen + 1)
                    .filter(e => !clipped(e))
                    .slice(0, 8)
                    .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).trim().replace(/\s+/g, '.') : ''} right=${Math.round(e.getBoundingClientRect().right)}`);
            }
            """, Journey.PhoneScreen.Width);
        Assert.Fail($"{what}: the document is {width[0]} px wide in a {width[1]} px window on a {Journey.PhoneScreen.Width} px screen; too wide:\n" + string.Join("\n", offenders));
    }

    private static async Task InsideScreenAsync(Journey journey, ILocator element, string what)
    {
        var box = await element.BoundingBoxAsync();
        Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= Journey.PhoneScreen.Width + 1,
            $"{journey.Page.Url}: {what} is not within the screen ({box?.X}–{box?.X + box?.Width})");
    }

    /// <summary>The kind of an address: numbers and values replaced, e.g. /workers/{n}, /cohorts/{n}?trainee.</summary>
    private static string KindOf(string pathAndQuery)
    {
        var parts = pathAndQuery.Split('#')[0].Split('?', 2);
        var path = Number().Replace(parts[0], "{n}");
        var query = parts.Length > 1 ? string.Join('&', parts[1].Split('&').Select(p => p.Split('=')[0]).Where(n => n is "trainee" or "view").Order(StringComparer.Ordinal)) : "";
        return query.Length > 0 ? path + "?" + query : path;
    }

    /// <summary>A page of one thing (or a form for a new one) inside the application, optionally a trainee or a view of it.</summary>
    [GeneratedRegex(@"^/[a-z-]+/(\d+|new)(/edit)?(\?(trainee|view)=[^&#]+)?(#.*)?$")]
    private static partial Regex DetailLink();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();
}
