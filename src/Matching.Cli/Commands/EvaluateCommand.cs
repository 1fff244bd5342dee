using System.Globalization;
using System.Text.Json;
using Matching.Data.Storage;
using Matching.Ranking;
using Matching.Ranking.Model;
using Matching.Ranking.Training;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>evaluate [--models DIR] [--no-oracle]</c>: on the time split's test period (offers later than any trained on or
/// used to choose the model), ranks each opening's candidates at random, by the recall's relevance, by a clerk's rule,
/// by a plain logistic regression (fitted on the training period), by the current model and — on the demo data — by the
/// demo world's true probabilities (the oracle); prints NDCG@10 and AUC and ends with one JSON line.
/// <c>evaluate search</c> scores the search's text-to-concept layer instead (<see cref="SearchEvaluationCommand"/>).
/// </summary>
public static class EvaluateCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        if (context.Positional(0) == "search")
        {
            return await SearchEvaluationCommand.RunAsync(context);
        }
        var directory = ModelLocation.Resolve(context.Value("models"));
        if (!File.Exists(Path.Combine(directory, RetentionModel.ModelFileName)))
        {
            throw new CliException($"{directory} 中没有模型，请先运行 train");
        }
        var model = RetentionModel.Load(directory);
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        var pairs = await TrainCommand.LoadPairsAsync(context, environment);
        var oracle = context.Flag("no-oracle") ? null : await DemoOracle.ForAsync(environment, context.Time, pairs);
        var e = RetentionTrainer.Evaluate(model, pairs, oracle);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"evaluate: {model.Card.Kind} model {model.Version}; {e.Split}; test period {e.TestOpenings} openings, {e.TestPairs:N0} pairs ({e.TestPositiveRate:P1} retained)"));
        await context.Out.WriteLineAsync("ranking by                      NDCG@10    AUC");
        void Line(string name, double ndcg, double? auc) => context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-30} {ndcg,8:F4}  {(auc is { } a ? a.ToString("F4", CultureInfo.InvariantCulture) : "   —")}"));
        Line("random order", e.NdcgRandom, null);
        Line("search relevance (recall)", e.NdcgSearch, e.AucSearch);
        Line("clerk's rule", e.NdcgClerkRule, e.AucClerkRule);
        Line("logistic regression", e.NdcgLogistic, e.AucLogistic);
        Line("model", e.NdcgModel, e.AucModel);
        if (e.NdcgOracle is { } oracleNdcg)
        {
            Line("oracle (demo world's truth)", oracleNdcg, e.AucOracle);
        }
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"model − clerk's rule {e.NdcgModel - e.NdcgClerkRule:+0.0000;-0.0000}; model − logistic {e.NdcgModel - e.NdcgLogistic:+0.0000;-0.0000}; oracle share {e.OracleShare:F3} (target ≥ 0.6); ECE {e.EceModel:F4}"));
        await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["evaluate"] = model.Version,
            ["kind"] = model.Card.Kind,
            ["split"] = "time",
            ["test_openings"] = e.TestOpenings,
            ["test_pairs"] = e.TestPairs,
            ["ndcg_random"] = e.NdcgRandom,
            ["ndcg_search"] = e.NdcgSearch,
            ["ndcg_clerk_rule"] = e.NdcgClerkRule,
            ["ndcg_logistic"] = e.NdcgLogistic,
            ["ndcg_model"] = e.NdcgModel,
            ["ndcg_oracle"] = e.NdcgOracle,
            ["auc_model"] = e.AucModel,
            ["auc_logistic"] = e.AucLogistic,
            ["auc_clerk_rule"] = e.AucClerkRule,
            ["auc_oracle"] = e.AucOracle,
            ["ece_model"] = e.EceModel,
            ["oracle_share"] = e.OracleShare,
        }));
        return 0;
    }
}
