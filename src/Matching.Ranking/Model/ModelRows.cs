using Matching.Ranking.Features;
using Microsoft.ML.Data;

namespace Matching.Ranking.Model;

/// <summary>One (worker, opening) pair as ML.NET sees it: the feature vector, and for training the label.</summary>
public sealed class PairRow
{
    [VectorType(MatchFeatures.Count)]
    public float[] Features { get; set; } = new float[MatchFeatures.Count];

    /// <summary>Retained at six months.</summary>
    public bool Label { get; set; }
}

/// <summary>The model's output: the calibrated probability of a placement that lasts six months.</summary>
public sealed class RetentionScore
{
    public float Probability { get; set; }

    public float Score { get; set; }
}

/// <summary>The output with each feature's contribution to the (uncalibrated) score, in feature order.</summary>
public sealed class ContributionScore
{
    public float Probability { get; set; }

    [VectorType(MatchFeatures.Count)]
    public float[] FeatureContributions { get; set; } = [];
}
