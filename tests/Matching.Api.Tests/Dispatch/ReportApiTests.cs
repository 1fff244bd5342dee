using System.Net;
using System.Text.Json;
using Matching.Data.Reports;
using Matching.Scheduling.Reports;
using Matching.Scheduling.Tests;

namespace Matching.Api.Tests.Dispatch;

/// <summary>Stored summaries (季小结, 年总结) listed and downloaded as .xlsx through HTTP.</summary>
public sealed class ReportApiTests
{
    [Fact]
    public async Task A_stored_quarterly_summary_is_listed_and_downloads_as_xlsx_with_its_sheets()
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
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", download.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".xlsx", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var sheets = Imports.XlsxFiles.SheetNames(await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(["说明", "按县（市、区）", "按市州", "合计"], sheets);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/reports/999999/download")).StatusCode);
        var badKind = await client.GetAsync("/api/reports?kind=weekly");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.True((await Json.ReadAsync(badKind)).GetProperty("errors").TryGetProperty("kind", out JsonElement _));
    }
}
