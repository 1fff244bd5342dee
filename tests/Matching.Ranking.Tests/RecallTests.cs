using Dapper;
using Matching.Domain.Matching;

namespace Matching.Ranking.Tests;

[Collection(RankingCollection.Name)]
public sealed class RecallTests(RankingFixture fixture)
{
    private async Task<IReadOnlyList<long>> OpeningIdsAsync()
    {
        await using var connection = await fixture.Environment.Database.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT id FROM openings WHERE status = 'open' ORDER BY id")).ToList();
    }

    [Fact]
    public async Task Every_recalled_worker_meets_the_hard_constraints_and_the_most_relevant_come_first()
    {
        var catalogue = fixture.Environment.Catalogue;
        var recalledSomewhere = 0;
        foreach (var openingId in (await OpeningIdsAsync()).Take(40))
        {
            var opening = (await fixture.Profiles.GetOpeningAsync(openingId))!;
            var recalled = await fixture.RecallWorkersAsync(openingId, 50);
            Assert.True(recalled.Count <= 50);
            Assert.Equal(recalled.OrderByDescending(r => r.Relevance).Select(r => r.Relevance), recalled.Select(r => r.Relevance));
            var workers = await fixture.Profiles.GetWorkersAsync(recalled.Select(r => r.WorkerId).ToList());
            var openingTrade = catalogue.TradesById[opening.Terms.TradeId];
            foreach (var r in recalled)
            {
                var w = workers[r.WorkerId];
                // Checked here from the catalogue, not through the Eligibility rule.
                var sameFamily = w.Terms.Trades.Where(t => catalogue.TradesById[t.TradeId].FamilyId == openingTrade.FamilyId).ToList();
                Assert.Contains(sameFamily, t => t.Level >= opening.Terms.MinLevel);
                var start = opening.StartBy;
                Assert.True(w.Terms.BirthDate <= start.AddYears(-opening.Terms.AgeMin) && w.Terms.BirthDate > start.AddYears(-(opening.Terms.AgeMax + 1)));
                Assert.True(w.Terms.AvailableFrom <= start);
                Assert.True(w.Terms.Destinations.Count == 0 || w.Terms.Destinations.Contains(opening.Terms.ProvinceCode) || w.Terms.Destinations.Contains(opening.Terms.CityCode));
                Assert.False(w.Terms.InActivePlacement);
                if (openingTrade.SpecialOperation)
                {
                    Assert.Contains(w.Terms.Certificates, c => c.Type == "special-operation" && c.TradeId is { } t
                        && catalogue.TradesById[t].FamilyId == openingTrade.FamilyId && (c.ExpiresOn is null || c.ExpiresOn >= start));
                }
                Assert.Equal(RecallRelevance.Of(w.Terms, opening.Terms), r.Relevance);
            }
            recalledSomewhere += recalled.Count;
        }
        Assert.True(recalledSomewhere > 200);
    }

    [Fact]
    public async Task Workers_that_fail_a_hard_constraint_or_are_in_a_job_are_not_recalled()
    {
        var catalogue = fixture.Environment.Catalogue;
        var openingId = (await OpeningIdsAsync())[0];
        var opening = (await fixture.Profiles.GetOpeningAsync(openingId))!;
        var recalled = (await fixture.RecallWorkersAsync(openingId, 10_000)).Select(r => r.WorkerId).ToHashSet();
        await using var connection = await fixture.Environment.Database.OpenAsync();
        var allIds = (await connection.QueryAsync<long>("SELECT id FROM workers")).ToList();
        var all = await fixture.Profiles.GetWorkersAsync(allIds);
        var employed = (await connection.QueryAsync<long>("SELECT worker_id FROM placements WHERE status = 'active'")).ToHashSet();
        Assert.NotEmpty(employed);
        var failing = all.Values.Where(w => !Eligibility.Admits(catalogue, w.Terms, opening.Terms, opening.StartBy)).ToList();
        Assert.All(employed, id => Assert.Contains(failing, w => w.Id == id));
        Assert.NotEmpty(failing);
        Assert.DoesNotContain(failing, w => recalled.Contains(w.Id));
        Assert.Equal(all.Count - failing.Count, recalled.Count);
    }

    [Fact]
    public async Task A_worker_is_offered_open_openings_in_the_provinces_they_prefer()
    {
        var catalogue = fixture.Environment.Catalogue;
        var openingId = (await OpeningIdsAsync())[2];
        var someone = (await fixture.RecallWorkersAsync(openingId, 1)).Single().WorkerId;
        var worker = (await fixture.Profiles.GetWorkerAsync(someone))!;

        var openings = await fixture.RecallOpeningsAsync(someone, 10_000);

        Assert.Contains(openings, o => o.OpeningId == openingId);
        var profiles = await fixture.Profiles.GetOpeningsAsync(openings.Select(o => o.OpeningId).ToList());
        Assert.All(profiles.Values, o =>
        {
            Assert.Equal("open", o.Status);
            Assert.True(worker.Terms.Destinations.Count == 0 || worker.Terms.Destinations.Contains(o.Terms.ProvinceCode) || worker.Terms.Destinations.Contains(o.Terms.CityCode));
        });
    }

    [Fact]
    public async Task Unknown_openings_and_workers_recall_nothing()
    {
        Assert.Empty(await fixture.RecallWorkersAsync(987_654_321, 10));
        Assert.Empty(await fixture.RecallOpeningsAsync(987_654_321, 10));
    }
}
