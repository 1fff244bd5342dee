using System.Globalization;
using System.Text;
using System.Text.Json;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Matching.Ranking.Training;

/// <summary>
/// Size of the boosted trees; the defaults are what <c>train</c> uses, tests train tiny ones. <see cref="Kind"/> forces
/// one kind of model; null lets the validation period choose (<see cref="RetentionTrainer"/>).
/// </summary>
public sealed record TrainingSettings(int Trees = 300, int Leaves = 8, int MinimumPairsPerLeaf = 40, double LearningRate = 0.05, string? Kind = null);

/// <summary>A trained model with its card, not yet written anywhere.</summary>
public sealed record TrainingResult(RetentionModel Model, ModelCard Card);

/// <summary>
/// Trains the retention model on the time split (<see cref="TimeSplit"/>): gradient-boosted trees and a plain logistic
/// regression on the training period, the one ranking the validation period better kept (the logistic regression when
/// it is as good — within <see cref="SimplerIsAsGood"/> NDCG@10 — being the simpler), and its figures measured on the
/// test period beside random order, search relevance, a clerk's rule, the logistic regression and, when the caller
/// knows it (the demo world), the oracle.
/// </summary>
public sealed class RetentionTrainer(TimeProvider time)
{
    /// <summary>How much worse on validation NDCG@10 the logistic regression may be and still be chosen (the simpler model).</summary>
    public const double SimplerIsAsGood = 0.005;

    public TrainingResult Train(IReadOnlyList<FeaturedPair> pairs, TrainingSettings settings, Func<IReadOnlyList<LabelledPair>, IReadOnlyList<float>>? oracle = null)
    {
        var split = TimeSplit.Of(pairs.Select(p => p.Pair));
        var training = pairs.Where(p => split.InTraining(p.Pair)).ToList();
        var validation = pairs.Where(p => split.InValidation(p.Pair)).ToList();
        var test = pairs.Where(p => split.InTest(p.Pair)).ToList();
        if (training.Count == 0 || validation.Count == 0 || test.Count == 0 || training.All(p => p.Pair.Retained) || training.All(p => !p.Pair.Retained))
        {
            throw new InvalidOperationException($"训练数据不足：训练 {training.Count} 对、验证 {validation.Count} 对、测试 {test.Count} 对，且训练期须同时有留存与未留存的结果");
        }
        var ml = new MLContext(seed: 1);
        var now = time.GetUtcNow();
        var version = now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var all = pairs.Select(p => p.Pair).ToList();
        var groupKeys = RankingEvaluation.FitGroupKeys(ml, all);

        var fastTree = settings.Kind is null or ModelKinds.FastTree ? FitFastTree(ml, training, settings) : null;
        var logistic = FitLogistic(ml, training);
        double ValidationNdcg(ITransformer model) =>
            RankingEvaluation.NdcgAt10(ml, groupKeys, validation.Select(p => p.Pair).ToList(), Probabilities(ml, model, validation));
        var validationLogistic = ValidationNdcg(logistic);
        var validationFastTree = fastTree is null ? double.NaN : ValidationNdcg(fastTree);
        var useLogistic = settings.Kind == ModelKinds.Logistic || fastTree is null
            || (settings.Kind is null && validationLogistic >= validationFastTree - SimplerIsAsGood);
        var kind = useLogistic ? ModelKinds.Logistic : ModelKinds.FastTree;
        var chosen = useLogistic ? logistic : fastTree!;

        var testPairs = test.Select(p => p.Pair).ToList();
        var scores = new RankingEvaluation.Scores(
            Probabilities(ml, chosen, test), Probabilities(ml, logistic, test),
            test.Select(p => (float)ClerkRule.Score(p.Features)).ToArray(),
            test.Select(p => (float)(p.Pair.SearchScore ?? 0)).ToArray(),
            oracle?.Invoke(testPairs));
        var evaluation = RankingEvaluation.Evaluate(ml, all, split, testPairs, scores, training.Count, validation.Count,
            double.IsNaN(validationFastTree) ? 0 : validationFastTree, validationLogistic);
        var card = new ModelCard(version, now, kind, Describe(kind, settings), MatchFeatures.Names, training.Count,
            training.Select(p => p.Pair.OpeningId).Distinct().Count(), Math.Round(training.Average(p => p.Pair.Retained ? 1.0 : 0.0), 4),
            TrainingData.Hash(all), split.Rule, evaluation);
        return new TrainingResult(new RetentionModel(ml, chosen, card), card);
    }

    /// <summary>
    /// The figures of an already trained model on the test period of these pairs, beside the same comparisons as at
    /// training (a logistic regression refitted on the training period, the clerk's rule, search relevance, random, and
    /// the oracle when given): what <c>evaluate</c> prints.
    /// </summary>
    public static Evaluation Evaluate(RetentionModel model, IReadOnlyList<FeaturedPair> pairs, Func<IReadOnlyList<LabelledPair>, IReadOnlyList<float>>? oracle = null)
    {
        var split = TimeSplit.Of(pairs.Select(p => p.Pair));
        var training = pairs.Where(p => split.InTraining(p.Pair)).ToList();
        var validation = pairs.Where(p => split.InValidation(p.Pair)).ToList();
        var test = pairs.Where(p => split.InTest(p.Pair)).ToList();
        if (training.Count == 0 || validation.Count == 0 || test.Count == 0)
        {
            throw new InvalidOperationException($"评估数据不足：训练 {training.Count} 对、验证 {validation.Count} 对、测试 {test.Count} 对");
        }
        var ml = new MLContext(seed: 1);
        var all = pairs.Select(p => p.Pair).ToList();
        var groupKeys = RankingEvaluation.FitGroupKeys(ml, all);
        var logistic = FitLogistic(ml, training);
        var validationPairs = validation.Select(p => p.Pair).ToList();
        var validationModel = RankingEvaluation.NdcgAt10(ml, groupKeys, validationPairs, model.PredictBatch(validation.Select(p => p.Features)));
        var validationLogistic = RankingEvaluation.NdcgAt10(ml, groupKeys, validationPairs, Probabilities(ml, logistic, validation));
        var testPairs = test.Select(p => p.Pair).ToList();
        var scores = new RankingEvaluation.Scores(
            model.PredictBatch(test.Select(p => p.Features)), Probabilities(ml, logistic, test),
            test.Select(p => (float)ClerkRule.Score(p.Features)).ToArray(),
            test.Select(p => (float)(p.Pair.SearchScore ?? 0)).ToArray(),
            oracle?.Invoke(testPairs));
        return RankingEvaluation.Evaluate(ml, all, split, testPairs, scores, training.Count, validation.Count,
            model.Card.Kind == ModelKinds.FastTree ? validationModel : 0, validationLogistic);
    }

    /// <summary>
    /// NDCG@10 of a model on the validation period of these pairs: how the weekly retrain compares the live model with a
    /// new one, on data that is neither trained on nor the test period reported on; null when the period is empty.
    /// </summary>
    public static double? ValidationNdcg(RetentionModel model, IReadOnlyList<FeaturedPair> pairs)
    {
        var split = TimeSplit.Of(pairs.Select(p => p.Pair));
        var validation = pairs.Where(p => split.InValidation(p.Pair)).ToList();
        if (validation.Count == 0)
        {
            return null;
        }
        var ml = new MLContext(seed: 1);
        return RankingEvaluation.NdcgAt10(ml, RankingEvaluation.FitGroupKeys(ml, pairs.Select(p => p.Pair)), validation.Select(p => p.Pair).ToList(),
            model.PredictBatch(validation.Select(p => p.Features)));
    }

    private static ITransformer FitFastTree(MLContext ml, IReadOnlyList<FeaturedPair> training, TrainingSettings settings) =>
        ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumPairsPerLeaf,
            LearningRate = settings.LearningRate,
            FeatureColumnName = nameof(PairRow.Features),
            LabelColumnName = nameof(PairRow.Label),
            NumberOfThreads = 1,
        }).Fit(Rows(ml, training));

    private static ITransformer FitLogistic(MLContext ml, IReadOnlyList<FeaturedPair> training) =>
        ml.Transforms.NormalizeMeanVariance(nameof(PairRow.Features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                FeatureColumnName = nameof(PairRow.Features),
                LabelColumnName = nameof(PairRow.Label),
                NumberOfThreads = 1,
            }))
            .Fit(Rows(ml, training));

    private static IDataView Rows(MLContext ml, IEnumerable<FeaturedPair> pairs) =>
        ml.Data.LoadFromEnumerable(pairs.Select(p => new PairRow { Features = p.Features, Label = p.Pair.Retained }));

    private static float[] Probabilities(MLContext ml, ITransformer model, IEnumerable<FeaturedPair> pairs) =>
        model.Transform(ml.Data.LoadFromEnumerable(pairs.Select(p => new PairRow { Features = p.Features })))
            .GetColumn<float>(nameof(RetentionScore.Probability)).ToArray();

    private static string Describe(string kind, TrainingSettings settings) => kind == ModelKinds.Logistic
        ? "ML.NET L-BFGS logistic regression on mean–variance normalised features"
        : string.Create(CultureInfo.InvariantCulture,
            $"ML.NET FastTree binary (trees {settings.Trees}, leaves {settings.Leaves}, min pairs per leaf {settings.MinimumPairsPerLeaf}, learning rate {settings.LearningRate}), Platt-calibrated");

    /// <summary>
    /// Writes the model, its JSON card and its Markdown card into the folder. Each file is written beside and then
    /// moved into place, the model last, so a service watching the folder never loads half a model.
    /// </summary>
    public static void Save(TrainingResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, RetentionModel.CardJsonFileName), path =>
            File.WriteAllText(path, JsonSerializer.Serialize(result.Card, ModelCard.Json) + "\n"));
        WriteAtomically(Path.Combine(directory, RetentionModel.CardMarkdownFileName), path => File.WriteAllText(path, Markdown(result.Card)));
        WriteAtomically(Path.Combine(directory, RetentionModel.ModelFileName), path =>
        {
            var ml = new MLContext(seed: 1);
            ml.Model.Save(result.Model.Transformer, ml.Data.LoadFromEnumerable(Array.Empty<PairRow>()).Schema, path);
        });
    }

    private static void WriteAtomically(string path, Action<string> write)
    {
        var temporary = path + ".tmp";
        write(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The model card a coordinator reads (模型说明): what each figure is, and what it is not evidence of.</summary>
    public static string Markdown(ModelCard card)
    {
        var e = card.Evaluation;
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Retention model {card.Version} (岗位留存预测模型)");
        s.AppendLine();
        s.AppendLine("Predicts the probability that a (worker, opening) offer becomes a placement that lasts at least six months;");
        s.AppendLine("the matching service re-ranks recalled candidates by it (plus the configured priority-group weight), and");
        s.AppendLine("dispatch rounds score worker–cohort pairs with it.");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| trained at | {card.TrainedAt:yyyy-MM-dd HH:mm:ss} UTC |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| kind | `{card.Kind}`: {card.Trainer} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| training data | {card.TrainingPairs:N0} labelled pairs over {card.TrainingOpenings:N0} openings, {card.TrainingPositiveRate:P1} retained |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| data hash | `{card.DataHash}` (SHA-256 of opening, worker, offer day, label) |");
        s.AppendLine("| labels | retained ≥ 6 months = positive; left within 3 months, declined or no-show = negative; left in months 3–6 or unknown = not used |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| time split | {card.SplitRule} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| model choice | on the validation period: boosted trees NDCG@10 {e.ValidationNdcgFastTree:F4}, logistic regression {e.ValidationNdcgLogistic:F4}; the logistic regression is kept when within {SimplerIsAsGood} (the simpler model) |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"## Test period ({e.TestOpenings:N0} openings, {e.TestPairs:N0} pairs, {e.TestPositiveRate:P1} retained)");
        s.AppendLine();
        s.AppendLine("| ranking by | NDCG@10 | AUC | what it is |");
        s.AppendLine("|---|---|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| random order | {e.NdcgRandom:F4} | — | the floor: any ranking must beat it |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| search relevance | {e.NdcgSearch:F4} | {e.AucSearch:F4} | the score the recall returns (stated trade and destination wishes); not meant to predict retention |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| clerk's rule | {e.NdcgClerkRule:F4} | {e.AucClerkRule:F4} | a county clerk's hand-written rule: trade and level fit, wage against expectation, destination, distance (`ClerkRule`) |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| logistic regression | {e.NdcgLogistic:F4} | {e.AucLogistic:F4} | a plain linear model on the same features and training period |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| **this model** | **{e.NdcgModel:F4}** | **{e.AucModel:F4}** | |");
        if (e.NdcgOracle is { } oracle)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| oracle (demo world only) | {oracle:F4} | {e.AucOracle:F4} | the generator's true probabilities: the best any ranking can do on these outcomes |");
        }
        s.AppendLine();
        if (e.OracleShare is { } share)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"Share of the learnable gain the model gets: (model − clerk's rule) / (oracle − clerk's rule) = **{share:F3}**.");
            s.AppendLine();
        }
        s.AppendLine(CultureInfo.InvariantCulture, $"Calibration: expected calibration error {e.EceModel:F4}, Brier score {e.BrierModel:F4}, log-loss {e.LogLossModel:F4} bits.");
        s.AppendLine();
        s.AppendLine("### What these figures are, and are not, evidence of");
        s.AppendLine();
        s.AppendLine("- They are measured on later offers than any the model was trained on or chosen with (a time split), so they");
        s.AppendLine("  estimate how it ranks the next months' candidates — on *this* data.");
        s.AppendLine("- On the demo data they are evidence that the training, features and serving work end to end and recover a hidden");
        s.AppendLine("  process the model cannot read directly (per-worker reliability, employer culture, partner counties, non-linear");
        s.AppendLine("  and interacting effects; `seeds/demo-history.md`). They are **not** evidence of how well the model would");
        s.AppendLine("  predict real retention: the demo world is synthetic, and its outcome process was written by the same team.");
        s.AppendLine("- NDCG@10 is computed per opening over the candidates actually offered (about a dozen per opening in the test");
        s.AppendLine("  period) with realised outcomes, so even the oracle stays far below 1; differences of 0.01 are within noise.");
        s.AppendLine("- Search relevance scores are whole numbers with many ties (broken by worker id); it is a recall order, not a");
        s.AppendLine("  retention forecast.");
        s.AppendLine();
        s.AppendLine("Reproduce on the demo data: `seed-demo --workers 20000` into an empty data folder, then `train` and `evaluate`");
        s.AppendLine("(the demo history is dated relative to the day it is generated, so the data hash changes with the day).");
        s.AppendLine();
        s.AppendLine("## Calibration (test period)");
        s.AppendLine();
        s.AppendLine("| predicted | pairs | mean predicted | observed retained |");
        s.AppendLine("|---|---|---|---|");
        foreach (var b in e.Calibration)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {b.From:F1}–{b.To:F1} | {b.Pairs:N0} | {b.MeanPredicted:F3} | {b.Observed:F3} |");
        }
        s.AppendLine();
        s.AppendLine("## Features");
        s.AppendLine();
        s.AppendLine("| # | name | 中文 | meaning |");
        s.AppendLine("|---|---|---|---|");
        foreach (var (f, i) in MatchFeatures.All.Select((f, i) => (f, i)))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {i} | `{f.Name}` | {f.Label} | {f.Meaning} |");
        }
        s.AppendLine();
        s.AppendLine("Gender and ethnicity are deliberately not features. Features of past offers are computed as of the offer day");
        s.AppendLine("(employer retention and fellow villagers count only outcomes known by then).");
        return s.ToString();
    }
}
