namespace Matching.Scheduling.Tests;

/// <summary>The weekly retrain replaces the live model only when the new one is not worse on the same measure.</summary>
public sealed class ModelPromotionTests
{
    [Theory]
    [InlineData(0.60, 0.65, false)]
    [InlineData(0.65, 0.65, true)]
    [InlineData(0.70, 0.65, true)]
    public void A_new_model_replaces_the_live_one_only_when_not_worse(double candidate, double live, bool replaces) =>
        Assert.Equal(replaces, ModelPromotion.ShouldReplace(new ModelEvaluation("new", candidate, "ndcg@10"), new ModelEvaluation("live", live, "ndcg@10")));

    [Fact]
    public void Without_a_live_model_the_new_one_goes_live() =>
        Assert.True(ModelPromotion.ShouldReplace(new ModelEvaluation("new", 0.1, "ndcg@10"), null));

    [Fact]
    public void Scores_of_different_measures_are_not_compared_and_the_live_model_stays() =>
        Assert.False(ModelPromotion.ShouldReplace(new ModelEvaluation("new", 0.9, "auc"), new ModelEvaluation("live", 0.5, "ndcg@10")));
}
