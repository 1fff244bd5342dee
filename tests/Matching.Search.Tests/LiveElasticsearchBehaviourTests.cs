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
