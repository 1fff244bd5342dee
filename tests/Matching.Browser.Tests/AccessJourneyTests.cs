using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Matching.Browser.Tests;

/// <summary>
/// What a person must not get: in with a wrong password, in at all after repeated wrong passwords, another county's
/// worker, a worker an enterprise has no link with, a page of another role. And what everyone must get: the pages on
/// a phone, and with the keyboard alone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessJourneyTests(BrowserHost host, ITestOutputHelper output)
{
    [Fact]
    public async Task A_wrong_password_is_refused_and_repeated_ones_lock_the_account_even_against_the_right_password()
    {
        var name = await DemoWorld.AccountAsync(host, "lockout-" + Guid.NewGuid().ToString("N")[..6], Roles.CountyOffice, [DemoWorld.County], "Right#Password2026");
        await using var journey = await Journey.StartAsync(host, output, "lockout");
        journey.ExpectFailure("/signin");
        await journey.OpenAsync("/signin");
        for (var attempt = 1; attempt < Lockout.MaxFailures; attempt++)
        {
            await FillAndSubmitAsync(journey, name, "Wrong#Password" + attempt);
            await Expect(journey.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("用户名或密码错误");
            // The name stays typed; the password does not.
            await Expect(journey.Page.GetByLabel("账号")).ToHaveValueAsync(name);
            await Expect(journey.Page.GetByLabel("密码")).ToHaveValueAsync("");
        }
        await journey.ShotAsync("wrong-password");
        await FillAndSubmitAsync(journey, name, "Wrong#PasswordLast");
        await Expect(journey.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("账号已锁定");
        await FillAndSubmitAsync(journey, name, "Right#Password2026");
        await Expect(journey.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("账号已锁定");
        await journey.ShotAsync("locked");
        Assert.Contains("/signin", journey.Page.Url, StringComparison.Ordinal);

        // Every attempt is in the audit log, and the lock too.
        await using var connection = await host.Services.GetRequiredService<Database>().OpenAsync();
        var attempts = await connection.QueryAsync<(string Action, string Outcome)>(
            "SELECT action, outcome FROM audit_log WHERE user_name = @Name AND action IN ('auth.sign-in', 'auth.lockout') ORDER BY id", new { Name = name });
        Assert.Equal(Lockout.MaxFailures + 2, attempts.Count());
        Assert.Contains(("auth.lockout", "denied"), attempts);
        Assert.DoesNotContain(attempts, a => a.Outcome == "success");
    }

    [Fact]
    public async Task A_county_office_opening_another_countys_worker_gets_not_found_and_the_attempt_is_audited()
    {
        var foreign = await DemoWorld.WorkerOutsideAsync(host, DemoWorld.County);
        var own = await DemoWorld.WorkerInAsync(host, DemoWorld.County);
        await using var journey = await Journey.StartAsync(host, output, "county-foreign-worker");
        await journey.SignInAsync("demo-county");
        await journey.OpenAsync($"/workers/{own}");
        await journey.OpenAsync($"/workers/{foreign}", 404);
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "劳动者不存在" })).ToBeVisibleAsync();
        // The same words as for a worker that does not exist at all: nothing confirms the other county's worker exists.
        var notThere = await journey.Page.Locator("main").InnerTextAsync();
        await journey.OpenAsync("/workers/999999999", 404);
        Assert.Equal(notThere, await journey.Page.Locator("main").InnerTextAsync());
        // Nor can it be edited through the form's address.
        await journey.OpenAsync($"/workers/{foreign}/edit", 404);
        await journey.ShotAsync("not-found");

        await using var connection = await host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.True(await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE user_name = 'demo-county' AND action = 'worker.read' AND resource_id = @Id AND outcome = 'not-found'",
            new { Id = foreign.ToString(System.Globalization.CultureInfo.InvariantCulture) }) >= 1);
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task An_enterprise_opening_a_worker_page_it_may_not_see_gets_not_found_and_other_roles_pages_are_refused()
    {
        var unlinked = await DemoWorld.WorkerUnlinkedToAsync(host, DemoWorld.Employer);
        await using var journey = await Journey.StartAsync(host, output, "enterprise-denied");
        await journey.SignInAsync("demo-enterprise");
        await journey.OpenAsync($"/workers/{unlinked}", 404);
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "劳动者不存在" })).ToBeVisibleAsync();
        await journey.ShotAsync("worker-not-found");

        // Another role's page: the worker register, the dashboard, the audit log.
        journey.ExpectFailure("/denied");
        foreach (var page in new[] { "/workers", "/dashboard", "/audit", "/dispatch" })
        {
            await journey.Page.GotoAsync(page);
            Assert.Contains("/denied", journey.Page.Url, StringComparison.Ordinal);
            await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
        }
        await journey.ShotAsync("denied");
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Another_enterprise_cannot_record_training_for_a_cohort_not_its_own_even_by_posting_the_forms_itself()
    {
        var (cohort, enrolment, _, end) = await DemoWorld.TraineeToRecordAsync(host, DemoWorld.Employer);
        var other = await DemoWorld.AccountAsync(host, "hr-other-" + Guid.NewGuid().ToString("N")[..6], Roles.Enterprise, ["2"], "Other#Enterprise2026");
        var target = $"/cohorts/{cohort}?trainee={enrolment}";
        var before = await DemoWorld.RecordedTrainingAsync(host, enrolment);

        await using (var journey = await Journey.StartAsync(host, output, "enterprise-foreign-cohort"))
        {
            await journey.SignInAsync(other, "Other#Enterprise2026");
            // The cohort is not there for it: the same page as for a cohort that does not exist, with no form.
            await journey.OpenAsync(target, 404);
            await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "培训班期不存在" })).ToBeVisibleAsync();
            await Expect(journey.Page.Locator("form[method=post] input[name=_handler]")).ToHaveCountAsync(0);
            await journey.ShotAsync("not-found");
            // Posted by hand with its own valid antiforgery token (from the sign-out form): refused, nothing recorded.
            foreach (var status in await PostTrainingFormsAsync(journey, target, end))
            {
                Assert.True(status >= 400, $"a post by another enterprise was answered {status}");
            }
            Assert.Equal(before, await DemoWorld.RecordedTrainingAsync(host, enrolment));
            await journey.SignOutAsync();
        }

        // The same hand-made posts by the cohort's own enterprise are taken (so the refusal above is the rule, not a malformed post).
        await using (var owner = await Journey.StartAsync(host, output, "enterprise-own-cohort-posted"))
        {
            await owner.SignInAsync("demo-enterprise");
            await owner.OpenAsync(target);
            Assert.All(await PostTrainingFormsAsync(owner, target, end), status => Assert.Equal(302, status));
            Assert.NotEqual(before, await DemoWorld.RecordedTrainingAsync(host, enrolment));
            await owner.SignOutAsync();
        }
    }

    /// <summary>Posts the cohort page's result and certificate forms as the browser would send them, with the session's token; the statuses.</summary>
    private static async Task<int[]> PostTrainingFormsAsync(Journey journey, string target, DateOnly end)
    {
        var token = await journey.Page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var on = end.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var posts = new[]
        {
            new Dictionary<string, string> { ["_handler"] = "trainee-result", ["daysScheduled"] = "1", ["daysAttended"] = "1", ["completion"] = "completed", ["completedOn"] = on },
            new Dictionary<string, string>
            {
                ["_handler"] = "trainee-certificate", ["type"] = "special-ability", ["tradeId"] = "T001", ["number"] = "ZS" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["issuingBody"] = "贵州省职业技能鉴定指导中心", ["issuingProvince"] = "520000", ["issuedOn"] = on,
            },
        };
        var statuses = new List<int>();
        foreach (var fields in posts)
        {
            var form = journey.Page.APIRequest.CreateFormData();
            form.Set("__RequestVerificationToken", token!);
            foreach (var (name, value) in fields)
            {
                form.Set(name, value);
            }
            var response = await journey.Page.APIRequest.PostAsync(target, new() { Form = form, MaxRedirects = 0 });
            statuses.Add(response.Status);
        }
        return [.. statuses];
    }

    [Fact]
    public async Task The_application_works_on_a_phone_screen()
    {
        await using var journey = await Journey.StartAsync(host, output, "phone", phone: true);
        await journey.SignInAsync("demo-county");
        // The menu folds into a button; nothing is wider than the screen.
        var menu = journey.Page.Locator("details.menu-fold > summary");
        await Expect(menu).ToBeVisibleAsync();
        await Expect(journey.Page.Locator(".menu-wide")).ToBeHiddenAsync();
        Assert.True(await journey.Page.EvaluateAsync<bool>("() => window.innerWidth === 375 && document.documentElement.scrollWidth <= window.innerWidth + 1"), "the dashboard is wider than the phone");
        await journey.ShotAsync("dashboard", readme: "phone-dashboard");
        await menu.ClickAsync();
        await journey.Page.Locator("details.menu-fold").GetByRole(AriaRole.Link, new() { Name = "劳动者", Exact = true }).ClickAsync();
        await journey.Page.WaitForLoadStateAsync(LoadState.Load);
        await journey.CheckPageAsync();
        Assert.True(await journey.Page.EvaluateAsync<bool>("() => window.innerWidth === 375 && document.documentElement.scrollWidth <= window.innerWidth + 1"), "the register is wider than the phone");
        await journey.ShotAsync("register");
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Sign_in_search_and_sign_out_work_with_the_keyboard_alone()
    {
        await using var journey = await Journey.StartAsync(host, output, "keyboard");
        await journey.OpenAsync("/signin");
        var keyboard = journey.Page.Keyboard;
        await keyboard.PressAsync("Tab");
        Assert.Equal("userName", await FocusedNameAsync(journey));
        await keyboard.TypeAsync("demo-county");
        await keyboard.PressAsync("Tab");
        Assert.Equal("password", await FocusedNameAsync(journey));
        await keyboard.TypeAsync(Journey.DemoPassword);
        await journey.NavigatingAsync(() => keyboard.PressAsync("Enter"));
        Assert.EndsWith("/dashboard", journey.Page.Url, StringComparison.Ordinal);

        // The first Tab reaches the skip link; then the menu, in order, to 劳动者.
        await keyboard.PressAsync("Tab");
        Assert.Equal("跳到正文", await journey.Page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        for (var i = 0; i < 30 && await journey.Page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()") != "劳动者"; i++)
        {
            await keyboard.PressAsync("Tab");
        }
        // A focused control is visibly marked.
        Assert.NotEqual("none", await journey.Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).boxShadow"));
        await journey.NavigatingAsync(() => keyboard.PressAsync("Enter"));
        Assert.EndsWith("/workers", journey.Page.Url, StringComparison.Ordinal);
        await journey.Page.GetByLabel("关键词").FocusAsync();
        await keyboard.TypeAsync("焊工");
        await journey.NavigatingAsync(() => keyboard.PressAsync("Enter"));
        Assert.Contains("q=", journey.Page.Url, StringComparison.Ordinal);
        await Expect(journey.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("共找到");
        await journey.ShotAsync("searched");

        await journey.Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).FocusAsync();
        await journey.NavigatingAsync(() => keyboard.PressAsync("Enter"));
        Assert.Contains("/signin", journey.Page.Url, StringComparison.Ordinal);
    }

    private static async Task FillAndSubmitAsync(Journey journey, string name, string password)
    {
        await journey.Page.GetByLabel("账号").FillAsync(name);
        await journey.Page.GetByLabel("密码").FillAsync(password);
        await journey.SubmitAsync("登录");
    }

    private static Task<string> FocusedNameAsync(Journey journey) => journey.Page.EvaluateAsync<string>("() => document.activeElement.name || ''");
}
