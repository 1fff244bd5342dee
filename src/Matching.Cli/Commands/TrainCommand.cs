using System.Globalization;
using System.Text.Json;
using Matching.Data.Storage;
using Matching.Ranking;
using Matching.Ranking.Features;
using Matching.Ranking.Training;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>train [--models DIR] [--trees N]</c>: trains the retention model from the placements, follow-ups and offers in
/// the database, measures it on the held-out openings and writes it with its card into the models folder (the
/// running service picks it up without a restart). Ends with one JSON line of its figures.
/// </summary>
public static class TrainCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var directory = ModelLocation.Resolve(context.Value("models"));
        var settings = new TrainingSettings(Trees: context.Number("trees", new TrainingSettings().Trees));
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        var started = context.Time.GetTimestamp();
        var pairs = await LoadPairsAsync(context, environment);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"train: {pairs.Count:N0} labelled pairs with features in {context.Time.GetElapsedTime(started).TotalSeconds:F1} s; training FastTree ({settings.Trees} trees)"));
        started = context.Time.GetTimestamp();
        var result = new RetentionTrainer(context.Time).Train(pairs, settings);
        var trainingSeconds = context.Time.GetElapsedTime(started).TotalSeconds;
        RetentionTrainer.Save(result, directory);
        var card = result.Card;
        var m = card.HeldOut;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"train: model {card.Version} written to {directory} ({trainingSeconds:F1} s); held-out {m.Openings} openings / {m.Pairs:N0} pairs: NDCG@10 model {m.ModelNdcgAt10:F4}, search-only {m.SearchNdcgAt10:F4}, random {m.RandomNdcgAt10:F4}; AUC {m.ModelAuc:F4}"));
        await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["train"] = card.Version,
            ["training_pairs"] = card.TrainingPairs,
            ["held_out_openings"] = m.Openings,
            ["held_out_pairs"] = m.Pairs,
            ["data_hash"] = card.DataHash,
            ["model_auc"] = m.ModelAuc,
            ["model_ndcg_at_10"] = m.ModelNdcgAt10,
            ["search_ndcg_at_10"] = m.SearchNdcgAt10,
            ["random_ndcg_at_10"] = m.RandomNdcgAt10,
            ["expected_calibration_error"] = m.ExpectedCalibrationError,
            ["training_s"] = Math.Round(trainingSeconds, 1),
        }));
        return 0;
    }

    internal static async Task<IReadOnlyList<FeaturedPair>> LoadPairsAsync(CliContext context, DataEnvironment environment)
    {
        var pairs = await TrainingData.BuildAsync(environment.Database, new FeatureBuilder(environment.Catalogue),
            new ProfileReader(environment.Database, context.Time));
        if (pairs.Count == 0)
        {
            throw new CliException("数据库中没有已知结果的推荐或就业安置（可先 seed-demo 生成演示数据及其历史，或 seed-history 为已有演示数据补充历史）");
        }
        return pairs;
    }
}
