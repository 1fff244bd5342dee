using Matching.Ranking.Model;
using Microsoft.ML;

namespace Matching.Ranking.Training;

/// <summary>
/// Ranking and classification figures of any scorer (model, logistic regression, clerk's rule, search relevance,
/// random, oracle) on labelled pairs grouped by opening. The ranking trap: ML.NET's ranking evaluator needs the opening
/// id as a key column; a key mapping fitted on the training rows maps every unseen opening to "missing", all rows
/// collapse into one group and NDCG reads nonsense. So the mapping is fitted on all rows before the split
/// (<see cref="FitGroupKeys"/>).
/// </summary>
public static class RankingEvaluation
{
    private sealed class RankedRow
    {
        public float Label { get; set; }
        public string GroupId { get; set; } = "";
        public float Score { get; set; }
    }

    private sealed class ClassifiedRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    /// <summary>The opening-id → key mapping, fitted on <paramref name="pairs"/> (pass all of them, before splitting).</summary>
    public static ITransformer FitGroupKeys(MLContext ml, IEnumerable<LabelledPair> pairs) =>
        ml.Transforms.Conversion.MapValueToKey("GroupKey", nameof(RankedRow.GroupId))
            .Fit(ml.Data.LoadFromEnumerable(pairs.Select(p => new RankedRow { GroupId = GroupOf(p) })));

    /// <summary>
    /// NDCG@10 over the openings of <paramref name="pairs"/>, ranking each opening's pairs by <paramref name="scores"/>
    /// (ties in the order of the pairs: opening, worker, offer day).
    /// </summary>
    public static double NdcgAt10(MLContext ml, ITransformer groupKeys, IReadOnlyList<LabelledPair> pairs, IReadOnlyList<float> scores)
    {
        var rows = pairs.Select((p, i) => new RankedRow { Label = p.Retained ? 1 : 0, GroupId = GroupOf(p), Score = scores[i] });
        var data = groupKeys.Transform(ml.Data.LoadFromEnumerable(rows));
        var metrics = ml.Ranking.Evaluate(data, labelColumnName: nameof(RankedRow.Label), rowGroupColumnName: "GroupKey",
            scoreColumnName: nameof(RankedRow.Score));
        var ndcg = metrics.NormalizedDiscountedCumulativeGains;
        return ndcg[Math.Min(9, ndcg.Count - 1)];
    }

    /// <summary>Area under the ROC curve of any score (higher = more likely retained).</summary>
    public static double Auc(MLContext ml, IReadOnlyList<LabelledPair> pairs, IReadOnlyList<float> scores)
    {
        var data = ml.Data.LoadFromEnumerable(pairs.Select((p, i) => new ClassifiedRow { Label = p.Retained, Score = scores[i] }));
        return ml.BinaryClassification.EvaluateNonCalibrated(data).AreaUnderRocCurve;
    }

    /// <summary>The scores of every ranking compared on the test pairs (aligned with them); the oracle only for a world that has one.</summary>
    public sealed record Scores(IReadOnlyList<float> Model, IReadOnlyList<float> Logistic, IReadOnlyList<float> ClerkRule, IReadOnlyList<float> Search,
        IReadOnlyList<float>? Oracle);

    /// <summary>Every figure of <see cref="Evaluation"/> on the test pairs.</summary>
    public static Evaluation Evaluate(MLContext ml, IReadOnlyList<LabelledPair> allPairs, TimeSplit split, IReadOnlyList<LabelledPair> test,
        Scores scores, int trainingPairs, int validationPairs, double validationFastTree, double validationLogistic, int randomSeed = 1)
    {
        var groupKeys = FitGroupKeys(ml, allPairs);
        var random = new Random(randomSeed);
        var randomScores = test.Select(_ => (float)random.NextDouble()).ToArray();
        double Ndcg(IReadOnlyList<float> s) => Math.Round(NdcgAt10(ml, groupKeys, test, s), 4);
        double Roc(IReadOnlyList<float> s) => Math.Round(Auc(ml, test, s), 4);

        var classified = ml.Data.LoadFromEnumerable(test.Select((p, i) => new ClassifiedRow
        {
            Label = p.Retained,
            Score = scores.Model[i],
            Probability = scores.Model[i],
            PredictedLabel = scores.Model[i] >= 0.5f,
        }));
        var modelMetrics = ml.BinaryClassification.Evaluate(classified);
        var (bins, brier, ece) = Calibration(test, scores.Model);
        var clerk = Ndcg(scores.ClerkRule);
        var model = Ndcg(scores.Model);
        double? oracle = scores.Oracle is { } o ? Ndcg(o) : null;
        return new Evaluation(
            split.Rule, trainingPairs, validationPairs,
            test.Select(p => p.OpeningId).Distinct().Count(), test.Count, Math.Round(test.Average(p => p.Retained ? 1.0 : 0.0), 4),
            Ndcg(randomScores), Ndcg(scores.Search), clerk, Ndcg(scores.Logistic), model, oracle,
            Math.Round(modelMetrics.AreaUnderRocCurve, 4), Roc(scores.Logistic), Roc(scores.ClerkRule), Roc(scores.Search),
            scores.Oracle is { } or ? Roc(or) : null,
            Math.Round(ece, 4), Math.Round(brier, 4), Math.Round(modelMetrics.LogLoss, 4),
            oracle is { } best && best - clerk > 1e-9 ? Math.Round((model - clerk) / (best - clerk), 3) : null,
            Math.Round(validationFastTree, 4), Math.Round(validationLogistic, 4),
            bins);
    }

    /// <summary>Ten equal-width bins of predicted retention with the observed rate in each; Brier score; expected calibration error.</summary>
    public static (IReadOnlyList<CalibrationBin> Bins, double Brier, double Ece) Calibration(IReadOnlyList<LabelledPair> pairs, IReadOnlyList<float> probabilities)
    {
        var bins = new List<CalibrationBin>();
        double ece = 0;
        for (var b = 0; b < 10; b++)
        {
            var from = b / 10.0;
            var to = (b + 1) / 10.0;
            var members = Enumerable.Range(0, pairs.Count)
                .Where(i => probabilities[i] >= from && (probabilities[i] < to || (b == 9 && probabilities[i] <= 1)))
                .ToList();
            if (members.Count == 0)
            {
                continue;
            }
            var predicted = members.Average(i => probabilities[i]);
            var observed = members.Average(i => pairs[i].Retained ? 1.0 : 0.0);
            ece += members.Count / (double)pairs.Count * Math.Abs(predicted - observed);
            bins.Add(new CalibrationBin(from, to, members.Count, Math.Round(predicted, 3), Math.Round(observed, 3)));
        }
        var brier = pairs.Count == 0 ? 0 : Enumerable.Range(0, pairs.Count).Average(i => Math.Pow(probabilities[i] - (pairs[i].Retained ? 1 : 0), 2));
        return (bins, brier, ece);
    }

    private static string GroupOf(LabelledPair pair) => pair.OpeningId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
