using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Matching.Ranking.Tests;

/// <summary>The service on the fixture's database and model, over HTTP.</summary>
[Collection(RankingCollection.Name)]
public sealed class ApiTests(RankingFixture fixture)
{
    private static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(50, 32).Select(i => (byte)i).ToArray());

    private WebApplicationFactory<Program> Service(string modelDirectory) => new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
    {
        host.UseSetting("Matching:DataDirectory", fixture.DataDirectory);
        host.UseSetting("Matching:Auth:SigningKey", SigningKey);
        // Recall straight from the fixture's database: these tests are about ranking, not the index.
        host.UseSetting("Matching:Ranking:Recall", "sql");
        host.UseSetting("Matching:DemoWorkers", "0");
        host.UseSetting("Matching:WarmUp", "false");
        host.UseSetting("Matching:Ranking:ModelDirectory", modelDirectory);
        host.UseSetting("Matching:Ranking:ModelCheckSeconds", "0");
    });

    /// <summary>An admin's client: admins may rank for any opening and any worker.</summary>
    private async Task<HttpClient> AdminClientAsync(WebApplicationFactory<Program> service)
    {
        var client = service.CreateClient();
        var users = new Matching.Data.Access.UserStore(fixture.Environment.Database, fixture.Time);
        var user = await users.EnsureAsync(new Matching.Data.Access.UserDraft("ranking-tests-admin", Matching.Domain.Access.Roles.Admin, [], true));
        var auth = new Matching.Data.Access.AuthOptions { SigningKey = SigningKey };
        var token = Matching.Data.Access.Tokens.Issue(user, auth, Matching.Data.Access.Tokens.SigningKey(auth, ""), fixture.Time.GetUtcNow(), TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Candidates_for_an_opening_come_with_scores_the_policy_weight_and_reasons()
    {
        using var service = Service(fixture.ModelDirectory);
        using var client = await AdminClientAsync(service);

        var response = await client.GetAsync("/api/match/openings/3/candidates?top=5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(0.05, body.GetProperty("policy").GetProperty("priorityWeight").GetDouble());
        Assert.Equal(fixture.Trained.Card.Version, body.GetProperty("modelVersion").GetString());
        var candidates = body.GetProperty("candidates").EnumerateArray().ToList();
        Assert.InRange(candidates.Count, 1, 5);
        var scores = candidates.Select(c => c.GetProperty("match").GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(candidates, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("match").GetProperty("reasons").GetString()));
            Assert.False(c.TryGetProperty("realName", out _));
            Assert.False(c.TryGetProperty("idNumberMasked", out _));
        });
    }

    [Fact]
    public async Task Openings_for_a_worker_are_ranked_too()
    {
        using var service = Service(fixture.ModelDirectory);
        using var client = await AdminClientAsync(service);
        var workerId = (await fixture.RecallWorkersAsync(3, 1)).Single().WorkerId;

        var response = await client.GetAsync($"/api/match/workers/{workerId}/openings?top=50");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var openings = (await JsonAsync(response)).GetProperty("openings").EnumerateArray().ToList();
        Assert.Contains(openings, o => o.GetProperty("openingId").GetInt64() == 3);
    }

    [Theory]
    [InlineData("/api/match/openings/3/candidates?top=0")]
    [InlineData("/api/match/openings/3/candidates?top=51")]
    [InlineData("/api/match/workers/1/openings?top=-2")]
    public async Task A_bad_result_count_is_refused_with_a_clear_error(string url)
    {
        using var service = Service(fixture.ModelDirectory);
        using var client = await AdminClientAsync(service);

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("返回条数应在1至50之间", (await JsonAsync(response)).GetProperty("errors").GetProperty("top")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/match/openings/987654321/candidates", "岗位不存在")]
    [InlineData("/api/match/workers/987654321/openings", "劳动者不存在")]
    public async Task Unknown_openings_and_workers_are_not_found(string url, string title)
    {
        using var service = Service(fixture.ModelDirectory);
        using var client = await AdminClientAsync(service);

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(title, (await JsonAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Without_a_model_the_service_says_so_and_serves_as_soon_as_one_is_trained()
    {
        var folder = Path.Combine(fixture.Folder, $"api-models-{Guid.NewGuid():N}");
        using var service = Service(folder);
        using var client = await AdminClientAsync(service);

        var before = await client.GetAsync("/api/match/openings/3/candidates");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal("排序模型暂不可用", (await JsonAsync(before)).GetProperty("title").GetString());

        Training.RetentionTrainer.Save(fixture.Trained, folder);
        var after = await client.GetAsync("/api/match/openings/3/candidates");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
