using Matching.Search.Documents;

namespace Matching.Search.Tests;

/// <summary>
/// What a clerk notices, asked of one engine. Every engine runs this same suite (Lucene always, Elasticsearch when a
/// server is reachable), filled with the hand-made <see cref="Fixture"/> workers and openings.
/// </summary>
public abstract class SearchBehaviourTests : IAsyncLifetime
{
    private ISearchIndex? _index;

    /// <summary>Why this engine cannot run here, or null.</summary>
    protected virtual string? SkipReason => null;

    protected abstract Task<ISearchIndex> CreateIndexAsync();

    protected ISearchIndex Index => _index!;

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }
        _index = await CreateIndexAsync();
        await _index.EnsureCreatedAsync();
        await _index.UpsertWorkersAsync(Fixture.WorkerDocuments());
        await _index.UpsertOpeningsAsync(Fixture.OpeningDocuments());
        await _index.CommitAsync();
    }

    public virtual Task DisposeAsync()
    {
        _index?.Dispose();
        return Task.CompletedTask;
    }

    private async Task<List<long>> WorkersFound(string? text, SearchScope? scope = null)
    {
        var result = await Index.SearchWorkersAsync(new WorkerSearch(text, Size: 50), scope ?? SearchScope.Unrestricted);
        return result.Hits.Select(h => h.Id).Order().ToList();
    }

    private static List<long> WorkersWithTrade(string tradeId) =>
        Fixture.Workers().Where(w => w.Trades.Any(t => t.TradeId == tradeId)).Select(w => w.Id).Order().ToList();

    [SkippableFact]
    public async Task Colloquial_yuesao_finds_the_maternity_nurse()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Equal(WorkersWithTrade("T091"), await WorkersFound("月嫂"));
    }

    [SkippableFact]
    public async Task Colloquial_dianhangong_finds_every_welder_and_only_welders()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Equal(WorkersWithTrade("T029"), await WorkersFound("电焊工"));
    }

    [SkippableFact]
    public async Task Colloquial_chushi_finds_the_chef()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Equal(WorkersWithTrade("T071"), await WorkersFound("厨师"));
    }

    [SkippableFact]
    public async Task Traditional_characters_find_the_electrician()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Equal(WorkersWithTrade("T035"), await WorkersFound("電工"));
    }

    [SkippableFact]
    public async Task A_sentence_copied_from_a_job_advert_finds_the_welders()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var found = await WorkersFound("诚聘電焊工若干名（持證上崗），包吃住，月薪８０００元，工作地点深圳");
        Assert.Equal(WorkersWithTrade("T029"), found);
    }

    [SkippableFact]
    public async Task A_trade_word_with_one_wrong_character_still_finds_the_trade()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Equal(WorkersWithTrade("T071"), await WorkersFound("中式烹调帅"));
    }

    [SkippableFact]
    public async Task Words_from_a_workers_notes_find_that_worker()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Equal([9L], await WorkersFound("电子厂"));
    }

    [SkippableFact]
    public async Task Text_that_names_nothing_known_finds_nothing()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Empty(await WorkersFound("宇航员"));
    }

    [SkippableFact]
    public async Task Query_syntax_in_user_text_is_only_text()
    {
        Skip.If(SkipReason is not null, SkipReason);
        // Lucene and Elasticsearch query syntax that would match everything if it were parsed.
        Assert.Empty(await WorkersFound("*:* OR id:[0 TO 99]"));
    }

    [SkippableFact]
    public async Task Facets_count_every_match_by_prefecture_trade_family_level_group_and_destination()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var result = await Index.SearchWorkersAsync(new WorkerSearch(Size: 1), SearchScope.Unrestricted);
        var workers = Fixture.Workers();
        Assert.Equal(workers.Count, result.Total);
        Assert.Single(result.Hits);

        static Dictionary<string, long> Counts(IEnumerable<string> values) =>
            values.GroupBy(v => v).ToDictionary(g => g.Key, g => (long)g.Count());

        Dictionary<string, long> Facet(string name) => result.Facets[name].ToDictionary(f => f.Value, f => f.Count);

        Assert.Equal(Counts(workers.Select(w => w.PrefectureCode)), Facet(Facets.Prefecture));
        Assert.Equal(Counts(workers.Select(w => w.CountyCode)), Facet(Facets.County));
        Assert.Equal(Counts(workers.SelectMany(w => w.Trades.Select(t => t.TradeId))), Facet(Facets.Trade));
        Assert.Equal(Counts(workers.SelectMany(w => w.Trades.Select(t => Shared.Catalogue.TradesById[t.TradeId].FamilyId).Distinct())), Facet(Facets.Family));
        Assert.Equal(Counts(workers.SelectMany(w => w.Trades.Select(t => t.Level.ToString(System.Globalization.CultureInfo.InvariantCulture)))), Facet(Facets.Level));
        Assert.Equal(Counts(workers.SelectMany(w => w.PriorityGroups)), Facet(Facets.PriorityGroup));
        Assert.Equal(Counts(workers.Select(w => w.PreferredDestinations.Count == 0 ? WorkerDocument.AnyDestination : Shared.Catalogue.ProvinceOf(w.PreferredDestinations[0])!)),
            Facet(Facets.Destination));
    }

    [SkippableFact]
    public async Task Facets_follow_the_text_and_filters()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var result = await Index.SearchWorkersAsync(new WorkerSearch("焊工", PrefectureCodes: ["520100"]), SearchScope.Unrestricted);
        var expected = Fixture.Workers().Where(w => w.PrefectureCode == "520100" && w.Trades.Any(t => t.TradeId == "T029")).ToList();
        Assert.Equal(expected.Count, result.Total);
        Assert.Equal(new FacetValue("T029", expected.Count), Assert.Single(result.Facets[Facets.Trade]));
    }

    [SkippableFact]
    public async Task Paging_and_sorting_walk_through_every_match_once()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var seen = new List<long>();
        for (var from = 0; from < 12; from += 5)
        {
            var page = await Index.SearchWorkersAsync(new WorkerSearch(Sort: WorkerSort.Id, From: from, Size: 5), SearchScope.Unrestricted);
            seen.AddRange(page.Hits.Select(h => h.Id));
        }
        Assert.Equal(Fixture.Workers().Select(w => w.Id).Order().ToList(), seen);

        var byAvailability = await Index.SearchWorkersAsync(new WorkerSearch(Sort: WorkerSort.AvailableFrom, Size: 50), SearchScope.Unrestricted);
        Assert.Equal(8L, byAvailability.Hits[^1].Id);
    }

    [SkippableFact]
    public async Task A_county_scope_hides_workers_of_other_counties()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var scope = new SearchScope([Fixture.Bijie], null, false);
        var expected = Fixture.Workers().Where(w => w.CountyCode == Fixture.Bijie).Select(w => w.Id).Order().ToList();
        Assert.Equal(expected, await WorkersFound(null, scope));
        Assert.Equal(expected.Intersect(WorkersWithTrade("T029")).ToList(), await WorkersFound("电焊工", scope));
        var recall = await Index.RecallWorkersAsync(Fixture.WelderInShenzhen(), scope, 100);
        Assert.All(recall, h => Assert.Contains(h.Id, expected));
    }

    [SkippableFact]
    public async Task A_priority_group_scope_hides_workers_outside_every_group()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var scope = new SearchScope(null, null, PriorityGroupsOnly: true);
        var expected = Fixture.Workers().Where(w => w.PriorityGroups.Count > 0).Select(w => w.Id).Order().ToList();
        Assert.Equal(expected, await WorkersFound(null, scope));
    }

    [SkippableFact]
    public async Task An_employer_scope_hides_other_employers_openings()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var result = await Index.SearchOpeningsAsync(new OpeningSearch(Status: null, Size: 50), new SearchScope(null, 2, false));
        Assert.Equal([106L], result.Hits.Select(h => h.Id).ToList());
    }

    [SkippableFact]
    public async Task Recall_for_an_opening_keeps_only_workers_the_eligibility_rule_admits_best_first()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var hits = await Index.RecallWorkersAsync(Fixture.WelderInShenzhen(), SearchScope.Unrestricted, 100);
        // 2 is a welder who named Shenzhen itself (7 = trade 4 + city 2 + first choice 1); 11 a welder with no stated
        // preference (4); 10 an argon-arc welder of the same family, certified, first choice Guangdong (2). Left out: 3
        // (Zhejiang only), 6 (60 at the cohort start), 7 (level 1), 8 (available after the start), 12 (no certificate).
        Assert.Equal([(2L, 7.0), (11L, 4.0), (10L, 2.0)], hits.Select(h => (h.Id, h.Score)).ToList());
    }

    [SkippableFact]
    public async Task Recall_narrowed_to_the_same_trade_leaves_out_the_rest_of_the_family()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var hits = await Index.RecallWorkersAsync(Fixture.WelderInShenzhen(sameTradeOnly: true), SearchScope.Unrestricted, 100);
        Assert.Equal([2L, 11L], hits.Select(h => h.Id).ToList());
    }

    [SkippableFact]
    public async Task Recall_respects_the_limit()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var hits = await Index.RecallWorkersAsync(Fixture.WelderInShenzhen(), SearchScope.Unrestricted, 1);
        Assert.Equal([2L], hits.Select(h => h.Id).ToList());
    }

    [SkippableFact]
    public async Task Recall_for_a_worker_keeps_only_open_openings_the_worker_qualifies_for()
    {
        Skip.If(SkipReason is not null, SkipReason);
        // Worker 2 named Shenzhen itself: 101 there; not 106 or 107 elsewhere in Guangdong (a named city is that city).
        Assert.Equal([101L], (await Index.RecallOpeningsAsync(Criteria(2), SearchScope.Unrestricted, 100)).Select(h => h.Id).ToList());
        // Worker 7 (welder level 1, certified, Guangdong anywhere): 106 (welder, 6 = trade 4 + first 1 + province 1), then
        // 107 (argon-arc welding, same family, 2). Left out: 101 (level 2 needed), 102 (Zhejiang), 105 (closed).
        var hits = await Index.RecallOpeningsAsync(Criteria(7), SearchScope.Unrestricted, 100);
        Assert.Equal([(106L, 6.0), (107L, 2.0)], hits.Select(h => (h.Id, h.Score)).ToList());
    }

    [SkippableFact]
    public async Task Recall_for_a_worker_drops_cohorts_starting_before_the_worker_is_available()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Empty(await Index.RecallOpeningsAsync(Criteria(8), SearchScope.Unrestricted, 100));
    }

    [SkippableFact]
    public async Task Recall_for_a_worker_without_the_certificate_finds_no_special_operation_opening()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Assert.Empty(await Index.RecallOpeningsAsync(Criteria(12), SearchScope.Unrestricted, 100));
    }

    [SkippableFact]
    public async Task Recall_for_a_worker_within_an_employer_scope_sees_only_that_employers_openings()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var hits = await Index.RecallOpeningsAsync(Criteria(7), new SearchScope(null, 2, false), 100);
        Assert.Equal([106L], hits.Select(h => h.Id).ToList());
    }

    [SkippableFact]
    public async Task Deleted_and_replaced_documents_leave_the_results()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await Index.DeleteWorkersAsync([1]);
        var changed = Shared.Builder.Worker(Fixture.Worker(4, "T091", 2, county: Fixture.Bijie), Shared.Today);
        await Index.UpsertWorkersAsync([changed]);
        await Index.CommitAsync();
        Assert.Equal([4L], await WorkersFound("月嫂"));
        Assert.Empty(await WorkersFound("厨师"));
        Assert.Equal(new IndexCounts(Fixture.Workers().Count - 1, Fixture.Openings().Count), await Index.CountAsync());
    }

    [SkippableFact]
    public async Task Fingerprints_and_cohort_links_come_back_from_the_index()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var documents = Fixture.WorkerDocuments();
        var prints = await Index.WorkerFingerprintsAsync([1, 2, 999]);
        Assert.Equal([(1L, documents[0].Hash), (2L, documents[1].Hash)], prints.Select(p => (p.Id, p.Hash)).OrderBy(p => p.Id).ToList());
        Assert.Equal([101L], await Index.OpeningsOfCohortAsync(10100));
    }

    [SkippableFact]
    public async Task A_rebuild_swaps_in_the_new_version_and_searches_see_it()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using (var rebuild = await Index.BeginRebuildAsync())
        {
            await rebuild.AddWorkersAsync(Fixture.WorkerDocuments().Where(d => d.Id <= 5).ToList());
            await rebuild.AddOpeningsAsync(Fixture.OpeningDocuments());
            // Until the swap, searches still see the old version.
            Assert.Equal(Fixture.Workers().Count, (await Index.CountAsync()).Workers);
            await rebuild.SwapAsync();
        }
        Assert.Equal(5, (await Index.CountAsync()).Workers);
        Assert.Equal([1L], await WorkersFound("月嫂"));
    }

    private static OpeningCriteria Criteria(long workerId) => new(Fixture.Workers().Single(w => w.Id == workerId).Terms);
}

public sealed class LuceneSearchBehaviourTests : SearchBehaviourTests
{
    private readonly TempFolder _folder = new();

    protected override Task<ISearchIndex> CreateIndexAsync() =>
        Task.FromResult<ISearchIndex>(new Lucene.LuceneSearchIndex(Path.Combine(_folder.Path, "index"), Shared.Planner));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
