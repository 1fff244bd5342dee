using System.Net;
using System.Text.Json;
using Matching.Data.Reports;
using Matching.Scheduling.Reports;
using Matching.Scheduling.Tests;

namespace Matching.Api.Tests.Dispatch;

/// <summary>Stored summaries (季小结, 年总结) listed and downloaded as CSV through HTTP.</summary>
public sealed class ReportApiTests
{
    [Fact]
    public async Task A_stored_quarterly_summary_is_listed_and_downloads_as_csv_with_chinese_headers()
    {
        using var world = new TestWorld();
        await using var api = new DispatchApi(world);
        var (written, period) = await new SummaryReports(world.Database, world.Environment.Catalogue, world.Time).WriteAsync(ReportKinds.Quarterly);
        Assert.True(written);
        var client = await api.ClientAsync("rural_revitalisation");

        var list = await Json.ReadAsync(await client.GetAsync("/api/reports?kind=quarterly"));
        var report = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(period, report.GetProperty("period").GetString());

        var download = await client.GetAsync($"/api/reports/{report.GetProperty("id").GetInt64()}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".csv", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var csv = await download.Content.ReadAsStringAsync();
        Assert.Contains("市州代码,市州,报名人次,确认参训,就业安置,其中重点群体,6个月在岗", csv, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/reports/999999/download")).StatusCode);
        var badKind = await client.GetAsync("/api/reports?kind=weekly");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.True((await Json.ReadAsync(badKind)).GetProperty("errors").TryGetProperty("kind", out JsonElement _));
    }
}
