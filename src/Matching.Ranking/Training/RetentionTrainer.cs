using System.Globalization;
using System.Text;
using System.Text.Json;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace Matching.Ranking.Training;

/// <summary>Size of the boosted trees; the defaults are what <c>train</c> uses, tests train tiny ones.</summary>
public sealed record TrainingSettings(int Trees = 200, int Leaves = 16, int MinimumPairsPerLeaf = 20, double LearningRate = 0.08);

/// <summary>A trained model with its card, not yet written anywhere.</summary>
public sealed record TrainingResult(RetentionModel Model, ModelCard Card);

/// <summary>
/// Trains the retention model (FastTree gradient-boosted trees, calibrated) on the pairs of the training openings and
/// measures it on the held-out openings against search relevance and random order.
/// </summary>
public sealed class RetentionTrainer(TimeProvider time)
{
    public TrainingResult Train(IReadOnlyList<FeaturedPair> pairs, TrainingSettings settings)
    {
        var training = pairs.Where(p => !HeldOut.Contains(p.Pair.OpeningId)).ToList();
        var heldOut = pairs.Where(p => HeldOut.Contains(p.Pair.OpeningId)).ToList();
        if (training.Count == 0 || heldOut.Count == 0 || training.All(p => p.Pair.Retained) || training.All(p => !p.Pair.Retained))
        {
            throw new InvalidOperationException($"训练数据不足：训练 {training.Count} 对、留出 {heldOut.Count} 对，且须同时有留存与未留存的结果");
        }
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumPairsPerLeaf,
            LearningRate = settings.LearningRate,
            FeatureColumnName = nameof(PairRow.Features),
            LabelColumnName = nameof(PairRow.Label),
            NumberOfThreads = 1,
        });
        var trainingData = ml.Data.LoadFromEnumerable(training.Select(p => new PairRow { Features = p.Features, Label = p.Pair.Retained }));
        var transformer = trainer.Fit(trainingData);

        var now = time.GetUtcNow();
        var version = now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var placeholderCard = new ModelCard(version, now, "", MatchFeatures.Names, 0, 0, 0, "", HeldOut.Rule,
            new HeldOutMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, []));
        var model = new RetentionModel(ml, transformer, placeholderCard);
        var probabilities = model.PredictBatch(heldOut.Select(p => p.Features));
        var metrics = RankingEvaluation.Compare(ml, pairs.Select(p => p.Pair).ToList(), heldOut.Select(p => p.Pair).ToList(), probabilities);
        var card = placeholderCard with
        {
            Trainer = $"ML.NET FastTree binary (trees {settings.Trees}, leaves {settings.Leaves}, min pairs per leaf {settings.MinimumPairsPerLeaf}, learning rate {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}), Platt-calibrated",
            TrainingPairs = training.Count,
            TrainingOpenings = training.Select(p => p.Pair.OpeningId).Distinct().Count(),
            TrainingPositiveRate = Math.Round(training.Average(p => p.Pair.Retained ? 1.0 : 0.0), 4),
            DataHash = TrainingData.Hash(pairs.Select(p => p.Pair)),
            HeldOut = metrics,
        };
        return new TrainingResult(new RetentionModel(ml, transformer, card), card);
    }

    /// <summary>
    /// NDCG@10 of a model on the held-out openings of these pairs (the same rule <see cref="Train"/> holds out), so a
    /// live model and a newly trained one are compared on the same data; null when nothing is held out.
    /// </summary>
    public static double? HeldOutNdcg(RetentionModel model, IReadOnlyList<FeaturedPair> pairs)
    {
        var heldOut = pairs.Where(p => HeldOut.Contains(p.Pair.OpeningId)).ToList();
        if (heldOut.Count == 0)
        {
            return null;
        }
        var probabilities = model.PredictBatch(heldOut.Select(p => p.Features));
        return RankingEvaluation.Compare(new MLContext(seed: 1), pairs.Select(p => p.Pair).ToList(), heldOut.Select(p => p.Pair).ToList(), probabilities).ModelNdcgAt10;
    }

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

    /// <summary>The model card a coordinator reads (模型说明).</summary>
    public static string Markdown(ModelCard card)
    {
        var m = card.HeldOut;
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Retention model {card.Version} (岗位留存预测模型)");
        s.AppendLine();
        s.AppendLine("Predicts the probability that a (worker, opening) placement lasts at least six months; the matching");
        s.AppendLine("service re-ranks recalled candidates by it (plus the configured priority-group weight).");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| trained at | {card.TrainedAt:yyyy-MM-dd HH:mm:ss} UTC |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| trainer | {card.Trainer} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| training data | {card.TrainingPairs:N0} labelled pairs over {card.TrainingOpenings:N0} openings, {card.TrainingPositiveRate:P1} retained |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| data hash | `{card.DataHash}` (SHA-256 of opening, worker, offer day, label) |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| labels | retained ≥ 6 months = positive; left within 3 months, declined or no-show = negative; left in months 3–6 or unknown = not used |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| held-out openings | {m.Openings:N0} openings, {m.Pairs:N0} pairs; rule: {card.HeldOutRule} |");
        s.AppendLine();
        s.AppendLine("## Held-out figures");
        s.AppendLine();
        s.AppendLine("| ranking by | NDCG@10 | AUC |");
        s.AppendLine("|---|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| model (predicted retention) | {m.ModelNdcgAt10:F4} | {m.ModelAuc:F4} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| search relevance only (baseline) | {m.SearchNdcgAt10:F4} | {m.SearchAuc:F4} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| random order | {m.RandomNdcgAt10:F4} | {m.RandomAuc:F4} |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Model minus search-only NDCG@10: {m.ModelNdcgAt10 - m.SearchNdcgAt10:+0.0000;-0.0000}. Log-loss {m.ModelLogLoss:F4} bits (ML.NET), Brier score {m.BrierScore:F4}, expected calibration error {m.ExpectedCalibrationError:F4}.");
        s.AppendLine();
        s.AppendLine("Search relevance is the recall's score logged with each past offer (`match_offers.search_score`); random order uses a fixed seed.");
        s.AppendLine("Reproduce on the demo data: `seed-demo --workers 20000` into an empty data folder, then `train` and `evaluate`");
        s.AppendLine("(the demo history is dated relative to the day it is generated, so the data hash changes with the day).");
        s.AppendLine();
        s.AppendLine("## Calibration (held-out)");
        s.AppendLine();
        s.AppendLine("| predicted | pairs | mean predicted | observed retained |");
        s.AppendLine("|---|---|---|---|");
        foreach (var b in m.Calibration)
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
