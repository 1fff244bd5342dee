using Matching.Api.Scheduling;
using Matching.Ranking.Model;
using Matching.Ranking.Training;
using Matching.Scheduling;

namespace Matching.Ranking.Tests;

/// <summary>The weekly retrain as the scheduler runs it: live and new model measured alike, the new one written where the service loads it.</summary>
[Collection(RankingCollection.Name)]
public sealed class WeeklyRetrainTests(RankingFixture fixture) : IDisposable
{
    private readonly string _models = Path.Combine(fixture.Folder, "weekly-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_models))
        {
            Directory.Delete(_models, recursive: true);
        }
    }

    [Fact]
    public async Task The_live_model_is_measured_on_the_held_out_openings_and_a_promoted_model_is_the_one_served_next()
    {
        RetentionTrainer.Save(fixture.Trained, _models);
        var provider = new RetentionModelProvider(_models, fixture.Time, TimeSpan.Zero);
        // A week later than the live model was trained: the new one gets a new version stamp.
        var trainer = new RankingModelTrainer(fixture.Environment.Database, provider, fixture.Features, fixture.Profiles, new LaterClock(TimeSpan.FromDays(7)));

        var live = await trainer.EvaluateLiveAsync(CancellationToken.None);
        Assert.NotNull(live);
        Assert.Equal(fixture.Trained.Card.Version, live.ModelId);
        // Measured on the validation period, not on the test period the model card reports.
        Assert.Equal(RetentionTrainer.ValidationNdcg(fixture.Trained.Model, fixture.Pairs)!.Value, live.Score, precision: 6);
        Assert.NotEqual(fixture.Trained.Card.Evaluation.NdcgModel, live.Score, precision: 6);

        var candidate = await trainer.TrainCandidateAsync(CancellationToken.None);
        Assert.NotEqual(live.ModelId, candidate.ModelId);
        Assert.InRange(candidate.Score, 0.0, 1.0);

        await trainer.PromoteAsync(candidate, CancellationToken.None);
        Assert.Equal(candidate.ModelId, provider.Current?.Version);
    }

    [Fact]
    public async Task Promoting_a_model_that_was_not_trained_is_refused_and_the_live_model_stays()
    {
        RetentionTrainer.Save(fixture.Trained, _models);
        var provider = new RetentionModelProvider(_models, fixture.Time, TimeSpan.Zero);
        var trainer = new RankingModelTrainer(fixture.Environment.Database, provider, fixture.Features, fixture.Profiles, fixture.Time);
        await Assert.ThrowsAsync<InvalidOperationException>(() => trainer.PromoteAsync(new ModelEvaluation("unknown", 0.9, RankingModelTrainer.Metric), CancellationToken.None));
        Assert.Equal(fixture.Trained.Card.Version, provider.Current?.Version);
    }
}

/// <summary>The system clock moved ahead, as the next weekly run sees it.</summary>
internal sealed class LaterClock(TimeSpan ahead) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
}
