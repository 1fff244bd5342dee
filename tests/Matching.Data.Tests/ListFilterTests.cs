using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Placements;
using Matching.Data.Workers;
using Matching.Domain.Cohorts;
using Matching.Domain.Identity;
using Matching.Domain.Placements;
using Matching.Domain.Workers;

namespace Matching.Data.Tests;

/// <summary>A small known population of workers and employers, stored once, that every list filter is run against.</summary>
public sealed class ListFixture : DataFixture, IAsyncLifetime
{
    public Dictionary<string, long> WorkerIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> EmployerIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> PlacementIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> CohortIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> OpeningIds { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var today = FixedClock.Today;
        async Task AddWorker(string key, string county, string[] trades, string[] groups, DateOnly availableFrom, string[]? destinations = null)
        {
            var input = WorkerInput(county, groups: groups, availableFrom: availableFrom) with
            {
                Trades = trades.Select(t => new WorkerTradeInput(t, 2)).ToList(),
                PreferredDestinations = destinations ?? ["440000"],
            };
            WorkerIds[key] = Created(await Workers.CreateAsync(Worker(input)));
        }
        await AddWorker("A", "520102", ["T001"], ["poverty-lifted"], today.AddDays(7));
        await AddWorker("B", "520102", ["T035", "T001"], ["rural-woman", "poverty-lifted"], today.AddDays(30));
        await AddWorker("C", "520525", ["T035"], ["relocated"], today.AddDays(-10));
        await AddWorker("D", "522301", ["T002"], [], today.AddDays(90), ["330000", "330200"]);
        await AddWorker("E", "520525", ["T001"], ["rural-woman"], today);

        async Task AddEmployer(string name, string city) => EmployerIds[name] = Created(await Employers.CreateAsync(Employer(name, city)));
        await AddEmployer("百分百%电子有限公司", "440300");
        await AddEmployer("百分百电子有限公司", "440300");
        await AddEmployer("达_通物流有限公司", "330200");
        await AddEmployer("达通物流有限公司", "330200");
        await AddEmployer("达X通物流有限公司", "350200");
        await AddEmployer("[深圳]华创科技有限公司", "440300");
        await AddEmployer("深圳华创科技有限公司", "440100");

        // Placements of A (poverty-lifted, 南明区) and C (纳雍县): A's first follow-up is due before today, C's after.
        var employer = EmployerIds["深圳华创科技有限公司"];
        PlacementIds["A"] = Created(await Placements.CreateAsync(new PlacementDraft(WorkerIds["A"], employer, null, null, new DateOnly(2026, 1, 20), 5800)));
        PlacementIds["C"] = Created(await Placements.CreateAsync(new PlacementDraft(WorkerIds["C"], employer, null, null, new DateOnly(2026, 3, 1), 6000)));

        // Openings at a base in 广州 (广东) and one in 宁波 (浙江); cohorts for 普工 and 焊工 starting on different days.
        var guangzhou = Created(await Bases.CreateAsync(Base(employer, "440100")));
        var ningbo = Created(await Bases.CreateAsync(Base(EmployerIds["达通物流有限公司"], "330200")));
        OpeningIds["gz-T001"] = Created(await Openings.CreateAsync(Opening(guangzhou)));
        OpeningIds["gz-T002"] = Created(await Openings.CreateAsync(Opening(guangzhou, "T002") with { Status = "closed" }));
        OpeningIds["nb-T001"] = Created(await Openings.CreateAsync(Opening(ningbo)));
        CohortIds["april"] = Created(await Cohorts.CreateAsync(Cohort(guangzhou)));
        CohortIds["may-welding"] = Created(await Cohorts.CreateAsync(Cohort(guangzhou) with
        {
            Trades = ["T029"], EnrolmentDeadline = new DateOnly(2026, 5, 1), StartDate = new DateOnly(2026, 5, 6), EndDate = new DateOnly(2026, 6, 6),
        }));
        CohortIds["ningbo"] = Created(await Cohorts.CreateAsync(Cohort(ningbo, status: CohortStatus.Open)));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public class ListFilterTests(ListFixture data) : IClassFixture<ListFixture>
{
    private async Task<string[]> WorkersMatching(WorkerFilter filter)
    {
        var page = await data.Workers.ListAsync(filter, 1, 100);
        Assert.Equal(page.Items.Count, page.Total);
        var names = data.WorkerIds.ToDictionary(e => e.Value, e => e.Key);
        return page.Items.Select(w => names[w.Id]).Order(StringComparer.Ordinal).ToArray();
    }

    private async Task<string[]> EmployersMatching(EmployerFilter filter)
    {
        var page = await data.Employers.ListAsync(filter, 1, 100);
        Assert.Equal(page.Items.Count, page.Total);
        return page.Items.Select(e => e.Name).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task No_filter_lists_everyone_in_pages_ordered_by_id()
    {
        Assert.Equal(["A", "B", "C", "D", "E"], await WorkersMatching(new WorkerFilter()));
        var second = await data.Workers.ListAsync(new WorkerFilter(), 2, 2);
        Assert.Equal(5, second.Total);
        Assert.Equal([data.WorkerIds["C"], data.WorkerIds["D"]], second.Items.Select(w => w.Id));
        Assert.Single((await data.Workers.ListAsync(new WorkerFilter(), 3, 2)).Items);
        Assert.Empty((await data.Workers.ListAsync(new WorkerFilter(), 4, 2)).Items);
    }

    [Fact]
    public async Task Listed_workers_show_masked_id_numbers_and_phones_only()
    {
        var page = await data.Workers.ListAsync(new WorkerFilter(), 1, 100);
        Assert.All(page.Items, w =>
        {
            Assert.Matches("^[0-9]{4}\\*{10}[0-9]{3}[0-9X]$", w.IdNumberMasked);
            Assert.Matches("^1[0-9]{2}\\*{4}[0-9]{4}$", w.PhoneMasked);
        });
    }

    [Theory]
    [InlineData(new[] { "520102" }, new[] { "A", "B" })]
    [InlineData(new[] { "520525", "522301" }, new[] { "C", "D", "E" })]
    [InlineData(new[] { "520103" }, new string[0])]
    public async Task County_filter_returns_exactly_the_workers_of_those_counties(string[] counties, string[] expected)
    {
        Assert.Equal(expected, await WorkersMatching(new WorkerFilter(CountyCodes: counties)));
    }

    [Fact]
    public async Task Prefecture_filter_returns_the_workers_of_its_counties()
    {
        Assert.Equal(["C", "E"], await WorkersMatching(new WorkerFilter(PrefectureCode: "520500")));
    }

    [Theory]
    [InlineData("T001", new[] { "A", "B", "E" })] // B has it as its second trade
    [InlineData("T035", new[] { "B", "C" })]
    [InlineData("T002", new[] { "D" })]
    [InlineData("T00", new string[0])]  // part of a code matches nothing
    [InlineData("%", new string[0])]   // a wildcard in a code matches only itself
    [InlineData("T00_", new string[0])]
    [InlineData("T999", new string[0])]
    public async Task Trade_filter_matches_whole_trade_codes_in_any_position(string tradeId, string[] expected)
    {
        Assert.Equal(expected, await WorkersMatching(new WorkerFilter(TradeId: tradeId)));
    }

    [Theory]
    [InlineData("poverty-lifted", new[] { "A", "B" })]
    [InlineData("rural-woman", new[] { "B", "E" })]
    [InlineData("relocated", new[] { "C" })]
    [InlineData("graduate", new string[0])]
    [InlineData("%", new string[0])]
    [InlineData("rural_woman", new string[0])]
    public async Task Priority_group_filter_returns_exactly_the_workers_in_that_group(string group, string[] expected)
    {
        Assert.Equal(expected, await WorkersMatching(new WorkerFilter(PriorityGroup: group)));
    }

    [Theory]
    [InlineData(-11, new string[0])]
    [InlineData(0, new[] { "C", "E" })]   // available today counts
    [InlineData(29, new[] { "A", "C", "E" })]
    [InlineData(30, new[] { "A", "B", "C", "E" })]
    [InlineData(365, new[] { "A", "B", "C", "D", "E" })]
    public async Task Available_by_filter_returns_workers_available_on_or_before_that_day(int days, string[] expected)
    {
        Assert.Equal(expected, await WorkersMatching(new WorkerFilter(AvailableBy: FixedClock.Today.AddDays(days))));
    }

    [Fact]
    public async Task Destination_and_gender_filters_narrow_the_list()
    {
        Assert.Equal(["D"], await WorkersMatching(new WorkerFilter(Destination: "330200")));
        var all = await data.Workers.ListAsync(new WorkerFilter(), 1, 100);
        var women = all.Items.Where(w => w.Gender == Gender.Female).Select(w => w.Id).Order();
        Assert.Equal(women, (await data.Workers.ListAsync(new WorkerFilter(Gender: Gender.Female), 1, 100)).Items.Select(w => w.Id).Order());
    }

    [Fact]
    public async Task Filters_combine_with_and()
    {
        Assert.Equal(["B"], await WorkersMatching(new WorkerFilter(CountyCodes: ["520102"], TradeId: "T035")));
        Assert.Equal(["E"], await WorkersMatching(new WorkerFilter(CountyCodes: ["520525"], PriorityGroup: "rural-woman", AvailableBy: FixedClock.Today)));
        Assert.Empty(await WorkersMatching(new WorkerFilter(CountyCodes: ["522301"], TradeId: "T001")));
    }

    [Theory]
    [InlineData("%", new[] { "百分百%电子有限公司" })]
    [InlineData("百分百%", new[] { "百分百%电子有限公司" })]
    [InlineData("_", new[] { "达_通物流有限公司" })]
    [InlineData("达_通", new[] { "达_通物流有限公司" })]
    [InlineData("[深圳]", new[] { "[深圳]华创科技有限公司" })]
    [InlineData("华创", new[] { "[深圳]华创科技有限公司", "深圳华创科技有限公司" })]
    [InlineData("百分百", new[] { "百分百%电子有限公司", "百分百电子有限公司" })]
    [InlineData("\\", new string[0])]
    public async Task Employer_name_filter_matches_its_text_literally_even_like_wildcards(string text, string[] expected)
    {
        Assert.Equal(expected, await EmployersMatching(new EmployerFilter(NameContains: text)));
    }

    [Fact]
    public async Task Employer_province_and_city_filters_return_exactly_their_employers()
    {
        Assert.Equal(["[深圳]华创科技有限公司", "百分百%电子有限公司", "百分百电子有限公司"], await EmployersMatching(new EmployerFilter(CityCode: "440300")));
        Assert.Equal(["达X通物流有限公司"], await EmployersMatching(new EmployerFilter(ProvinceCode: "350000")));
        Assert.Equal(["达_通物流有限公司", "达通物流有限公司"], await EmployersMatching(new EmployerFilter(ProvinceCode: "330000", NameContains: "物流")));
    }

    private static string[] Keys(Dictionary<string, long> ids, IEnumerable<long> found)
    {
        var names = ids.ToDictionary(e => e.Value, e => e.Key);
        return found.Select(id => names[id]).Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task Placement_filters_find_due_follow_ups_and_workers_by_group_and_county()
    {
        async Task<string[]> Matching(PlacementFilter filter) =>
            Keys(data.PlacementIds, (await data.Placements.ListAsync(filter, 1, 100)).Items.Select(p => p.Id));

        Assert.Equal(["A", "C"], await Matching(new PlacementFilter()));
        Assert.Equal(["A"], await Matching(new PlacementFilter(PriorityGroup: "poverty-lifted")));
        Assert.Empty(await Matching(new PlacementFilter(PriorityGroup: "%")));
        Assert.Equal(["C"], await Matching(new PlacementFilter(CountyCodes: ["520525"])));
        Assert.Equal(["A"], await Matching(new PlacementFilter(FollowUpDueBy: FixedClock.Today)));
        Assert.Equal(["A", "C"], await Matching(new PlacementFilter(FollowUpDueBy: new DateOnly(2026, 4, 1))));
        Assert.Equal(["C"], await Matching(new PlacementFilter(WorkerId: data.WorkerIds["C"])));
        Assert.Equal(4, (await data.Placements.ListAsync(new PlacementFilter(WorkerId: data.WorkerIds["A"]), 1, 100)).Items.Single().FollowUps.Count);
    }

    [Fact]
    public async Task Opening_filters_return_exactly_the_matching_openings()
    {
        async Task<string[]> Matching(OpeningFilter filter) =>
            Keys(data.OpeningIds, (await data.Openings.ListAsync(filter, 1, 100)).Items.Select(o => o.Id));

        Assert.Equal(["gz-T001", "gz-T002"], await Matching(new OpeningFilter(ProvinceCode: "440000")));
        Assert.Equal(["gz-T001", "nb-T001"], await Matching(new OpeningFilter(TradeId: "T001")));
        Assert.Equal(["gz-T001", "nb-T001"], await Matching(new OpeningFilter(Status: "open")));
        Assert.Equal(["nb-T001"], await Matching(new OpeningFilter(ProvinceCode: "330000", TradeId: "T001")));
    }

    [Fact]
    public async Task Cohort_filters_return_exactly_the_matching_cohorts_with_their_links()
    {
        async Task<string[]> Matching(CohortFilter filter) =>
            Keys(data.CohortIds, (await data.Cohorts.ListAsync(filter, 1, 100)).Items.Select(c => c.Id));

        Assert.Equal(["may-welding"], await Matching(new CohortFilter(TradeId: "T029")));
        Assert.Equal(["april", "ningbo"], await Matching(new CohortFilter(TradeId: "T001")));
        Assert.Equal(["ningbo"], await Matching(new CohortFilter(Status: CohortStatus.Open)));
        Assert.Equal(["may-welding"], await Matching(new CohortFilter(StartsFrom: new DateOnly(2026, 4, 9))));
        Assert.Equal(["april", "ningbo"], await Matching(new CohortFilter(StartsTo: new DateOnly(2026, 4, 8))));
        Assert.Empty(await Matching(new CohortFilter(TradeId: "T0%")));
    }
}
