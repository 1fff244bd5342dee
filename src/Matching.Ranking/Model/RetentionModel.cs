using System.Collections.Concurrent;
using System.Text.Json;
using Matching.Ranking.Features;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Matching.Ranking.Model;

/// <summary>
/// A loaded retention model (boosted trees or logistic regression, <see cref="ModelKinds"/>), immutable and safe to share between requests: ML.NET prediction engines are not
/// thread-safe, so each call rents one from a pool; large sets are scored in one batch <c>Transform</c>.
/// </summary>
public sealed class RetentionModel
{
    public const string ModelFileName = "retention-model.zip";
    public const string CardJsonFileName = "retention-model.json";
    public const string CardMarkdownFileName = "retention-model.md";

    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly ITransformer _explainer;
    private readonly Func<float[], float>? _compiled;
    private readonly ConcurrentBag<PredictionEngine<PairRow, RetentionScore>> _engines = [];
    private readonly ConcurrentBag<PredictionEngine<PairRow, ContributionScore>> _explainers = [];

    public RetentionModel(MLContext ml, ITransformer model, ModelCard card)
    {
        _ml = ml;
        _model = model;
        Card = card;
        // Per-feature contributions (each split's or weight's effect on the score), scaled so the largest is ±1: the
        // reasons shown to clerks name the factors that weighed most for this pair.
        const int All = MatchFeatures.Count;
        var contributions = FindPredictor<FastTreeBinaryModelParameters>(model) is { } trees
            ? (IEstimator<ITransformer>)ml.Transforms.CalculateFeatureContribution(trees, All, All, normalize: true)
            : FindPredictor<LinearBinaryModelParameters>(model) is { } linear
                ? ml.Transforms.CalculateFeatureContribution(linear, All, All, normalize: true)
                : throw new InvalidDataException("模型文件不是可解释的二分类留存模型（FastTree 或逻辑回归）");
        // Requests score through a compiled copy of the model (trees or weights) when there is one: thread-safe, no engine.
        _compiled = FindPredictor<FastTreeBinaryModelParameters>(model) is { } forest
            ? CompiledForest.From(forest.Model) is { } compiledForest ? f => compiledForest.Probability(f) : null
            : CompiledLinear.From(model, MatchFeatures.Count) is { } weights ? f => weights.Probability(f) : null;
        _explainer = model.Append(contributions.Fit(model.Transform(EmptyData(ml))));
    }

    public ModelCard Card { get; }

    public string Version => Card.Version;

    /// <summary>The transformer itself, for batch evaluation.</summary>
    public ITransformer Transformer => _model;

    /// <summary>Loads <c>retention-model.zip</c> and its JSON card from the folder; refuses a model built for other features.</summary>
    public static RetentionModel Load(string directory)
    {
        var card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.Combine(directory, CardJsonFileName)), ModelCard.Json)
            ?? throw new InvalidDataException("模型说明文件为空");
        if (!card.Features.SequenceEqual(MatchFeatures.Names))
        {
            throw new InvalidDataException($"模型 {card.Version} 的特征与当前程序不一致，请重新训练（train）");
        }
        var ml = new MLContext(seed: 1);
        using var stream = File.OpenRead(Path.Combine(directory, ModelFileName));
        var model = ml.Model.Load(stream, out _);
        return new RetentionModel(ml, model, card);
    }

    /// <summary>Probability of a placement lasting six months, one pair (pooled engine).</summary>
    public float Predict(float[] features)
    {
        var engine = _engines.TryTake(out var e) ? e : _ml.Model.CreatePredictionEngine<PairRow, RetentionScore>(_model);
        try
        {
            return engine.Predict(new PairRow { Features = features }).Probability;
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    /// <summary>
    /// Probabilities for many pairs (the per-request path: a few hundred). Thread-safe: the compiled trees when the
    /// model has no categorical splits, else one engine rented from the pool.
    /// </summary>
    public float[] PredictEach(IReadOnlyList<float[]> rows)
    {
        var result = new float[rows.Count];
        if (_compiled is { } compiled)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                result[i] = compiled(rows[i]);
            }
            return result;
        }
        var engine = _engines.TryTake(out var e) ? e : _ml.Model.CreatePredictionEngine<PairRow, RetentionScore>(_model);
        try
        {
            var row = new PairRow();
            var output = new RetentionScore();
            for (var i = 0; i < rows.Count; i++)
            {
                row.Features = rows[i];
                engine.Predict(row, ref output);
                result[i] = output.Probability;
            }
        }
        finally
        {
            _engines.Add(engine);
        }
        return result;
    }

    /// <summary>The probability for one pair, thread-safe (the compiled trees, else a pooled engine).</summary>
    public float PredictOne(float[] features) => _compiled is { } compiled ? compiled(features) : Predict(features);

    /// <summary>Whether <see cref="PredictEach"/> uses a compiled copy of the model (trees or logistic weights).</summary>
    public bool Compiled => _compiled is not null;

    /// <summary>Probabilities for many pairs in one batch <c>Transform</c> (thread-safe, no engine).</summary>
    public float[] PredictBatch(IEnumerable<float[]> rows)
    {
        var data = _ml.Data.LoadFromEnumerable(rows.Select(r => new PairRow { Features = r }));
        return _model.Transform(data).GetColumn<float>(nameof(RetentionScore.Probability)).ToArray();
    }

    /// <summary>The probability and each feature's relative contribution to the score, −1…1 (positive raises retention).</summary>
    public (float Probability, float[] Contributions) Explain(float[] features)
    {
        var engine = _explainers.TryTake(out var e) ? e : _ml.Model.CreatePredictionEngine<PairRow, ContributionScore>(_explainer);
        try
        {
            var output = engine.Predict(new PairRow { Features = features });
            return (output.Probability, output.FeatureContributions.ToArray());
        }
        finally
        {
            _explainers.Add(engine);
        }
    }

    /// <summary>The model's calibrated predictor of that kind (boosted trees or a linear model), or null.</summary>
    private static ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<TModel, PlattCalibrator>>? FindPredictor<TModel>(ITransformer model)
        where TModel : class => model switch
    {
        ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<TModel, PlattCalibrator>> p => p,
        IEnumerable<ITransformer> chain => chain.Select(FindPredictor<TModel>).LastOrDefault(p => p is not null),
        _ => null,
    };

    private static IDataView EmptyData(MLContext ml) => ml.Data.LoadFromEnumerable(Array.Empty<PairRow>());
}
