using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Matching.Search.Elasticsearch;

namespace Matching.Search.Tests;

/// <summary>
/// The same behavioural suite against a real Elasticsearch 9 when <c>ELASTICSEARCH_URL</c> is set (e.g.
/// http://localhost:9200); each run uses its own index prefix and deletes its indices afterwards. Without the
/// variable every test reports why it was skipped.
/// </summary>
public sealed class LiveElasticsearchBehaviourTests : SearchBehaviourTests
{
    private static readonly string? Url = Environment.GetEnvironmentVariable("ELASTICSEARCH_URL");
    private readonly string _prefix = "matching-test-" + Guid.NewGuid().ToString("N")[..8];
    private ElasticsearchClient? _client;

    protected override string? SkipReason => string.IsNullOrWhiteSpace(Url)
        ? "ELASTICSEARCH_URL 未设置：没有可用的 Elasticsearch 服务器，Elasticsearch 行为测试跳过（Lucene 已运行同一套测试）"
        : null;

    protected override Task<ISearchIndex> CreateIndexAsync()
    {
        _client = SearchComponents.CreateClient(new SearchOptions { SearchProvider = "elasticsearch", ElasticsearchUrl = Url });
        return Task.FromResult<ISearchIndex>(new ElasticsearchSearchIndex(_client, Shared.Planner, _prefix));
    }

    [SkippableFact]
    public async Task The_installed_templates_are_the_files_in_infra_elasticsearch()
    {
        Skip.If(SkipReason is not null, SkipReason);
        foreach (var (kind, file) in new[] { ("workers", "workers-template.json"), ("openings", "openings-template.json") })
        {
            var installed = await _client!.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.GET, $"/_index_template/{_prefix}-{kind}", CancellationToken.None);
            var template = System.Text.Json.Nodes.JsonNode.Parse(installed.Body)!["index_templates"]![0]!["index_template"]!;
            var expected = System.Text.Json.Nodes.JsonNode.Parse(ElasticsearchSearchIndex.ReadTemplate(file))!;
            Assert.Equal(expected["template"]!["mappings"]!.ToJsonString(), template["template"]!["mappings"]!.ToJsonString());
            Assert.Equal($"{_prefix}-{kind}-v*", template["index_patterns"]![0]!.GetValue<string>());
        }
    }

    [SkippableFact]
    public async Task Searches_keep_finding_every_match_while_a_rebuild_loads_and_swaps_versions()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var answers = new List<int>();
        using var stop = new CancellationTokenSource();
        var searching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var found = await Index.SearchWorkersAsync(new WorkerSearch("月嫂", Size: 50), SearchScope.Unrestricted);
                lock (answers)
                {
                    answers.Add(found.Hits.Count);
                }
            }
        });
        await using (var rebuild = await Index.BeginRebuildAsync())
        {
            await rebuild.AddWorkersAsync(Fixture.WorkerDocuments());
            await rebuild.AddOpeningsAsync(Fixture.OpeningDocuments());
            await rebuild.SwapAsync();
        }
        // A few more searches on the new version, then stop.
        int Answered()
        {
            lock (answers)
            {
                return answers.Count;
            }
        }
        var seen = Answered();
        while (Answered() < seen + 5 && !searching.IsCompleted)
        {
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await searching;
        // Before, during and after the swap the alias pointed at a complete version: no search came back empty or failed.
        Assert.True(answers.Count > 5);
        Assert.All(answers, count => Assert.Equal(1, count));
    }

    public override async Task DisposeAsync()
    {
        if (_client is not null)
        {
            // Deletes by exact name: clusters refuse wildcard deletes by default (action.destructive_requires_name).
            var listed = await _client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.GET, $"/_cat/indices/{_prefix}-*?h=index", CancellationToken.None);
            foreach (var index in (listed.Body ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await _client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.DELETE, $"/{index}", CancellationToken.None);
            }
            foreach (var template in new[] { $"{_prefix}-workers", $"{_prefix}-openings" })
            {
                await _client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.DELETE, $"/_index_template/{template}", CancellationToken.None);
            }
        }
        await base.DisposeAsync();
    }
}
