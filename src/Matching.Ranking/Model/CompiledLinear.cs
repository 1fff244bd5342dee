using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace Matching.Ranking.Model;

/// <summary>
/// The trained logistic regression copied into arrays, scored without ML.NET's row machinery: the same mean–variance
/// normalisation, weights, bias and Platt calibration, the same probabilities (a test compares them with ML.NET's own
/// output), no shared state, so any number of threads can score at once — as <see cref="CompiledForest"/> does for trees.
/// </summary>
public sealed class CompiledLinear
{
    private readonly float[] _scale;
    private readonly float[] _shift;
    private readonly float[] _weights;
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;

    private CompiledLinear(float[] scale, float[] shift, float[] weights, double bias, PlattCalibrator calibrator)
    {
        _scale = scale;
        _shift = shift;
        _weights = weights;
        _bias = bias;
        _slope = calibrator.Slope;
        _offset = calibrator.Offset;
    }

    /// <summary>
    /// The compiled form of a chain "affine normalisation, then a Platt-calibrated linear model", or null when the chain
    /// is anything else (then ML.NET scores).
    /// </summary>
    public static CompiledLinear? From(ITransformer model, int features)
    {
        var parts = Flatten(model).ToList();
        var linear = parts.OfType<ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>>>().LastOrDefault();
        if (linear is null)
        {
            return null;
        }
        var scale = Enumerable.Repeat(1f, features).ToArray();
        var shift = new float[features];
        foreach (var normalizer in parts.OfType<NormalizingTransformer>())
        {
            if (normalizer.GetNormalizerModelParameters(0) is not NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> affine
                || affine.Scale.Length != features)
            {
                return null;
            }
            for (var i = 0; i < features; i++)
            {
                // ML.NET's affine normaliser: (x − offset) × scale; no offset when zero is kept fixed.
                shift[i] = affine.Offset.IsDefaultOrEmpty ? 0 : affine.Offset[i];
                scale[i] = affine.Scale[i];
            }
        }
        var weights = linear.Model.SubModel.Weights.ToArray();
        return weights.Length == features
            ? new CompiledLinear(scale, shift, weights, linear.Model.SubModel.Bias, linear.Model.Calibrator)
            : null;
    }

    public float Probability(ReadOnlySpan<float> features)
    {
        var score = _bias;
        for (var i = 0; i < _weights.Length; i++)
        {
            score += _weights[i] * ((features[i] - _shift[i]) * _scale[i]);
        }
        return (float)(1 / (1 + Math.Exp(_slope * score + _offset)));
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) => model is IEnumerable<ITransformer> chain
        ? chain.SelectMany(Flatten)
        : [model];
}
