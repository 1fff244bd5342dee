using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Matching.Browser.Tests;

/// <summary>
/// The partner enterprise records what happened in its cohort on the cohort's page: a trainee's attendance (考勤),
/// completion (结业) and assessment (考核), and a certificate gained there; wrong input is named next to its field and
/// records nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TrainingRecordJourneyTests(BrowserHost host, ITestOutputHelper output)
{
    [Fact]
    public async Task Enterprise_records_attendance_a_pass_and_a_certificate_for_a_trainee_and_sees_them_in_the_results_while_bad_input_changes_nothing()
    {
        var (cohort, enrolment, start, end) = await DemoWorld.TraineeToRecordAsync(host, DemoWorld.Employer);
        var days = end.DayNumber - start.DayNumber + 1;
        await using var journey = await Journey.StartAsync(host, output, "enterprise-record");
        await journey.SignInAsync("demo-enterprise");
        await journey.OpenAsync($"/cohorts/{cohort}");
        var results = journey.Page.Locator("section", new() { Has = journey.Page.GetByRole(AriaRole.Heading, new() { Name = "培训结果" }) });
        var link = results.Locator($"a[href='/cohorts/{cohort}?trainee={enrolment}#record']");
        var trainee = Regex.Match(await link.GetAttributeAsync("aria-label") ?? "", "^登记 (.+) 的培训结果$").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(trainee), "the trainee's 登记 link names the trainee");
        await journey.NavigatingAsync(() => link.ClickAsync());
        await journey.CheckPageAsync();
        await Expect(journey.Page.GetByRole(AriaRole.Heading, new() { Name = "登记培训结果：" + trainee })).ToBeVisibleAsync();
        var page = journey.Page;

        // More days attended than scheduled: refused next to the field, what was typed stays, nothing is recorded.
        var before = await DemoWorld.RecordedTrainingAsync(host, enrolment);
        await page.GetByLabel(new Regex("^应出勤天数")).FillAsync(days.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("实际出勤天数").FillAsync((days + 1).ToString(CultureInfo.InvariantCulture));
        await journey.SubmitAsync("保存培训结果");
        var attended = page.GetByLabel("实际出勤天数");
        await Expect(attended).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#f-daysAttended-error")).ToContainTextAsync($"应在0至{days}之间");
        Assert.StartsWith("f-daysAttended-error", await attended.GetAttributeAsync("aria-describedby") ?? "", StringComparison.Ordinal);
        await Expect(attended).ToHaveValueAsync((days + 1).ToString(CultureInfo.InvariantCulture));
        await journey.ShotAsync("attendance-refused");
        Assert.Equal(before, await DemoWorld.RecordedTrainingAsync(host, enrolment));

        // Attendance, completion and a pass.
        await page.GetByLabel("实际出勤天数").FillAsync((days - 1).ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("结业情况").SelectOptionAsync(new SelectOptionValue { Label = "已结业" });
        await page.GetByLabel("结业日期").FillAsync(Iso(end));
        await page.GetByRole(AriaRole.Radio, new() { Name = "合格", Exact = true }).CheckAsync();
        await page.GetByLabel("考核日期").FillAsync(Iso(end));
        await page.GetByLabel("考核（鉴定）机构").FillAsync("贵州省职业技能鉴定指导中心");
        await journey.SubmitAsync("保存培训结果");
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync($"已登记 {trainee} 的出勤、结业与考核结果");
        var row = results.Locator("tbody tr", new() { Has = page.Locator($"a[href='/cohorts/{cohort}?trainee={enrolment}#record']") });
        await Expect(row).ToContainTextAsync($"{days - 1}/{days} 天");
        await Expect(row).ToContainTextAsync("已结业");
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("合格");

        // A certificate dated the day before the cohort began was not gained there: refused next to its date, nothing recorded.
        var number = "GZ" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        before = await DemoWorld.RecordedTrainingAsync(host, enrolment);
        await page.GetByLabel(new Regex("^证书类型")).SelectOptionAsync(new SelectOptionValue { Label = "职业技能等级证书" });
        await page.GetByLabel("技能等级").SelectOptionAsync(new SelectOptionValue { Label = "中级工" });
        await page.GetByLabel(new Regex("^证书编号")).FillAsync(number);
        await page.GetByLabel(new Regex("^发证机构")).FillAsync("贵州省职业技能鉴定指导中心");
        await page.GetByLabel(new Regex("^发证日期")).FillAsync(Iso(start.AddDays(-1)));
        await journey.SubmitAsync("登记证书");
        await Expect(page.GetByLabel(new Regex("^发证日期"))).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#f-issuedOn-error")).ToContainTextAsync("早于班期开班日期");
        await Expect(page.GetByLabel(new Regex("^证书编号"))).ToHaveValueAsync(number);
        await journey.ShotAsync("certificate-refused");
        Assert.Equal(before, await DemoWorld.RecordedTrainingAsync(host, enrolment));

        // Dated the cohort's last day: recorded, and shown in the results beside the pass.
        await page.GetByLabel(new Regex("^发证日期")).FillAsync(Iso(end));
        await journey.SubmitAsync("登记证书");
        await Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync($"已登记 {trainee} 的证书");
        await Expect(row).ToContainTextAsync(number);
        await Expect(row).ToContainTextAsync("中级工");
        await Expect(page.Locator("#record li", new() { HasText = number })).ToBeVisibleAsync();
        await journey.ShotAsync("recorded");
        Assert.Equal(1, await DemoWorld.CountAsync(host, "SELECT COUNT(*) FROM certificates WHERE enrolment_id = @Enrolment AND number = @Number",
            new { Enrolment = enrolment, Number = number }));

        // Both writes are in the audit log under the enterprise's name, as the API's routes write them.
        foreach (var action in new[] { "training.result", "training.certificate" })
        {
            Assert.True(await DemoWorld.CountAsync(host,
                "SELECT COUNT(*) FROM audit_log WHERE user_name = 'demo-enterprise' AND action = @Action AND resource_id = @Id AND outcome = 'success'",
                new { Action = action, Id = enrolment.ToString(CultureInfo.InvariantCulture) }) >= 1, action);
        }
        await journey.SignOutAsync();
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
