using System.Globalization;
using System.Text.RegularExpressions;
using Matching.Domain.Identity;
using Microsoft.Playwright;
using MiniExcelLibs;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Matching.Browser.Tests;

/// <summary>
/// The county office's back-office work in a real browser: survey sheet imports, subsidy claims, job-loss alerts,
/// a worker's lifelong record and the follow-ups due; each journey signs in, does the work, sees the result, signs out.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class OfficeWorkJourneyTests(BrowserHost host, ITestOutputHelper output)
{
    private static readonly string[] SurveyHeaders =
        ["姓名", "性别", "身份证号码", "出生日期", "联系电话", "户编号", "户类型", "文化程度", "当前就业状态", "掌握工种", "技能等级", "期望月薪（元）", "可到岗日期", "意向务工地"];

    [Fact]
    public async Task County_office_uploads_a_survey_sheet_follows_its_progress_and_reads_the_rejected_rows()
    {
        await using var journey = await Journey.StartAsync(host, output, "county-import");
        await journey.SignInAsync("demo-county");
        await journey.ClickAsync("摸排导入");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "摸排导入" })).ToBeVisibleAsync();

        // The blank template downloads as a workbook.
        var template = await journey.Page.RunAndWaitForDownloadAsync(() => journey.Page.GetByRole(AriaRole.Link, new() { Name = "下载导入模板" }).ClickAsync());
        var templatePath = Path.Combine(BrowserHost.ScreenshotDirectory, "import-" + template.SuggestedFilename);
        await template.SaveAsAsync(templatePath);
        Assert.EndsWith(".xlsx", template.SuggestedFilename, StringComparison.Ordinal);
        Assert.NotEmpty(MiniExcel.GetSheetNames(templatePath));

        // Sending the form without a file says so next to the file field.
        await journey.SubmitAsync("上传并导入");
        var fileField = journey.Page.GetByLabel(new Regex("^摸排表文件"));
        await Expect(fileField).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(journey.Page.Locator("#import-file-error")).ToContainTextAsync("请选择");

        // A file that is not a workbook is refused next to the field, before any job starts.
        await fileField.SetInputFilesAsync(new FilePayload { Name = "名单.txt", MimeType = "text/plain", Buffer = "张三,520521"u8.ToArray() });
        await journey.SubmitAsync("上传并导入");
        await Expect(journey.Page.Locator("#import-file-error")).ToContainTextAsync(".xlsx");

        // Two good rows and one with a wrong ID number, valid rows only: the job runs in the background, the page
        // follows it, then lists the bad row with its row number, column and reason.
        var seed = Random.Shared.Next(1, 9000);
        string Id(int n) => ResidentIdNumber.Compose(DemoWorld.County, new DateOnly(1970, 1, 1).AddDays(seed % 3000 + n * 1000), 2 * ((seed + n) % 400) + 1);
        var badId = Id(3)[..17] + (Id(3)[17] == '0' ? '1' : '0');
        var sheet = Workbook(
            Row(Name(seed, "甲"), Id(1)),
            Row(Name(seed, "乙"), Id(2)),
            Row(Name(seed, "丙"), badId));
        await fileField.SetInputFilesAsync(new FilePayload { Name = "摸排表-测试.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = sheet });
        await journey.Page.GetByRole(AriaRole.Radio, new() { NameRegex = new Regex("仅导入有效行") }).CheckAsync();
        await journey.SubmitAsync("上传并导入");
        Assert.Matches(new Regex(@"/imports/\d+$"), journey.Page.Url);
        await journey.ShotAsync("import-started");
        await Expect(journey.Page.Locator(".page-head .badge")).ToHaveTextAsync(new Regex("已完成|未导入"), new() { Timeout = 120_000 });
        await journey.CheckPageAsync();
        await journey.ShotAsync("import-finished", readme: "county-import");
        await Expect(journey.Page.Locator(".alert").First).ToContainTextAsync("新登记 2 人");
        var rejected = journey.Page.Locator("tbody tr");
        await Expect(rejected).ToHaveCountAsync(1);
        // Row 4 of the sheet: the header is row 1.
        await Expect(rejected.First.Locator("td").Nth(1)).ToHaveTextAsync("4");
        await Expect(rejected.First).ToContainTextAsync("身份证号码");

        // The sheet comes back with the error column beside the bad row.
        var result = await journey.Page.RunAndWaitForDownloadAsync(() => journey.Page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("错误说明") }).ClickAsync());
        var resultPath = Path.Combine(BrowserHost.ScreenshotDirectory, "import-" + result.SuggestedFilename);
        await result.SaveAsAsync(resultPath);
        var rows = MiniExcel.Query(resultPath, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        var errorColumn = Assert.Single(rows[0].Keys, k => k.Contains("错误", StringComparison.Ordinal));
        Assert.Contains("身份证", rows.Single(r => Equals(r["身份证号码"]?.ToString(), badId))[errorColumn]?.ToString() ?? "", StringComparison.Ordinal);

        // The new workers are in the register.
        await journey.OpenAsync("/workers?q=" + Uri.EscapeDataString(Name(seed, "甲")));
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task County_office_reviews_a_subsidy_claim_with_its_findings_rejects_it_with_a_reason_and_exports_the_payment_file()
    {
        var claim = await DemoWorld.SubmittedClaimAsync(host, DemoWorld.County);
        Assert.True(claim is not null, "the demo data has no claim waiting for review in the demo county");
        var approved = await DemoWorld.CountAsync(host, "SELECT COUNT(*) FROM subsidy_claims WHERE county_code = @County AND status = 'approved'", new { County = DemoWorld.County });
        await using var journey = await Journey.StartAsync(host, output, "county-subsidies");
        await journey.SignInAsync("demo-county");
        await journey.ClickAsync("补贴申领");
        await journey.Page.GetByLabel("状态").SelectOptionAsync(new SelectOptionValue { Label = "待审核" });
        await journey.SubmitAsync("筛选");
        await Expect(journey.Page.Locator("tbody tr").First).ToContainTextAsync("待审核");
        // A year that is not a number is named next to its field.
        await journey.Page.GetByLabel("补贴年度").FillAsync("1");
        await journey.SubmitAsync("筛选");
        await Expect(journey.Page.Locator("#f-year-error")).ToContainTextAsync("2000");
        await journey.ShotAsync("claims", readme: "county-subsidies");

        await journey.OpenAsync($"/subsidies/{claim}");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "核查结果" })).ToBeVisibleAsync();
        // Approving as reviewed needs what was checked; rejecting needs a reason: each said next to its field.
        await journey.Page.GetByLabel("已逐项人工核查").CheckAsync();
        await journey.Page.GetByLabel("审核意见").FillAsync("好");
        await journey.SubmitAsync("审核通过");
        await Expect(journey.Page.Locator("#f-note-error")).ToContainTextAsync("核查情况");
        await journey.SubmitAsync("驳回申领");
        await Expect(journey.Page.Locator("#f-reason-error")).ToBeVisibleAsync();
        await journey.ShotAsync("claim-errors");
        await journey.Page.GetByLabel("驳回理由").FillAsync("证书编号与发证机构记录不符，请补充材料后重新申领");
        await journey.SubmitAsync("驳回申领");
        await Expect(journey.Page.GetByText("已驳回该申领")).ToBeVisibleAsync();
        await Expect(journey.Page.Locator(".page-head .badge")).ToHaveTextAsync("已驳回");
        await Expect(journey.Page.GetByText("证书编号与发证机构记录不符").First).ToBeVisibleAsync();
        await journey.ShotAsync("claim-rejected");

        // The payment file of the approved claims (or, with none, the list says there is nothing to pay).
        await journey.ClickAsync("补贴申领");
        var export = journey.Page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^导出拨付文件") });
        if (approved > 0)
        {
            var file = await journey.Page.RunAndWaitForDownloadAsync(() => export.ClickAsync());
            var path = Path.Combine(BrowserHost.ScreenshotDirectory, "claims-" + file.SuggestedFilename);
            await file.SaveAsAsync(path);
            Assert.EndsWith(".csv", file.SuggestedFilename, StringComparison.Ordinal);
            var lines = await File.ReadAllLinesAsync(path);
            Assert.StartsWith("申领编号", lines[0], StringComparison.Ordinal);
            Assert.Equal(approved + 2, lines.Length);
        }
        else
        {
            await journey.NavigatingAsync(() => export.ClickAsync());
            await Expect(journey.Page.GetByText("没有已审核通过、待拨付的补贴申领")).ToBeVisibleAsync();
        }
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Rural_revitalisation_sees_open_alerts_with_re_match_suggestions_acknowledges_and_resolves_one_with_a_note()
    {
        var alert = await DemoWorld.CountAsync(host, "SELECT COALESCE(MIN(id), 0) FROM job_loss_alerts WHERE status = 'open'");
        Assert.True(alert > 0, "the demo data planted no open job-loss alert");
        await using var journey = await Journey.StartAsync(host, output, "rural-alerts");
        await journey.SignInAsync("demo-rural");
        // The main page counts the open alerts and links to them.
        await Expect(journey.Page.Locator(".stat", new() { HasText = "待处理预警" })).ToBeVisibleAsync();
        await journey.ClickAsync("查看并处置预警");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "防返贫就业预警" })).ToBeVisibleAsync();
        await Expect(journey.Page.Locator("tbody tr").First).ToContainTextAsync("待处理");
        // A reversed date range is refused next to its field.
        await journey.Page.GetByLabel("预警日期自").FillAsync("2026-06-01");
        await journey.Page.GetByLabel("至", new() { Exact = true }).FillAsync("2026-01-01");
        await journey.SubmitAsync("筛选");
        await Expect(journey.Page.Locator("#f-to-error")).ToContainTextAsync("不能早于");
        await journey.ShotAsync("alerts", readme: "rural-alerts");

        await journey.OpenAsync($"/alerts/{alert}");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "再就业推荐" })).ToBeVisibleAsync();
        await journey.SubmitAsync("接收");
        await Expect(journey.Page.GetByText("已接收该预警")).ToBeVisibleAsync();
        await Expect(journey.Page.Locator(".page-head .badge")).ToHaveTextAsync("已接收");
        // Resolving needs what was done for the worker.
        await journey.SubmitAsync("记录帮扶并处置");
        await Expect(journey.Page.Locator("#f-note-error")).ToBeVisibleAsync();
        await journey.Page.GetByLabel("所做帮扶").FillAsync("已电话联系本人，推荐县内扶贫车间岗位，下周到岗");
        await journey.SubmitAsync("记录帮扶并处置");
        await Expect(journey.Page.GetByText("已处置，帮扶情况已记录")).ToBeVisibleAsync();
        await Expect(journey.Page.GetByText("推荐县内扶贫车间岗位")).ToBeVisibleAsync();
        await journey.ShotAsync("alert-resolved");
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task County_office_reads_a_workers_lifelong_record_in_order_exports_it_and_finds_the_follow_ups_due()
    {
        // A worker of the county with a certificate from a past cohort (the demo's past training), so the record has training in it.
        var worker = await DemoWorld.CountAsync(host, """
            SELECT COALESCE(MIN(c.worker_id), 0) FROM certificates c JOIN workers w ON w.id = c.worker_id
            WHERE w.county_code = @County AND EXISTS (SELECT 1 FROM training_results r WHERE r.worker_id = c.worker_id)
            """, new { County = DemoWorld.County });
        Assert.True(worker > 0, "the demo data has no trained worker with a certificate in the demo county");
        await using var journey = await Journey.StartAsync(host, output, "county-record");
        await journey.SignInAsync("demo-county");
        await journey.OpenAsync($"/workers/{worker}");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "终身职业技能培训电子档案" })).ToBeVisibleAsync();
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "证书" })).ToBeVisibleAsync();
        // The timeline reads oldest first.
        var dates = await journey.Page.Locator("ol.timeline li strong").AllInnerTextsAsync();
        Assert.NotEmpty(dates);
        Assert.Equal(dates.Order(StringComparer.Ordinal), dates);
        await journey.ShotAsync("record", readme: "worker-record");

        var export = await journey.Page.RunAndWaitForDownloadAsync(() => journey.Page.GetByRole(AriaRole.Link, new() { Name = "导出电子档案（CSV 表格）" }).ClickAsync());
        var path = Path.Combine(BrowserHost.ScreenshotDirectory, "record-" + export.SuggestedFilename);
        await export.SaveAsAsync(path);
        var lines = await File.ReadAllLinesAsync(path);
        Assert.StartsWith("劳动者,", lines[0], StringComparison.Ordinal);
        Assert.Equal("日期,类别,事项,详情", lines[1]);
        Assert.Equal(dates.Count, lines.Length - 2);

        // Follow-ups due and overdue, each with the way to record it.
        await journey.ClickAsync("待回访");
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "待回访与逾期回访" })).ToBeVisibleAsync();
        if (await journey.Page.Locator("tbody tr").CountAsync() > 0)
        {
            await journey.Page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^登记 .*回访$") }).First.ClickAsync();
            await journey.Page.WaitForLoadStateAsync(LoadState.Load);
            await journey.CheckPageAsync();
            await Expect(journey.Page.GetByRole(AriaRole.Button, new() { Name = "登记回访" })).ToBeVisibleAsync();
        }
        else
        {
            await Expect(journey.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync("共 0 次");
        }
        await journey.SignOutAsync();
    }

    [Fact]
    public async Task Admin_follows_target_progress_by_prefecture_and_county_and_rural_staff_read_their_inbox()
    {
        await using (var admin = await Journey.StartAsync(host, output, "admin-targets"))
        {
            await admin.SignInAsync("demo-admin");
            await admin.ClickAsync("目标进度");
            await Expect(admin.Page.GetByRole(AriaRole.Heading, new() { Name = "目标进度" })).ToBeVisibleAsync();
            // The province first, then its prefectures, drawn as a chart and listed in a table.
            await Expect(admin.Page.Locator("#main > .table-wrap tbody tr").First).ToContainTextAsync("贵州省");
            await Expect(admin.Page.Locator("#main > .table-wrap tbody tr")).ToHaveCountAsync(10);
            await admin.ShotAsync("targets", readme: "admin-targets");
            await admin.ClickAsync("毕节市");
            await Expect(admin.Page.Locator("#main > .table-wrap tbody tr").First).ToContainTextAsync("毕节市");
            await Expect(admin.Page.Locator("#main > .table-wrap tbody tr", new() { HasText = "大方县" })).ToHaveCountAsync(1);
            await admin.ShotAsync("targets-prefecture");
            // A year before the records is refused next to its field.
            await admin.Page.GetByLabel("年度", new() { Exact = true }).FillAsync("1999");
            await admin.SubmitAsync("查看");
            await Expect(admin.Page.Locator("#f-year-error")).ToContainTextAsync("2000");
            await admin.SignOutAsync();
        }

        // Rural revitalisation staff receive the job-loss alerts of the province in their inbox.
        await using var county = await Journey.StartAsync(host, output, "rural-inbox");
        await county.SignInAsync("demo-rural");
        await county.ClickAsync("站内消息");
        await Expect(county.Page.GetByRole(AriaRole.Heading, new() { Name = "站内消息" })).ToBeVisibleAsync();
        var unread = await DemoWorld.CountAsync(host,
            "SELECT COUNT(*) FROM inbox_messages m JOIN users u ON u.id = m.user_id WHERE u.name = 'demo-rural' AND m.read_at IS NULL");
        await Expect(county.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync($"未读 {unread} 条");
        if (unread > 0)
        {
            await county.NavigatingAsync(() => county.Page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^将“.*”标为已读$") }).First.ClickAsync());
            await Expect(county.Page.GetByRole(AriaRole.Status).First).ToContainTextAsync($"未读 {unread - 1} 条");
            await county.ClickAsync($"未读（{unread - 1}）");
            await Expect(county.Page.Locator(".inbox li.read")).ToHaveCountAsync(0);
        }
        await county.ShotAsync("inbox", readme: "rural-inbox");
        await county.SignOutAsync();
    }

    [Fact]
    public async Task Admin_rebuilds_the_search_index_and_follows_its_progress_until_it_is_done()
    {
        await using var admin = await Journey.StartAsync(host, output, "admin-reindex");
        await admin.SignInAsync("demo-admin");
        await admin.ClickAsync("检索索引");
        await admin.SubmitAsync("开始重建索引");
        // The page refreshes itself while the rebuild runs, then shows every worker indexed.
        await Expect(admin.Page.Locator(".page-head .badge")).ToHaveTextAsync("已完成", new() { Timeout = 120_000 });
        await admin.CheckPageAsync();
        var workers = await DemoWorld.CountAsync(host, "SELECT COUNT(*) FROM workers");
        var progress = await admin.Page.GetByRole(AriaRole.Status).First.InnerTextAsync();
        var counts = Regex.Matches(progress, @"[\d,]+").Select(m => long.Parse(m.Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counts[0], counts[1]);
        Assert.True(counts[0] >= workers - 5, $"indexed {counts[0]} of {workers} workers");
        await admin.ShotAsync("reindex-done");
        await DemoWorld.IndexedAsync(host);
        await admin.SignOutAsync();
    }

    [Fact]
    public async Task Enterprise_reads_attendance_completion_and_assessment_of_its_cohorts_trainees()
    {
        var cohort = await DemoWorld.CountAsync(host, """
            SELECT COALESCE(MIN(r.cohort_id), 0) FROM training_results r JOIN cohorts c ON c.id = r.cohort_id WHERE c.employer_id = @Employer
            """, new { Employer = DemoWorld.Employer });
        Assert.True(cohort > 0, "the demo enterprise has no past cohort with results");
        var trainees = await DemoWorld.CountAsync(host, "SELECT COUNT(*) FROM training_results WHERE cohort_id = @Cohort", new { Cohort = cohort });
        await using var journey = await Journey.StartAsync(host, output, "enterprise-results");
        await journey.SignInAsync("demo-enterprise");
        await journey.OpenAsync($"/cohorts/{cohort}");
        var section = journey.Page.Locator("section", new() { Has = journey.Page.GetByRole(AriaRole.Heading, new() { Name = "培训结果" }) });
        await Expect(section.Locator("tbody tr")).ToHaveCountAsync((int)trainees);
        await Expect(section.Locator("tbody tr").First).ToContainTextAsync("天");
        await journey.ShotAsync("cohort-results");
        await journey.SignOutAsync();
    }

    /// <summary>A name of this run (names hold no digits): 吴 + a character chosen by the run's seed + the row's.</summary>
    internal static string Name(int seed, string row) => "吴" + "春夏秋冬梅兰竹菊松柏"[seed % 10] + row;

    internal static object?[] Row(string name, string id) =>
        [name, null, id, null, "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture), "5205210010010001", "脱贫户", "初中", "未就业", "焊工", "中级工", 5500d, "2027/3/1", "广东、宁波"];

    /// <summary>A survey sheet with the template's headers and the rows given.</summary>
    internal static byte[] Workbook(params object?[][] rows)
    {
        var sheet = new[] { SurveyHeaders.Cast<object?>().ToArray() }.Concat(rows)
            .Select(r => Enumerable.Range(0, SurveyHeaders.Length).ToDictionary(i => ((char)('A' + i)).ToString(), i => r[i]))
            .ToList();
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheet, printHeader: false, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }
}
