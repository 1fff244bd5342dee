using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matching.Data.Demo;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Matching.Search.Tests;

/// <summary>The service on a fresh data folder with 300 demo workers, indexed by the background indexer at start.</summary>
public sealed class SearchApiFactory : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Matching:DataDirectory", _folder.Path);
        builder.UseSetting("Matching:DemoWorkers", "300");
        builder.UseSetting("Matching:WarmUp", "false");
        builder.UseSetting("Matching:DataKey", Convert.ToBase64String(new byte[32]));
        builder.UseSetting("Matching:SearchIndexerPollSeconds", "0.1");
        builder.UseSetting("Matching:Auth:SigningKey", TestTokens.SigningKey);
    }

    /// <summary>An admin's client once the start-up rebuild has finished.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = await ClientAsAsync(Matching.Domain.Access.Roles.Admin);
        await Eventually(async () =>
        {
            var status = await client.GetFromJsonAsync<JsonObject>("/api/search/admin/reindex");
            return status!["state"]!.ToString() is "completed" or "Completed";
        });
        return client;
    }

    /// <summary>A client whose token names a stored user of that role and scope.</summary>
    public async Task<HttpClient> ClientAsAsync(string role, params string[] scopes)
    {
        var client = CreateClient();
        var database = (Matching.Data.Storage.Database)Services.GetService(typeof(Matching.Data.Storage.Database))!;
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TestTokens.IssueAsync(database, role, scopes));
        return client;
    }

    public static async Task Eventually(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

public sealed class SearchApiTests(SearchApiFactory factory) : IClassFixture<SearchApiFactory>
{
    private static async Task<JsonObject> Json(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    private static async Task AssertRefused(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await Json(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"expected an error for {field}: {errors.ToJsonString()}");
        Assert.All(errors.Select(e => e.Value!.AsArray()[0]!.ToString()), m => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", m));
    }

    [Fact]
    public async Task A_colloquial_search_returns_workers_of_that_trade_with_labelled_facets()
    {
        var client = await factory.ReadyClientAsync();
        var response = await client.GetAsync("/api/search/workers?q=電焊工&pageSize=50");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        var items = body["items"]!.AsArray();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Contains(i!["worker"]!["trades"]!.AsArray(), t => t!["tradeId"]!.ToString() == "T029"));
        Assert.Equal(items.Count, Math.Min(50, body["total"]!.GetValue<int>()));
        // Every match has the trade; some have a second one too, counted beside it.
        var trade = body["facets"]!["trade"]!.AsArray().Single(t => t!["value"]!.ToString() == "T029");
        Assert.Equal("焊工", trade!["label"]!.ToString());
        Assert.Equal(body["total"]!.GetValue<long>(), trade["count"]!.GetValue<long>());
        // Masked personal data only.
        Assert.Contains("*", items[0]!["worker"]!["idNumberMasked"]!.ToString());
    }

    [Fact]
    public async Task A_search_whose_text_names_no_trade_answers_with_the_closest_trades()
    {
        var client = await factory.ReadyClientAsync();
        var misspelt = await Json(await client.GetAsync("/api/search/openings?q=baojei"));
        var hint = Assert.Single(misspelt["didYouMean"]!.AsArray(), h => h!["tradeId"]!.ToString() == "T085");
        Assert.Equal("保洁员", hint!["name"]!.ToString());
        var named = await Json(await client.GetAsync("/api/search/openings?q=保洁"));
        Assert.Empty(named["didYouMean"]!.AsArray());
    }

    [Theory]
    [InlineData("/api/search/workers?q=%20%20", "q")]
    [InlineData("/api/search/workers?q=%EF%BC%9F%EF%BC%9F%EF%BC%9F", "q")]
    [InlineData("/api/search/workers?countyCode=999999", "countyCode")]
    [InlineData("/api/search/workers?tradeId=T999", "tradeId")]
    [InlineData("/api/search/workers?priorityGroup=rich", "priorityGroup")]
    [InlineData("/api/search/workers?destination=520000", "destination")]
    [InlineData("/api/search/workers?pageSize=201", "pageSize")]
    [InlineData("/api/search/workers?page=51&pageSize=200", "page")]
    [InlineData("/api/search/workers?sort=name", "sort")]
    [InlineData("/api/search/workers?minLevel=9", "minLevel")]
    [InlineData("/api/search/openings?provinceCode=520000", "provinceCode")]
    [InlineData("/api/search/openings?status=paused", "status")]
    [InlineData("/api/search/trades/suggest", "q")]
    [InlineData("/api/search/trades/suggest?q=焊&limit=0", "limit")]
    [InlineData("/api/match/openings/1/candidates-recall?widen=everything", "widen")]
    [InlineData("/api/match/workers/1/openings-recall?limit=5000", "limit")]
    [InlineData("/api/search/admin/consistency?sample=0", "sample")]
    public async Task Bad_search_input_is_refused_with_a_chinese_error_on_the_field(string url, string field)
    {
        var client = await factory.ReadyClientAsync();
        await AssertRefused(await client.GetAsync(url), field);
    }

    [Fact]
    public async Task Overlong_text_is_refused()
    {
        var client = await factory.ReadyClientAsync();
        await AssertRefused(await client.GetAsync("/api/search/workers?q=" + new string('焊', SearchEndpointsLimits.MaxQueryLength + 1)), "q");
    }

    [Fact]
    public async Task Query_operators_in_text_are_only_words()
    {
        var client = await factory.ReadyClientAsync();
        var body = await Json(await client.GetAsync("/api/search/workers?q=" + Uri.EscapeDataString("id:1 OR *:*")));
        Assert.Equal(0, body["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Trade_typeahead_understands_traditional_and_pinyin_initials()
    {
        var client = await factory.ReadyClientAsync();
        var traditional = await client.GetFromJsonAsync<JsonArray>("/api/search/trades/suggest?q=電工");
        Assert.Equal("T035", traditional![0]!["tradeId"]!.ToString());
        var pinyin = await client.GetFromJsonAsync<JsonArray>("/api/search/trades/suggest?q=hg&limit=3");
        Assert.Equal("焊工", pinyin![0]!["name"]!.ToString());
        Assert.True(pinyin.Count <= 3);
    }

    [Fact]
    public async Task Opening_search_filters_by_province_and_counts_facets()
    {
        var client = await factory.ReadyClientAsync();
        var body = await Json(await client.GetAsync("/api/search/openings?provinceCode=440000&pageSize=100"));
        Assert.All(body["items"]!.AsArray(), i => Assert.Equal("open", i!["opening"]!["status"]!.ToString()));
        var provinces = body["facets"]!["province"]!.AsArray();
        Assert.Equal("440000", Assert.Single(provinces)!["value"]!.ToString());
        Assert.Equal("广东省", provinces[0]!["label"]!.ToString());
    }

    [Fact]
    public async Task Recall_lists_are_served_for_openings_and_workers_and_unknown_ids_are_404()
    {
        var client = await factory.ReadyClientAsync();
        var recall = await Json(await client.GetAsync("/api/match/openings/1/candidates-recall?widen=family&limit=50"));
        Assert.Equal(1, recall["openingId"]!.GetValue<int>());
        Assert.False(recall["criteria"]!["sameTradeOnly"]!.GetValue<bool>());
        Assert.NotNull(recall["criteria"]!["opening"]!["tradeId"]);
        var sameTrade = await Json(await client.GetAsync("/api/match/openings/1/candidates-recall?widen=trade&limit=1000"));
        Assert.True(sameTrade["criteria"]!["sameTradeOnly"]!.GetValue<bool>());
        Assert.True(recall["workers"]!.AsArray().Count <= 50);
        Assert.Equal(recall["count"]!.GetValue<int>(), recall["workers"]!.AsArray().Count);

        var openings = await Json(await client.GetAsync("/api/match/workers/1/openings-recall"));
        Assert.NotEmpty(openings["criteria"]!["trades"]!.AsArray());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/match/openings/999999/candidates-recall")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/match/workers/999999/openings-recall")).StatusCode);
    }

    [Fact]
    public async Task A_worker_registered_through_the_api_becomes_searchable_through_the_outbox()
    {
        var client = await factory.ReadyClientAsync();
        var draft = new DemoData(Shared.Catalogue, ChinaTime.Today(TimeProvider.System), seed: 4242).Workers(1).Single();
        var input = new
        {
            draft.RealName, draft.IdNumber, draft.Phone, draft.CountyCode, draft.Education,
            Trades = new[] { new { TradeId = "T091", Level = 3 } },
            Certificates = Array.Empty<object>(), PriorityGroups = Array.Empty<string>(), PreferredDestinations = Array.Empty<string>(),
            draft.ExpectedMonthlyWage, draft.AvailableFrom, TrainingIntentions = Array.Empty<string>(), Notes = "做过三年金牌月嫂",
        };
        // Workers are registered by their own county office.
        var office = await factory.ClientAsAsync(Matching.Domain.Access.Roles.CountyOffice, draft.CountyCode);
        var created = await office.PostAsJsonAsync("/api/workers", input, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await Json(created))["id"]!.GetValue<long>();

        await SearchApiFactory.Eventually(async () =>
        {
            var found = await Json(await client.GetAsync("/api/search/workers?q=月嫂&pageSize=200"));
            return found["items"]!.AsArray().Any(i => i!["id"]!.GetValue<long>() == id);
        });
        var outbox = await client.GetFromJsonAsync<JsonObject>("/api/search/admin/outbox");
        Assert.Equal(0, outbox!["pending"]!.GetValue<int>());
    }

    [Fact]
    public async Task Admin_reindex_reports_progress_and_the_index_checks_consistent()
    {
        var client = await factory.ReadyClientAsync();
        var started = await client.PostAsync("/api/search/admin/reindex", null);
        Assert.True(started.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict);
        await SearchApiFactory.Eventually(async () =>
        {
            var status = await client.GetFromJsonAsync<JsonObject>("/api/search/admin/reindex");
            return status!["state"]!.ToString() is "completed" or "Completed";
        });
        var status = await client.GetFromJsonAsync<JsonObject>("/api/search/admin/reindex");
        Assert.Equal(status!["workersTotal"]!.GetValue<long>(), status["workersIndexed"]!.GetValue<long>());
        await SearchApiFactory.Eventually(async () => (await client.GetFromJsonAsync<JsonObject>("/api/search/admin/outbox"))!["pending"]!.GetValue<int>() == 0);
        var report = await client.GetFromJsonAsync<JsonObject>("/api/search/admin/consistency?sample=1000");
        Assert.True(report!["consistent"]!.GetValue<bool>(), report.ToJsonString());
    }
}

/// <summary>The limits the endpoints enforce, as tests refer to them.</summary>
internal static class SearchEndpointsLimits
{
    public const int MaxQueryLength = Matching.Api.Search.SearchEndpoints.MaxQueryLength;
}
