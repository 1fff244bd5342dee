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

    /// <summary>A name of this run (names hold no digits): 吴 + a character chosen by the run's seed + the row's.</summary>
    private static string Name(int seed, string row) => "吴" + "春夏秋冬梅兰竹菊松柏"[seed % 10] + row;

    private static object?[] Row(string name, string id) =>
        [name, null, id, null, "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture), "5205210010010001", "脱贫户", "初中", "未就业", "焊工", "中级工", 5500d, "2027/3/1", "广东、宁波"];

    /// <summary>A survey sheet with the template's headers and the rows given.</summary>
    private static byte[] Workbook(params object?[][] rows)
    {
        var sheet = new[] { SurveyHeaders.Cast<object?>().ToArray() }.Concat(rows)
            .Select(r => Enumerable.Range(0, SurveyHeaders.Length).ToDictionary(i => ((char)('A' + i)).ToString(), i => r[i]))
            .ToList();
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheet, printHeader: false, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }
}
