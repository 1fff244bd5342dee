using System.Text;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Matching.Search.Elasticsearch;

using Matching.Domain.Workers;

namespace Matching.Search.Tests;

/// <summary>
/// Answers each request from a recorded response chosen by method and path, through the client's own
/// <see cref="InMemoryRequestInvoker"/> (so the client parses it as it would a server's), and records every request.
/// </summary>
public sealed class RecordedElasticsearch : IRequestInvoker
{
    private readonly List<(string Method, string PathPrefix, int Status, string Body)> _answers = [];
    private readonly Queue<(string Method, string PathPrefix, int Status, string Body)> _once = new();

    public List<(string Method, string Path, string Body)> Requests { get; } = [];

    public ResponseFactory ResponseFactory => new InMemoryRequestInvoker().ResponseFactory;

    public void Dispose()
    {
    }

    /// <summary>Answers requests whose path starts with the prefix (the latest matching answer wins).</summary>
    public RecordedElasticsearch Answer(string method, string pathPrefix, string body, int status = 200)
    {
        _answers.Insert(0, (method, pathPrefix, status, body));
        return this;
    }

    /// <summary>Answers the next matching request only, before any standing answer.</summary>
    public RecordedElasticsearch AnswerOnce(string method, string pathPrefix, string body, int status = 200)
    {
        _once.Enqueue((method, pathPrefix, status, body));
        return this;
    }

    public ElasticsearchClient Client() =>
        new(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://search.test:9200")), this).DisableDirectStreaming());

    public Task<TResponse> RequestAsync<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData, CancellationToken cancellationToken)
        where TResponse : TransportResponse, new() =>
        Invoker(endpoint, postData).RequestAsync<TResponse>(endpoint, boundConfiguration, postData, cancellationToken);

    public TResponse Request<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData)
        where TResponse : TransportResponse, new() =>
        Invoker(endpoint, postData).Request<TResponse>(endpoint, boundConfiguration, postData);

    private InMemoryRequestInvoker Invoker(Endpoint endpoint, PostData? postData)
    {
        var method = endpoint.Method.ToString();
        var path = endpoint.PathAndQuery;
        string body = "";
        if (postData is not null)
        {
            using var stream = new MemoryStream();
            postData.Write(stream, new TransportConfiguration(new Uri("http://search.test:9200")), disableDirectStreaming: true);
            body = Encoding.UTF8.GetString(stream.ToArray());
        }
        Requests.Add((method, path, body));
        var answer = _answers.FirstOrDefault(a => a.Method == method && path.StartsWith(a.PathPrefix, StringComparison.Ordinal));
        if (_once.TryPeek(out var once) && once.Method == method && path.StartsWith(once.PathPrefix, StringComparison.Ordinal))
        {
            answer = _once.Dequeue();
        }
        if (answer.Body is null)
        {
            answer = (method, path, 404, """{"error":{"reason":"no recorded answer"},"status":404}""");
        }
        var headers = new Dictionary<string, IEnumerable<string>>(StringComparer.OrdinalIgnoreCase) { ["X-Elastic-Product"] = ["Elasticsearch"] };
        return new InMemoryRequestInvoker(Encoding.UTF8.GetBytes(answer.Body), answer.Status, null, "application/json", headers);
    }
}

/// <summary>
/// The JSON the Elasticsearch side sends for every kind of query and write, and how it reads recorded answers;
/// no server needed.
/// </summary>
public sealed class ElasticsearchContractTests
{
    private static ElasticsearchSearchIndex Index(RecordedElasticsearch server, BulkSettings? bulk = null) =>
        new(server.Client(), Shared.Planner, "matching", bulk ?? new BulkSettings(FirstRetryDelay: TimeSpan.Zero));

    private const string EmptySearch = """{"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]}}""";

    private static JsonNode Exact(RecordedElasticsearch server, string method, string path) =>
        JsonNode.Parse(server.Requests.Last(r => r.Method == method && r.Path == path).Body)!;

    private static JsonNode Body(RecordedElasticsearch server, string pathPrefix) =>
        JsonNode.Parse(server.Requests.Last(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).Body)!;

    [Fact]
    public async Task Candidate_recall_is_one_bool_query_of_the_rules_filters_and_constant_score_preferences()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/matching-workers/_search", EmptySearch);
        await Index(server).RecallWorkersAsync(Fixture.WelderInShenzhen(), new SearchScope(["520102"], null, true), 200);

        var start = Fixture.CohortStart;
        var expected = JsonNode.Parse($$$"""
            {"from":0,"size":200,"track_total_hits":true,"track_scores":true,"_source":false,
             "query":{"bool":{
               "filter":[
                 {"term":{"county":"520102"}},
                 {"term":{"in_group":"yes"}},
                 {"term":{"employed":"no"}},
                 {"term":{"family_level":"welding@2"}},
                 {"range":{"birth_day":{"gte":{{{start.AddYears(-56).DayNumber + 1}}},"lte":{{{start.AddYears(-18).DayNumber}}} } } },
                 {"range":{"available_day":{"lte":{{{start.DayNumber}}} } } },
                 {"terms":{"dest_named":["440000","440300","any"]}},
                 {"terms":{"intent":["pre-job","any"]}},
                 {"bool":{"should":[
                   {"range":{"cred":{"gte":"special-operation|T029|440000|{{{start.DayNumber:D7}}}","lte":"special-operation|T029|440000|9999999"} } },
                   {"range":{"cred":{"gte":"special-operation|T029|*|{{{start.DayNumber:D7}}}","lte":"special-operation|T029|*|9999999"} } },
                   {"range":{"cred":{"gte":"special-operation|*|440000|{{{start.DayNumber:D7}}}","lte":"special-operation|*|440000|9999999"} } },
                   {"range":{"cred":{"gte":"special-operation|*|*|{{{start.DayNumber:D7}}}","lte":"special-operation|*|*|9999999"} } }],
                  "minimum_should_match":1} }],
               "should":[
                 {"constant_score":{"filter":{"term":{"trade":"T029"}},"boost":4}},
                 {"constant_score":{"filter":{"term":{"dest_named":"440300"}},"boost":2}},
                 {"constant_score":{"filter":{"term":{"dest_first":"440000"}},"boost":1}},
                 {"constant_score":{"filter":{"term":{"dest_first":"440300"}},"boost":1}},
                 {"constant_score":{"filter":{"term":{"dest_named":"440000"}},"boost":1}}]}},
             "sort":[{"_score":{"order":"desc"}},{"id":{"order":"asc"}}]}
            """);
        Assert.True(JsonNode.DeepEquals(expected, Body(server, "/matching-workers/_search")), Body(server, "/matching-workers/_search").ToJsonString());
    }

    [Fact]
    public async Task Worker_search_sends_the_analysed_text_as_terms_and_asks_for_every_facet()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/matching-workers/_search", EmptySearch);
        await Index(server).SearchWorkersAsync(new WorkerSearch("诚聘電焊工，包吃住", PrefectureCodes: ["520100"], From: 20, Size: 10), SearchScope.Unrestricted);

        var body = Body(server, "/matching-workers/_search");
        var filter = body["query"]!["bool"]!["filter"]!.AsArray();
        Assert.Contains(filter, f => JsonNode.DeepEquals(f, JsonNode.Parse("""{"term":{"concept":"T029"}}""")));
        Assert.Contains(filter, f => JsonNode.DeepEquals(f, JsonNode.Parse("""{"term":{"prefecture":"520100"}}""")));
        var tokens = body["query"]!["bool"]!["should"]![0]!["bool"]!["should"]!.AsArray().Select(t => t!["term"]!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(Shared.Analyzer.AnalyzeQuery("诚聘電焊工，包吃住").Tokens.Distinct().ToList(), tokens);
        Assert.Contains("电焊工", tokens);
        Assert.Equal(20, body["from"]!.GetValue<int>());
        Assert.Equal(10, body["size"]!.GetValue<int>());
        Assert.Equal(Facets.Worker.Order().ToList(), body["aggs"]!.AsObject().Select(a => a.Key).Order().ToList());
        Assert.Equal("dest_province", body["aggs"]![Facets.Destination]!["terms"]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Text_without_known_trades_must_match_one_of_its_tokens()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/matching-workers/_search", EmptySearch);
        // A place name names no trade: one of its words must match.
        Assert.Empty(Shared.Analyzer.AnalyzeQuery("深圳市龙岗区").ConceptIds);
        await Index(server).SearchWorkersAsync(new WorkerSearch("深圳市龙岗区"), SearchScope.Unrestricted);
        var must = Body(server, "/matching-workers/_search")["query"]!["bool"]!["must"]!.AsArray();
        var should = Assert.Single(must)!["bool"]!["should"]!.AsArray();
        Assert.Equal(Shared.Analyzer.AnalyzeQuery("深圳市龙岗区").Tokens.Distinct(), should.Select(t => t!["term"]!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_workplace_must_match_one_of_its_words_or_one_of_the_trades_it_describes()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/matching-workers/_search", EmptySearch);
        await Index(server).SearchWorkersAsync(new WorkerSearch("电子厂"), SearchScope.Unrestricted);
        var body = Body(server, "/matching-workers/_search");
        var should = Assert.Single(body["query"]!["bool"]!["must"]!.AsArray())!["bool"]!["should"]!.AsArray();
        Assert.Contains(should, c => c!["term"]?["text"]?.GetValue<string>() == "电子厂");
        Assert.Contains(should, c => c!["constant_score"]?["filter"]?["term"]?[Fields.Concept]?.GetValue<string>() == "T008");
        // Not a filter: a worker whose notes mention the factory is found whatever the trade.
        Assert.DoesNotContain(Fields.Concept, body["query"]!["bool"]!["filter"]!.ToJsonString());
    }

    [Fact]
    public async Task Opening_recall_and_opening_search_filter_on_the_openings_alias()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/matching-openings/_search", EmptySearch);
        var index = Index(server);
        var birth = new DateOnly(1997, 5, 1);
        var expires = Fixture.CohortStart.AddYears(1);
        var criteria = new OpeningCriteria(new Matching.Domain.Matching.WorkerTerms(birth, [new WorkerTrade("T029", 3)],
            [new WorkerCertificate("special-operation", "T029", null, null, expires)], ["440000"], Fixture.CohortStart, []));
        await index.RecallOpeningsAsync(criteria, new SearchScope(null, 7, false), 50);
        var recall = Body(server, "/matching-openings/_search");
        var expectedFilter = JsonNode.Parse($$$"""
            [{"range":{"employer":{"gte":7,"lte":7} } },
             {"term":{"status":"open"} },
             {"terms":{"family_need":["welding@1","welding@2","welding@3"]} },
             {"range":{"born_after":{"lte":{{{birth.DayNumber - 1}}} } } },
             {"range":{"born_by":{"gte":{{{birth.DayNumber}}} } } },
             {"range":{"start_day":{"gte":{{{Fixture.CohortStart.DayNumber}}} } } },
             {"term":{"place":"440000"} }]
            """);
        Assert.True(JsonNode.DeepEquals(expectedFilter, recall["query"]!["bool"]!["filter"]), recall.ToJsonString());
        // Certificates: an opening needing the special-operation certificate for a welding trade (in any province: it
        // is valid nationwide) only up to the day it expires; one needing a certificate the worker has not, never.
        var mustNot = recall["query"]!["bool"]!["must_not"]!.AsArray();
        var until = Assert.Single(mustNot, m => m!["bool"] is not null)!["bool"]!["filter"]!.AsArray();
        Assert.Contains("special-operation|T029|440000", until[0]!["terms"]!["cert_need"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("special-operation|T029|330000", until[0]!["terms"]!["cert_need"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(until[1], JsonNode.Parse($$$"""{"range":{"start_day":{"gte":{{{expires.DayNumber + 1}}} } } }""")), until.ToJsonString());
        var uncovered = mustNot.Single(m => m!["terms"] is not null)!["terms"]!["cert_need"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        Assert.Contains("skill-level|T029|440000", uncovered);
        Assert.DoesNotContain("special-operation|T029|440000", uncovered);

        await index.SearchOpeningsAsync(new OpeningSearch("焊工", ProvinceCodes: ["440000"], Sort: OpeningSort.WageMax), SearchScope.Unrestricted);
        var search = Body(server, "/matching-openings/_search");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"wage_max":{"order":"desc"}},{"id":{"order":"asc"}}]"""), search["sort"]));
        Assert.Equal(Facets.Opening.Order().ToList(), search["aggs"]!.AsObject().Select(a => a.Key).Order().ToList());
    }

    [Fact]
    public async Task A_recorded_search_response_is_read_into_hits_total_and_facets()
    {
        // As the typed client asks for them (typed_keys=true), aggregation names arrive prefixed with their type.
        const string recorded = """
            {"took":3,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},
             "hits":{"total":{"value":42,"relation":"eq"},"max_score":null,"hits":[
               {"_index":"matching-workers-v3","_id":"17","_score":7.5,"sort":[7.5,17]},
               {"_index":"matching-workers-v3","_id":"4","_score":2.0,"sort":[2.0,4]}]},
             "aggregations":{
               "sterms#trade":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"T029","doc_count":30},{"key":"T031","doc_count":12}]},
               "prefecture":{"buckets":[{"key":"520100","doc_count":42}]}}}
            """;
        var server = new RecordedElasticsearch().Answer("POST", "/matching-workers/_search", recorded);
        var result = await Index(server).SearchWorkersAsync(new WorkerSearch("焊工"), SearchScope.Unrestricted);
        Assert.Equal([(17L, 7.5), (4L, 2.0)], result.Hits.Select(h => (h.Id, h.Score)).ToList());
        Assert.Equal(42, result.Total);
        Assert.Equal([new FacetValue("T029", 30), new FacetValue("T031", 12)], result.Facets["trade"]);
        Assert.Equal([new FacetValue("520100", 42)], result.Facets["prefecture"]);
    }

    [Fact]
    public async Task An_error_answer_becomes_an_exception_with_the_reason()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/matching-workers/_search",
            """{"error":{"type":"index_not_found_exception","reason":"no such index [matching-workers]"},"status":404}""", 404);
        var error = await Assert.ThrowsAsync<ElasticsearchException>(() => Index(server).SearchWorkersAsync(new WorkerSearch("焊工"), SearchScope.Unrestricted));
        Assert.Contains("no such index", error.Message);
        Assert.Contains("404", error.Message);
    }

    [Fact]
    public async Task Bulk_writes_go_through_the_alias_and_are_split_by_size()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/_bulk", """{"took":1,"errors":false,"items":[]}""");
        var documents = Fixture.WorkerDocuments();
        var oneDocument = Encoding.UTF8.GetByteCount(ElasticQueries.Source(documents[0]).ToJsonString());
        await Index(server, new BulkSettings(MaxBytes: oneDocument * 4, FirstRetryDelay: TimeSpan.Zero)).UpsertWorkersAsync(documents);

        var bulks = server.Requests.Where(r => r.Path.StartsWith("/_bulk", StringComparison.Ordinal)).ToList();
        Assert.True(bulks.Count >= 3, $"expected the {documents.Count} documents split into several requests, got {bulks.Count}");
        Assert.All(bulks, b => Assert.True(Encoding.UTF8.GetByteCount(b.Body) <= oneDocument * 4 + 400));
        var lines = bulks.SelectMany(b => b.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(documents.Count * 2, lines.Count);
        var first = JsonNode.Parse(lines[0])!;
        Assert.Equal("matching-workers", first["index"]!["_index"]!.GetValue<string>());
        Assert.Equal("1", first["index"]!["_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_busy_cluster_429_is_retried_for_the_rejected_items_only()
    {
        var server = new RecordedElasticsearch()
            .Answer("POST", "/_bulk", """{"took":1,"errors":false,"items":[{"index":{"_id":"2","status":200}}]}""")
            .AnswerOnce("POST", "/_bulk", """{"error":{"reason":"too many requests"},"status":429}""", 429)
            .AnswerOnce("POST", "/_bulk", """{"took":1,"errors":true,"items":[{"index":{"_id":"1","status":201}},{"index":{"_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}}]}""");
        var documents = Fixture.WorkerDocuments().Take(2).ToList();
        await Index(server).UpsertWorkersAsync(documents);
        var bulks = server.Requests.Where(r => r.Path.StartsWith("/_bulk", StringComparison.Ordinal)).ToList();
        // Whole request refused, sent again whole; then item 2 refused, sent again alone.
        Assert.Equal(3, bulks.Count);
        Assert.Equal(bulks[0].Body, bulks[1].Body);
        var retried = bulks[^1].Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, retried.Length);
        Assert.Equal("2", JsonNode.Parse(retried[0])!["index"]!["_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_429_that_never_ends_gives_up_with_a_clear_error()
    {
        var server = new RecordedElasticsearch().Answer("POST", "/_bulk", """{"error":{"reason":"too many requests"},"status":429}""", 429);
        var error = await Assert.ThrowsAsync<ElasticsearchException>(() =>
            Index(server, new BulkSettings(MaxRetries: 3, FirstRetryDelay: TimeSpan.Zero)).UpsertWorkersAsync(Fixture.WorkerDocuments().Take(1).ToList()));
        Assert.Contains("429", error.Message);
        Assert.Equal(4, server.Requests.Count(r => r.Path.StartsWith("/_bulk", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task First_use_installs_both_templates_and_creates_version_one_behind_each_alias()
    {
        var server = new RecordedElasticsearch()
            .Answer("PUT", "/_index_template/", """{"acknowledged":true}""")
            .Answer("GET", "/_alias/", """{}""", 404)
            .Answer("PUT", "/matching-", """{"acknowledged":true}""");
        await Index(server).EnsureCreatedAsync();

        var template = Body(server, "/_index_template/matching-workers");
        Assert.Equal("matching-workers-v*", template["index_patterns"]![0]!.GetValue<string>());
        Assert.Equal("whitespace", template["template"]!["mappings"]!["properties"]!["text"]!["analyzer"]!.GetValue<string>());
        Assert.Equal("matching-openings-v*", Body(server, "/_index_template/matching-openings")["index_patterns"]![0]!.GetValue<string>());
        Assert.True(Exact(server, "PUT", "/matching-workers-v1")["aliases"]!["matching-workers"]!["is_write_index"]!.GetValue<bool>());
        Assert.Contains(server.Requests, r => r.Method == "PUT" && r.Path == "/matching-openings-v1");
    }

    [Fact]
    public async Task A_rebuild_fills_the_next_version_then_moves_both_aliases_in_one_call_and_drops_the_old()
    {
        var server = new RecordedElasticsearch()
            .Answer("PUT", "/", """{"acknowledged":true}""")
            .Answer("POST", "/", """{"acknowledged":true}""")
            .Answer("DELETE", "/", """{"acknowledged":true}""")
            .Answer("GET", "/_alias/matching-workers", """{"matching-workers-v3":{"aliases":{"matching-workers":{}}}}""")
            .Answer("GET", "/_alias/matching-openings", """{"matching-openings-v3":{"aliases":{"matching-openings":{}}}}""")
            .Answer("POST", "/_bulk", """{"took":1,"errors":false,"items":[]}""");
        await using (var rebuild = await Index(server).BeginRebuildAsync())
        {
            Assert.Equal("v4", rebuild.Version);
            await rebuild.AddWorkersAsync(Fixture.WorkerDocuments());
            await rebuild.SwapAsync();
        }
        Assert.Equal("-1", Exact(server, "PUT", "/matching-workers-v4")["settings"]!["refresh_interval"]!.GetValue<string>());
        var bulkLine = JsonNode.Parse(server.Requests.First(r => r.Path == "/_bulk").Body.Split('\n')[0])!;
        Assert.Equal("matching-workers-v4", bulkLine["index"]!["_index"]!.GetValue<string>());
        var aliases = Body(server, "/_aliases");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"actions":[
              {"remove":{"index":"matching-workers-v3","alias":"matching-workers"}},
              {"remove":{"index":"matching-openings-v3","alias":"matching-openings"}},
              {"add":{"index":"matching-workers-v4","alias":"matching-workers","is_write_index":true}},
              {"add":{"index":"matching-openings-v4","alias":"matching-openings","is_write_index":true}}]}
            """), aliases), aliases.ToJsonString());
        var swap = server.Requests.FindIndex(r => r.Path == "/_aliases");
        Assert.Contains(server.Requests.Skip(swap), r => r.Method == "DELETE" && r.Path == "/matching-workers-v3");
        Assert.DoesNotContain(server.Requests.Take(swap), r => r.Method == "DELETE");
    }
}
