using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Search.Analysis;
using Matching.Search.Documents;
using Matching.Search.Elasticsearch;
using Matching.Search.Indexing;
using Matching.Search.Lucene;
using Matching.Search.Recall;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matching.Search;

/// <summary>
/// Search settings, read from the <c>Matching</c> configuration section beside <see cref="MatchingOptions"/>:
/// <c>Matching:SearchProvider</c> = lucene (default) | elasticsearch, <c>Matching:ElasticsearchUrl</c>, …
/// </summary>
public sealed class SearchOptions
{
    public string SearchProvider { get; set; } = "lucene";

    public string? ElasticsearchUrl { get; set; }

    /// <summary>Seconds a request to the cluster may take before it is abandoned (and retried on another node).</summary>
    public double ElasticsearchRequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Retries of a failed request on other nodes (network errors, 502/503/504), within the request timeout.</summary>
    public int ElasticsearchMaxRetries { get; set; } = 2;

    /// <summary>Base64 API key for the cluster, when it needs one.</summary>
    public string? ElasticsearchApiKey { get; set; }

    /// <summary>Aliases are {prefix}-workers and {prefix}-openings.</summary>
    public string ElasticsearchIndexPrefix { get; set; } = "matching";

    /// <summary>Whether the service runs the outbox indexer in the background.</summary>
    public bool SearchIndexerEnabled { get; set; } = true;

    /// <summary>Pause between outbox polls when nothing is pending.</summary>
    public double SearchIndexerPollSeconds { get; set; } = 1;
}

/// <summary>Builds the search components; the service registers them, the command line uses them directly.</summary>
public sealed class SearchComponents : IDisposable
{
    public SearchComponents(SearchOptions options, MatchingOptions data, Catalogue catalogue, Database database, TimeProvider time, ILoggerFactory? logging = null)
    {
        Analyzer = new SearchAnalyzer(catalogue);
        Planner = new QueryPlanner(Analyzer);
        Builder = new DocumentBuilder(Analyzer);
        Index = CreateIndex(options, data, Planner, time);
        Source = new SearchSource(database, Builder, time);
        Outbox = new OutboxIndexer(database, Source, Index, time, logging?.CreateLogger<OutboxIndexer>());
        Reindexer = new Reindexer(Source, Index, Outbox, time, logging?.CreateLogger<Reindexer>());
        Consistency = new ConsistencyCheck(Source, Index, Outbox);
        Recall = new RecallService(Source, Index, time);
        Suggester = new TradeSuggester(Analyzer);
    }

    public SearchAnalyzer Analyzer { get; }
    public QueryPlanner Planner { get; }
    public DocumentBuilder Builder { get; }
    public ISearchIndex Index { get; }
    public SearchSource Source { get; }
    public OutboxIndexer Outbox { get; }
    public Reindexer Reindexer { get; }
    public ConsistencyCheck Consistency { get; }
    public RecallService Recall { get; }
    public TradeSuggester Suggester { get; }

    public static ISearchIndex CreateIndex(SearchOptions options, MatchingOptions data, QueryPlanner planner, TimeProvider time) =>
        options.SearchProvider.Trim().ToUpperInvariant() switch
        {
            "LUCENE" => new LuceneSearchIndex(Path.Combine(data.FullDataDirectory, "index"), planner),
            "ELASTICSEARCH" => new ElasticsearchSearchIndex(CreateClient(options), planner, options.ElasticsearchIndexPrefix, time: time),
            _ => throw new InvalidOperationException($"Matching:SearchProvider '{options.SearchProvider}' 不受支持；可用值: lucene, elasticsearch"),
        };

    public static ElasticsearchClient CreateClient(SearchOptions options)
    {
        // One URL, or several separated by commas (the nodes of a cluster, used in turn).
        var urls = (options.ElasticsearchUrl ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var url) ? url : null).ToList();
        if (urls.Count == 0 || urls.Any(u => u is null))
        {
            throw new InvalidOperationException("Matching:SearchProvider=elasticsearch 需要 Matching:ElasticsearchUrl（例如 http://localhost:9200，多个节点以逗号分隔）");
        }
        // Timeouts, retries and per-node circuit breaking (a failing node is marked dead and left alone for DeadTimeout,
        // doubling up to MaxDeadTimeout, then tried again): infra/elasticsearch/README.md.
        var settings = new ElasticsearchClientSettings(new StaticNodePool(urls.Select(u => new Node(u!))))
            .RequestTimeout(TimeSpan.FromSeconds(options.ElasticsearchRequestTimeoutSeconds))
            .MaximumRetries(options.ElasticsearchMaxRetries)
            .MaxRetryTimeout(TimeSpan.FromSeconds(options.ElasticsearchRequestTimeoutSeconds * (options.ElasticsearchMaxRetries + 1)))
            .DeadTimeout(TimeSpan.FromSeconds(60))
            .MaxDeadTimeout(TimeSpan.FromMinutes(30));
        if (!string.IsNullOrWhiteSpace(options.ElasticsearchApiKey))
        {
            settings = settings.Authentication(new ApiKey(options.ElasticsearchApiKey));
        }
        return new ElasticsearchClient(settings);
    }

    public void Dispose()
    {
        Reindexer.Dispose();
        Outbox.Dispose();
        Index.Dispose();
    }
}

/// <summary>
/// Drains the outbox into the index while the service runs: right away at start, then whenever rows are pending,
/// polling otherwise. An empty index over a filled database (e.g. after demo seeding, which writes no outbox rows)
/// gets a rebuild.
/// </summary>
public sealed class OutboxIndexerService(SearchComponents search, SearchOptions options, TimeProvider time, ILogger<OutboxIndexerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await search.Index.EnsureCreatedAsync(stoppingToken);
            var sql = await search.Source.CountAsync(stoppingToken);
            var indexed = await search.Index.CountAsync(stoppingToken);
            if (indexed.Workers == 0 && indexed.Openings == 0 && (sql.Workers > 0 || sql.Openings > 0))
            {
                logger.LogInformation("Search index is empty: rebuilding it from {Workers} workers and {Openings} openings", sql.Workers, sql.Openings);
                await search.Reindexer.RunAsync(new Progress<string>(line => logger.LogInformation("{Progress}", line)), stoppingToken);
            }
            else if (await BuiltByAnotherVersionAsync(stoppingToken))
            {
                logger.LogInformation("Search index differs from what this version writes (another version built it, or rows changed behind it): rebuilding it behind the live one");
                await search.Reindexer.RunAsync(new Progress<string>(line => logger.LogInformation("{Progress}", line)), stoppingToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Search index could not be prepared; the outbox indexer keeps retrying");
        }
        var poll = TimeSpan.FromSeconds(Math.Max(0.05, options.SearchIndexerPollSeconds));
        await DrainAsync(poll, stoppingToken);
    }

    /// <summary>
    /// Whether a sample of documents differs from what this version builds from the same rows by more than the pending
    /// outbox rows can explain: an upgrade that changed what documents hold (analysis, eligibility terms), or rows
    /// changed behind the indexer's back, left an index the queries cannot trust. Changes still waiting in the outbox
    /// are about to be indexed and do not count.
    /// </summary>
    private async Task<bool> BuiltByAnotherVersionAsync(CancellationToken cancellationToken)
    {
        var report = await search.Consistency.RunAsync(VersionSample, cancellationToken);
        return report.Mismatches.Count > report.OutboxPending;
    }

    private const int VersionSample = 200;

    private async Task DrainAsync(TimeSpan poll, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                var result = await search.Outbox.DrainOnceAsync(cancellationToken: stoppingToken);
                more = result.MoreWaiting && result.Failed == 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Outbox indexer pass failed");
            }
            if (!more)
            {
                try
                {
                    await Task.Delay(poll, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

public static class SearchServiceCollectionExtensions
{
    /// <summary>Registers the search components (one instance per process) and, when enabled, the outbox indexer.</summary>
    public static IServiceCollection AddMatchingSearch(this IServiceCollection services, SearchOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(provider => new SearchComponents(
            options,
            provider.GetRequiredService<MatchingOptions>(),
            provider.GetRequiredService<Catalogue>(),
            provider.GetRequiredService<Database>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()));
        services.AddSingleton(provider => provider.GetRequiredService<SearchComponents>().Index);
        services.AddSingleton(provider => provider.GetRequiredService<SearchComponents>().Recall);
        services.AddSingleton(provider => provider.GetRequiredService<SearchComponents>().Suggester);
        if (options.SearchIndexerEnabled)
        {
            services.AddHostedService<OutboxIndexerService>();
        }
        return services;
    }
}
