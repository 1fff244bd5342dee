using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matching.Api.Tests.Access;
using Matching.Api.Tests.Imports;
using Matching.Api.Tests.Infrastructure;
using Matching.Domain.Access;
using Matching.Scheduling.Alerts;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Alerts;

/// <summary>
/// Job-loss alerts (防返贫就业预警), follow-up reminders and the inbox in the access world: who is told, what an alert
/// carries, its lifecycle, rural revitalisation staff confined to their region, and reports equal to the lists.
/// </summary>
public sealed class AlertApiTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static IEnumerable<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray();

    [Fact]
    public async Task An_overdue_follow_up_of_a_covered_worker_reaches_the_county_office_and_rural_staff_with_suggestions_and_time_to_delivery()
    {
        var alert = await JsonAsync(await world.Client(Roles.CountyOffice).GetAsync($"/api/alerts/{world.AlertA}"));
        var a = alert.GetProperty("alert");
        Assert.Equal("follow-up-overdue", a.GetProperty("trigger").GetString());
        Assert.Contains("第1个月回访", a.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(a.GetProperty("deliverySeconds").GetDouble() >= 0);
        Assert.True(a.GetProperty("recipients").GetInt32() >= 2);
        Assert.NotEmpty(a.GetProperty("suggestions").GetProperty("cohorts").EnumerateArray());

        // Told: county A's office and province-wide rural staff; not county B's office.
        var inboxA = await JsonAsync(await world.Client(Roles.CountyOffice).GetAsync("/api/notifications?kind=job-loss-alert"));
        Assert.Contains(Items(inboxA), m => m.GetProperty("link").GetString() == $"/api/alerts/{world.AlertA}");
        Assert.DoesNotContain(Items(inboxA), m => m.GetProperty("link").GetString() == $"/api/alerts/{world.AlertB}");
        var rural = await JsonAsync(await world.Client(Roles.RuralRevitalisation).GetAsync("/api/notifications?kind=job-loss-alert"));
        Assert.Contains(Items(rural), m => m.GetProperty("link").GetString() == $"/api/alerts/{world.AlertA}");
        Assert.Contains(Items(rural), m => m.GetProperty("link").GetString() == $"/api/alerts/{world.AlertB}");
        var reminders = await JsonAsync(await world.Client(Roles.CountyOffice).GetAsync("/api/notifications?kind=follow-up-overdue"));
        Assert.Contains(Items(reminders), m => m.GetProperty("link").GetString() == $"/api/placements/{world.PlacementA}");

        // Read and unread.
        var first = Items(inboxA).First().GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await world.Client(Roles.CountyOffice).PostAsync($"/api/notifications/{first}/read", null)).StatusCode);
        var unread = await JsonAsync(await world.Client(Roles.CountyOffice).GetAsync("/api/notifications?unread=true"));
        Assert.DoesNotContain(Items(unread), m => m.GetProperty("id").GetInt64() == first);
        // Another user's message cannot be marked.
        Assert.Equal(HttpStatusCode.NotFound, (await world.Client(Roles.Admin).PostAsync($"/api/notifications/{first}/read", null)).StatusCode);

        var perCounty = await JsonAsync(await world.Client(Roles.CountyOffice).GetAsync("/api/follow-ups/counties"));
        Assert.All(perCounty.EnumerateArray(), c => Assert.Equal(AccessFixture.CountyA, c.GetProperty("countyCode").GetString()));
        var summary = await JsonAsync(await world.Client(Roles.RuralRevitalisation).GetAsync("/api/alerts/summary"));
        Assert.Equal(0, summary.GetProperty("undelivered").GetInt64());
        Assert.True(summary.GetProperty("deliveryMaxSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Not_employed_at_a_follow_up_and_leaving_early_raise_alerts_that_go_out_at_once_and_move_open_acknowledged_resolved()
    {
        var watch = world.Services.GetRequiredService<FollowUpWatch>();
        var county = world.Client(Roles.CountyOffice);
        var placement = await county.GetAsync($"/api/placements/{world.PlacementA}");
        var etag = placement.Headers.ETag!.Tag;
        using var followUp = new HttpRequestMessage(HttpMethod.Put, $"/api/placements/{world.PlacementA}/follow-ups/1")
        {
            Content = JsonContent.Create(new { followedUpOn = TestClock.Today, stillEmployed = false, note = "工厂停产" }),
        };
        followUp.Headers.TryAddWithoutValidation("If-Match", etag);
        await JsonAsync(await county.SendAsync(followUp));
        await watch.DeliverAlertsAsync();
        var raised = Items(await JsonAsync(await county.GetAsync($"/api/alerts?trigger=not-employed&workerId={world.WorkerA}"))).Single().GetProperty("alert");
        Assert.NotNull(raised.GetProperty("deliveredAt").GetString());
        Assert.True(raised.GetProperty("deliverySeconds").GetDouble() < 60);

        var id = raised.GetProperty("id").GetInt64();
        var acknowledged = await JsonAsync(await county.PostAsync($"/api/alerts/{id}/acknowledge", null));
        Assert.Equal("acknowledged", acknowledged.GetProperty("alert").GetProperty("status").GetString());
        var resolved = await JsonAsync(await county.PostAsJsonAsync($"/api/alerts/{id}/resolve", new { note = "已推荐至东莞华创电子再就业" }));
        Assert.Equal(("resolved", "已推荐至东莞华创电子再就业"), (resolved.GetProperty("alert").GetProperty("status").GetString(), resolved.GetProperty("alert").GetProperty("resolutionNote").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await county.PostAsync($"/api/alerts/{id}/acknowledge", null)).StatusCode);

        // Worker B (monitored, county B) leaves after two months: an early end.
        var countyB = world.CreateClient(Roles.CountyOffice, AccessFixture.CountyB);
        await JsonAsync(await countyB.PostAsJsonAsync($"/api/placements/{world.PlacementB}/leave", new { leftOn = TestClock.Today, reason = "家中有事返乡" }));
        await watch.DeliverAlertsAsync();
        var early = Items(await JsonAsync(await countyB.GetAsync("/api/alerts?trigger=left-early"))).Single().GetProperty("alert");
        Assert.Equal(world.WorkerB, early.GetProperty("workerId").GetInt64());
        Assert.Empty(Items(await JsonAsync(await county.GetAsync("/api/alerts?trigger=left-early"))));
    }

    [Fact]
    public async Task Rural_staff_scoped_to_a_prefecture_see_alerts_workers_and_placements_of_that_prefecture_only()
    {
        var rural = world.CreateClient(Roles.RuralRevitalisation, AccessFixture.PrefectureOfA);
        Assert.Equal(HttpStatusCode.OK, (await rural.GetAsync($"/api/alerts/{world.AlertA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await rural.GetAsync($"/api/alerts/{world.AlertB}")).StatusCode);
        var listed = Items(await JsonAsync(await rural.GetAsync("/api/alerts"))).Select(a => a.GetProperty("alert")).ToList();
        Assert.Contains(listed, a => a.GetProperty("id").GetInt64() == world.AlertA);
        Assert.All(listed, a => Assert.Equal(AccessFixture.CountyA, a.GetProperty("countyCode").GetString()));
        Assert.Equal([world.PlacementA], Items(await JsonAsync(await rural.GetAsync("/api/placements"))).Select(p => p.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, (await rural.GetAsync($"/api/placements/{world.PlacementB}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await rural.GetAsync($"/api/workers/{world.WorkerB}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await rural.GetAsync($"/api/workers/{world.WorkerA}")).StatusCode);
        // Province-wide rural staff see both.
        var all = Items(await JsonAsync(await world.Client(Roles.RuralRevitalisation).GetAsync("/api/alerts"))).Select(a => a.GetProperty("alert").GetProperty("id").GetInt64()).ToList();
        Assert.Contains(world.AlertA, all);
        Assert.Contains(world.AlertB, all);
    }

    [Fact]
    public async Task A_report_equals_the_api_lists_for_the_same_period_within_the_readers_scope_and_keeps_its_versions()
    {
        var admin = world.Client(Roles.Admin);
        var first = await JsonAsync(await admin.PostAsync("/api/reports/quarterly/2026-Q2", null));
        var second = await JsonAsync(await admin.PostAsync("/api/reports/quarterly/2026-Q2", null));
        Assert.Equal((1, 2), (first.GetProperty("version").GetInt32(), second.GetProperty("version").GetInt32()));
        var versions = await JsonAsync(await admin.GetAsync("/api/reports?kind=quarterly&period=2026-Q2&allVersions=true"));
        Assert.Equal(2, versions.GetProperty("total").GetInt64());
        Assert.Equal(1, (await JsonAsync(await admin.GetAsync("/api/reports?kind=quarterly&period=2026-Q2"))).GetProperty("total").GetInt64());

        var county = world.Client(Roles.CountyOffice);
        var download = await county.GetAsync($"/api/reports/{second.GetProperty("id").GetInt64()}/download");
        var rows = XlsxFiles.Read(await download.Content.ReadAsByteArrayAsync(), "按县（市、区）");
        var headers = rows[0].ToDictionary(c => (string)c.Value!, c => c.Key);
        var row = Assert.Single(rows.Skip(1));   // the county office's own county only
        Assert.Equal(AccessFixture.CountyA, row[headers["县代码"]]);
        long Figure(string header) => Convert.ToInt64(row[headers[header]], System.Globalization.CultureInfo.InvariantCulture);
        async Task<long> TotalAsync(string url) => (await JsonAsync(await county.GetAsync(url))).GetProperty("total").GetInt64();

        Assert.Equal(await TotalAsync("/api/workers?registeredFrom=2026-04-01&registeredTo=2026-06-30"), Figure("新登记劳动者"));
        Assert.Equal(await TotalAsync("/api/workers?registeredFrom=2026-04-01&registeredTo=2026-06-30&priorityGroup=poverty-lifted"), Figure("其中重点群体"));
        Assert.Equal(await TotalAsync("/api/enrolments?createdFrom=2026-04-01&createdTo=2026-06-30"), Figure("报名人次"));
        Assert.Equal(await TotalAsync("/api/placements?startedFrom=2026-04-01&startedTo=2026-06-30"), Figure("就业安置"));
        Assert.Equal(await TotalAsync("/api/alerts?status=open") + await TotalAsync("/api/alerts?status=acknowledged"), Figure("未处置预警"));
        Assert.True(Figure("新登记劳动者") > 0 && Figure("就业安置") > 0);
    }
}
