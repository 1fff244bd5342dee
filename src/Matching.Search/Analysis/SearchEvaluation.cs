using System.Globalization;

namespace Matching.Search.Analysis;

/// <summary>A labelled query of the evaluation set (seeds/search-eval/queries.csv); no expected trade means "maps to nothing".</summary>
public sealed record EvaluationQuery(string Split, string Category, string Query, IReadOnlyList<string> Expected);

/// <summary>Right answers among the queries: the first concept, any of the first three.</summary>
public sealed record EvaluationScore(int Queries, int Top1, int Top3)
{
    public double Top1Rate => Queries == 0 ? 0 : (double)Top1 / Queries;

    public double Top3Rate => Queries == 0 ? 0 : (double)Top3 / Queries;
}

/// <summary>One query's answer: the concepts the query path gave, and whether the first or first three were right.</summary>
public sealed record EvaluationAnswer(EvaluationQuery Query, IReadOnlyList<string> Concepts, bool Top1, bool Top3);

/// <summary>
/// Scores the text-to-concept layer on the evaluation set through the path a search takes: the trade concepts of
/// <see cref="SearchAnalyzer.AnalyzeQuery"/>, in order, which <see cref="QueryPlanner"/> turns into the concept filter
/// of both engines. A query is right at 1 when its first concept is one of the expected trades, at 3 when one of its
/// first three is; a "none" query is right when no concept is found at all.
/// </summary>
public static class SearchEvaluation
{
    public const string Header = "split,category,query,expected";

    public static IReadOnlyList<EvaluationQuery> Parse(string csv)
    {
        var lines = csv.Replace("\r", "", StringComparison.Ordinal).Split('\n').Where(l => l.Length > 0).ToList();
        if (lines.Count == 0 || lines[0].TrimStart('\uFEFF') != Header)
        {
            throw new FormatException($"evaluation set: the header should be {Header}");
        }
        var queries = new List<EvaluationQuery>();
        for (var i = 1; i < lines.Count; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != 4 || cells[0] is not ("dev" or "heldout") || cells[1].Length == 0 || cells[2].Length == 0)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"evaluation set line {i + 1}: split (dev|heldout), category, query, expected"));
            }
            queries.Add(new EvaluationQuery(cells[0], cells[1], cells[2],
                cells[3].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
        return queries;
    }

    public static EvaluationAnswer Answer(SearchAnalyzer analyzer, EvaluationQuery query)
    {
        var concepts = analyzer.AnalyzeQuery(query.Query).ConceptIds;
        if (query.Expected.Count == 0)
        {
            return new EvaluationAnswer(query, concepts, concepts.Count == 0, concepts.Count == 0);
        }
        return new EvaluationAnswer(query, concepts,
            concepts.Count > 0 && query.Expected.Contains(concepts[0]),
            concepts.Take(3).Any(query.Expected.Contains));
    }

    public static EvaluationScore Score(IEnumerable<EvaluationAnswer> answers)
    {
        var list = answers.ToList();
        return new EvaluationScore(list.Count, list.Count(a => a.Top1), list.Count(a => a.Top3));
    }
}
