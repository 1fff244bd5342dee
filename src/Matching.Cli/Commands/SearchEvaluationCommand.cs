using System.Globalization;
using System.Text.Json;
using Matching.Data.Catalogues;
using Matching.Search.Analysis;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>evaluate search [--split heldout|dev|all] [--queries FILE] [--misses]</c>: runs every query of the labelled evaluation
/// set (seeds/search-eval/queries.csv) through the analysis a search uses and prints top-1 and top-3 accuracy per
/// category for both parts, then one JSON line for the chosen part (held-out by default): <c>top1</c>, <c>top3</c>,
/// <c>top1_&lt;category&gt;</c>, <c>top3_&lt;category&gt;</c>. <c>--misses</c> lists the wrong answers of the dev part only (wrong in the first three, then right only below the first):
/// the held-out part is for measuring, never for tuning.
/// </summary>
public static class SearchEvaluationCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var split = context.Value("split") ?? "heldout";
        if (split is not ("heldout" or "dev" or "all"))
        {
            throw new CliException("--split 应为 heldout、dev 或 all");
        }
        var path = context.Value("queries") ?? Path.Combine(AppContext.BaseDirectory, "search-eval", "queries.csv");
        if (!File.Exists(path))
        {
            throw new CliException($"评测集 {path} 不存在");
        }
        IReadOnlyList<EvaluationQuery> queries;
        try
        {
            queries = SearchEvaluation.Parse(await File.ReadAllTextAsync(path));
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
        var catalogue = CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(context.Options.CataloguesDirectory));
        var analyzer = new SearchAnalyzer(catalogue);
        var answers = queries.Select(q => SearchEvaluation.Answer(analyzer, q)).ToList();
        var categories = queries.Select(q => q.Category).Distinct(StringComparer.Ordinal).ToList();

        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"evaluate search: {queries.Count} queries ({queries.Count(q => q.Split == "dev")} dev, {queries.Count(q => q.Split == "heldout")} held-out), catalogue {catalogue.Version}"));
        await context.Out.WriteLineAsync("category          dev top1  dev top3   held-out top1  held-out top3   (n dev/held-out)");
        void Line(string name, IReadOnlyCollection<EvaluationAnswer> subset)
        {
            var dev = SearchEvaluation.Score(subset.Where(a => a.Query.Split == "dev"));
            var held = SearchEvaluation.Score(subset.Where(a => a.Query.Split == "heldout"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-16} {dev.Top1Rate,9:F3} {dev.Top3Rate,9:F3} {held.Top1Rate,15:F3} {held.Top3Rate,14:F3}   ({dev.Queries}/{held.Queries})"));
        }
        foreach (var category in categories)
        {
            Line(category, answers.Where(a => a.Query.Category == category).ToList());
        }
        Line("all", answers);

        if (context.Flag("misses"))
        {
            // Wrong in the first three, then right in the first three but not first.
            foreach (var miss in answers.Where(a => a.Query.Split == "dev" && !a.Top1).OrderBy(a => a.Top3))
            {
                var kind = miss.Top3 ? "second (dev)" : "miss (dev)";
                await context.Out.WriteLineAsync($"{kind} {miss.Query.Category}: {miss.Query.Query} → [{string.Join(' ', miss.Concepts)}], expected [{string.Join(' ', miss.Query.Expected)}]");
            }
        }

        var chosen = answers.Where(a => split == "all" || a.Query.Split == split).ToList();
        var overall = SearchEvaluation.Score(chosen);
        var json = new Dictionary<string, object>
        {
            ["evaluate"] = "search",
            ["split"] = split,
            ["queries"] = overall.Queries,
            ["top1"] = Math.Round(overall.Top1Rate, 4),
            ["top3"] = Math.Round(overall.Top3Rate, 4),
        };
        foreach (var category in categories)
        {
            var score = SearchEvaluation.Score(chosen.Where(a => a.Query.Category == category));
            json["top1_" + category] = Math.Round(score.Top1Rate, 4);
            json["top3_" + category] = Math.Round(score.Top3Rate, 4);
        }
        await context.Out.WriteLineAsync(JsonSerializer.Serialize(json));
        return 0;
    }
}
