using System.Globalization;
using System.Text.Json;
using Matching.Data.Storage;
using Matching.Ranking;
using Matching.Ranking.Model;
using Matching.Ranking.Training;
using Microsoft.ML;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>evaluate [--models DIR]</c>: on the same held-out openings as training, ranks each opening's past candidates
/// by the current model, by the search relevance logged when they were offered, and at random; prints NDCG@10, AUC
/// and the ratios, and ends with one JSON line of the figures.
/// </summary>
public static class EvaluateCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var directory = ModelLocation.Resolve(context.Value("models"));
        if (!File.Exists(Path.Combine(directory, RetentionModel.ModelFileName)))
        {
            throw new CliException($"{directory} 中没有模型，请先运行 train");
        }
        var model = RetentionModel.Load(directory);
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        var pairs = await TrainCommand.LoadPairsAsync(context, environment);
        var heldOut = pairs.Where(p => HeldOut.Contains(p.Pair.OpeningId)).ToList();
        if (heldOut.Count == 0)
        {
            throw new CliException("没有留出岗位的数据可评估");
        }
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"evaluate: model {model.Version} on {heldOut.Select(p => p.Pair.OpeningId).Distinct().Count()} held-out openings, {heldOut.Count:N0} pairs ({heldOut.Average(p => p.Pair.Retained ? 1.0 : 0.0):P1} retained)"));
        var probabilities = model.PredictBatch(heldOut.Select(p => p.Features));
        var m = RankingEvaluation.Compare(new MLContext(seed: 1), pairs.Select(p => p.Pair).ToList(), heldOut.Select(p => p.Pair).ToList(), probabilities);

        await context.Out.WriteLineAsync("ranking by                      NDCG@10    AUC");
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"model (predicted retention)     {m.ModelNdcgAt10,7:F4}  {m.ModelAuc,7:F4}"));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"search relevance only           {m.SearchNdcgAt10,7:F4}  {m.SearchAuc,7:F4}"));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"random order                    {m.RandomNdcgAt10,7:F4}  {m.RandomAuc,7:F4}"));
        var gain = m.ModelNdcgAt10 - m.SearchNdcgAt10;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"model − search-only NDCG@10 = {gain:+0.0000;-0.0000} (target ≥ +0.10: {(gain >= 0.10 ? "met" : "NOT met")}); model / search {m.ModelNdcgAt10 / m.SearchNdcgAt10:F3}×, model / random {m.ModelNdcgAt10 / m.RandomNdcgAt10:F3}×; log-loss {m.ModelLogLoss:F4}, ECE {m.ExpectedCalibrationError:F4}"));
        await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["evaluate"] = model.Version,
            ["held_out_openings"] = m.Openings,
            ["held_out_pairs"] = m.Pairs,
            ["model_ndcg_at_10"] = m.ModelNdcgAt10,
            ["search_ndcg_at_10"] = m.SearchNdcgAt10,
            ["random_ndcg_at_10"] = m.RandomNdcgAt10,
            ["model_auc"] = m.ModelAuc,
            ["search_auc"] = m.SearchAuc,
            ["random_auc"] = m.RandomAuc,
            ["ndcg_gain_over_search"] = Math.Round(gain, 4),
            ["ratio_over_search"] = Math.Round(m.ModelNdcgAt10 / m.SearchNdcgAt10, 3),
            ["ratio_over_random"] = Math.Round(m.ModelNdcgAt10 / m.RandomNdcgAt10, 3),
            ["model_log_loss"] = m.ModelLogLoss,
            ["expected_calibration_error"] = m.ExpectedCalibrationError,
        }));
        return 0;
    }
}
