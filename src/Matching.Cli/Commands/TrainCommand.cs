using System.Globalization;
using System.Text.Json;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Ranking;
using Matching.Ranking.Features;
using Matching.Ranking.Training;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>train [--models DIR] [--trees N] [--leaves L] [--min-leaf M] [--learning-rate R] [--kind fasttree|logistic] [--no-oracle]</c>: trains the retention model from the
/// placements, follow-ups and offers in the database on the time split (boosted trees and a logistic regression; the
/// validation period chooses, the simpler when as good), measures it on the test period and writes it with its card into
/// the models folder (the running service picks it up without a restart). On the demo data the card also gives the
/// oracle's figures (the generator's own probabilities; --no-oracle for real data). Ends with one JSON line.
/// </summary>
public static class TrainCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var directory = ModelLocation.Resolve(context.Value("models"));
        var defaults = new TrainingSettings();
        var settings = new TrainingSettings(
            Trees: context.Number("trees", defaults.Trees),
            Leaves: context.Number("leaves", defaults.Leaves),
            MinimumPairsPerLeaf: context.Number("min-leaf", defaults.MinimumPairsPerLeaf),
            LearningRate: context.Value("learning-rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : defaults.LearningRate,
            Kind: context.Value("kind"));
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        var started = context.Time.GetTimestamp();
        var pairs = await LoadPairsAsync(context, environment);
        var oracle = context.Flag("no-oracle") ? null : await DemoOracle.ForAsync(environment, context.Time, pairs);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"train: {pairs.Count:N0} labelled pairs with features in {context.Time.GetElapsedTime(started).TotalSeconds:F1} s; training boosted trees ({settings.Trees} trees) and a logistic regression"));
        started = context.Time.GetTimestamp();
        var result = new RetentionTrainer(context.Time).Train(pairs, settings, oracle);
        var trainingSeconds = context.Time.GetElapsedTime(started).TotalSeconds;
        RetentionTrainer.Save(result, directory);
        var card = result.Card;
        var e = card.Evaluation;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"train: {card.Kind} model {card.Version} written to {directory} ({trainingSeconds:F1} s); validation NDCG@10 trees {e.ValidationNdcgFastTree:F4}, logistic {e.ValidationNdcgLogistic:F4}; test NDCG@10 model {e.NdcgModel:F4}, logistic {e.NdcgLogistic:F4}, clerk's rule {e.NdcgClerkRule:F4}, oracle {e.NdcgOracle:F4}"));
        await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["train"] = card.Version,
            ["kind"] = card.Kind,
            ["training_pairs"] = card.TrainingPairs,
            ["test_openings"] = e.TestOpenings,
            ["test_pairs"] = e.TestPairs,
            ["data_hash"] = card.DataHash,
            ["validation_ndcg_fasttree"] = e.ValidationNdcgFastTree,
            ["validation_ndcg_logistic"] = e.ValidationNdcgLogistic,
            ["ndcg_model"] = e.NdcgModel,
            ["ndcg_logistic"] = e.NdcgLogistic,
            ["ndcg_clerk_rule"] = e.NdcgClerkRule,
            ["ndcg_oracle"] = e.NdcgOracle,
            ["auc_model"] = e.AucModel,
            ["ece_model"] = e.EceModel,
            ["oracle_share"] = e.OracleShare,
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

/// <summary>
/// The demo world's oracle for labelled pairs: the generator's true probability that each offer's label is positive
/// (<see cref="DemoOutcome.PositiveLabel"/>), from its hidden process (<see cref="DemoTruth"/>). Meaningful only on demo
/// data; it is computed here, in the command line, and never reaches the model or its features.
/// </summary>
public static class DemoOracle
{
    public static async Task<Func<IReadOnlyList<LabelledPair>, IReadOnlyList<float>>> ForAsync(DataEnvironment environment, TimeProvider time, IReadOnlyList<FeaturedPair> pairs)
    {
        var profiles = new ProfileReader(environment.Database, time);
        var workers = await profiles.GetWorkersAsync(pairs.Select(p => p.Pair.WorkerId).Distinct().ToList());
        var openings = await profiles.GetOpeningsAsync(pairs.Select(p => p.Pair.OpeningId).Distinct().ToList());
        var history = await RetentionHistory.LoadAsync(environment.Database);
        var truth = new DemoTruth(environment.Catalogue);
        return labelled => labelled.Select(p =>
        {
            var worker = workers[p.WorkerId];
            var opening = openings[p.OpeningId];
            var fellows = history.At(opening.EmployerId, worker.CountyCode, p.OfferedOn).FellowVillagersRetained;
            return (float)truth.Of(DemoWorld.Worker(worker), DemoWorld.Opening(opening), p.OfferedOn, fellows).PositiveLabel;
        }).ToArray();
    }
}
