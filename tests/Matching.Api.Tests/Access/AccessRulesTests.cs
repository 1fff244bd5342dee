using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matching.Domain.Access;

namespace Matching.Api.Tests.Access;

/// <summary>What each role sees in lists and records: nothing outside its scope, and enterprises only what they may.</summary>
public sealed class AccessRulesTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    private async Task<JsonElement> GetJsonAsync(string role, string url)
    {
        var response = await world.Client(role).GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{role} {url}: {response.StatusCode}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> ItemsAsync(string role, string url) =>
        (await GetJsonAsync(role, url)).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task Worker_lists_contain_only_workers_in_the_callers_scope()
    {
        var county = await ItemsAsync(Roles.CountyOffice, "/api/workers?pageSize=200");
        Assert.NotEmpty(county);
        Assert.All(county, w => Assert.Equal(AccessFixture.CountyA, w.GetProperty("countyCode").GetString()));

        var prefecture = await ItemsAsync(Roles.PrefectureOffice, "/api/workers?pageSize=200");
        Assert.All(prefecture, w => Assert.Equal(AccessFixture.PrefectureOfA, w.GetProperty("prefectureCode").GetString()));

        var rural = await ItemsAsync(Roles.RuralRevitalisation, "/api/workers?pageSize=200");
        Assert.Contains(rural, w => w.GetProperty("id").GetInt64() == world.WorkerB);
        Assert.All(rural, w => Assert.NotEqual(0, w.GetProperty("priorityGroups").GetArrayLength()));

        var enterprise = (await ItemsAsync(Roles.Enterprise, "/api/workers?pageSize=200")).Select(w => w.GetProperty("id").GetInt64()).Order().ToList();
        Assert.Equal(new[] { world.WorkerA, world.WorkerD }.Order(), enterprise);

        var admin = (await ItemsAsync(Roles.Admin, "/api/workers?pageSize=200")).Select(w => w.GetProperty("id").GetInt64()).ToList();
        Assert.Superset(new HashSet<long> { world.WorkerA, world.WorkerB, world.WorkerC, world.WorkerD }, admin.ToHashSet());
    }

    [Fact]
    public async Task Worker_search_is_filtered_by_the_callers_scope_inside_the_query()
    {
        // The fixture's four workers (all 装配工) reach the index through the outbox; wait until the admin finds them all.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        List<JsonElement> admin;
        while ((admin = await ItemsAsync(Roles.Admin, "/api/search/workers?q=装配工&pageSize=200")).Count < 4)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"the index holds {admin.Count} of the 4 workers after 30 s");
            await Task.Delay(100);
        }
        var county = await ItemsAsync(Roles.CountyOffice, "/api/search/workers?q=装配工&pageSize=200");
        Assert.Equal([world.WorkerA], county.Select(hit => hit.GetProperty("id").GetInt64()));
        var rural = await ItemsAsync(Roles.RuralRevitalisation, "/api/search/workers?q=装配工&pageSize=200");
        Assert.Equal(new[] { world.WorkerA, world.WorkerB }.Order(), rural.Select(hit => hit.GetProperty("id").GetInt64()).Order());
        Assert.Superset(new HashSet<long> { world.WorkerA, world.WorkerB, world.WorkerC, world.WorkerD }, admin.Select(hit => hit.GetProperty("id").GetInt64()).ToHashSet());
    }

    [Fact]
    public async Task Asking_a_list_for_a_county_outside_the_scope_returns_nothing_and_the_total_says_zero()
    {
        var page = await GetJsonAsync(Roles.CountyOffice, $"/api/workers?countyCode={AccessFixture.CountyB}");
        Assert.Equal(0, page.GetProperty("total").GetInt64());
        Assert.Empty(page.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Placement_lists_follow_the_same_scopes()
    {
        long[] Ids(List<JsonElement> items) => items.Select(p => p.GetProperty("id").GetInt64()).Order().ToArray();
        Assert.Equal([world.PlacementA], Ids(await ItemsAsync(Roles.CountyOffice, "/api/placements")));
        Assert.Equal([world.PlacementA], Ids(await ItemsAsync(Roles.Enterprise, "/api/placements")));
        Assert.Equal(new[] { world.PlacementA, world.PlacementB }.Order(), Ids(await ItemsAsync(Roles.RuralRevitalisation, "/api/placements")));
        Assert.Empty(await ItemsAsync(Roles.Enterprise, $"/api/placements?employerId={world.Employer2}"));
    }

    [Fact]
    public async Task Enterprises_list_only_their_own_employer_bases_openings_and_cohorts()
    {
        var employers = await ItemsAsync(Roles.Enterprise, "/api/employers");
        Assert.Equal([world.Employer1], employers.Select(e => e.GetProperty("id").GetInt64()));
        foreach (var resource in new[] { "bases", "openings", "cohorts" })
        {
            var items = await ItemsAsync(Roles.Enterprise, $"/api/{resource}");
            Assert.NotEmpty(items);
            Assert.All(items, i => Assert.Equal(world.Employer1, i.GetProperty("employerId").GetInt64()));
            Assert.Empty(await ItemsAsync(Roles.Enterprise, $"/api/{resource}?employerId={world.Employer2}"));
            // Each employer has one base and one opening; its cohorts are one open and one cancelled.
            Assert.Equal(resource == "cohorts" ? 4 : 2, (await ItemsAsync(Roles.CountyOffice, $"/api/{resource}")).Count);
        }
    }

    [Fact]
    public async Task An_enterprise_sees_a_masked_profile_until_the_worker_accepts_its_offer_then_name_and_phone_only()
    {
        var offered = await GetJsonAsync(Roles.Enterprise, $"/api/workers/{world.WorkerD}");
        Assert.Matches("^测\\*+$", offered.GetProperty("realName").GetString());
        foreach (var hidden in new[] { "idNumberMasked", "phoneMasked", "phone", "priorityGroups", "notes", "birthDate" })
        {
            Assert.False(offered.TryGetProperty(hidden, out _), $"enterprise sees {hidden} before acceptance");
        }

        var accepted = await GetJsonAsync(Roles.Enterprise, $"/api/workers/{world.WorkerA}");
        Assert.Equal("测试02", accepted.GetProperty("realName").GetString());
        Assert.Equal(world.PhoneA, accepted.GetProperty("phone").GetString());
        foreach (var hidden in new[] { "idNumberMasked", "priorityGroups", "notes", "birthDate" })
        {
            Assert.False(accepted.TryGetProperty(hidden, out _), $"enterprise sees {hidden} after acceptance");
        }
        var raw = await world.Client(Roles.Enterprise).GetStringAsync($"/api/workers/{world.WorkerA}");
        Assert.DoesNotContain(world.IdNumberA[..6] + "****", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(world.IdNumberA, raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offices_see_the_id_number_only_masked_and_the_full_number_only_through_an_audited_reveal()
    {
        var shown = await world.Client(Roles.CountyOffice).GetStringAsync($"/api/workers/{world.WorkerA}");
        Assert.DoesNotContain(world.IdNumberA, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(world.PhoneA, shown, StringComparison.Ordinal);
        Assert.Contains(world.IdNumberA[..4] + "**********" + world.IdNumberA[^4..], shown, StringComparison.Ordinal);

        var revealed = await world.Client(Roles.CountyOffice).PostAsync($"/api/workers/{world.WorkerA}/reveal", null);
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        var body = await revealed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(world.IdNumberA, body.GetProperty("idNumber").GetString());
        Assert.Equal(world.PhoneA, body.GetProperty("phone").GetString());

        var audit = await ItemsAsync(Roles.Admin, $"/api/audit?action=worker.reveal&resourceId={world.WorkerA}&pageSize=200");
        Assert.Contains(audit, e => e.GetProperty("userName").GetString() == world.UserNameOf(Roles.CountyOffice)
            && e.GetProperty("role").GetString() == Roles.CountyOffice && e.GetProperty("outcome").GetString() == "success");
        var log = await world.Client(Roles.Admin).GetStringAsync("/api/audit?pageSize=200");
        Assert.DoesNotContain(world.IdNumberA, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_and_refused_attempts_are_audited_with_who_what_and_outcome()
    {
        var refused = await world.Client(Roles.RuralRevitalisation).PutAsJsonAsync($"/api/workers/{world.WorkerB}", new { });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var hidden = await world.Client(Roles.CountyOffice).DeleteAsync($"/api/workers/{world.WorkerB}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);

        var entries = await ItemsAsync(Roles.Admin, $"/api/audit?resourceType=worker&resourceId={world.WorkerB}&pageSize=200");
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "worker.update" && e.GetProperty("outcome").GetString() == "denied"
            && e.GetProperty("role").GetString() == Roles.RuralRevitalisation);
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "worker.delete" && e.GetProperty("outcome").GetString() == "not-found"
            && e.GetProperty("role").GetString() == Roles.CountyOffice);
        Assert.All(entries, e => Assert.True(e.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.MinValue));
    }

    [Fact]
    public async Task The_audit_log_cannot_be_changed_or_deleted_even_from_sql()
    {
        // At least one entry exists: a refused write is audited.
        await world.Client(Roles.RuralRevitalisation).PutAsJsonAsync($"/api/workers/{world.WorkerA}", new { });
        var database = world.Services.GetService(typeof(Matching.Data.Storage.Database)) as Matching.Data.Storage.Database;
        await using var connection = await database!.OpenAsync();
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE audit_log SET outcome = 'success'";
        var updateRefused = await Assert.ThrowsAnyAsync<Exception>(() => update.ExecuteNonQueryAsync());
        Assert.Contains("append-only", updateRefused.Message, StringComparison.Ordinal);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM audit_log";
        var deleteRefused = await Assert.ThrowsAnyAsync<Exception>(() => delete.ExecuteNonQueryAsync());
        Assert.Contains("append-only", deleteRefused.Message, StringComparison.Ordinal);
    }
}
