using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Reference catalogues (行政区划, 工种, 俗称, 技能等级…) as a client reads them.</summary>
public sealed class CatalogueApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Every role reads the catalogues; a county office is the commonest reader.</summary>
    private readonly HttpClient _client = api.AsCountyOffice(Codes.DafangCounty);

    [Fact]
    public async Task The_summary_counts_what_the_catalogues_promise()
    {
        var summary = await _client.GetObjectAsync("/api/catalogues");

        Assert.False(string.IsNullOrWhiteSpace(summary["version"]!.GetValue<string>()));
        var counts = summary["counts"]!;
        Assert.Equal(88, counts["guizhouCounties"]!.GetValue<int>());
        Assert.True(counts["trades"]!.GetValue<int>() >= 120, $"only {counts["trades"]} trades");
        Assert.True(counts["tradeSynonyms"]!.GetValue<int>() >= 300, $"only {counts["tradeSynonyms"]} synonyms");
        Assert.Equal(8, counts["skillLevels"]!.GetValue<int>());
        Assert.Equal(4, counts["trainingTypes"]!.GetValue<int>());
        Assert.Equal(11, counts["industries"]!.GetValue<int>());
    }

    [Fact]
    public async Task Divisions_list_Guizhous_prefectures_and_Bijies_counties()
    {
        using var bijie = await _client.GetAsync("/api/catalogues/divisions?level=county&parentCode=520500");
        var counties = (await bijie.ReadArrayAsync()).Select(d => (Code: d!["code"]!.GetValue<string>(), Name: d["name"]!.GetValue<string>())).ToList();

        // 毕节市's seven counties and districts and the county-level city of 黔西 (national division codes).
        Assert.Equal(
            [
                ("520502", "七星关区"), ("520521", "大方县"), ("520523", "金沙县"), ("520524", "织金县"),
                ("520525", "纳雍县"), ("520526", "威宁彝族回族苗族自治县"), ("520527", "赫章县"), ("520581", "黔西市"),
            ],
            counties.OrderBy(c => c.Code, StringComparer.Ordinal));

        using var prefectures = await _client.GetAsync("/api/catalogues/divisions?level=prefecture&parentCode=520000");
        Assert.Equal(9, (await prefectures.ReadArrayAsync()).Count);
        using var provinces = await _client.GetAsync("/api/catalogues/divisions?level=province");
        var provinceNames = (await provinces.ReadArrayAsync()).Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Superset(new HashSet<string> { "贵州省", "广东省", "浙江省", "福建省", "江苏省" }, provinceNames.ToHashSet());
        using var allCounties = await _client.GetAsync("/api/catalogues/divisions?level=county");
        Assert.Equal(88, (await allCounties.ReadArrayAsync()).Count(c => c!["code"]!.GetValue<string>().StartsWith("52", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(Codes.Electrician, "电工", "電工")]
    [InlineData(Codes.Welder, "焊工", "电焊工")]
    [InlineData(Codes.ChineseCook, "中式烹调师", "廚師")]
    [InlineData(Codes.ForkliftDriver, "叉车司机", "叉车工")]
    public async Task A_trade_shows_its_colloquial_and_traditional_names(string id, string name, string synonym)
    {
        var detail = await _client.GetObjectAsync($"/api/catalogues/trades/{id}");

        Assert.Equal(id, detail["trade"]!["id"]!.GetValue<string>());
        Assert.Equal(name, detail["trade"]!["name"]!.GetValue<string>());
        Assert.True(Http.HasChinese(detail["familyName"]!.GetValue<string>()));
        var synonyms = detail["synonyms"]!.AsArray();
        Assert.Contains(synonyms, s => s!["term"]!.GetValue<string>() == synonym);
        Assert.All(synonyms, s => Assert.Equal(id, s!["tradeId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Welding_and_electrical_work_are_special_operations()
    {
        using var response = await _client.GetAsync("/api/catalogues/trades?specialOperation=true");
        var special = (await response.ReadArrayAsync()).Select(t => t!["id"]!.GetValue<string>()).ToList();

        Assert.Contains(Codes.Welder, special);
        Assert.Contains(Codes.Electrician, special);
        Assert.DoesNotContain(Codes.GeneralWorker, special);
    }

    [Fact]
    public async Task Trades_filter_by_brand_programme()
    {
        using var response = await _client.GetAsync("/api/catalogues/trades?brand=%E9%BB%94%E8%8F%9C%E5%B8%88%E5%82%85"); // 黔菜师傅
        var trades = await response.ReadArrayAsync();

        Assert.Contains(trades, t => t!["id"]!.GetValue<string>() == Codes.ChineseCook);
        Assert.All(trades, t => Assert.Contains("黔菜师傅", t!["brands"]!.AsArray().Select(b => b!.GetValue<string>())));
    }

    [Fact]
    public async Task Everyday_names_of_the_issue_are_synonyms()
    {
        using var response = await _client.GetAsync("/api/catalogues/trade-synonyms");
        var terms = (await response.ReadArrayAsync()).Select(s => s!["term"]!.GetValue<string>()).ToHashSet();

        Assert.Superset(new HashSet<string> { "厨师", "月嫂", "保姆", "叉车工", "电焊工", "電工", "廚師" }, terms);
    }

    [Fact]
    public async Task Skill_levels_are_the_eight_new_levels()
    {
        using var response = await _client.GetAsync("/api/catalogues/skill-levels");
        var levels = await response.ReadArrayAsync();

        Assert.Equal(Enumerable.Range(1, 8), levels.Select(l => l!["level"]!.GetValue<int>()));
        Assert.Equal("学徒工", levels[0]!["name"]!.GetValue<string>());
        Assert.Equal("首席技师", levels[7]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_trade_is_a_404_problem()
    {
        using var response = await _client.GetAsync("/api/catalogues/trades/T999");

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/catalogues/divisions?level=town", "level")]
    [InlineData("/api/catalogues/divisions?parentCode=529999", "parentCode")]
    [InlineData("/api/catalogues/trades?familyId=astronaut", "familyId")]
    [InlineData("/api/catalogues/trades?brand=other", "brand")]
    [InlineData("/api/catalogues/trades?industry=steel", "industry")]
    [InlineData("/api/catalogues/trades?specialOperation=maybe", "specialOperation")]
    public async Task Unknown_catalogue_filters_are_refused(string query, string field)
    {
        using var response = await _client.GetAsync(query);

        await response.ReadFieldErrorAsync(field);
    }

    [Theory]
    [InlineData("/api/catalogues/trade-families")]
    [InlineData("/api/catalogues/industries")]
    [InlineData("/api/catalogues/brands")]
    [InlineData("/api/catalogues/certificate-types")]
    [InlineData("/api/catalogues/priority-groups")]
    [InlineData("/api/catalogues/training-types")]
    [InlineData("/api/catalogues/education-levels")]
    public async Task Every_catalogue_list_has_Chinese_entries(string path)
    {
        using var response = await _client.GetAsync(path);
        var entries = await response.ReadArrayAsync();

        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.True(Http.HasChinese(e is JsonObject o ? o["name"]!.GetValue<string>() : e!.GetValue<string>())));
    }
}
