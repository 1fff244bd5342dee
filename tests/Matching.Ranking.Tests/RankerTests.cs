using Dapper;
using Matching.Data.Cohorts;
using Matching.Data.Dispatch;
using Matching.Domain.Cohorts;
using Matching.Domain.Matching;
using Matching.Ranking.Serving;

namespace Matching.Ranking.Tests;

[Collection(RankingCollection.Name)]
public sealed class RankerTests(RankingFixture fixture)
{
    private async Task<IReadOnlyList<long>> OpeningIdsAsync()
    {
        await using var connection = await fixture.Environment.Database.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT id FROM openings WHERE status = 'open' ORDER BY id")).ToList();
    }

    [Fact]
    public async Task With_policy_weight_zero_candidates_are_ordered_by_predicted_retention_alone()
    {
        var ranker = fixture.Ranker(new RankingOptions { PriorityWeight = 0 });
        foreach (var openingId in (await OpeningIdsAsync()).Take(5))
        {
            var (list, refusal) = await ranker.CandidatesForOpeningAsync(openingId, 20);
            Assert.Equal(RankingRefusal.None, refusal);
            Assert.Equal(0, list!.Policy.PriorityWeight);
            Assert.All(list.Candidates, c => Assert.Equal(0, c.Match.PolicyBonus));
            var retention = list.Candidates.Select(c => c.Match.PredictedRetention).ToList();
            Assert.Equal(retention.OrderDescending(), retention);
        }
    }

    [Fact]
    public async Task The_policy_weight_lifts_priority_group_workers_and_is_shown_with_the_results()
    {
        var options = new RankingOptions { PriorityWeight = 0.3, PriorityGroups = ["poverty-lifted"] };
        var ranker = fixture.Ranker(options);
        var lifted = false;
        foreach (var openingId in (await OpeningIdsAsync()).Take(10))
        {
            var (list, _) = await ranker.CandidatesForOpeningAsync(openingId, 15);
            Assert.Equal(0.3, list!.Policy.PriorityWeight);
            Assert.Equal(["脱贫家庭劳动力"], list.Policy.PriorityGroupNames);
            foreach (var c in list.Candidates)
            {
                Assert.Equal(c.PriorityGroups.Contains("poverty-lifted") ? 0.3 : 0, c.Match.PolicyBonus);
                Assert.Equal(Math.Round(c.Match.PredictedRetention + c.Match.PolicyBonus, 4), c.Match.Score);
            }
            var scores = list.Candidates.Select(c => c.Match.Score).ToList();
            Assert.Equal(scores.OrderDescending(), scores);
            var first = list.Candidates.Select((c, i) => (c, i)).ToList();
            lifted |= first.Any(a => a.c.Match.PolicyBonus > 0 && first.Any(b => b.i > a.i && b.c.Match.PredictedRetention > a.c.Match.PredictedRetention));
        }
        Assert.True(lifted, "no priority-group worker was placed above a worker with a higher predicted retention");
    }

    [Fact]
    public async Task Each_candidate_carries_reasons_and_a_near_miss_gets_a_real_cohort_that_closes_the_gap()
    {
        var ranker = fixture.Ranker(new RankingOptions());
        var cohorts = new CohortStore(fixture.Environment.Database, fixture.Time, fixture.Environment.Catalogue);
        var nearMisses = 0;
        var today = Matching.Domain.Validation.ChinaTime.Today(fixture.Time);
        foreach (var openingId in (await OpeningIdsAsync()).Take(30))
        {
            var (list, _) = await ranker.CandidatesForOpeningAsync(openingId, 30);
            var opening = (await fixture.Profiles.GetOpeningAsync(openingId))!;
            foreach (var c in list!.Candidates)
            {
                Assert.False(string.IsNullOrWhiteSpace(c.Match.Reasons));
                Assert.InRange(c.Match.Factors.Count, 1, Explanations.TopFactors);
                Assert.Equal(c.Match.Reasons, string.Join("；", c.Match.Factors.Select(f => f.Reason)));
                if (c.Match.ClosingTraining is { } training)
                {
                    nearMisses++;
                    var openingTrade = fixture.Environment.Catalogue.TradesById[opening.Terms.TradeId].Name;
                    Assert.True(c.TradeName != openingTrade || c.Match.UnmetRequirements.Any(u => u.StartsWith("缺少", StringComparison.Ordinal)));
                    Assert.NotEmpty(c.Match.UnmetRequirements);
                    var cohort = (await cohorts.GetAsync(training.CohortId))!;
                    Assert.Contains(opening.Terms.TradeId, cohort.Trades);
                    Assert.Equal(cohort.Name, training.CohortName);
                    Assert.True(cohort.Capacity - cohort.SeatsTaken >= training.SeatsLeft && training.SeatsLeft > 0);
                    Assert.Equal("岗前培训", training.TrainingTypeName);
                    // Chosen for this worker: taking enrolments, the rule admits them, no overlap with their other seats.
                    Assert.True(cohort.Status == CohortStatus.Open && cohort.EnrolmentDeadline >= today, $"cohort {cohort.Id} is {cohort.Status}, deadline {cohort.EnrolmentDeadline}");
                    var worker = (await fixture.Profiles.GetWorkerAsync(c.WorkerId))!;
                    await using var connection = await fixture.Environment.Database.OpenAsync();
                    var terms = (await DispatchInputs.CohortAsync(connection, null, cohort.Id))!.Terms;
                    Assert.True(CohortEligibility.Admits(fixture.Environment.Catalogue, worker.Terms, terms),
                        string.Join("；", CohortEligibility.Reasons(fixture.Environment.Catalogue, worker.Terms, terms)));
                    var held = (await new DispatchInputs(fixture.Environment.Database).HeldAsync([c.WorkerId]))[c.WorkerId].ToList();
                    Assert.Null(CohortEligibility.Overlapping(held, cohort.Id, terms.StartDate, terms.EndDate));
                }
            }
        }
        Assert.True(nearMisses > 0);
    }

    [Fact]
    public async Task A_worker_gets_openings_ranked_the_same_way()
    {
        var ranker = fixture.Ranker(new RankingOptions { PriorityWeight = 0 });
        var openingId = (await OpeningIdsAsync())[1];
        var workerId = (await fixture.RecallWorkersAsync(openingId, 1)).Single().WorkerId;

        var (list, refusal) = await ranker.OpeningsForWorkerAsync(workerId, 5);

        Assert.Equal(RankingRefusal.None, refusal);
        Assert.InRange(list!.Openings.Count, 1, 5);
        // Ordered by the final score: retention, less the congestion penalty of an opening crowded by recent
        // applications when the worker has a good alternative (shown with its reason, never hiding the opening).
        var scores = list.Openings.Select(o => o.Match.Score).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(list.Openings, o =>
        {
            Assert.Equal(Math.Round(o.Match.PredictedRetention + o.Match.PolicyBonus - o.Match.CongestionPenalty, 4), o.Match.Score, 4);
            Assert.InRange(o.Match.CongestionPenalty, 0, Congestion.MaxPenalty);
            Assert.Equal(o.Match.CongestionPenalty > 0, o.Match.Congestion is not null);
        });
        Assert.All(list.Openings, o => Assert.False(string.IsNullOrWhiteSpace(o.Match.Reasons)));
        Assert.Equal(RankingRefusal.NotFound, (await ranker.OpeningsForWorkerAsync(987_654_321, 5)).Refusal);
    }

    [Fact]
    public async Task Without_a_model_ranking_is_refused_rather_than_guessed()
    {
        var empty = Path.Combine(fixture.Folder, $"no-model-{Guid.NewGuid():N}");
        var ranker = fixture.Ranker(new RankingOptions(), new Model.RetentionModelProvider(empty, fixture.Time, TimeSpan.Zero));
        var (list, refusal) = await ranker.CandidatesForOpeningAsync((await OpeningIdsAsync())[0], 5);
        Assert.Null(list);
        Assert.Equal(RankingRefusal.NoModel, refusal);
    }
}
