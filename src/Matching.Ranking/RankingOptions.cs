namespace Matching.Ranking;

/// <summary>The <c>Matching:Ranking</c> configuration section.</summary>
public sealed class RankingOptions
{
    public const string Section = "Matching:Ranking";

    /// <summary>Folder with <c>retention-model.zip</c> and its card; empty = the repository's <c>models/</c>, else the one next to the program.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>
    /// Added to the predicted retention of a worker in any of <see cref="PriorityGroups"/> (重点群体 policy weight).
    /// 0 orders by predicted retention alone.
    /// </summary>
    public double PriorityWeight { get; set; } = 0.05;

    /// <summary>Priority groups the policy weight favours; when not configured, <see cref="DefaultPriorityGroups"/>.</summary>
    // Null by default: the configuration binder appends to an initialised array instead of replacing it.
    public string[]? PriorityGroups { get; set; }

    public static readonly IReadOnlyList<string> DefaultPriorityGroups = ["monitored", "poverty-lifted", "relocated", "hard-to-employ"];

    public IReadOnlyList<string> FavouredGroups => PriorityGroups is { Length: > 0 } groups ? groups : DefaultPriorityGroups;

    /// <summary>
    /// Where the service's recall comes from: <c>search</c> (the search engine, default) or <c>sql</c> (straight from
    /// the database; slower, for a service run without an index).
    /// </summary>
    public string Recall { get; set; } = "search";

    /// <summary>How many candidates the recall hands to the re-ranking.</summary>
    public int RecallLimit { get; set; } = 300;

    /// <summary>Results returned when the caller does not say; and the most a caller may ask for.</summary>
    public int DefaultTop { get; set; } = 10;

    public int MaxTop { get; set; } = 50;

    /// <summary>How often (seconds) the model file is checked for a newly trained model; 0 checks on every request.</summary>
    public int ModelCheckSeconds { get; set; } = 5;

    /// <summary>How long (seconds) the placement history (employer retention, fellow villagers) is cached.</summary>
    public int HistoryRefreshSeconds { get; set; } = 300;
}

/// <summary>Where the models folder is.</summary>
public static class ModelLocation
{
    /// <summary>
    /// The configured folder; else <c>models/</c> of the repository around the working directory or the program
    /// (where <c>train</c> writes and the shipped model lives); else <c>models/</c> next to the program (copied at build).
    /// </summary>
    public static string Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Matching.sln")))
                {
                    return Path.Combine(dir.FullName, "models");
                }
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "models");
    }
}
