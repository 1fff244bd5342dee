using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Lists: paging with a hard maximum, totals, filters, and unknown filter codes refused rather than answered empty.</summary>
public sealed class ListApiTests(ListApiTests.Fixture api) : IClassFixture<ListApiTests.Fixture>
{
    /// <summary>毕节市's labour office: sees the workers and placements of both counties the fixture registers in.</summary>
    private readonly HttpClient _client = api.AsPrefectureOffice(Codes.BijiePrefecture);

    public static TheoryData<string> Lists() => ["/api/workers", "/api/employers", "/api/bases", "/api/openings", "/api/cohorts", "/api/placements"];

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Every_list_refuses_pages_beyond_the_limits(string list)
    {
        foreach (var (query, field) in new[]
        {
            ("pageSize=201", "pageSize"), ("pageSize=0", "pageSize"), ("pageSize=-5", "pageSize"),
            ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("pageSize=ten", "pageSize"),
        })
        {
            using var response = await _client.GetAsync($"{list}?{query}");
            await response.ReadFieldErrorAsync(field);
        }
        var largest = await _client.GetObjectAsync($"{list}?pageSize=200");
        Assert.Equal(200, largest["pageSize"]!.GetValue<int>());
        var byDefault = await _client.GetObjectAsync(list);
        Assert.Equal(1, byDefault["page"]!.GetValue<int>());
        Assert.Equal(20, byDefault["pageSize"]!.GetValue<int>());
    }

    /// <summary>list and query, the parameter named in the refusal.</summary>
    public static TheoryData<string, string> UnknownFilterRows() => new()
    {
        { "/api/workers?countyCode=520599", "countyCode" },
        { $"/api/workers?countyCode={Codes.Shenzhen}", "countyCode" },
        { "/api/workers?prefectureCode=440300", "prefectureCode" },
        { "/api/workers?tradeId=T999", "tradeId" },
        { "/api/workers?tradeId=%E7%84%8A%E5%B7%A5", "tradeId" }, // 焊工: a name is not a trade id
        { "/api/workers?priorityGroup=veteran", "priorityGroup" },
        { "/api/workers?destination=520100", "destination" },
        { "/api/workers?gender=unknown", "gender" },
        { "/api/workers?availableBy=soon", "availableBy" },
        { "/api/employers?provinceCode=990000", "provinceCode" },
        { "/api/employers?cityCode=449999", "cityCode" },
        { "/api/employers?industry=steel", "industry" },
        { "/api/employers?name=%E5%85%AC%07", "name" }, // a control character
        { "/api/bases?cityCode=999999", "cityCode" },
        { "/api/bases?tradeId=T999", "tradeId" },
        { "/api/bases?employerId=first", "employerId" },
        { "/api/openings?tradeId=T999", "tradeId" },
        { "/api/openings?status=paused", "status" },
        { "/api/openings?provinceCode=990000", "provinceCode" },
        { "/api/cohorts?tradeId=T999", "tradeId" },
        { "/api/cohorts?status=finished", "status" },
        { "/api/placements?countyCode=520599", "countyCode" },
        { "/api/placements?priorityGroup=veteran", "priorityGroup" },
        { "/api/placements?status=fired", "status" },
        { "/api/placements?followUpDueBy=2026-13-01", "followUpDueBy" },
    };

    [Theory]
    [MemberData(nameof(UnknownFilterRows))]
    public async Task An_unknown_filter_code_is_refused_not_answered_with_an_empty_list(string query, string field)
    {
        using var response = await _client.GetAsync(query);

        await response.ReadFieldErrorAsync(field);
    }

    [Fact]
    public async Task Workers_filter_by_county_trade_priority_group_and_gender()
    {
        var all = await Ids("/api/workers?pageSize=200");
        Assert.Equal(api.Workers.Values.Order(), all.Order());

        Assert.Equal([api.Workers["B"], api.Workers["C"]], await Ids($"/api/workers?countyCode={Codes.WeiningCounty}"));
        Assert.Equal([api.Workers["A"], api.Workers["C"]], await Ids($"/api/workers?tradeId={Codes.Welder}"));
        Assert.Equal([api.Workers["B"], api.Workers["C"]], await Ids("/api/workers?priorityGroup=relocated"));
        Assert.Equal([api.Workers["C"]], await Ids($"/api/workers?countyCode={Codes.WeiningCounty}&tradeId={Codes.Welder}"));
        // The filter takes the value as responses show it.
        Assert.Equal([api.Workers["D"]], await Ids("/api/workers?gender=female"));
        Assert.Equal([api.Workers["A"], api.Workers["B"], api.Workers["C"]], await Ids("/api/workers?gender=male"));
        Assert.Equal(all, await Ids($"/api/workers?prefectureCode={Codes.BijiePrefecture}&pageSize=200"));
        Assert.Empty(await Ids($"/api/workers?tradeId={Codes.ForkliftDriver}"));
        // Every listed worker really has what the filter asked for.
        var welders = await _client.GetObjectAsync($"/api/workers?tradeId={Codes.Welder}");
        Assert.Equal(2, welders["total"]!.GetValue<long>());
        Assert.All(welders["items"]!.AsArray(), w => Assert.Contains(w!["trades"]!.AsArray(), t => t!["tradeId"]!.GetValue<string>() == Codes.Welder));
    }

    [Fact]
    public async Task Pages_split_the_list_in_order_without_gaps_or_repeats()
    {
        var first = await _client.GetObjectAsync("/api/workers?pageSize=3&page=1");
        var second = await _client.GetObjectAsync("/api/workers?pageSize=3&page=2");
        var beyond = await _client.GetObjectAsync("/api/workers?pageSize=3&page=9");

        Assert.All(new[] { first, second, beyond }, p => Assert.Equal(4, p["total"]!.GetValue<long>()));
        Assert.Equal(2, second["page"]!.GetValue<int>());
        Assert.Equal(3, second["pageSize"]!.GetValue<int>());
        var ids = IdsOf(first).Concat(IdsOf(second)).ToList();
        Assert.Equal(3, IdsOf(first).Count);
        Assert.Single(IdsOf(second));
        Assert.Empty(IdsOf(beyond));
        Assert.Equal(api.Workers.Values.Order(), ids);
    }

    [Fact]
    public async Task Employers_filter_by_city_province_and_name_with_wildcards_taken_literally()
    {
        var percent = await _client.GetObjectAsync("/api/employers?name=%25");
        Assert.Equal([api.PercentEmployerId], IdsOf(percent));
        var underscore = await _client.GetObjectAsync("/api/employers?name=_");
        Assert.Empty(IdsOf(underscore));
        var byName = await _client.GetObjectAsync("/api/employers?name=%E9%B9%8F%E5%9F%8E"); // 鹏城
        Assert.Equal(2, byName["total"]!.GetValue<long>());
        var inZhejiang = await _client.GetObjectAsync($"/api/employers?provinceCode={Codes.Zhejiang}");
        Assert.Equal([api.PercentEmployerId], IdsOf(inZhejiang));
        var inShenzhen = await _client.GetObjectAsync($"/api/employers?cityCode={Codes.Shenzhen}");
        Assert.Equal(2, inShenzhen["total"]!.GetValue<long>());
        var digital = await _client.GetObjectAsync("/api/employers?industry=digital");
        Assert.Equal(2, digital["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task Placements_filter_by_the_workers_county_and_priority_group()
    {
        var inWeining = await _client.GetObjectAsync($"/api/placements?countyCode={Codes.WeiningCounty}");
        Assert.Equal([api.Workers["B"]], inWeining["items"]!.AsArray().Select(p => p!["workerId"]!.GetValue<long>()));
        var graduates = await _client.GetObjectAsync("/api/placements?priorityGroup=graduate");
        Assert.Equal(0, graduates["total"]!.GetValue<long>());
        var relocated = await _client.GetObjectAsync("/api/placements?priorityGroup=relocated");
        Assert.Equal(1, relocated["total"]!.GetValue<long>());
        // Started 2026-01-10: the one-month follow-up (due 2026-02-10) is due by March, nothing is due by February 1.
        Assert.Equal(1, (await _client.GetObjectAsync("/api/placements?followUpDueBy=2026-03-01"))["total"]!.GetValue<long>());
        Assert.Equal(0, (await _client.GetObjectAsync("/api/placements?followUpDueBy=2026-02-01"))["total"]!.GetValue<long>());
    }

    private async Task<List<long>> Ids(string path) => IdsOf(await _client.GetObjectAsync(path));

    private static List<long> IdsOf(JsonObject page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()).ToList();

    /// <summary>
    /// Four workers in two Bijie counties, each registered by its county office; three employers registered by an
    /// admin; one placement recorded by the worker's county office; nothing else.
    /// </summary>
    public sealed class Fixture : ApiFixture
    {
        public Dictionary<string, long> Workers { get; } = [];

        public long PercentEmployerId { get; private set; }

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Workers["A"] = Http.IdOf(await Seed.WorkerAsync(this, Bodies.Worker(null, Codes.DafangCounty, Codes.Welder, "poverty-lifted")));
            Workers["B"] = Http.IdOf(await Seed.WorkerAsync(this, Bodies.Worker(null, Codes.WeiningCounty, Codes.Electrician, "relocated")));
            Workers["C"] = Http.IdOf(await Seed.WorkerAsync(this, Bodies.Worker(null, Codes.WeiningCounty, Codes.Welder, "relocated")));
            Workers["D"] = Http.IdOf(await Seed.WorkerAsync(this, Bodies.Worker(IdNumbers.Fresh(male: false), Codes.DafangCounty, Codes.ChineseCook, "rural-woman")));

            var employerId = Http.IdOf(await Seed.EmployerAsync(this));
            await Seed.EmployerAsync(this);
            var percent = Bodies.Employer();
            percent["name"] = "宁波百分%服务有限公司";
            percent["cityCode"] = Codes.Ningbo;
            percent["industries"] = new JsonArray("logistics");
            PercentEmployerId = Http.IdOf(await AsAdmin().CreateAsync("/api/employers", percent));

            await AsCountyOffice(Codes.WeiningCounty).CreateAsync("/api/placements", Bodies.Placement(Workers["B"], employerId));
        }
    }
}
