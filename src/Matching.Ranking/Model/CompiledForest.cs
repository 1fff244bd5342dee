using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;

namespace Matching.Ranking.Model;

/// <summary>
/// The trained FastTree ensemble copied into flat arrays, scored without ML.NET's row machinery: the same trees,
/// the same Platt calibration, the same probabilities (a test compares them with ML.NET's own output), but about
/// a microsecond per pair and no shared state, so any number of threads can score at once.
/// </summary>
public sealed class CompiledForest
{
    /// <summary>A split: feature at or below the threshold goes to <see cref="Left"/>; a negative child is ~leaf.</summary>
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);

    private readonly int[] _treeNodeStart;
    private readonly int[] _treeFirstChild;
    private readonly int[] _treeLeafStart;
    private readonly double[] _treeWeights;
    private readonly Node[] _nodes;
    private readonly double[] _leafValues;
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;

    private CompiledForest(TreeEnsemble<RegressionTree> ensemble, PlattCalibrator calibrator)
    {
        var trees = ensemble.Trees;
        _treeNodeStart = new int[trees.Count];
        _treeFirstChild = new int[trees.Count];
        _treeLeafStart = new int[trees.Count];
        _treeWeights = ensemble.TreeWeights.ToArray();
        var nodes = new List<Node>();
        var leaves = new List<double>();
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            _treeNodeStart[t] = nodes.Count;
            _treeLeafStart[t] = leaves.Count;
            // A tree without a split is a single leaf: start at leaf 0 (~0 = -1).
            _treeFirstChild[t] = tree.NumberOfNodes == 0 ? -1 : 0;
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                nodes.Add(new Node(tree.NumericalSplitFeatureIndexes[n], tree.NumericalSplitThresholds[n], tree.LeftChild[n], tree.RightChild[n]));
            }
            leaves.AddRange(tree.LeafValues);
        }
        _nodes = [.. nodes];
        _leafValues = [.. leaves];
        _bias = ensemble.Bias;
        _slope = calibrator.Slope;
        _offset = calibrator.Offset;
    }

    /// <summary>The compiled forest of a calibrated FastTree model, or null when it uses categorical splits (then ML.NET scores).</summary>
    public static CompiledForest? From(CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> model)
    {
        var ensemble = model.SubModel.TrainedTreeEnsemble;
        return ensemble.Trees.Any(t => t.CategoricalSplitFlags.Any(flag => flag)) ? null : new CompiledForest(ensemble, model.Calibrator);
    }

    /// <summary>The uncalibrated score: bias plus the weighted leaf each tree sends the pair to.</summary>
    public double Score(ReadOnlySpan<float> features)
    {
        var score = _bias;
        var nodes = _nodes;
        for (var t = 0; t < _treeNodeStart.Length; t++)
        {
            var start = _treeNodeStart[t];
            var node = _treeFirstChild[t];
            while (node >= 0)
            {
                ref readonly var split = ref nodes[start + node];
                // Same rule as FastTree: less than or equal to the threshold goes left.
                node = features[split.Feature] <= split.Threshold ? split.Left : split.Right;
            }
            score += _treeWeights[t] * _leafValues[_treeLeafStart[t] + ~node];
        }
        return score;
    }

    /// <summary>Platt-calibrated probability: 1 / (1 + exp(slope × score + offset)).</summary>
    public float Probability(ReadOnlySpan<float> features) => (float)(1 / (1 + Math.Exp(_slope * Score(features) + _offset)));
}
