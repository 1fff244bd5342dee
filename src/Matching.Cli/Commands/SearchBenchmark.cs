using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Matching.Search;
using Matching.Search.Analysis;
using Matching.Search.Documents;
using Matching.Search.Lucene;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench search [--workers N] [--queries Q] [--baseline-queries B]</c>: indexes N generated demo workers into Lucene
/// (docs/s, index size), then measures opening → candidates recall in-process at 100k and at N workers (p50, p99 over
/// Q openings of the demo employers), against the baseline a user would otherwise run: the same hard constraints as one
/// SQL query on the same SQLite data, measured in the same run on B of those openings. Both answers are compared.
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
            var options = new MatchingOptions { DataDirectory = Path.Combine(folder, "data"), DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory };
            using var environment = DataEnvironment.Open(options, context.Time);
            var today = ChinaTime.Today(context.Time);
            var demo = new DemoData(environment.Catalogue, today);
            var analyzer = new SearchAnalyzer(environment.Catalogue);
            var planner = new QueryPlanner(analyzer);
            var builder = new DocumentBuilder(analyzer);
            var openings = Openings(demo, environment.Catalogue, Math.Max(30, workers / 200), today).Take(queries).ToList();
            await context.Out.WriteLineAsync($"search: {openings.Count} demo openings as recall queries; generating {workers:N0} demo workers; {Environment.ProcessorCount} cores, {LoadAverage()}");

            var started = Stopwatch.GetTimestamp();
            var drafts = demo.Workers(workers).ToList();
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"search: generated {drafts.Count:N0} workers in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

            var atSmall = await MeasureAsync(context, folder, "100k", drafts.Take(small).ToList(), openings, baselineQueries, environment, builder, planner, today);
            var atFull = workers == small ? atSmall : await MeasureAsync(context, folder, "full", drafts, openings, baselineQueries, environment, builder, planner, today);

            await context.Out.WriteLineAsync($"search: done; {LoadAverage()}");
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"search: {workers:N0} workers indexed at {atFull.DocsPerSecond:F0} docs/s, index {atFull.IndexMb:F0} MB; recall p50 {atFull.P50:F2} ms, p99 {atFull.P99:F2} ms " +
                $"(100k: p50 {atSmall.P50:F2} ms, p99 {atSmall.P99:F2} ms); SQL baseline p50 {atFull.BaselineP50:F1} ms (100k: {atSmall.BaselineP50:F1} ms); answers agree {atFull.Agreeing}/{atFull.Compared}"));
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
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
                ["answers_agree"] = $"{atFull.Agreeing}/{atFull.Compared}",
                ["ratio"] = Math.Round(atFull.BaselineP50 / atFull.P50, 1),
                ["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0),
            }));
            return 0;
        }
        finally
        {
            if (!context.Flag("keep"))
            {
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
        List<CandidateCriteria> openings, int baselineQueries, DataEnvironment template, DocumentBuilder builder, QueryPlanner planner, DateOnly today)
    {
        var count = drafts.Count;
        // The baseline's data: the same workers in SQLite, ids 1…N in the same order as the index's.
        var options = new MatchingOptions { DataDirectory = Path.Combine(folder, label, "data"), DemoWorkers = 0, DataKey = Convert.ToBase64String(new byte[32]), CataloguesDirectory = template.Options.CataloguesDirectory };
        using var environment = DataEnvironment.Open(options, context.Time);
        var started = Stopwatch.GetTimestamp();
        await new WorkerStore(environment.Database, environment.Protector, context.Time).BulkInsertAsync(drafts);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}: {count:N0} workers stored in SQLite in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

        using var index = new LuceneSearchIndex(Path.Combine(folder, label, "index"), planner);
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

        // Warm-up (JIT, doc values loaded), then every opening once, timed one by one.
        foreach (var criteria in openings.Take(50))
        {
            await index.RecallWorkersAsync(criteria, SearchScope.Unrestricted, Limit);
        }
        var latencies = new List<double>();
        var hits = new List<IReadOnlyList<SearchHit>>();
        foreach (var criteria in openings)
        {
            var t = Stopwatch.GetTimestamp();
            var result = await index.RecallWorkersAsync(criteria, SearchScope.Unrestricted, Limit);
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            hits.Add(result);
        }
        var (p50, p99) = Percentiles(latencies);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{label}: Lucene recall over {latencies.Count} openings: p50 {p50:F2} ms, p99 {p99:F2} ms, mean {hits.Average(h => h.Count):F0} candidates"));

        var baseline = new List<double>();
        var agreeing = 0;
        await using (var connection = await environment.Database.OpenAsync())
        {
            for (var q = 0; q < baselineQueries; q++)
            {
                var t = Stopwatch.GetTimestamp();
                var ids = (await connection.QueryAsync<long>(BaselineSql, BaselineParameters(openings[q], today))).AsList();
                baseline.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (ids.SequenceEqual(hits[q].Select(h => h.Id)))
                {
                    agreeing++;
                }
            }
        }
        var (b50, b99) = Percentiles(baseline);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{label}: SQL baseline over {baseline.Count} openings: p50 {b50:F1} ms, p99 {b99:F1} ms; same answer as Lucene for {agreeing}/{baseline.Count}"));
        return new Figures(docsPerSecond, indexMb, latencies.Count, p50, p99, hits.Average(h => h.Count), b50, b99, baseline.Count, agreeing);
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

    /// <summary>
    /// The clerk's query without a search index: the same hard constraints and the same order (preferred city 2,
    /// first-choice province 1, named province 1; then id), over the stored columns.
    /// </summary>
    private const string BaselineSql = """
        SELECT id FROM workers
        WHERE trade_ids LIKE @TradePattern
          AND EXISTS (SELECT 1 FROM json_each(trades_json) t
                      WHERE json_extract(t.value, '$.tradeId') = @TradeId AND json_extract(t.value, '$.level') >= @MinLevel)
          AND (@NeedsCertificate = 0 OR EXISTS (SELECT 1 FROM json_each(certificates_json) c
                      WHERE json_extract(c.value, '$.type') = 'special-operation' AND json_extract(c.value, '$.tradeId') = @TradeId
                        AND (json_extract(c.value, '$.expiresOn') IS NULL OR json_extract(c.value, '$.expiresOn') >= @Today)))
          AND birth_date > @BornAfter AND birth_date <= @BornBy
          AND available_from <= @Start
          AND (destinations = '' OR destinations LIKE @ProvinceAnywhere)
        ORDER BY (CASE WHEN destinations LIKE @City THEN 2 ELSE 0 END)
               + (CASE WHEN destinations LIKE @ProvinceFirst THEN 1 ELSE 0 END)
               + (CASE WHEN destinations LIKE @ProvinceAnywhere THEN 1 ELSE 0 END) DESC, id
        LIMIT 200
        """;

    private static object BaselineParameters(CandidateCriteria c, DateOnly today)
    {
        var province = c.ProvinceCode[..2] + "____";
        return new
        {
            TradePattern = Codes.ContainsPattern(c.TradeId),
            c.TradeId,
            c.MinLevel,
            NeedsCertificate = c.RequiresSpecialOperation ? 1 : 0,
            Today = Date(today),
            BornAfter = Date(c.CohortStart.AddYears(-(c.AgeMax + 1))),
            BornBy = Date(c.CohortStart.AddYears(-c.AgeMin)),
            Start = Date(c.CohortStart),
            ProvinceAnywhere = $"%|{province}|%",
            ProvinceFirst = $"|{province}|%",
            City = c.CityCode is null ? "-" : $"%|{c.CityCode}|%",
        };
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The demo employers' openings as the recall service would turn them into criteria (next cohort start).</summary>
    private static IEnumerable<CandidateCriteria> Openings(DemoData demo, Catalogue catalogue, int employers, DateOnly today)
    {
        foreach (var employer in demo.Employers(employers))
        {
            foreach (var b in employer.Bases)
            {
                for (var i = 0; i < b.Openings.Count; i++)
                {
                    var o = b.Openings[i];
                    var trade = catalogue.TradesById[o.TradeId];
                    var start = b.Cohorts.Where(c => c.OpeningIndexes.Contains(i)).Select(c => c.Cohort.StartDate).DefaultIfEmpty(today).Min();
                    yield return new CandidateCriteria(trade.Id, trade.FamilyId, false, o.MinLevel, o.RequiredCertificates.Contains("special-operation"),
                        o.AgeMin, o.AgeMax, start, b.Base.ProvinceCode, b.Base.CityCode);
                }
            }
        }
    }
}
