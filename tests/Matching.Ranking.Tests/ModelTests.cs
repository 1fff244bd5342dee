using System.Text.Json;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Training;
using Microsoft.ML;

namespace Matching.Ranking.Tests;

[Collection(RankingCollection.Name)]
public sealed class ModelTests(RankingFixture fixture)
{
    private TimeSplit Split => TimeSplit.Of(fixture.Pairs.Select(p => p.Pair));

    private IReadOnlyList<FeaturedPair> HeldOutPairs => fixture.Pairs.Where(p => Split.InTest(p.Pair)).ToList();

    /// <summary>NDCG@10 computed by hand: per opening, DCG of the top ten by score over the ideal DCG, averaged.</summary>
    private static double HandNdcgAt10(IReadOnlyList<LabelledPair> pairs, IReadOnlyList<float> scores)
    {
        var values = new List<double>();
        foreach (var group in pairs.Select((p, i) => (p, Score: scores[i])).GroupBy(x => x.p.OpeningId))
        {
            static double Dcg(IEnumerable<double> gains) => gains.Take(10).Select((g, i) => g / Math.Log2(i + 2)).Sum();
            var ideal = Dcg(group.Select(x => x.p.Retained ? 1.0 : 0).OrderDescending());
            var actual = Dcg(group.OrderByDescending(x => x.Score).Select(x => x.p.Retained ? 1.0 : 0));
            values.Add(ideal == 0 ? 0 : actual / ideal);
        }
        return values.Average();
    }

    [Fact]
    public void Held_out_NDCG_uses_group_keys_fitted_before_the_split_and_does_not_read_a_perfect_one()
    {
        var ml = new MLContext(seed: 1);
        var heldOut = HeldOutPairs;
        var probabilities = fixture.Trained.Model.PredictBatch(heldOut.Select(p => p.Features));
        var labelled = heldOut.Select(p => p.Pair).ToList();

        var keysFromAllRows = RankingEvaluation.FitGroupKeys(ml, fixture.Pairs.Select(p => p.Pair));
        var ndcg = RankingEvaluation.NdcgAt10(ml, keysFromAllRows, labelled, probabilities);

        Assert.InRange(ndcg, 0.05, 0.99);
        Assert.Equal(HandNdcgAt10(labelled, probabilities), ndcg, 0.03);
        Assert.Equal(fixture.Trained.Card.Evaluation.NdcgModel, ndcg, 0.0001);

        // The trap this guards against: keys fitted on the training rows only make every held-out opening unknown,
        // and the held-out rows collapse into one group. A score that ranks perfectly within each opening but not
        // across openings shows the difference: per opening it is perfect, merged it is not.
        var keysFromTrainingRows = RankingEvaluation.FitGroupKeys(ml, fixture.Pairs.Where(p => !labelled.Any(t => t.OpeningId == p.Pair.OpeningId)).Select(p => p.Pair));
        var perfectWithinOpening = labelled.Select(p => (float)((p.Retained ? 1 : 0) - p.OpeningId * 10)).ToList();
        var merged = labelled.Select(p => p with { OpeningId = 0 }).ToList();
        Assert.Equal(HandNdcgAt10(labelled, perfectWithinOpening), RankingEvaluation.NdcgAt10(ml, keysFromAllRows, labelled, perfectWithinOpening), 0.03);
        var trapped = RankingEvaluation.NdcgAt10(ml, keysFromTrainingRows, labelled, perfectWithinOpening);
        Assert.Equal(HandNdcgAt10(merged, perfectWithinOpening), trapped, 0.03);
        Assert.True(RankingEvaluation.NdcgAt10(ml, keysFromAllRows, labelled, perfectWithinOpening) > trapped + 0.1);
    }

    [Fact]
    public void The_model_ranks_held_out_openings_better_than_random_and_its_card_says_so()
    {
        var card = fixture.Trained.Card;
        Assert.Equal(MatchFeatures.Names, card.Features);
        Assert.True(card.TrainingPairs > 500);
        Assert.Equal(HeldOutPairs.Count, card.Evaluation.TestPairs);
        Assert.Equal(TrainingData.Hash(fixture.Pairs.Select(p => p.Pair)), card.DataHash);
        Assert.True(card.Evaluation.NdcgModel > card.Evaluation.NdcgRandom);
        Assert.True(card.Evaluation.AucModel > 0.6);
        Assert.NotEmpty(card.Evaluation.Calibration);
        Assert.Equal(card.Evaluation.TestPairs, card.Evaluation.Calibration.Sum(b => b.Pairs));
    }

    [Fact]
    public void A_saved_model_loads_with_its_card_and_scores_exactly_as_trained()
    {
        var loaded = RetentionModel.Load(fixture.ModelDirectory);
        var sample = fixture.Pairs.Take(200).Select(p => p.Features).ToList();

        Assert.Equal(fixture.Trained.Card.Version, loaded.Version);
        Assert.Equal(fixture.Trained.Model.PredictBatch(sample), loaded.PredictBatch(sample));
        // The compiled trees serve requests; they must give ML.NET's own probabilities.
        Assert.True(loaded.Compiled);
        var byMlNet = loaded.PredictBatch(sample);
        var compiled = loaded.PredictEach(sample);
        Assert.All(Enumerable.Range(0, sample.Count), i => Assert.Equal(byMlNet[i], compiled[i], 0.00001f));
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(byMlNet[i], loaded.Predict(sample[i]), 0.00001f));
        Assert.Contains("NDCG@10", File.ReadAllText(Path.Combine(fixture.ModelDirectory, RetentionModel.CardMarkdownFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scoring_from_many_threads_at_once_gives_the_same_answers_as_one_thread()
    {
        var model = RetentionModel.Load(fixture.ModelDirectory);
        var sample = fixture.Pairs.Take(300).Select(p => p.Features).ToList();
        var expected = model.PredictEach(sample);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 5).Select(_ => model.PredictEach(sample)).ToList())));

        Assert.All(results.SelectMany(r => r), r => Assert.Equal(expected, r));
    }

    [Fact]
    public void A_newly_trained_model_is_picked_up_without_a_restart_and_a_broken_one_is_refused_while_the_old_keeps_serving()
    {
        var folder = Path.Combine(fixture.Folder, $"reload-{Guid.NewGuid():N}");
        var time = new ManualTime();
        var provider = new RetentionModelProvider(folder, time, TimeSpan.FromSeconds(5));
        Assert.Null(provider.Current);
        Assert.Contains("train", provider.LastError, StringComparison.Ordinal);

        RetentionTrainer.Save(fixture.Trained, folder);
        Assert.Null(provider.Current); // not looked at again before the check interval
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(fixture.Trained.Card.Version, provider.Current?.Version);

        var retrained = new RetentionTrainer(TimeProvider.System).Train(fixture.Pairs, RankingFixture.TinyModel with { Trees = 12 });
        var renamed = retrained with { Card = retrained.Card with { Version = "retrained" } };
        RetentionTrainer.Save(renamed, folder);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("retrained", provider.Current?.Version);

        // A model trained for other features (a stale file) is refused; the current one keeps serving.
        var card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.Combine(folder, RetentionModel.CardJsonFileName)), ModelCard.Json)!;
        File.WriteAllText(Path.Combine(folder, RetentionModel.CardJsonFileName),
            JsonSerializer.Serialize(card with { Version = "stale", Features = [.. card.Features.Skip(1)] }, ModelCard.Json));
        File.AppendAllText(Path.Combine(folder, RetentionModel.ModelFileName), " ");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("retrained", provider.Current?.Version);
        Assert.Contains("特征与当前程序不一致", provider.LastError, StringComparison.Ordinal);
    }
}
