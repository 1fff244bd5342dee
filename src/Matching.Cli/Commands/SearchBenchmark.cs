using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matching.Data.Catalogues;
using Matching.Domain.Catalogues;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Matching.Search;
using Matching.Search.Analysis;
using Matching.Search.Documents;
using Matching.Search.Indexing;
using Matching.Search.Lucene;
using Matching.Search.Recall;
using Matching.Ranking.Features;
using Matching.Ranking.Recall;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench search [--workers N] [--queries Q] [--baseline-queries B]</c>: stores N generated demo workers and the demo
/// employers' openings in SQLite, indexes the workers into Lucene (docs/s, index size), then measures the service's
/// recall of an opening's candidates as the ranker runs it — read the opening (its terms and start day) from SQL, then
/// ask the search index — at 100k and at N workers (p50, p99 over Q openings), against the same recall done in SQL as a
/// competent developer would (<see cref="SqlCandidateRecall"/>: the worker–trade table indexed by trade and level, the
/// relevance computed and ordered in SQL), measured in the same run on B of those openings. Both must give the same
/// answers (the same workers in the same order); the count of agreeing answers is printed.
/// First, typeahead (<see cref="MeasureTypeaheadAsync"/>): every keystroke of typing each evaluation query and each
/// trade name and its pinyin, answered by the precomputed tables and, as the baseline in the same run, by scanning the
/// vocabulary on every call. <c>--typeahead-only</c> stops after that section.
/// </summary>
public static class SearchBenchmark
{
    private const int Limit = 200;

    public static async Task<int> RunAsync(CliContext context)
    {
        var workers = context.Number("workers", 1_000_000);
        var queries = context.Number("queries", 300);
        var baselineQueries = Math.Min(queries, context.Number("baseline-queries", 20));
        var small = Math.Min(100_000, workers);
        var folder = Path.Combine(Path.GetTempPath(), $"matching-bench-search-{Environment.ProcessId}");
        try
        {
            var catalogue = CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(context.Options.CataloguesDirectory));
            var typeahead = await MeasureTypeaheadAsync(context, catalogue);
            if (context.Flag("typeahead-only"))
            {
                var only = new Dictionary<string, object> { ["bench"] = "search" };
                foreach (var (key, value) in typeahead)
                {
                    only[key] = value;
                }
                only["load_average"] = LoadAverage();
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(only));
                return 0;
            }
            var today = ChinaTime.Today(context.Time);
            var demo = new DemoData(catalogue, today);
            await context.Out.WriteLineAsync($"search: generating {workers:N0} demo workers; {Environment.ProcessorCount} cores, {LoadAverage()}");
            var started = Stopwatch.GetTimestamp();
            var drafts = demo.Workers(workers).ToList();
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"search: generated {drafts.Count:N0} workers in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

            var atSmall = await MeasureAsync(context, folder, "100k", drafts.Take(small).ToList(), queries, baselineQueries, today);
            var atFull = workers == small ? atSmall : await MeasureAsync(context, folder, "full", drafts, queries, baselineQueries, today);

            await context.Out.WriteLineAsync($"search: done; {LoadAverage()}");
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"search: {workers:N0} workers indexed at {atFull.DocsPerSecond:F0} docs/s, index {atFull.IndexMb:F0} MB; recall (opening read + index) p50 {atFull.P50:F2} ms, p99 {atFull.P99:F2} ms " +
                $"(100k: p50 {atSmall.P50:F2} ms, p99 {atSmall.P99:F2} ms); SQL recall p50 {atFull.BaselineP50:F1} ms, p99 {atFull.BaselineP99:F1} ms (100k: {atSmall.BaselineP50:F1} ms); same answers {atFull.Agreeing}/{atFull.Compared}"));
            var figures = new Dictionary<string, object>
            {
                ["bench"] = "search",
                ["workers"] = workers,
                ["queries"] = atFull.Queries,
                ["baseline_queries"] = atFull.Compared,
                ["docs_per_s"] = Math.Round(atFull.DocsPerSecond),
                ["index_mb"] = Math.Round(atFull.IndexMb, 1),
                ["recall_p50_ms"] = Math.Round(atFull.P50, 2),
                ["recall_p99_ms"] = Math.Round(atFull.P99, 2),
                ["recall_100k_p50_ms"] = Math.Round(atSmall.P50, 2),
                ["recall_100k_p99_ms"] = Math.Round(atSmall.P99, 2),
                ["p50_growth_100k_to_n"] = Math.Round(atFull.P50 / atSmall.P50, 2),
                ["mean_candidates"] = Math.Round(atFull.MeanHits, 1),
                ["baseline_recall_p50_ms"] = Math.Round(atFull.BaselineP50, 1),
                ["baseline_recall_p99_ms"] = Math.Round(atFull.BaselineP99, 1),
                ["baseline_recall_100k_p50_ms"] = Math.Round(atSmall.BaselineP50, 1),
                ["baseline_recall_100k_p99_ms"] = Math.Round(atSmall.BaselineP99, 1),
                ["answers_agree"] = $"{atFull.Agreeing}/{atFull.Compared}",
                ["answers_agree_100k"] = $"{atSmall.Agreeing}/{atSmall.Compared}",
                ["ratio"] = Math.Round(atFull.BaselineP50 / atFull.P50, 1),
                ["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0),
            };
            foreach (var (key, value) in typeahead)
            {
                figures[key] = value;
            }
            figures["load_average"] = LoadAverage();
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(figures));
            return 0;
        }
        finally
        {
            if (!context.Flag("keep"))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless; the figures are already printed.
                }
            }
        }
    }

    private sealed record Figures(double DocsPerSecond, double IndexMb, int Queries, double P50, double P99, double MeanHits,
        double BaselineP50, double BaselineP99, int Compared, int Agreeing);

    private static async Task<Figures> MeasureAsync(CliContext context, string folder, string label, List<WorkerDraft> drafts,
        int queries, int baselineQueries, DateOnly today)
    {
        var count = drafts.Count;
        // The workers in SQLite (ids 1…N in the same order as the index's) and the demo employers' openings and cohorts.
        var options = new MatchingOptions { DataDirectory = Path.Combine(folder, label, "data"), DemoWorkers = 0, DataKey = Convert.ToBase64String(new byte[32]), CataloguesDirectory = context.Options.CataloguesDirectory };
        using var environment = DataEnvironment.Open(options, context.Time);
        var started = Stopwatch.GetTimestamp();
        await new DemoSeeder(environment, context.Time).SeedEmployersAsync(Math.Max(30, queries / 3));
        await new WorkerStore(environment.Database, environment.Protector, context.Time).BulkInsertAsync(drafts);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}: {count:N0} workers and the demo openings stored in SQLite in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

        var analyzer = new SearchAnalyzer(environment.Catalogue);
        var builder = new DocumentBuilder(analyzer);
        using var index = new LuceneSearchIndex(Path.Combine(folder, label, "index"), new QueryPlanner(analyzer));
        await index.EnsureCreatedAsync();
        started = Stopwatch.GetTimestamp();
        var step = Math.Max(10_000, count / 5);
        long done = 0;
        await using (var rebuild = await index.BeginRebuildAsync())
        {
            // Two threads: each builds documents (analysis included) and adds them; IndexWriter takes both at once.
            await Parallel.ForEachAsync(Enumerable.Range(0, (count + 999) / 1000), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                async (chunk, cancellationToken) =>
                {
                    var documents = new List<WorkerDocument>(1000);
                    for (var i = chunk * 1000; i < Math.Min(count, (chunk + 1) * 1000); i++)
                    {
                        documents.Add(builder.Worker(i + 1, drafts[i], today));
                    }
                    await rebuild.AddWorkersAsync(documents, cancellationToken);
                    var total = Interlocked.Add(ref done, documents.Count);
                    if (total % step < documents.Count)
                    {
                        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{label}: indexed {total:N0}/{count:N0} ({total / Stopwatch.GetElapsedTime(started).TotalSeconds:F0} docs/s)"));
                    }
                });
            await rebuild.SwapAsync();
        }
        var docsPerSecond = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        var indexMb = Directory.EnumerateFiles(index.LiveDirectory!, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}: {docsPerSecond:F0} docs/s, index {indexMb:F0} MB"));

        // What the ranker does per request: read the opening, then recall (the search engine, or SQL).
        var profiles = new ProfileReader(environment.Database, context.Time);
        var search = new SearchCandidateRecall(new RecallService(new SearchSource(environment.Database, builder, context.Time), index, context.Time));
        var sql = new SqlCandidateRecall(environment.Database, environment.Catalogue, profiles);
        var openings = (await profiles.GetOpenOpeningsAsync()).OrderBy(o => o.Id).Select(o => o.Id).Take(queries).ToList();
        async Task<IReadOnlyList<RecalledWorker>> Recall(ICandidateRecall recall, long openingId) =>
            await recall.RecallWorkersAsync((await profiles.GetOpeningAsync(openingId))!, Limit);

        foreach (var id in openings.Take(50))
        {
            await Recall(search, id); // warm-up: JIT, doc values loaded
        }
        var latencies = new List<double>();
        var hits = new List<IReadOnlyList<RecalledWorker>>();
        foreach (var id in openings)
        {
            var t = Stopwatch.GetTimestamp();
            hits.Add(await Recall(search, id));
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        var (p50, p99) = Percentiles(latencies);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{label}: search recall (opening read + Lucene) over {latencies.Count} openings: p50 {p50:F2} ms, p99 {p99:F2} ms, mean {hits.Average(h => h.Count):F0} candidates"));

        await Recall(sql, openings[^1]); // warm-up
        var baseline = new List<double>();
        var agreeing = 0;
        for (var q = 0; q < Math.Min(baselineQueries, openings.Count); q++)
        {
            var t = Stopwatch.GetTimestamp();
            var answer = await Recall(sql, openings[q]);
            baseline.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            agreeing += answer.SequenceEqual(hits[q]) ? 1 : 0;
        }
        var (b50, b99) = Percentiles(baseline);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{label}: SQL recall (opening read + indexed SQL) over {baseline.Count} openings: p50 {b50:F1} ms, p99 {b99:F1} ms; same answer as the search engine for {agreeing}/{baseline.Count}"));
        return new Figures(docsPerSecond, indexMb, latencies.Count, p50, p99, hits.Average(h => h.Count), b50, b99, baseline.Count, agreeing);
    }

    /// <summary>
    /// Typeahead as a clerk uses it: each keystroke of typing every evaluation query (seeds/search-eval) and every trade
    /// name and its pinyin is one call, timed alone after a warm-up pass; p50 and p99 of the precomputed tables against
    /// scanning the vocabulary on every call (the way typeahead worked before), over the same inputs in the same run.
    /// </summary>
    private static async Task<Dictionary<string, object>> MeasureTypeaheadAsync(CliContext context, Catalogue catalogue)
    {
        var analyzer = new SearchAnalyzer(catalogue);
        var suggester = new TradeSuggester(analyzer);
        var texts = new List<string>();
        var evaluation = Path.Combine(AppContext.BaseDirectory, "search-eval", "queries.csv");
        if (File.Exists(evaluation))
        {
            texts.AddRange(SearchEvaluation.Parse(await File.ReadAllTextAsync(evaluation)).Select(q => q.Query));
        }
        texts.AddRange(catalogue.Trades.Select(t => t.Name));
        texts.AddRange(catalogue.Trades.Select(t => t.Pinyin.Replace(" ", "", StringComparison.Ordinal)));
        var inputs = texts.SelectMany(t => Enumerable.Range(1, Math.Min(t.Length, TradeSuggester.MaxLength)).Select(n => t[..n])).ToList();

        var started = Stopwatch.GetTimestamp();
        var precomputed = suggester.PrecomputedInputs;
        var buildMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        foreach (var input in inputs)
        {
            suggester.Suggest(input, 8);
            suggester.SuggestByScan(input, 8);
        }
        List<double> Time(Func<string, IReadOnlyList<TradeSuggestion>> suggest)
        {
            var times = new List<double>(inputs.Count);
            foreach (var input in inputs)
            {
                var t = Stopwatch.GetTimestamp();
                suggest(input);
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            return times;
        }
        var table = Time(input => suggester.Suggest(input, 8));
        var scan = Time(input => suggester.SuggestByScan(input, 8));
        var (p50, p99) = Percentiles(table);
        var (s50, s99) = Percentiles(scan);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"typeahead: {inputs.Count:N0} keystrokes; tables ({precomputed:N0} inputs, built in {buildMs:F0} ms) p50 {p50:F4} ms, p99 {p99:F4} ms, max {table.Max():F2} ms; " +
            $"scanning the vocabulary p50 {s50:F3} ms, p99 {s99:F3} ms; {LoadAverage()}"));
        return new Dictionary<string, object>
        {
            ["typeahead_inputs"] = inputs.Count,
            ["typeahead_p50_ms"] = Math.Round(p50, 4),
            ["typeahead_p99_ms"] = Math.Round(p99, 4),
            ["typeahead_max_ms"] = Math.Round(table.Max(), 3),
            ["typeahead_scan_p50_ms"] = Math.Round(s50, 4),
            ["typeahead_scan_p99_ms"] = Math.Round(s99, 4),
            ["typeahead_ratio_p99"] = Math.Round(s99 / Math.Max(p99, 1e-6), 1),
            ["typeahead_table_inputs"] = precomputed,
            ["typeahead_table_build_ms"] = Math.Round(buildMs),
        };
    }

    /// <summary>Other work on the machine skews every figure; the load average says how much there was.</summary>
    private static string LoadAverage()
    {
        try
        {
            return "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }

    private static (double P50, double P99) Percentiles(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(int)Math.Floor(0.50 * (sorted.Count - 1))], sorted[(int)Math.Ceiling(0.99 * (sorted.Count - 1))]);
    }
}
