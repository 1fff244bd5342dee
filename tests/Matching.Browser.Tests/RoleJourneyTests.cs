using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Matching.Domain.Identity;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Matching.Browser.Tests;

/// <summary>Each role's main journeys end to end in a real browser: sign in, do the day's work, see the result, sign out.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class RoleJourneyTests(BrowserHost host, ITestOutputHelper output)
{
    [Fact]
    public async Task County_office_registers_a_worker_with_inline_errors_finds_and_edits_it()
    {
        await using var journey = await Journey.StartAsync(host, output, "county-register");
        var clock = Stopwatch.StartNew();
        await journey.OpenAsync("/");
        Assert.Contains("/signin", journey.Page.Url, StringComparison.Ordinal);
        Timings.Record(journey, "sign-in page (county journey)", clock.ElapsedMilliseconds, clock.ElapsedMilliseconds, await Timings.NavigationAsync(journey));

        // The first page after sign-in on the demo data: reported, not asserted.
        clock.Restart();
        await journey.SignInAsync("demo-county");
        var signedIn = clock.ElapsedMilliseconds;
        await journey.Page.WaitForSelectorAsync("body[data-charts=drawn]");
        Timings.Record(journey, "county dashboard (first page after sign-in)", signedIn, clock.ElapsedMilliseconds, await Timings.NavigationAsync(journey));
        Assert.EndsWith("/dashboard", journey.Page.Url, StringComparison.Ordinal);
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "工作台" })).ToBeVisibleAsync();
        await Expect(journey.Page.GetByText("大方县 的劳动者")).ToBeVisibleAsync();
        await journey.ShotAsync("dashboard", readme: "county-dashboard");

        // Register: an empty form is refused with a message next to each field that needs one.
        await journey.ClickAsync("登记劳动者");
        await journey.SubmitAsync("登记");
        await Expect(journey.Page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("输入有误");
        foreach (var field in new[] { "姓名", "身份证号码", "手机号码", "文化程度", "期望月薪（元）" })
        {
            // A required field's label ends with its marker (*), so the label is matched by its start.
            var input = journey.Page.GetByLabel(new Regex("^" + Regex.Escape(field)));
            await Expect(input).ToHaveAttributeAsync("aria-invalid", "true");
            var described = await input.GetAttributeAsync("aria-describedby");
            Assert.False(string.IsNullOrEmpty(described), $"{field} has no message next to it");
            await Expect(journey.Page.Locator("#" + described!.Split(' ')[0])).ToBeVisibleAsync();
        }
        await Expect(journey.Page.Locator("#trades-error")).ToContainTextAsync("至少填写一项");
        await journey.ShotAsync("register-errors");

        // A bad ID number and an unknown trade word are named next to their fields; what was typed stays.
        var idNumber = ResidentIdNumber.Compose(DemoWorld.County, new DateOnly(1995, 4, 18), 100 + Random.Shared.Next(400) * 2);
        await journey.Page.GetByLabel(new Regex("^姓名")).FillAsync("吴晓梅");
        await journey.Page.GetByLabel("身份证号码").FillAsync(idNumber[..17] + (idNumber[17] == '0' ? '1' : '0'));
        await journey.Page.GetByLabel("工种 1", new() { Exact = true }).FillAsync("不存在的手艺");
        await journey.SubmitAsync("登记");
        await Expect(journey.Page.Locator("#f-idNumber-error")).ToContainTextAsync("校验");
        await Expect(journey.Page.Locator("#trade-0-error")).ToContainTextAsync("没有找到该工种");
        await Expect(journey.Page.GetByLabel(new Regex("^姓名"))).ToHaveValueAsync("吴晓梅");

        // The trade field offers trades for a colloquial word as the clerk types (月嫂 → 母婴护理员).
        var trade = journey.Page.GetByLabel("工种 1", new() { Exact = true });
        await trade.FillAsync("");
        await trade.PressSequentiallyAsync("月嫂", new() { Delay = 50 });
        await Expect(journey.Page.Locator("#trade-0-options option").First).ToHaveAttributeAsync("value", new Regex("."));
        var suggested = await journey.Page.Locator("#trade-0-options option").First.GetAttributeAsync("value");
        await trade.FillAsync(suggested!);
        await journey.Page.GetByLabel("工种 1 技能等级").SelectOptionAsync(new SelectOptionValue { Label = "初级工" });
        await journey.Page.GetByLabel("身份证号码").FillAsync(idNumber);
        await journey.Page.GetByLabel("手机号码").FillAsync("139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture));
        await journey.Page.GetByLabel("文化程度").SelectOptionAsync(new SelectOptionValue { Label = "初中" });
        await journey.Page.GetByLabel("脱贫家庭劳动力").CheckAsync();
        await journey.Page.GetByLabel("期望月薪（元）").FillAsync("5200");
        await journey.SubmitAsync("登记");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "吴晓梅" })).ToBeVisibleAsync();
        await Expect(journey.Page.GetByText("已保存")).ToBeVisibleAsync();
        await Expect(journey.Page.GetByText(suggested!).First).ToBeVisibleAsync();
        var workerId = long.Parse(WorkerNumber().Match(await journey.Page.Locator(".lead").First.InnerTextAsync()).Groups[1].Value, CultureInfo.InvariantCulture);
        await journey.ShotAsync("worker-page");

        // Edit: the form opens filled in (the clear ID number shown to the clerk is audited as a reveal).
        await journey.ClickAsync("修改信息");
        await Expect(journey.Page.GetByLabel("身份证号码")).ToHaveValueAsync(idNumber);
        await journey.Page.GetByLabel("期望月薪（元）").FillAsync("500");
        await journey.SubmitAsync("保存修改");
        await Expect(journey.Page.Locator("#f-expectedMonthlyWage-error")).ToContainTextAsync("应在1000至100000之间");
        await journey.Page.GetByLabel("期望月薪（元）").FillAsync("6100");
        await journey.SubmitAsync("保存修改");
        await Expect(journey.Page.GetByText("6,100 元")).ToBeVisibleAsync();

        // The register understands colloquial words (月嫂 finds 母婴护理员, the new worker among them) and traditional
        // characters in the trade field (電工 narrows to 电工), and counts what it finds.
        await DemoWorld.IndexedAsync(host);
        await journey.ClickAsync("劳动者");
        await journey.Page.GetByLabel("关键词").FillAsync("月嫂");
        await journey.SubmitAsync("检索");
        await Expect(journey.Page.Locator("tbody tr").First).ToContainTextAsync("母婴护理员");
        await journey.Page.GetByLabel("关键词").FillAsync("");
        await journey.Page.GetByRole(AriaRole.Combobox, new() { Name = "工种", Exact = true }).FillAsync("電工");
        await journey.SubmitAsync("检索");
        await Expect(journey.Page.Locator("form.filters .error")).ToHaveCountAsync(0);
        var found = await journey.Page.GetByRole(AriaRole.Status).First.InnerTextAsync();
        var total = long.Parse(Digits().Match(found).Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        Assert.Equal(await DemoWorld.CountAsync(host, "SELECT COUNT(*) FROM workers WHERE county_code = @County AND trade_ids LIKE '%|T035|%'",
            new { County = DemoWorld.County }), total);
        if (total > 0)
        {
            // The narrowing shows as the chosen value of the trade facet (a small demo set may have no 电工 in the county).
            await Expect(journey.Page.Locator(".facets a.on")).ToContainTextAsync("电工");
        }
        await journey.ShotAsync("register-search");
        Assert.True(workerId > 0);
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task County_office_sees_ranked_candidates_with_reasons_and_enrols_one_into_a_cohort_then_records_the_answer()
    {
        var (opening, cohort, worker) = await DemoWorld.OpeningWithCandidatesAsync(host, DemoWorld.County);
        await using var journey = await Journey.StartAsync(host, output, "county-match");
        await journey.SignInAsync("demo-county");
        await journey.OpenAsync($"/openings/{opening}");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "推荐劳动者" })).ToBeVisibleAsync();
        var rows = journey.Page.Locator("section:has(h2:text('推荐劳动者')) tbody tr");
        Assert.True(await rows.CountAsync() > 0);
        // Each candidate is of the office's county and comes with its reasons.
        await Expect(rows.First).ToContainTextAsync("大方县");
        Assert.False(string.IsNullOrWhiteSpace(await rows.First.Locator("td").Nth(5).InnerTextAsync()));
        await journey.ShotAsync("candidates", readme: "county-candidates");

        // A candidate holding no enrolment yet (one already enrolled, or in an overlapping cohort, is refused as by the API).
        var free = rows.Filter(new() { Has = journey.Page.GetByRole(AriaRole.Link, new() { Name = $"劳动者 {worker}", Exact = true }) });
        await Expect(free).ToHaveCountAsync(1);
        await free.Locator("select").SelectOptionAsync(new SelectOptionValue { Value = cohort.ToString(CultureInfo.InvariantCulture) });
        await journey.NavigatingAsync(() => free.GetByRole(AriaRole.Button, new() { Name = "报名" }).ClickAsync());
        await journey.CheckPageAsync();
        await Expect(journey.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("已报名");
        await journey.ShotAsync("enrolled");

        // The cohort shows the seat (or the waitlist place) and takes the worker's answer.
        await journey.OpenAsync($"/cohorts/{cohort}");
        await Expect(journey.Page.GetByText("剩余名额")).ToBeVisibleAsync();
        var enrolment = journey.Page.Locator("tbody tr").Filter(new() { Has = journey.Page.GetByRole(AriaRole.Button, new() { Name = "确认参训" }) }).First;
        if (await enrolment.CountAsync() > 0)
        {
            await journey.NavigatingAsync(() => enrolment.GetByRole(AriaRole.Button).First.ClickAsync());
            await Expect(journey.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("已确认参训");
        }
        else
        {
            await Expect(journey.Page.GetByText("候补").First).ToBeVisibleAsync();
        }
        await journey.ShotAsync("cohort");
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task County_office_reviews_a_dispatch_round_by_cohort_and_by_county_commits_it_and_records_a_follow_up()
    {
        await using var journey = await Journey.StartAsync(host, output, "county-dispatch");
        await journey.SignInAsync("demo-county");
        await journey.ClickAsync("月调度");
        await journey.Page.GetByLabel("范围").SelectOptionAsync(new SelectOptionValue { Label = "大方县" });
        await journey.SubmitAsync("开始试算");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^调度方案 \\d+$") })).ToBeVisibleAsync();
        await Expect(journey.Page.GetByText("先到先得").First).ToBeVisibleAsync();
        await journey.ShotAsync("round-by-cohort");
        await journey.ClickAsync("按县审核");
        await Expect(journey.Page.GetByRole(AriaRole.Link, new() { Name = "按县审核" })).ToHaveAttributeAsync("aria-current", "page");
        await journey.ShotAsync("round-by-county");
        await journey.SubmitAsync("确认下发录取");
        await Expect(journey.Page.GetByText("已下发").First).ToBeVisibleAsync();

        // A follow-up due: record it; an impossible date is refused next to the field first.
        var placement = await DemoWorld.PlacementToFollowUpAsync(host, DemoWorld.County);
        await journey.OpenAsync($"/placements/{placement}");
        await journey.Page.GetByLabel("回访日期").FillAsync("2099-01-01");
        await journey.Page.GetByLabel("仍在岗").CheckAsync();
        await journey.SubmitAsync("登记回访");
        await Expect(journey.Page.Locator("#f-followedUpOn-error")).ToContainTextAsync("回访日期应在上岗日期与今天之间");
        await journey.Page.GetByLabel("回访日期").FillAsync(DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await journey.Page.GetByLabel("仍在岗").CheckAsync();
        await journey.SubmitAsync("登记回访");
        await Expect(journey.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("已登记第");
        await journey.ShotAsync("follow-up");
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Enterprise_sees_its_profile_cohorts_and_masked_candidates_of_its_openings()
    {
        await using var journey = await Journey.StartAsync(host, output, "enterprise");
        // Timed as the county's: the sign-in page first, then from the click on 登录 to the overview loaded and its charts drawn.
        var clock = Stopwatch.StartNew();
        await journey.OpenAsync("/signin");
        Timings.Record(journey, "sign-in page (enterprise journey)", clock.ElapsedMilliseconds, clock.ElapsedMilliseconds, await Timings.NavigationAsync(journey));
        clock.Restart();
        await journey.SignInAsync("demo-enterprise");
        var signedIn = clock.ElapsedMilliseconds;
        if (await journey.Page.Locator(".chart[data-chart]").CountAsync() > 0)
        {
            await journey.Page.WaitForSelectorAsync("body[data-charts=drawn]");
        }
        Timings.Record(journey, "enterprise overview (first page after sign-in)", signedIn, clock.ElapsedMilliseconds, await Timings.NavigationAsync(journey));
        Assert.EndsWith("/enterprise", journey.Page.Url, StringComparison.Ordinal);
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "岗位" })).ToBeVisibleAsync();
        await Expect(journey.Page.GetByText("企业编号 1").First).ToBeVisibleAsync();
        await journey.ShotAsync("overview", readme: "enterprise-overview");

        // Candidates of its own opening: no names, no ID numbers, no priority groups.
        await journey.Page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("的推荐劳动者$") }).First.ClickAsync();
        await journey.Page.WaitForLoadStateAsync(LoadState.Load);
        await journey.CheckPageAsync();
        await Expect(journey.Page.GetByText("按规定隐去姓名").First).ToBeVisibleAsync();
        var text = await journey.Page.Locator("main").InnerTextAsync();
        foreach (var group in new[] { "脱贫家庭", "监测帮扶", "易地搬迁", "就业困难", "重点群体信息" })
        {
            Assert.True(!text.Contains(group, StringComparison.Ordinal) || group == "重点群体信息", $"the enterprise's candidate list names {group}");
        }
        Assert.Equal(0, await journey.Page.Locator("main a[href^='/workers/']").CountAsync());
        await journey.ShotAsync("candidates");

        // Its cohorts with capacity and fill, and the offers and answers of one.
        await journey.ClickAsync("培训班期");
        await Expect(journey.Page.Locator("progress.fill").First).ToBeVisibleAsync();
        await journey.Page.Locator("tbody a").First.ClickAsync();
        await journey.Page.WaitForLoadStateAsync(LoadState.Load);
        await journey.CheckPageAsync();
        await Expect(journey.Page.GetByText("剩余名额")).ToBeVisibleAsync();
        await journey.ShotAsync("cohort");
        await journey.ClickAsync("就业安置与回访");
        await Expect(journey.Page.GetByText("在本企业上岗的劳动者")).ToBeVisibleAsync();
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Rural_revitalisation_sees_priority_group_workers_with_employment_status_and_retention_by_county()
    {
        await using var journey = await Journey.StartAsync(host, output, "rural");
        await journey.SignInAsync("demo-rural");
        Assert.EndsWith("/rural", journey.Page.Url, StringComparison.Ordinal);
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "重点群体就业" })).ToBeVisibleAsync();
        await Expect(journey.Page.Locator("figcaption", new() { HasText = "重点群体就业留存率（按市州）" })).ToBeVisibleAsync();
        await journey.ShotAsync("overview", readme: "rural-overview");

        // By county within a prefecture, and only those who left their job.
        await journey.Page.GetByLabel("按市州查看各县留存").SelectOptionAsync(new SelectOptionValue { Label = "毕节市" });
        await journey.Page.GetByLabel("就业状态").SelectOptionAsync(new SelectOptionValue { Label = "已离岗" });
        await journey.SubmitAsync("查看");
        await Expect(journey.Page.Locator("figcaption", new() { HasText = "按县" })).ToBeVisibleAsync();
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "已离岗的重点群体劳动者" })).ToBeVisibleAsync();
        await journey.ShotAsync("left-by-county");

        // A priority-group worker's page; a worker in no priority group is not there for this role.
        await journey.Page.Locator("tbody a[href^='/workers/']").First.ClickAsync();
        await journey.Page.WaitForLoadStateAsync(LoadState.Load);
        await journey.CheckPageAsync();
        await Expect(journey.Page.Locator("dt", new() { HasText = "重点群体" })).ToBeVisibleAsync();
        var ordinary = await DemoWorld.CountAsync(host, "SELECT MIN(id) FROM workers WHERE priority_groups = ''");
        await journey.OpenAsync($"/workers/{ordinary}", 404);
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Admin_creates_an_account_that_then_signs_in_downloads_a_report_and_reads_the_audit_log()
    {
        var name = "county-clerk-" + Guid.NewGuid().ToString("N")[..6];
        await using (var admin = await Journey.StartAsync(host, output, "admin"))
        {
            await admin.SignInAsync("demo-admin");
            await Expect(admin.Page.GetByText("全省 的劳动者")).ToBeVisibleAsync();
            await admin.ShotAsync("dashboard", readme: "admin-dashboard");

            await admin.ClickAsync("账号管理");
            await admin.ClickAsync("新建账号");
            await admin.Page.GetByLabel("账号名").FillAsync(name);
            await admin.Page.GetByLabel("角色").SelectOptionAsync(new SelectOptionValue { Value = "county_office" });
            await admin.Page.GetByLabel("初始密码（可不填，之后再设置）").FillAsync("short");
            await admin.SubmitAsync("创建账号");
            await Expect(admin.Page.Locator("#f-password-error")).ToContainTextAsync("密码长度");
            await Expect(admin.Page.Locator("#scopes-error")).ToContainTextAsync("县级行政区划代码");
            await admin.Page.GetByLabel("县（区）— 县级人社部门（可多选）").SelectOptionAsync(new SelectOptionValue { Label = "七星关区" });
            await admin.Page.GetByLabel("初始密码（可不填，之后再设置）").FillAsync("Qixing#Clerk2026");
            await admin.SubmitAsync("创建账号");
            await Expect(admin.Page.GetByText("账号已创建")).ToBeVisibleAsync();
            await admin.ShotAsync("account-created");

            // Reports: the workbook downloads with its sheets by county, prefecture and total, headed in Chinese.
            await admin.ClickAsync("报告下载");
            var download = await admin.Page.RunAndWaitForDownloadAsync(() => admin.Page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^下载 ") }).First.ClickAsync());
            var path = Path.Combine(BrowserHost.ScreenshotDirectory, "report-" + download.SuggestedFilename);
            await download.SaveAsAsync(path);
            Assert.EndsWith(".xlsx", download.SuggestedFilename, StringComparison.Ordinal);
            Assert.Equal(["说明", "按县（市、区）", "按市州", "合计"], MiniExcelLibs.MiniExcel.GetSheetNames(path));
            var prefectures = MiniExcelLibs.MiniExcel.Query(path, useHeaderRow: true, sheetName: "按市州").Cast<IDictionary<string, object>>().ToList();
            Assert.NotEmpty(prefectures);
            Assert.Contains("市州代码", prefectures[0].Keys);
            await admin.SignOutAsync();
        }

        await using (var clerk = await Journey.StartAsync(host, output, "admin-new-account"))
        {
            await clerk.SignInAsync(name, "Qixing#Clerk2026");
            await Expect(clerk.Page.GetByText("七星关区 的劳动者")).ToBeVisibleAsync();
            await clerk.SignOutAsync();
        }

        await using (var admin = await Journey.StartAsync(host, output, "admin-audit"))
        {
            await admin.SignInAsync("demo-admin");
            await admin.ClickAsync("审计日志");
            await admin.Page.GetByLabel("操作").FillAsync("user.create");
            await admin.SubmitAsync("筛选");
            await Expect(admin.Page.Locator("tbody tr").First).ToContainTextAsync("demo-admin");
            await admin.Page.GetByLabel("操作").FillAsync("auth.sign-in");
            await admin.SubmitAsync("筛选");
            await Expect(admin.Page.Locator("tbody tr", new() { HasText = name }).First).ToBeVisibleAsync();
            await admin.ShotAsync("audit", readme: "admin-audit");
            await admin.SignOutAsync();
        }
    }

    [Fact]
    public async Task An_enterprise_account_administrator_creates_a_colleague_only_for_its_own_enterprise()
    {
        await using var journey = await Journey.StartAsync(host, output, "enterprise-accounts");
        await journey.SignInAsync("demo-enterprise");
        await journey.ClickAsync("账号管理");
        await Expect(journey.Page.GetByText("可管理本企业（编号 1）")).ToBeVisibleAsync();
        await journey.ClickAsync("新建账号");
        var colleague = "hr-" + Guid.NewGuid().ToString("N")[..6];
        await journey.Page.GetByLabel("账号名").FillAsync(colleague);
        await journey.Page.GetByLabel("企业编号 — 协作企业").FillAsync("2");
        await journey.SubmitAsync("创建账号");
        await Expect(journey.Page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("只能为本企业");
        await journey.Page.GetByLabel("企业编号 — 协作企业").FillAsync("1");
        await journey.SubmitAsync("创建账号");
        await Expect(journey.Page.GetByText("账号已创建")).ToBeVisibleAsync();
        await journey.ClickAsync("账号管理");
        await Expect(journey.Page.GetByRole(AriaRole.Link, new() { Name = colleague })).ToBeVisibleAsync();
        // Only its own enterprise's accounts are listed: no office, rural or admin account.
        var roles = await journey.Page.Locator("tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.All(roles, r => Assert.Equal("协作企业", r));
        await journey.ShotAsync("accounts");
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Prefecture_office_sees_its_counties_side_by_side_and_runs_a_dispatch_round_for_the_prefecture()
    {
        await using var journey = await Journey.StartAsync(host, output, "prefecture");
        await journey.SignInAsync("demo-prefecture");
        await Expect(journey.Page.GetByText("毕节市 的劳动者")).ToBeVisibleAsync();
        await Expect(journey.Page.Locator("figcaption", new() { HasText = "各县（区）登记与在岗" })).ToBeVisibleAsync();
        await journey.ShotAsync("dashboard", readme: "prefecture-dashboard");
        await journey.ClickAsync("月调度");
        await journey.Page.GetByLabel("范围").SelectOptionAsync(new SelectOptionValue { Label = "毕节市（全市州）" });
        await journey.SubmitAsync("开始试算");
        await Expect(journey.Page.GetByText("毕节市 · ").First).ToBeVisibleAsync();
        await journey.ShotAsync("round");
        // A prefecture office reads workers but does not register them: the form is not among its pages.
        await Expect(journey.Page.GetByRole(AriaRole.Link, new() { Name = "登记劳动者" })).ToHaveCountAsync(0);
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Training_institution_sees_its_cohorts_records_a_trainees_attendance_and_sees_it_on_the_cohorts_page()
    {
        var institution = await DemoWorld.DemoInstitutionAsync(host);
        Assert.True(institution > 0, "no demo-institution account");
        var trainee = await DemoWorld.TraineeOfAsync(host, institution);
        await using var journey = await Journey.StartAsync(host, output, "institution");
        await journey.SignInAsync("demo-institution");

        // Its main page: its profile and the cohorts it delivers, with seats and a way to each cohort's trainees.
        Assert.EndsWith("/institution", journey.Page.Url, StringComparison.Ordinal);
        await Expect(journey.Page.GetByText($"培训机构编号 {institution}").First).ToBeVisibleAsync();
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "承训的班期" })).ToBeVisibleAsync();
        await journey.ShotAsync("institution", readme: "institution-home");
        // Only institution and own-account entries in its menu: no workers, openings or placements.
        foreach (var absent in new[] { "劳动者", "岗位与推荐", "就业安置与回访", "待回访" })
        {
            await Expect(journey.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = absent, Exact = true })).ToHaveCountAsync(0);
        }

        // Its trainee's attendance, recorded through the API with a token from its own password, as a school's system would.
        var token = await journey.Page.APIRequest.PostAsync("/api/auth/token", new() { DataObject = new { userName = "demo-institution", password = Journey.DemoPassword } });
        Assert.True(token.Ok, await token.TextAsync());
        var bearer = (await token.JsonAsync())!.Value.GetProperty("accessToken").GetString();
        var attended = (int)(trainee.DaysAttended == trainee.DaysScheduled ? trainee.DaysScheduled - 1 : trainee.DaysScheduled);
        var recorded = await journey.Page.APIRequest.PutAsync($"/api/enrolments/{trainee.EnrolmentId}/result", new()
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + bearer },
            DataObject = new
            {
                daysScheduled = trainee.DaysScheduled,
                daysAttended = attended,
                completion = trainee.Completion,
                completedOn = trainee.CompletedOn,
                assessment = trainee.AssessmentPassed is { } passed ? new { passed = passed == 1, assessedOn = trainee.AssessedOn, assessingBody = trainee.AssessingBody } : null,
            },
        });
        Assert.True(recorded.Ok, $"{recorded.Status} {await recorded.TextAsync()}");

        // The cohort's page shows its trainees (names as an enterprise sees them) and the attendance just recorded.
        // Back to its main page, and from there to the cohort, as a person would.
        await journey.OpenAsync("/institution");
        await journey.ClickAsync($"{trainee.CohortName} 的学员与培训结果");
        Assert.EndsWith($"/cohorts/{trainee.CohortId}", journey.Page.Url, StringComparison.Ordinal);
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "报名名单" })).ToBeVisibleAsync();
        var results = journey.Page.Locator("section", new() { Has = journey.Page.GetByRole(AriaRole.Heading, new() { Name = "培训结果" }) });
        // The trainee's row is the one whose 登记 link opens this enrolment (the name shown depends on whether the seat was accepted).
        var row = results.Locator("tr", new() { Has = journey.Page.Locator($"a[href*='trainee={trainee.EnrolmentId}#']") });
        await Expect(row).ToContainTextAsync($"{attended}/{trainee.DaysScheduled} 天");
        // The trainees' names are not links to the worker register, which is not its page.
        await Expect(journey.Page.Locator("a[href^='/workers/']")).ToHaveCountAsync(0);
        await journey.ShotAsync("cohort-results");

        // Its account administrator adds a colleague of its own institution, and of no other.
        await journey.ClickAsync("账号管理");
        await Expect(journey.Page.GetByText($"可管理本机构（培训机构编号 {institution}）")).ToBeVisibleAsync();
        await journey.ClickAsync("新建账号");
        var colleague = "school-" + Guid.NewGuid().ToString("N")[..6];
        await journey.Page.GetByLabel("账号名").FillAsync(colleague);
        await journey.Page.GetByLabel("培训机构编号 — 培训机构").FillAsync((institution + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await journey.SubmitAsync("创建账号");
        await Expect(journey.Page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("只能为本机构");
        await journey.Page.GetByLabel("培训机构编号 — 培训机构").FillAsync(institution.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await journey.SubmitAsync("创建账号");
        await Expect(journey.Page.GetByText("账号已创建")).ToBeVisibleAsync();

        // Other roles' pages are refused.
        journey.ExpectFailure("/denied");
        foreach (var page in new[] { "/workers", "/openings", "/placements", "/dashboard", $"/workers/{trainee.WorkerId}" })
        {
            await journey.Page.GotoAsync(page);
            Assert.Contains("/denied", journey.Page.Url, StringComparison.Ordinal);
        }
        await journey.SignOutAsync();
    }

    [GeneratedRegex(@"劳动者编号 (\d+)")]
    private static partial Regex WorkerNumber();

    [GeneratedRegex(@"\d[\d,]*")]
    private static partial Regex Digits();
}
