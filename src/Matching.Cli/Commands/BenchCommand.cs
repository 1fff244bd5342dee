namespace Matching.Cli.Commands;

/// <summary><c>bench ingest|… [options]</c>: each benchmark prints progress and ends with one JSON line of its figures.</summary>
public static class BenchCommand
{
    private static readonly Dictionary<string, Func<CliContext, Task<int>>> Benchmarks = new(StringComparer.Ordinal)
    {
        ["ingest"] = IngestBenchmark.RunAsync,
        ["dispatch"] = DispatchBenchmark.RunAsync,
        ["search"] = SearchBenchmark.RunAsync,
        ["rank"] = RankBenchmark.RunAsync,
        ["import"] = ImportBenchmark.RunAsync,
        ["report"] = ReportBenchmark.RunAsync,
        ["claims"] = ClaimsBenchmark.RunAsync,
    };

    public static Task<int> RunAsync(CliContext context)
    {
        var name = context.Positional(0);
        if (name is null || !Benchmarks.TryGetValue(name, out var benchmark))
        {
            throw new CliException($"用法: bench <{string.Join("|", Benchmarks.Keys)}> [options]");
        }
        return benchmark(context);
    }
}
