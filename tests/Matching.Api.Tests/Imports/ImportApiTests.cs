using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Identity;
using Matching.Domain.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Imports;

/// <summary>
/// Survey sheets (摸排表) uploaded as a county office would: real .xlsx files with the problems township sheets have,
/// hostile files, re-imports, and the result returned as the sheet with an error column.
/// </summary>
public sealed class ImportApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string County = "520502";
    private const string OtherCounty = "520602";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static int _sequence = 100;

    private static readonly string[] Headers =
        ["姓名", "性别", "身份证号码", "出生日期", "联系电话", "户编号", "户类型", "文化程度", "当前就业状态", "掌握工种", "技能等级", "期望月薪（元）", "可到岗日期", "意向务工地"];

    /// <summary>A fresh ID number: each call a different birth date, so no two calls collide.</summary>
    private static string NewId(string county = County)
    {
        var n = Interlocked.Increment(ref _sequence);
        return ResidentIdNumber.Compose(county, new DateOnly(1980, 1, 1).AddDays(n), 2 * (n % 400) + 1);
    }

    private static DateOnly BirthOf(string id) => ResidentIdNumber.TryParse(id, out var info, out _) ? info!.BirthDate : throw new InvalidOperationException();

    /// <summary>The Excel serial number of a day (days since 1899-12-30).</summary>
    private static double Serial(DateOnly day) => day.DayNumber - new DateOnly(1899, 12, 30).DayNumber;

    /// <summary>A row under <see cref="Headers"/>.</summary>
    private static object?[] Row(string name, object? id, object? available = null, object? phone = null, object? birth = null, string trade = "焊工", string household = "脱贫户") =>
        [name, null, id, birth, phone ?? "13812345678", "5205020010010001", household, "初中", "未就业", trade, "中级工", 5500d, available ?? "2026/9/1", "广东、宁波"];

    private async Task<JsonElement> ImportAsync(byte[] file, string mode = "valid-rows", string onExisting = "report", string county = County)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(Xlsx);
        var response = await api.AsCountyOffice(county).PostAsync($"/api/imports/workers?mode={mode}&onExisting={onExisting}&fileName=test.xlsx", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetProperty("id").GetInt64();
        // The job runs in the background: wait for it to finish (bounded).
        var started = DateTime.UtcNow;
        while (true)
        {
            var job = await api.AsCountyOffice(county).GetFromJsonAsync<JsonElement>($"/api/imports/{id}");
            var status = job.GetProperty("job").GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
            {
                return job;
            }
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(180), "import did not finish");
            await Task.Delay(25);
        }
    }

    private async Task<long> CountWorkersAsync()
    {
        await using var connection = await api.Services.GetRequiredService<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workers");
    }

    private static List<(string Sheet, int Row, string Column, string Reason, string Kind)> Rejections(JsonElement job) =>
        job.GetProperty("rejections").EnumerateArray().Select(r => (r.GetProperty("sheet").GetString()!, r.GetProperty("rowNumber").GetInt32(),
            r.GetProperty("column").GetString()!, r.GetProperty("reason").GetString()!, r.GetProperty("kind").GetString()!)).ToList();

    [Fact]
    public async Task A_township_sheet_with_merged_headers_formulas_full_width_digits_date_forms_and_a_second_sheet_imports_and_refuses_numeric_ids()
    {
        var good1 = NewId();
        var good2 = NewId();
        var good3 = NewId();
        var fullWidth = string.Concat(good3.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '０') : c));
        var lost = double.Parse(NewId()[..17] + "0", System.Globalization.CultureInfo.InvariantCulture);
        // Sheet 1: a title merged across the top, "住址" merged over 乡镇/村/组 and every other header merged over two rows.
        object?[] title = ["七星关区撒拉溪镇劳动力培训就业意愿摸排表"];
        object?[] top = ["姓名", "住址", null, null, .. Headers[1..]];
        object?[] sub = [null, "乡镇", "村", "组", .. Headers[1..].Select(_ => (object?)null)];
        object?[] Village(object?[] row) => [row[0], "撒拉溪镇", "龙场村", "三组", .. row[1..]];
        var sheet1 = XlsxFiles.Sheets(
            ("龙场村", [title, top, sub,
                Village(Row("王小明", good1, available: "2024.01.05", phone: "138 1234 5678")),
                Village(Row("李四", lost, available: "20240105")),
                Village(Row("张三妹", fullWidth, available: "2024年1月5日", birth: Serial(BirthOf(good3)))),
                [null], [null]]),
            // Sheet 2: another village, columns reordered, an extra column, no address columns; a date as an Excel serial.
            ("大坝村", [["民族", .. Headers.Reverse()], ["苗族", .. Row("赵六", good2, available: 45296d).Reverse()]]),
            ("填写说明", [["说明"], ["这张表不是数据"]]));
        var last = XlsxFiles.Letter(top.Length - 1);
        var merged = new List<string> { $"A1:{last}1", "A2:A3", "B2:D2" };
        merged.AddRange(Enumerable.Range(4, top.Length - 4).Select(i => $"{XlsxFiles.Letter(i)}2:{XlsxFiles.Letter(i)}3"));
        var file = XlsxFiles.WithMergedCells(sheet1, 1, [.. merged]);
        // 期望月薪 of the first data row computed by a formula; its cached value is what Excel shows.
        var wageColumn = XlsxFiles.Letter(Array.IndexOf(top, "期望月薪（元）"));
        file = XlsxFiles.WithFormula(file, 1, $"{wageColumn}4", "5000+500");

        var before = await CountWorkersAsync();
        var job = await ImportAsync(file);

        Assert.Equal("succeeded", job.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("job").GetProperty("created").GetInt32());
        Assert.Equal(before + 3, await CountWorkersAsync());
        var rejected = Assert.Single(Rejections(job));
        Assert.Equal(("龙场村", 5, "身份证号码"), (rejected.Sheet, rejected.Row, rejected.Column));
        Assert.Contains("存成了数字", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("民族", job.GetProperty("job").GetProperty("ignoredColumns").EnumerateArray().Select(c => c.GetString()));

        var workers = api.Services.GetRequiredService<WorkerStore>();
        var first = (await workers.GetAsync((await workers.FindByIdNumberAsync(good1))!.Value))!;
        Assert.Equal(new DateOnly(2024, 1, 5), first.AvailableFrom);
        Assert.Equal(5500, first.ExpectedMonthlyWage);
        Assert.Equal("138****5678", first.PhoneMasked);
        Assert.Equal(HouseholdTypes.PovertyLifted, first.HouseholdType);
        Assert.Equal(EmploymentStatuses.Unemployed, first.EmploymentStatus);
        Assert.Contains("poverty-lifted", first.PriorityGroups);
        Assert.Equal([new WorkerTrade("T029", 3)], first.Trades);
        Assert.StartsWith("住址：撒拉溪镇龙场村三组", first.Notes, StringComparison.Ordinal);
        var third = (await workers.GetAsync((await workers.FindByIdNumberAsync(good3))!.Value))!;
        Assert.Equal(BirthOf(good3), third.BirthDate);
        var second = (await workers.GetAsync((await workers.FindByIdNumberAsync(good2))!.Value))!;
        Assert.Equal(new DateOnly(2024, 1, 5), second.AvailableFrom);
        Assert.Equal(County, second.CountyCode);

        // The result: the same sheets with an error column, the reason beside the row it concerns.
        var result = await api.AsCountyOffice(County).GetAsync($"/api/imports/{job.GetProperty("job").GetProperty("id").GetInt64()}/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var annotated = await result.Content.ReadAsByteArrayAsync();
        Assert.Equal(["龙场村", "大坝村"], XlsxFiles.SheetNames(annotated));
        var rows = XlsxFiles.Read(annotated, "龙场村");
        var errorColumn = rows[2].Single(c => Equals(c.Value, "错误说明（导入结果）")).Key;
        Assert.Contains("身份证号码：", (string?)rows[4][errorColumn], StringComparison.Ordinal);
        Assert.Null(rows[3][errorColumn]);
        Assert.Equal("李四", rows[4]["A"]);
    }

    [Fact]
    public async Task Every_row_goes_through_the_api_rules_and_all_or_nothing_writes_nothing_when_one_row_is_bad()
    {
        var file = XlsxFiles.Sheets(("摸排", [Headers, Row("周一", NewId()), Row("吴二", NewId(), phone: "1234"), Row("郑三", NewId(), trade: "不存在的工种"),
            Row("冯四", NewId(), household: "贫困户")]));
        var before = await CountWorkersAsync();

        var all = await ImportAsync(file, mode: "all-or-nothing");
        Assert.Equal("rejected", all.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(before, await CountWorkersAsync());
        var reasons = Rejections(all);
        Assert.Contains(reasons, r => r.Row == 3 && r.Column == "联系电话" && r.Reason == "请填写11位手机号码");
        Assert.Contains(reasons, r => r.Row == 4 && r.Column == "掌握工种" && r.Reason.Contains("未知的工种", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Row == 5 && r.Column == "户类型" && r.Reason.StartsWith("未知的户类型", StringComparison.Ordinal));

        var valid = await ImportAsync(file, mode: "valid-rows");
        Assert.Equal("succeeded", valid.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(1, valid.GetProperty("job").GetProperty("created").GetInt32());
        Assert.Equal(3, valid.GetProperty("job").GetProperty("rejected").GetInt32());
        Assert.Equal(before + 1, await CountWorkersAsync());
    }

    [Fact]
    public async Task Re_importing_updates_or_reports_own_workers_and_reports_another_countys_without_naming_it()
    {
        var mine = NewId();
        var theirs = NewId(OtherCounty);
        var workers = api.Services.GetRequiredService<WorkerStore>();
        var info = ResidentIdNumber.TryParse(theirs, out var parsed, out _) ? parsed! : throw new InvalidOperationException();
        var other = (await workers.CreateAsync(new WorkerDraft("外县人", theirs, info.Gender, info.BirthDate, "13912345678", OtherCounty, "520600", "junior",
            [new WorkerTrade("T029", 2)], [], [], ["440000"], 5000, new DateOnly(2026, 9, 1), [], null))).Id;
        var file = XlsxFiles.Sheets(("摸排", [Headers, Row("陈五", mine), Row("外县人", theirs, trade: "电工")]));

        var first = await ImportAsync(file);
        Assert.Equal(1, first.GetProperty("job").GetProperty("created").GetInt32());
        var foreign = Assert.Single(Rejections(first));
        Assert.Equal("该身份证号码已在其他县登记，请联系其户籍所在县核实", foreign.Reason);
        Assert.True(other > 0);
        Assert.DoesNotContain("existingId", JsonSerializer.Serialize(first), StringComparison.Ordinal);
        var count = await CountWorkersAsync();

        var reported = await ImportAsync(file, onExisting: "report");
        Assert.Equal(0, reported.GetProperty("job").GetProperty("created").GetInt32());
        Assert.Equal(1, reported.GetProperty("job").GetProperty("reported").GetInt32());
        Assert.Equal(count, await CountWorkersAsync());

        var changed = XlsxFiles.Sheets(("摸排", [Headers, Row("陈五", mine, phone: "15900001111")]));
        var updated = await ImportAsync(changed, onExisting: "update");
        Assert.Equal(1, updated.GetProperty("job").GetProperty("updated").GetInt32());
        Assert.Equal(count, await CountWorkersAsync());
        var worker = (await workers.GetAsync((await workers.FindByIdNumberAsync(mine))!.Value))!;
        Assert.Equal("159****1111", worker.PhoneMasked);
        Assert.Equal(2, worker.Version);
    }

    public static TheoryData<string, string> HostileFiles => new()
    {
        { "text", "不是 Excel 工作簿" },
        { "encrypted", "设置了打开密码" },
        { "zip", "没有 Excel 工作簿内容" },
        { "bomb", "疑似压缩炸弹" },
        { "rows", "50,000 行上限" },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public async Task Hostile_files_are_refused_with_a_clear_error_and_nothing_written(string kind, string message)
    {
        var file = kind switch
        {
            "text" => "姓名,身份证号码\n张三,1"u8.ToArray(),
            "encrypted" => XlsxFiles.Encrypted(),
            "zip" => XlsxFiles.PlainZip(),
            "bomb" => XlsxFiles.ZipBomb(300L * 1024 * 1024),
            _ => XlsxFiles.Sheets(("摸排", [Headers, .. Enumerable.Range(0, 50_001).Select(i => Row("王五", "520502199003081234"))])),
        };
        var before = await CountWorkersAsync();
        var job = await ImportAsync(file);
        Assert.Equal("refused", job.GetProperty("job").GetProperty("status").GetString());
        Assert.Contains(message, job.GetProperty("job").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountWorkersAsync());
    }

    [Fact]
    public async Task The_template_carries_the_survey_headers_an_example_instructions_and_choices_and_its_example_imports()
    {
        var response = await api.AsCountyOffice(County).GetAsync("/api/imports/workers/template");
        Assert.Equal(Xlsx, response.Content.Headers.ContentType?.MediaType);
        var template = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(["劳动力摸排表", "填写示例", "填写说明", "可选值"], XlsxFiles.SheetNames(template));
        var headers = XlsxFiles.Read(template, "劳动力摸排表")[0].Values.Select(v => v as string).ToList();
        foreach (var header in new[] { "户编号", "户类型", "当前就业状态", "姓名", "身份证号码", "民族", "乡镇（街道）", "意向务工地", "培训意愿" })
        {
            Assert.Contains(header, headers);
        }
        Assert.Contains(XlsxFiles.Read(template, "可选值"), r => Equals(r["A"], "户类型") && ((string)r["B"]!).Contains("监测户", StringComparison.Ordinal));
        // Coded columns offer a drop-down (数据验证) on every data row: 户类型 lists the four household types.
        var dropDowns = XlsxFiles.SheetXml(template, 1).Descendants().Where(e => e.Name.LocalName == "dataValidation")
            .ToDictionary(e => (string)e.Attribute("sqref")!, e => e.Descendants().Single(f => f.Name.LocalName == "formula1").Value);
        var householdColumn = XlsxFiles.Letter(headers.IndexOf("户类型"));
        Assert.Equal("\"脱贫户,监测户,易地搬迁户,一般户\"", dropDowns[$"{householdColumn}2:{householdColumn}50001"]);
        Assert.Equal(4, dropDowns.Count);

        // The example row copied into the data sheet (as a clerk would start) imports as a worker.
        var example = XlsxFiles.Read(template, "填写示例");
        var file = XlsxFiles.Sheets(("劳动力摸排表", [.. example.Select(r => r.Values.ToArray())]));
        var job = await ImportAsync(file);
        Assert.Equal(1, job.GetProperty("job").GetProperty("created").GetInt32() + job.GetProperty("job").GetProperty("reported").GetInt32());
    }
}
