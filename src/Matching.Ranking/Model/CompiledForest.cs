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
    private readonly int[] _treeNodeStart;
    private readonly int[] _treeLeafStart;
    private readonly double[] _treeWeights;
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _leafValues;
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;

    private CompiledForest(TreeEnsemble<RegressionTree> ensemble, PlattCalibrator calibrator)
    {
        var trees = ensemble.Trees;
        _treeNodeStart = new int[trees.Count];
        _treeLeafStart = new int[trees.Count];
        _treeWeights = ensemble.TreeWeights.ToArray();
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<double>();
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            _treeNodeStart[t] = feature.Count;
            _treeLeafStart[t] = leaves.Count;
            feature.AddRange(tree.NumericalSplitFeatureIndexes);
            threshold.AddRange(tree.NumericalSplitThresholds);
            left.AddRange(tree.LeftChild);
            right.AddRange(tree.RightChild);
            leaves.AddRange(tree.LeafValues);
        }
        _feature = [.. feature];
        _threshold = [.. threshold];
        _left = [.. left];
        _right = [.. right];
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
        for (var t = 0; t < _treeNodeStart.Length; t++)
        {
            var start = _treeNodeStart[t];
            var node = 0;
            if (start == (t + 1 < _treeNodeStart.Length ? _treeNodeStart[t + 1] : _feature.Length))
            {
                // A tree without a split is a single leaf.
                node = -1;
            }
            while (node >= 0)
            {
                var at = start + node;
                // Same rule as FastTree: less than or equal to the threshold goes left.
                node = features[_feature[at]] <= _threshold[at] ? _left[at] : _right[at];
            }
            score += _treeWeights[t] * _leafValues[_treeLeafStart[t] + ~node];
        }
        return score;
    }

    /// <summary>Platt-calibrated probability: 1 / (1 + exp(slope × score + offset)).</summary>
    public float Probability(ReadOnlySpan<float> features) => (float)(1 / (1 + Math.Exp(_slope * Score(features) + _offset)));
}
