using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matching.Data.Access;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Validation;
using Matching.Ranking;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Recall;
using Matching.Ranking.Serving;
using Microsoft.Extensions.Configuration;
using Microsoft.ML;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench rank [--workers N] [--candidates C] [--iterations I] [--pairs P] [--requests R] [--data DIR] [--models DIR] [--api-url URL] [--keep]</c>:
/// on a demo database of N workers (seeded with its history into a temp folder, or an existing one with --data),
/// measures (1) re-ranking C recalled candidates in-process: features, model scores, order, reasons for the top 10,
/// p50/p99 (one thread); (2) scoring throughput in pairs/s, like with like: the compiled trees on one thread against
/// ML.NET's PredictionEngine on one thread (the ratio), and separately the compiled trees on every core and ML.NET's
/// batch Transform; (3) the whole /candidates path in-process with the SQL recall (opening read + recall + profiles +
/// re-ranking + reasons + closing cohorts), and over HTTP when --api-url names a running service on the same data (the
/// service's own recall, normally the search engine). Ends with one JSON line.
/// </summary>
public static class RankBenchmark
{
    private const int Top = 10;

    public static async Task<int> RunAsync(CliContext context)
    {
        var workers = context.Number("workers", 1_000_000);
        var candidates = context.Number("candidates", 200);
        var iterations = context.Number("iterations", 2_000);
        var batchPairs = context.Number("pairs", 400_000);
        var requests = context.Number("requests", 40);
        var existing = context.Value("data");
        var folder = existing ?? Path.Combine(Path.GetTempPath(), $"matching-bench-rank-{Environment.ProcessId}");
        try
        {
            var options = new MatchingOptions { DataDirectory = folder, DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory };
            using var environment = DataEnvironment.Open(options, context.Time);
            var seeder = new DemoSeeder(environment, context.Time);
            if (await seeder.IsEmptyAsync())
            {
                await context.Out.WriteLineAsync($"rank: seeding {workers:N0} workers with their placement history into {folder}");
                var started = context.Time.GetTimestamp();
                await seeder.SeedAsync(workers, new SynchronousProgress<string>(line => context.Out.WriteLine("rank: " + line)));
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rank: seeded in {context.Time.GetElapsedTime(started).TotalSeconds:F0} s"));
            }
            workers = (int)await seeder.WorkerCountAsync();

            var modelDirectory = ModelLocation.Resolve(context.Value("models"));
            var models = new RetentionModelProvider(modelDirectory, context.Time, TimeSpan.FromMinutes(5));
            var model = models.Current ?? throw new CliException($"{modelDirectory} 中没有模型，请先运行 train");
            await context.Out.WriteLineAsync($"rank: model {model.Version} from {modelDirectory}; {workers:N0} workers in the database");

            var profiles = new ProfileReader(environment.Database, context.Time);
            var features = new FeatureBuilder(environment.Catalogue);
            var recall = new SqlCandidateRecall(environment.Database, environment.Catalogue, profiles);
            var history = await RetentionHistory.LoadAsync(environment.Database);
            var today = ChinaTime.Today(context.Time);

            // Openings with at least C recalled candidates, each with its recalled profiles, for the in-process parts.
            var openings = (await profiles.GetOpenOpeningsAsync()).OrderBy(o => o.Id).ToList();
            var prepared = new List<(OpeningProfile Opening, List<WorkerProfile> Workers)>();
            var recallTimes = new List<double>();
            foreach (var opening in openings)
            {
                var started = Stopwatch.GetTimestamp();
                var recalled = await recall.RecallWorkersAsync(opening, candidates);
                recallTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (recalled.Count == candidates)
                {
                    var found = await profiles.GetWorkersAsync(recalled.Select(r => r.WorkerId).ToList());
                    prepared.Add((opening, recalled.Select(r => found[r.WorkerId]).ToList()));
                }
                if (prepared.Count >= 20 || recallTimes.Count >= 60)
                {
                    break;
                }
            }
            if (prepared.Count == 0)
            {
                throw new CliException($"没有岗位召回满 {candidates} 人；请用更多劳动者（--workers）或更少候选（--candidates）");
            }
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: SQL recall of {candidates} candidates: p50 {Percentile(recallTimes, 50):F1} ms over {recallTimes.Count} openings ({prepared.Count} with a full list)"));

            // (1) Re-ranking C recalled candidates in-process.
            for (var i = 0; i < 50; i++)
            {
                Rerank(model, features, history, prepared[i % prepared.Count], today);
            }
            var rerankTimes = new List<double>(iterations);
            for (var i = 0; i < iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                Rerank(model, features, history, prepared[i % prepared.Count], today);
                rerankTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var rerankP50 = Percentile(rerankTimes, 50);
            var rerankP99 = Percentile(rerankTimes, 99);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: re-ranking {candidates} candidates (features, scores, order, reasons for top {Top}): p50 {rerankP50:F2} ms, p99 {rerankP99:F2} ms over {iterations:N0} runs"));

            // (2) Scoring throughput: the same vectors, batched versus one PredictionEngine call per pair.
            var vectors = prepared.SelectMany(p => p.Workers.Select(w => features.Facts(w, p.Opening, history, today).ToVector())).ToList();
            var pairs = Enumerable.Range(0, batchPairs).Select(i => vectors[i % vectors.Count]).ToList();
            var baselinePairs = Math.Min(batchPairs, 100_000);
            var ml = new MLContext(seed: 1);
            var engine = ml.Model.CreatePredictionEngine<PairRow, RetentionScore>(model.Transformer);
            engine.Predict(new PairRow { Features = pairs[0] });
            var baselineStarted = Stopwatch.GetTimestamp();
            var checksum = 0.0;
            for (var i = 0; i < baselinePairs; i++)
            {
                checksum += engine.Predict(new PairRow { Features = pairs[i] }).Probability;
            }
            var baselinePerSecond = baselinePairs / Stopwatch.GetElapsedTime(baselineStarted).TotalSeconds;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: baseline one PredictionEngine call per pair: {baselinePerSecond:F0} pairs/s ({baselinePairs:N0} pairs)"));

            model.PredictBatch(pairs.Take(1_000));
            var batchStarted = Stopwatch.GetTimestamp();
            var batched = model.PredictBatch(pairs);
            var transformPerSecond = batchPairs / Stopwatch.GetElapsedTime(batchStarted).TotalSeconds;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: batch Transform: {transformPerSecond:F0} pairs/s ({batchPairs:N0} pairs)"));

            model.PredictEach(pairs.Take(10_000).ToList());
            var singleStarted = Stopwatch.GetTimestamp();
            model.PredictEach(pairs);
            var singlePerSecond = batchPairs / Stopwatch.GetElapsedTime(singleStarted).TotalSeconds;
            // Requests score through a compiled copy of the model (trees or logistic weights) when there is one.
            var servingPath = !model.Compiled ? "pooled PredictionEngine" : model.Card.Kind == ModelKinds.FastTree ? "compiled trees" : "compiled logistic weights";
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: serving path ({servingPath}) on one thread: {singlePerSecond:F0} pairs/s"));

            var threads = Environment.ProcessorCount;
            var chunks = pairs.Chunk((batchPairs + threads - 1) / threads).ToList();
            var parallelStarted = Stopwatch.GetTimestamp();
            var parallel = await Task.WhenAll(chunks.Select(chunk => Task.Run(() => model.PredictEach(chunk))));
            var parallelPerSecond = batchPairs / Stopwatch.GetElapsedTime(parallelStarted).TotalSeconds;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: serving path ({servingPath}) on {threads} threads: {parallelPerSecond:F0} pairs/s"));
            if (Math.Abs(parallel.SelectMany(p => p).Take(1_000).Sum() - batched.Take(1_000).Sum()) > 1e-2 || double.IsNaN(checksum))
            {
                throw new InvalidOperationException("serving-path and ML.NET batch scores differ");
            }

            // (3) The whole /candidates path in-process, on openings not used above.
            using var historyCache = new HistoryCache(environment.Database, context.Time, TimeSpan.FromMinutes(5));
            var ranker = new MatchRanker(recall, profiles, features, models, historyCache,
                new CohortFinder(environment.Database, environment.Catalogue, context.Time),
                new RankingOptions { RecallLimit = candidates }, context.Time);
            await ranker.CandidatesForOpeningAsync(openings[0].Id, Top);
            var endToEnd = new List<double>();
            foreach (var opening in openings.Skip(openings.Count / 2).Take(requests))
            {
                var started = Stopwatch.GetTimestamp();
                await ranker.CandidatesForOpeningAsync(opening.Id, Top);
                endToEnd.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rank: /candidates in-process (SQL recall at {workers:N0} workers + re-ranking): p50 {Percentile(endToEnd, 50):F1} ms, p99 {Percentile(endToEnd, 99):F1} ms over {endToEnd.Count} openings"));

            var http = new List<double>();
            if (context.Value("api-url") is { } apiUrl)
            {
                // The sections above leave this process with hundreds of MB of garbage; collect it now so that its
                // collections during the HTTP section are not charged to the service's response times.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                using var client = new HttpClient { BaseAddress = new Uri(apiUrl), Timeout = TimeSpan.FromSeconds(60) };
                // As an admin of this data folder: the service validates with the same signing key (configuration or keys/jwt.key).
                var users = new UserStore(environment.Database, context.Time);
                var admin = await users.EnsureAsync(new UserDraft("bench-rank-admin", Roles.Admin, [], Active: true));
                var auth = context.Configuration.GetSection("Matching:Auth").Get<AuthOptions>() ?? new AuthOptions();
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                    Tokens.Issue(admin, auth, Tokens.SigningKey(auth, folder), context.Time.GetUtcNow(), TimeSpan.FromHours(1)));
                (await client.GetAsync($"/api/match/openings/{openings[0].Id}/candidates?top={Top}")).EnsureSuccessStatusCode();
                foreach (var opening in openings.Skip(openings.Count / 2).Take(requests))
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync($"/api/match/openings/{opening.Id}/candidates?top={Top}");
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync();
                    http.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"rank: GET /candidates over HTTP at {apiUrl}: p50 {Percentile(http, 50):F1} ms, p99 {Percentile(http, 99):F1} ms over {http.Count} openings"));
            }

            var figures = new Dictionary<string, object>
            {
                ["bench"] = "rank",
                ["workers"] = workers,
                ["candidates"] = candidates,
                ["rerank_p50_ms"] = Math.Round(rerankP50, 3),
                ["rerank_p99_ms"] = Math.Round(rerankP99, 3),
                ["batch_pairs"] = batchPairs,
                ["model"] = model.Version,
                ["serving_path"] = servingPath,
                ["pairs_per_s"] = Math.Round(singlePerSecond),
                ["baseline_pairs_per_s"] = Math.Round(baselinePerSecond),
                ["ratio"] = Math.Round(singlePerSecond / baselinePerSecond, 2),
                ["all_core_pairs_per_s"] = Math.Round(parallelPerSecond),
                ["all_core_threads"] = threads,
                ["transform_pairs_per_s"] = Math.Round(transformPerSecond),
                ["sql_recall_p50_ms"] = Math.Round(Percentile(recallTimes, 50), 1),
                ["candidates_inprocess_sql_recall_p50_ms"] = Math.Round(Percentile(endToEnd, 50), 1),
                ["candidates_inprocess_sql_recall_p99_ms"] = Math.Round(Percentile(endToEnd, 99), 1),
                ["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0),
                ["load_average_1m"] = LoadAverage(),
            };
            if (http.Count > 0)
            {
                figures["candidates_endpoint_http_p50_ms"] = Math.Round(Percentile(http, 50), 1);
                figures["candidates_endpoint_http_p99_ms"] = Math.Round(Percentile(http, 99), 1);
            }
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(figures));
            return 0;
        }
        finally
        {
            if (existing is null && !context.Flag("keep"))
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

    /// <summary>What the service does with recalled candidates: features, scores, order, reasons for the top ones.</summary>
    private static int Rerank(RetentionModel model, FeatureBuilder features, RetentionHistory history, (OpeningProfile Opening, List<WorkerProfile> Workers) recalled, DateOnly today)
    {
        var count = recalled.Workers.Count;
        var facts = new PairFacts[count];
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            facts[i] = features.Facts(recalled.Workers[i], recalled.Opening, history, today);
            vectors[i] = facts[i].ToVector();
        }
        var probabilities = model.PredictEach(vectors);
        var reasons = 0;
        foreach (var i in Enumerable.Range(0, count).OrderByDescending(i => probabilities[i]).Take(Top))
        {
            var (_, contributions) = model.Explain(vectors[i]);
            reasons += Explanations.Sentence(Explanations.TopFactorsOf(facts[i], contributions, features.Catalogue)).Length;
        }
        return reasons;
    }

    /// <summary>The machine's one-minute load average (Linux), so figures taken on a busy machine say so; -1 elsewhere.</summary>
    private static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
