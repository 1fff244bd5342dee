using Dapper;
using Matching.Data.Cohorts;
using Matching.Data.Demo;
using Matching.Data.Workers;
using Matching.Domain.Cohorts;
using Matching.Domain.Workers;
using Matching.Search.Indexing;

namespace Matching.Search.Tests;

/// <summary>Outbox draining, retries, rebuilds and the consistency check against a real SQLite file and Lucene index.</summary>
public sealed class IndexingTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly SearchComponents _search;

    public IndexingTests()
    {
        _search = Components(new SearchOptions());
    }

    private SearchComponents Components(SearchOptions options) =>
        new(options, _db.Options, Shared.Catalogue, _db.Environment.Database, _db.Time);

    public void Dispose()
    {
        _search.Dispose();
        _db.Dispose();
    }

    private WorkerStore Workers => new(_db.Environment.Database, _db.Environment.Protector, _db.Time);

    private IReadOnlyList<WorkerDraft> Drafts(int count, int seed = 7) =>
        new DemoData(Shared.Catalogue, Shared.Today, seed).Workers(count).ToList();

    private async Task<List<(long Id, string? ProcessedAt, int Attempts, string? NextAttemptAt, string? LastError)>> OutboxAsync()
    {
        await using var connection = await _db.Environment.Database.OpenAsync();
        return (await connection.QueryAsync<(long, string?, int, string?, string?)>(
            "SELECT id, processed_at, attempts, next_attempt_at, last_error FROM outbox ORDER BY id")).AsList();
    }

    [Fact]
    public async Task The_indexer_applies_creates_updates_and_deletes_and_marks_each_outbox_row_processed()
    {
        var drafts = Drafts(3);
        var ids = new List<long>();
        foreach (var draft in drafts)
        {
            ids.Add((await Workers.CreateAsync(draft)).Id);
        }
        var moved = drafts[0] with { CountyCode = "520502", PrefectureCode = "520500" };
        await Workers.UpdateAsync(ids[0], moved, null);
        await Workers.DeleteAsync(ids[2], null);
        await _search.Index.EnsureCreatedAsync();

        Assert.Equal(5, await _search.Outbox.DrainAsync());

        Assert.Equal(new IndexCounts(2, 0), await _search.Index.CountAsync());
        var inBijie = await _search.Index.SearchWorkersAsync(new WorkerSearch(PrefectureCodes: ["520500"]), SearchScope.Unrestricted);
        Assert.Contains(ids[0], inBijie.Hits.Select(h => h.Id));
        var outbox = await OutboxAsync();
        Assert.Equal(5, outbox.Count);
        Assert.All(outbox, row => Assert.NotNull(row.ProcessedAt));
        Assert.Equal(0, await _search.Outbox.DrainAsync());
        Assert.True((await _search.Consistency.RunAsync()).Consistent);
    }

    [Fact]
    public async Task A_failing_index_leaves_the_rows_pending_with_exponential_back_off_and_a_later_pass_catches_up()
    {
        foreach (var draft in Drafts(2))
        {
            await Workers.CreateAsync(draft);
        }
        // A cluster that is down: nothing listens on this port.
        using (var broken = Components(new SearchOptions { SearchProvider = "elasticsearch", ElasticsearchUrl = "http://127.0.0.1:9" }))
        {
            var first = await broken.Outbox.DrainOnceAsync();
            Assert.Equal((0, 2), (first.Processed, first.Failed));
            var rows = await OutboxAsync();
            Assert.All(rows, r => Assert.Equal((1, (string?)null), (r.Attempts, r.ProcessedAt)));
            Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.LastError)));
            Assert.All(rows, r => Assert.Equal(Shared.Now + OutboxIndexer.RetryDelay(1), DateTimeOffset.Parse(r.NextAttemptAt!, System.Globalization.CultureInfo.InvariantCulture)));

            // Before the back-off has passed nothing is tried; after it, the second failure doubles the wait.
            Assert.Equal(0, (await broken.Outbox.DrainOnceAsync()).Failed);
            _db.Time.Advance(OutboxIndexer.RetryDelay(1));
            Assert.Equal(2, (await broken.Outbox.DrainOnceAsync()).Failed);
            Assert.All(await OutboxAsync(), r => Assert.Equal(2, r.Attempts));
            Assert.Equal(TimeSpan.FromSeconds(4), OutboxIndexer.RetryDelay(2));
        }

        await _search.Index.EnsureCreatedAsync();
        Assert.Equal(0, await _search.Outbox.DrainAsync());
        _db.Time.Advance(OutboxIndexer.RetryDelay(2));
        Assert.Equal(2, await _search.Outbox.DrainAsync());
        Assert.Equal(2, (await _search.Index.CountAsync()).Workers);
        Assert.All(await OutboxAsync(), r => Assert.Equal((string?)null, r.LastError));
    }

    [Fact]
    public async Task A_change_that_always_fails_is_set_aside_after_its_retries_and_the_changes_after_it_keep_flowing()
    {
        var ids = new List<long>();
        foreach (var draft in Drafts(3))
        {
            ids.Add((await Workers.CreateAsync(draft)).Id);
        }
        // The second worker's stored trades cannot be read: indexing it fails every time, whatever the index does.
        await using (var connection = await _db.Environment.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE workers SET trades_json = 'not json' WHERE id = @Id", new { Id = ids[1] });
        }
        await _search.Index.EnsureCreatedAsync();

        var first = await _search.Outbox.DrainOnceAsync();
        Assert.Equal((2, 1), (first.Processed, first.Failed));
        Assert.Equal(2, (await _search.Index.CountAsync()).Workers);

        // A change made while the bad row waits out its back-off is indexed at once, not held up behind it.
        var later = (await Workers.CreateAsync(Drafts(1, seed: 11)[0])).Id;
        Assert.Equal(1, await _search.Outbox.DrainAsync());
        Assert.Contains(later, (await _search.Index.SearchWorkersAsync(new WorkerSearch(), SearchScope.Unrestricted)).Hits.Select(h => h.Id));

        for (var attempt = 2; attempt <= OutboxIndexer.MaxAttempts; attempt++)
        {
            _db.Time.Advance(OutboxIndexer.RetryDelay(attempt - 1));
            Assert.Equal(1, (await _search.Outbox.DrainOnceAsync()).Failed);
        }
        var status = await _search.Outbox.StatusAsync();
        Assert.Equal((0, 1), (status.Pending, status.SetAside));
        var aside = Assert.Single(status.SetAsideRows);
        Assert.Equal(("worker", ids[1], OutboxIndexer.MaxAttempts), (aside.Entity, aside.EntityId, aside.Attempts));
        Assert.Contains("JsonException", aside.LastError, StringComparison.Ordinal);

        // Set aside: no longer retried, and nothing else is waiting.
        _db.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new DrainResult(0, 0, false), await _search.Outbox.DrainOnceAsync());
        Assert.Equal(3, (await _search.Index.CountAsync()).Workers);
    }

    [Fact]
    public async Task Back_off_doubles_up_to_ten_minutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), OutboxIndexer.RetryDelay(1));
        Assert.Equal(TimeSpan.FromSeconds(16), OutboxIndexer.RetryDelay(4));
        Assert.Equal(TimeSpan.FromMinutes(10), OutboxIndexer.RetryDelay(30));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_rebuild_indexes_what_seeding_wrote_without_outbox_rows_and_keeps_changes_made_meanwhile()
    {
        var (_, workers) = await new DemoSeeder(_db.Environment, _db.Time).SeedAsync(150);
        await _search.Index.EnsureCreatedAsync();
        var lines = new List<string>();
        var changed = false;
        var progress = new InlineProgress(line =>
        {
            lines.Add(line);
            // After every worker was read into the new version: a clerk changes worker 1.
            if (line.StartsWith("岗位", StringComparison.Ordinal) && !changed)
            {
                changed = true;
                var draft = Drafts(1, seed: 99)[0];
                var result = Workers.UpdateAsync(1, draft with { IdNumber = Drafts(1)[0].IdNumber }, null).GetAwaiter().GetResult();
                Assert.Equal(Data.Storage.WriteStatus.Ok, result.Status);
            }
        });

        var status = await _search.Reindexer.RunAsync(progress);

        Assert.Equal(ReindexState.Completed, status.State);
        Assert.Equal(workers, status.WorkersIndexed);
        Assert.True(changed);
        Assert.Contains(lines, l => l.Contains("已切换到新索引", StringComparison.Ordinal));
        var report = await _search.Consistency.RunAsync(sample: 500);
        Assert.True(report.Consistent, string.Join("; ", report.Mismatches.Select(m => $"{m.Kind} {m.Id} {m.Problem}")));
        Assert.Equal(report.Sql, report.Index);
        Assert.True(report.Index.Openings > 0);
        // The seeding's outbox rows (openings, cohorts) are covered by the rebuild; only the change made during it
        // stays pending for the indexer (already replayed into the new version, so applying it again changes nothing).
        Assert.Equal(1, report.OutboxPending);
    }

    [Fact]
    public async Task An_index_built_by_another_version_is_rebuilt_at_start()
    {
        await new DemoSeeder(_db.Environment, _db.Time).SeedAsync(60);
        await _search.Reindexer.RunAsync();
        await using (var connection = await _db.Environment.Database.OpenAsync())
        {
            // What some documents hold changed behind the index (as after an upgrade that changed how documents with
            // certificates are written), with nothing waiting in the outbox to explain it.
            await connection.ExecuteAsync("UPDATE workers SET expected_wage = expected_wage + 1 WHERE id % 5 = 0");
            await connection.ExecuteAsync("UPDATE outbox SET processed_at = '2026-01-01T00:00:00+00:00' WHERE processed_at IS NULL");
        }
        Assert.False((await _search.Consistency.RunAsync(sample: 40)).Consistent);

        var service = new OutboxIndexerService(_search, new SearchOptions { SearchIndexerPollSeconds = 0.05 }, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxIndexerService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            var report = await _search.Consistency.RunAsync(sample: 500);
            for (var attempt = 0; attempt < 600 && !report.Consistent; attempt++)
            {
                await Task.Delay(100);
                report = await _search.Consistency.RunAsync(sample: 500);
            }
            Assert.True(report.Consistent, string.Join("; ", report.Mismatches.Take(5).Select(m => $"{m.Kind} {m.Id} {m.Problem}")));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_consistency_check_finds_rows_changed_or_removed_behind_the_indexers_back()
    {
        await new DemoSeeder(_db.Environment, _db.Time).SeedAsync(60);
        await _search.Reindexer.RunAsync();
        Assert.True((await _search.Consistency.RunAsync(sample: 500)).Consistent);

        await using (var connection = await _db.Environment.Database.OpenAsync())
        {
            // Straight SQL, no outbox row: the index cannot know.
            await connection.ExecuteAsync("UPDATE workers SET expected_wage = expected_wage + 1000 WHERE id = 5");
            // A worker nothing refers to (the demo's past offers, placements and trainings refer to many).
            await connection.ExecuteAsync("""
                DELETE FROM workers WHERE id = (SELECT MAX(id) FROM workers w WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.worker_id = w.id)
                    AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = w.id) AND NOT EXISTS (SELECT 1 FROM match_offers m WHERE m.worker_id = w.id))
                """);
        }
        var report = await _search.Consistency.RunAsync(sample: 500);
        Assert.False(report.Consistent);
        Assert.Equal(report.Index.Workers - 1, report.Sql.Workers);
        Assert.Contains(report.Mismatches, m => m.Kind == "worker" && m.Id == 5);
    }

    [Fact]
    public async Task A_cohort_change_reindexes_its_openings()
    {
        await new DemoSeeder(_db.Environment, _db.Time).SeedAsync(30);
        await _search.Index.EnsureCreatedAsync();
        await _search.Outbox.DrainAsync();
        var cohorts = new CohortStore(_db.Environment.Database, _db.Time, _db.Environment.Catalogue);
        var cohort = (await cohorts.ListAsync(new CohortFilter(), 1, 1)).Items[0];
        var openingId = cohort.LinkedOpeningIds[0];
        var before = (await _search.Index.OpeningFingerprintsAsync([openingId]))[0].Hash;

        var later = cohort.StartDate.AddDays(30);
        var draft = new CohortDraft(cohort.BaseId, cohort.Name, cohort.TrainingType, cohort.Trades, cohort.Capacity, cohort.MinSize,
            later.AddDays(-7), later, later.AddDays(20), cohort.LinkedOpeningIds, cohort.Status);
        Assert.Equal(Data.Storage.WriteStatus.Ok, (await cohorts.UpdateAsync(cohort.Id, draft, null)).Status);
        await _search.Outbox.DrainAsync();

        var document = (await _search.Source.OpeningsAsync([openingId]))[0];
        Assert.Equal(document.Hash, (await _search.Index.OpeningFingerprintsAsync([openingId]))[0].Hash);
        Assert.NotEqual(before, document.Hash);

        // Deleted: its openings lose it too, although SQL no longer links them.
        Assert.Equal(Data.Storage.WriteStatus.Ok, (await cohorts.DeleteAsync(cohort.Id, null)).Status);
        await _search.Outbox.DrainAsync();
        Assert.DoesNotContain(openingId, await _search.Index.OpeningsOfCohortAsync(cohort.Id));
    }

    [Fact]
    public async Task Recall_for_a_stored_opening_equals_checking_every_worker_by_hand()
    {
        await new DemoSeeder(_db.Environment, _db.Time).SeedAsync(400);
        await _search.Reindexer.RunAsync();
        var openingIds = (await _search.Source.OpeningsAfterAsync(0, 40)).Select(o => o.Id).ToList();
        var allWorkers = await _search.Source.WorkerFactsAsync(Enumerable.Range(1, 400).Select(i => (long)i).ToList());
        var checkedWithCandidates = 0;
        foreach (var openingId in openingIds)
        {
            var recall = (await _search.Recall.CandidatesForOpeningAsync(openingId, SearchScope.Unrestricted, limit: 1000))!;
            var o = recall.Criteria.Opening;
            var start = recall.Criteria.Start;
            var family = Family(o.TradeId);
            var needs = o.RequiredCertificates.Concat(Shared.Catalogue.TradesById[o.TradeId].SpecialOperation ? ["special-operation"] : []).Distinct().ToList();
            // Checked here by hand from the catalogue, not through the Eligibility rule.
            var expected = allWorkers.Where(w =>
                    !w.InActivePlacement
                    && w.Trades.Any(t => Family(t.TradeId) == family && t.Level >= o.MinLevel)
                    && needs.All(type => w.Certificates.Any(x => x.Type == type && x.TradeId is { } certified && Family(certified) == family
                        && (x.ExpiresOn is null || x.ExpiresOn >= start)))
                    && w.BirthDate <= start.AddYears(-o.AgeMin) && w.BirthDate > start.AddYears(-(o.AgeMax + 1))
                    && w.AvailableFrom <= start
                    && (w.PreferredDestinations.Count == 0 || w.PreferredDestinations.Contains(o.ProvinceCode) || w.PreferredDestinations.Contains(o.CityCode))
                    && (o.TrainingType is null || w.TrainingIntentions is not { Count: > 0 } intentions || intentions.Contains(o.TrainingType)))
                .Select(w => w.Id).Order().ToList();
            Assert.Equal(expected, recall.Workers.Select(h => h.Id).Order().ToList());
            // Best first: scores never increase down the list.
            Assert.True(recall.Workers.Zip(recall.Workers.Skip(1)).All(p => p.First.Score >= p.Second.Score));
            checkedWithCandidates += expected.Count > 0 ? 1 : 0;
        }
        Assert.True(checkedWithCandidates >= 10, $"only {checkedWithCandidates} openings had candidates");
        Assert.Null(await _search.Recall.CandidatesForOpeningAsync(999_999, SearchScope.Unrestricted));
    }

    [Fact]
    public async Task Recall_for_a_worker_outside_the_callers_counties_is_not_found()
    {
        await new DemoSeeder(_db.Environment, _db.Time).SeedAsync(30);
        await _search.Reindexer.RunAsync();
        var worker = (await _search.Source.WorkerFactsAsync([1]))[0];
        var other = Shared.Catalogue.GuizhouCounties.First(c => c.Code != worker.CountyCode).Code;
        Assert.Null(await _search.Recall.OpeningsForWorkerAsync(1, new SearchScope([other], null, false)));
        Assert.NotNull(await _search.Recall.OpeningsForWorkerAsync(1, new SearchScope([worker.CountyCode], null, false)));
    }

    private static string Family(string tradeId) => Shared.Catalogue.TradesById[tradeId].FamilyId;

    private sealed class InlineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
