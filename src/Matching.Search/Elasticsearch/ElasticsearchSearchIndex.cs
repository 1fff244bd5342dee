using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Matching.Search.Documents;
using HttpMethod = Elastic.Transport.HttpMethod;

namespace Matching.Search.Elasticsearch;

/// <summary>How bulk requests are sized and retried.</summary>
public sealed record BulkSettings(int MaxBytes = 8 * 1024 * 1024, int MaxRetries = 6, TimeSpan? FirstRetryDelay = null)
{
    public TimeSpan RetryDelay(int attempt) => TimeSpan.FromTicks((FirstRetryDelay ?? TimeSpan.FromSeconds(1)).Ticks * (1L << Math.Min(attempt, 16)));
}

/// <summary>An Elasticsearch answer the index cannot work with (status and reason, without document values).</summary>
public sealed class ElasticsearchException(string message) : Exception(message);

/// <summary>
/// The cluster implementation: versioned indices <c>{prefix}-workers-v{n}</c> and <c>{prefix}-openings-v{n}</c>
/// behind aliases, created from the templates in <c>infra/elasticsearch/</c>. Queries are the same
/// <see cref="QueryPlan"/>s as Lucene's, written as JSON (<see cref="ElasticQueries"/>) and sent through the official
/// client's transport (node pool, authentication, product check).
/// </summary>
public sealed class ElasticsearchSearchIndex(ElasticsearchClient client, QueryPlanner planner, string prefix = "matching", BulkSettings? bulk = null, TimeProvider? time = null) : ISearchIndex
{
    private readonly BulkSettings _bulk = bulk ?? new BulkSettings();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Engine => "elasticsearch";

    public string WorkersAlias => $"{prefix}-workers";

    public string OpeningsAlias => $"{prefix}-openings";

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (alias, template) in new[] { (WorkersAlias, "workers-template.json"), (OpeningsAlias, "openings-template.json") })
        {
            await SendAsync(HttpMethod.PUT, $"/_index_template/{alias}", Template(template, alias), cancellationToken);
            if ((await CurrentIndicesAsync(alias, cancellationToken)).Count == 0)
            {
                var body = new JsonObject { ["aliases"] = new JsonObject { [alias] = new JsonObject { ["is_write_index"] = true } } };
                await SendAsync(HttpMethod.PUT, $"/{alias}-v1", body.ToJsonString(), cancellationToken);
            }
        }
    }

    /// <summary>The template file with its index pattern moved to this prefix.</summary>
    public string Template(string file, string alias)
    {
        var template = JsonNode.Parse(ReadTemplate(file))!;
        template["index_patterns"] = new JsonArray(JsonValue.Create($"{alias}-v*"));
        return template.ToJsonString();
    }

    public static string ReadTemplate(string file)
    {
        using var stream = typeof(ElasticsearchSearchIndex).Assembly.GetManifestResourceStream($"Matching.Search.Elasticsearch.{file}")
            ?? throw new InvalidOperationException($"索引模板 {file} 未编入程序");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public Task UpsertWorkersAsync(IReadOnlyList<WorkerDocument> documents, CancellationToken cancellationToken = default) =>
        BulkAsync(WorkersAlias, documents.Select(d => BulkIndex(WorkersAlias, d.Id, ElasticQueries.Source(d))), cancellationToken);

    public Task DeleteWorkersAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        BulkAsync(WorkersAlias, ids.Select(id => BulkDelete(WorkersAlias, id)), cancellationToken);

    public Task UpsertOpeningsAsync(IReadOnlyList<OpeningDocument> documents, CancellationToken cancellationToken = default) =>
        BulkAsync(OpeningsAlias, documents.Select(d => BulkIndex(OpeningsAlias, d.Id, ElasticQueries.Source(d))), cancellationToken);

    public Task DeleteOpeningsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        BulkAsync(OpeningsAlias, ids.Select(id => BulkDelete(OpeningsAlias, id)), cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.POST, $"/{WorkersAlias}/_refresh", null, cancellationToken);
        await SendAsync(HttpMethod.POST, $"/{OpeningsAlias}/_refresh", null, cancellationToken);
    }

    public Task<SearchResult> SearchWorkersAsync(WorkerSearch search, SearchScope scope, CancellationToken cancellationToken = default) =>
        RunAsync(WorkersAlias, planner.Workers(search, scope), cancellationToken);

    public Task<SearchResult> SearchOpeningsAsync(OpeningSearch search, SearchScope scope, CancellationToken cancellationToken = default) =>
        RunAsync(OpeningsAlias, planner.Openings(search, scope), cancellationToken);

    public async Task<IReadOnlyList<SearchHit>> RecallWorkersAsync(CandidateCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default) =>
        (await RunAsync(WorkersAlias, planner.Candidates(criteria, scope, limit), cancellationToken)).Hits;

    public async Task<IReadOnlyList<SearchHit>> RecallOpeningsAsync(OpeningCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default) =>
        (await RunAsync(OpeningsAlias, planner.OpeningsFor(criteria, scope, limit), cancellationToken)).Hits;

    public async Task<IndexCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        var workers = await SendAsync(HttpMethod.GET, $"/{WorkersAlias}/_count", null, cancellationToken);
        var openings = await SendAsync(HttpMethod.GET, $"/{OpeningsAlias}/_count", null, cancellationToken);
        return new IndexCounts(workers!["count"]!.GetValue<long>(), openings!["count"]!.GetValue<long>());
    }

    public Task<IReadOnlyList<IndexedFingerprint>> WorkerFingerprintsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        FingerprintsAsync(WorkersAlias, ids, cancellationToken);

    public Task<IReadOnlyList<IndexedFingerprint>> OpeningFingerprintsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        FingerprintsAsync(OpeningsAlias, ids, cancellationToken);

    public async Task<IReadOnlyList<long>> OpeningsOfCohortAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        var plan = new QueryPlan([new AnyTerm(Fields.Cohort, [cohortId.ToString(CultureInfo.InvariantCulture)])], [], null,
            [new SortKey(Fields.Id, false)], 0, 1000, new Dictionary<string, string>());
        return (await RunAsync(OpeningsAlias, plan, cancellationToken)).Hits.Select(h => h.Id).ToList();
    }

    public async Task<IIndexRebuild> BeginRebuildAsync(CancellationToken cancellationToken = default)
    {
        await EnsureCreatedAsync(cancellationToken);
        var workersOld = await CurrentIndicesAsync(WorkersAlias, cancellationToken);
        var openingsOld = await CurrentIndicesAsync(OpeningsAlias, cancellationToken);
        var version = Math.Max(HighestVersion(workersOld), HighestVersion(openingsOld)) + 1;
        var workersNew = $"{WorkersAlias}-v{version}";
        var openingsNew = $"{OpeningsAlias}-v{version}";
        // Loading without refreshes is much faster; the swap turns them back on.
        var settings = new JsonObject { ["settings"] = new JsonObject { ["refresh_interval"] = "-1", ["number_of_replicas"] = 0 } }.ToJsonString();
        await SendAsync(HttpMethod.PUT, $"/{workersNew}", settings, cancellationToken);
        await SendAsync(HttpMethod.PUT, $"/{openingsNew}", settings, cancellationToken);
        return new Rebuild(this, $"v{version}", workersOld, workersNew, openingsOld, openingsNew);
    }

    public void Dispose()
    {
    }

    // ---- transport -------------------------------------------------------------------------------------------

    private async Task<SearchResult> RunAsync(string alias, QueryPlan plan, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.POST, $"/{alias}/_search", ElasticQueries.Search(plan).ToJsonString(), cancellationToken);
        return ElasticQueries.ParseSearch(response!);
    }

    private async Task<IReadOnlyList<IndexedFingerprint>> FingerprintsAsync(string alias, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        var body = new JsonObject { ["ids"] = new JsonArray(ids.Select(i => (JsonNode)JsonValue.Create(i.ToString(CultureInfo.InvariantCulture))!).ToArray()) };
        var response = await SendAsync(HttpMethod.POST, $"/{alias}/_mget?_source_includes={Fields.Hash}", body.ToJsonString(), cancellationToken);
        return (response!["docs"]?.AsArray() ?? [])
            .Where(d => d!["found"]?.GetValue<bool>() == true)
            .Select(d => new IndexedFingerprint(long.Parse(d!["_id"]!.GetValue<string>(), CultureInfo.InvariantCulture), d["_source"]![Fields.Hash]!.GetValue<string>()))
            .ToList();
    }

    private async Task<IReadOnlyList<string>> CurrentIndicesAsync(string alias, CancellationToken cancellationToken)
    {
        var response = await client.Transport.RequestAsync<StringResponse>(HttpMethod.GET, $"/_alias/{alias}", cancellationToken);
        if (response.ApiCallDetails.HttpStatusCode == 404)
        {
            return [];
        }
        var json = Check(response, $"GET /_alias/{alias}");
        return json is JsonObject indices ? indices.Select(i => i.Key).Order(StringComparer.Ordinal).ToList() : [];
    }

    private static int HighestVersion(IReadOnlyList<string> indices) =>
        indices.Select(i => int.TryParse(i[(i.LastIndexOf("-v", StringComparison.Ordinal) + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .DefaultIfEmpty(0).Max();

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken)
    {
        var response = body is null
            ? await client.Transport.RequestAsync<StringResponse>(method, path, cancellationToken)
            : await client.Transport.RequestAsync<StringResponse>(method, path, PostData.String(body), cancellationToken);
        return Check(response, $"{method} {path}");
    }

    private static JsonNode? Check(StringResponse response, string what)
    {
        var status = response.ApiCallDetails.HttpStatusCode;
        if (status is null or < 200 or >= 300)
        {
            var reason = string.IsNullOrEmpty(response.Body) ? response.ApiCallDetails.OriginalException?.Message : Reason(response.Body);
            throw new ElasticsearchException($"Elasticsearch {what} 失败 (HTTP {status?.ToString(CultureInfo.InvariantCulture) ?? "无响应"}): {reason}");
        }
        return string.IsNullOrEmpty(response.Body) ? null : JsonNode.Parse(response.Body);
    }

    private static string? Reason(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"]?["reason"]?.ToString() ?? "未知错误";
        }
        catch (JsonException)
        {
            return "响应不是 JSON";
        }
    }

    private static (string Action, string? Source) BulkIndex(string index, long id, JsonObject source) =>
        (new JsonObject { ["index"] = new JsonObject { ["_index"] = index, ["_id"] = id.ToString(CultureInfo.InvariantCulture) } }.ToJsonString(),
            source.ToJsonString());

    private static (string Action, string? Source) BulkDelete(string index, long id) =>
        (new JsonObject { ["delete"] = new JsonObject { ["_index"] = index, ["_id"] = id.ToString(CultureInfo.InvariantCulture) } }.ToJsonString(), null);

    /// <summary>
    /// Sends the actions as _bulk requests of at most <see cref="BulkSettings.MaxBytes"/>; a 429 (whole request or
    /// single items) is retried after an exponentially growing pause; any other item failure is an error.
    /// </summary>
    internal async Task BulkAsync(string index, IEnumerable<(string Action, string? Source)> actions, CancellationToken cancellationToken)
    {
        var batch = new List<(string Action, string? Source)>();
        var bytes = 0;
        foreach (var action in actions)
        {
            var size = Encoding.UTF8.GetByteCount(action.Action) + (action.Source is null ? 0 : Encoding.UTF8.GetByteCount(action.Source)) + 2;
            if (batch.Count > 0 && bytes + size > _bulk.MaxBytes)
            {
                await SendBulkAsync(batch, cancellationToken);
                batch.Clear();
                bytes = 0;
            }
            batch.Add(action);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            await SendBulkAsync(batch, cancellationToken);
        }
    }

    private async Task SendBulkAsync(List<(string Action, string? Source)> batch, CancellationToken cancellationToken)
    {
        var pending = batch;
        for (var attempt = 0; ; attempt++)
        {
            var body = new StringBuilder();
            foreach (var (action, source) in pending)
            {
                body.Append(action).Append('\n');
                if (source is not null)
                {
                    body.Append(source).Append('\n');
                }
            }
            var response = await client.Transport.RequestAsync<StringResponse>(HttpMethod.POST, "/_bulk", PostData.String(body.ToString()), cancellationToken);
            List<(string Action, string? Source)> retry;
            if (response.ApiCallDetails.HttpStatusCode == 429)
            {
                retry = pending;
            }
            else
            {
                var json = Check(response, "POST /_bulk")!;
                retry = [];
                if (json["errors"]?.GetValue<bool>() == true)
                {
                    var items = json["items"]!.AsArray();
                    if (items.Count != pending.Count)
                    {
                        throw new ElasticsearchException($"Elasticsearch 批量写入的回复有 {items.Count} 项，应为 {pending.Count} 项");
                    }
                    for (var i = 0; i < items.Count; i++)
                    {
                        var result = items[i]!.AsObject().First().Value!;
                        var status = result["status"]!.GetValue<int>();
                        if (status == 429)
                        {
                            retry.Add(pending[i]);
                        }
                        else if (status >= 300 && !(status == 404 && pending[i].Source is null))
                        {
                            throw new ElasticsearchException($"Elasticsearch 批量写入失败 (HTTP {status}): {result["error"]?["reason"]}");
                        }
                    }
                }
            }
            if (retry.Count == 0)
            {
                return;
            }
            if (attempt >= _bulk.MaxRetries)
            {
                throw new ElasticsearchException($"Elasticsearch 持续繁忙 (HTTP 429)，{retry.Count} 条写入在 {attempt + 1} 次尝试后仍未完成");
            }
            await Task.Delay(_bulk.RetryDelay(attempt), _time, cancellationToken);
            pending = retry;
        }
    }

    private sealed class Rebuild(ElasticsearchSearchIndex owner, string version, IReadOnlyList<string> workersOld, string workersNew,
        IReadOnlyList<string> openingsOld, string openingsNew) : IIndexRebuild
    {
        private bool _swapped;

        public string Version => version;

        public Task AddWorkersAsync(IReadOnlyList<WorkerDocument> documents, CancellationToken cancellationToken = default) =>
            owner.BulkAsync(workersNew, documents.Select(d => BulkIndex(workersNew, d.Id, ElasticQueries.Source(d))), cancellationToken);

        public Task AddOpeningsAsync(IReadOnlyList<OpeningDocument> documents, CancellationToken cancellationToken = default) =>
            owner.BulkAsync(openingsNew, documents.Select(d => BulkIndex(openingsNew, d.Id, ElasticQueries.Source(d))), cancellationToken);

        public async Task SwapAsync(CancellationToken cancellationToken = default)
        {
            var settings = new JsonObject { ["settings"] = new JsonObject { ["refresh_interval"] = "1s", ["number_of_replicas"] = 1 } }.ToJsonString();
            foreach (var index in new[] { workersNew, openingsNew })
            {
                await owner.SendAsync(HttpMethod.PUT, $"/{index}/_settings", settings, cancellationToken);
                await owner.SendAsync(HttpMethod.POST, $"/{index}/_refresh", null, cancellationToken);
            }
            // One _aliases call moves both aliases: searches see the old or the new version, never none.
            var actions = new JsonArray();
            foreach (var old in workersOld)
            {
                actions.Add(new JsonObject { ["remove"] = new JsonObject { ["index"] = old, ["alias"] = owner.WorkersAlias } });
            }
            foreach (var old in openingsOld)
            {
                actions.Add(new JsonObject { ["remove"] = new JsonObject { ["index"] = old, ["alias"] = owner.OpeningsAlias } });
            }
            actions.Add(new JsonObject { ["add"] = new JsonObject { ["index"] = workersNew, ["alias"] = owner.WorkersAlias, ["is_write_index"] = true } });
            actions.Add(new JsonObject { ["add"] = new JsonObject { ["index"] = openingsNew, ["alias"] = owner.OpeningsAlias, ["is_write_index"] = true } });
            await owner.SendAsync(HttpMethod.POST, "/_aliases", new JsonObject { ["actions"] = actions }.ToJsonString(), cancellationToken);
            _swapped = true;
            foreach (var old in workersOld.Concat(openingsOld))
            {
                await owner.SendAsync(HttpMethod.DELETE, $"/{old}", null, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_swapped)
            {
                foreach (var index in new[] { workersNew, openingsNew })
                {
                    try
                    {
                        await owner.SendAsync(HttpMethod.DELETE, $"/{index}", null, CancellationToken.None);
                    }
                    catch (ElasticsearchException)
                    {
                        // An abandoned version left behind is removed by hand or by the next rebuild's operator.
                    }
                }
            }
        }
    }
}
