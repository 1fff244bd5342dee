using System.Text.Json.Nodes;
using Matching.Search.Documents;

namespace Matching.Search.Elasticsearch;

/// <summary>
/// The Elasticsearch JSON of documents and queries, built from the same values and plans as the Lucene side. Kept
/// separate from the transport so contract tests can assert it exactly.
/// </summary>
public static class ElasticQueries
{
    /// <summary>The _source of a worker: the same tokens (space-joined; the mapping splits on whitespace) and terms as Lucene.</summary>
    public static JsonObject Source(WorkerDocument d) => Source(d.Id, d.Hash, d.Tokens, Fields.Keywords(d), Fields.Numbers(d));

    public static JsonObject Source(OpeningDocument d) => Source(d.Id, d.Hash, d.Tokens, Fields.Keywords(d), Fields.Numbers(d));

    private static JsonObject Source(long id, string hash, IReadOnlyList<string> tokens,
        IEnumerable<(string Field, IReadOnlyList<string> Values)> keywords, IEnumerable<(string Field, long Value)> numbers)
    {
        var source = new JsonObject
        {
            [Fields.Id] = id,
            [Fields.Hash] = hash,
            [Fields.Text] = string.Join(' ', tokens),
        };
        foreach (var (field, values) in keywords)
        {
            source[field] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
        }
        foreach (var (field, value) in numbers)
        {
            if (field != Fields.Id)
            {
                source[field] = value;
            }
        }
        return source;
    }

    /// <summary>The body of a _search request for the plan.</summary>
    public static JsonObject Search(QueryPlan plan)
    {
        var filter = new JsonArray();
        var mustNot = new JsonArray();
        foreach (var condition in plan.Filters)
        {
            if (condition is Not not)
            {
                mustNot.Add(Filter(not.Condition));
            }
            else
            {
                filter.Add(Filter(condition));
            }
        }
        var should = new JsonArray();
        foreach (var p in plan.Preferences)
        {
            should.Add(new JsonObject
            {
                ["constant_score"] = new JsonObject
                {
                    ["filter"] = new JsonObject { ["term"] = new JsonObject { [p.Field] = p.Value } },
                    ["boost"] = p.Weight,
                },
            });
        }
        var must = new JsonArray();
        if (plan.Text is { } text)
        {
            var orConcepts = text.OrConcepts ?? [];
            if (text.Tokens.Count == 0 && orConcepts.Count == 0)
            {
                if (text.Required)
                {
                    must.Add(new JsonObject { ["match_none"] = new JsonObject() });
                }
            }
            else
            {
                var tokens = new JsonObject
                {
                    ["bool"] = new JsonObject
                    {
                        ["should"] = new JsonArray(text.Tokens.Select(t => (JsonNode)new JsonObject
                        {
                            ["term"] = new JsonObject { [Fields.Text] = t },
                        }).Concat(orConcepts.Select(c => (JsonNode)new JsonObject
                        {
                            ["constant_score"] = new JsonObject
                            {
                                ["filter"] = new JsonObject { ["term"] = new JsonObject { [Fields.Concept] = c } },
                                ["boost"] = TextMatch.ConceptWeight,
                            },
                        })).ToArray()),
                    },
                };
                (text.Required ? must : should).Add(tokens);
            }
        }
        if (filter.Count == 0 && must.Count == 0)
        {
            // Without it a bool of only "should" would require one of them; preferences must only order.
            filter.Add(new JsonObject { ["match_all"] = new JsonObject() });
        }
        var @bool = new JsonObject { ["filter"] = filter };
        if (mustNot.Count > 0)
        {
            @bool["must_not"] = mustNot;
        }
        if (must.Count > 0)
        {
            @bool["must"] = must;
        }
        if (should.Count > 0)
        {
            @bool["should"] = should;
        }

        var body = new JsonObject
        {
            ["from"] = plan.From,
            ["size"] = plan.Size,
            ["track_total_hits"] = true,
            ["track_scores"] = true,
            ["_source"] = false,
            ["query"] = new JsonObject { ["bool"] = @bool },
            ["sort"] = new JsonArray(plan.Sort.Select(k => (JsonNode)new JsonObject
            {
                [k.Field] = new JsonObject { ["order"] = k.Descending ? "desc" : "asc" },
            }).ToArray()),
        };
        if (plan.Facets.Count > 0)
        {
            var aggregations = new JsonObject();
            foreach (var (facet, field) in plan.Facets)
            {
                aggregations[facet] = new JsonObject { ["terms"] = new JsonObject { ["field"] = field, ["size"] = 1000 } };
            }
            body["aggs"] = aggregations;
        }
        return body;
    }

    /// <summary>Reads hits (id, score), the total and facet buckets of a _search response.</summary>
    public static SearchResult ParseSearch(JsonNode response)
    {
        var hits = response["hits"]?["hits"]?.AsArray() ?? [];
        var list = hits.Select(h => new SearchHit(
            long.Parse(h!["_id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            h["_score"] is JsonValue score ? score.GetValue<double>() : 0)).ToList();
        var total = response["hits"]?["total"]?["value"]?.GetValue<long>() ?? list.Count;
        var facets = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal);
        if (response["aggregations"] is JsonObject aggregations)
        {
            foreach (var (name, aggregation) in aggregations)
            {
                // With typed_keys (as the typed client sends) the name arrives as "sterms#name".
                var facet = name.Contains('#', StringComparison.Ordinal) ? name[(name.IndexOf('#', StringComparison.Ordinal) + 1)..] : name;
                facets[facet] = (aggregation?["buckets"]?.AsArray() ?? [])
                    .Select(b => new FacetValue(b!["key"]!.ToString(), b["doc_count"]!.GetValue<long>()))
                    .ToList();
            }
        }
        return new SearchResult(list, total, facets);
    }

    /// <summary>A condition as a non-scoring query.</summary>
    private static JsonObject Filter(Condition condition) => condition switch
    {
        AnyTerm { Values.Count: 1 } one => new JsonObject { ["term"] = new JsonObject { [one.Field] = one.Values[0] } },
        AnyTerm any => new JsonObject { ["terms"] = new JsonObject { [any.Field] = Array(any.Values) } },
        InRange range => new JsonObject { ["range"] = new JsonObject { [range.Field] = Range(range) } },
        AnyTermInSpan spans => new JsonObject
        {
            ["bool"] = new JsonObject
            {
                ["should"] = new JsonArray(spans.Spans.Select(span => (JsonNode)new JsonObject
                {
                    ["range"] = new JsonObject { [spans.Field] = new JsonObject { ["gte"] = span.Lower, ["lte"] = span.Upper } },
                }).ToArray()),
                ["minimum_should_match"] = 1,
            },
        },
        AllOf all => new JsonObject { ["bool"] = new JsonObject { ["filter"] = new JsonArray(all.Conditions.Select(c => (JsonNode)Filter(c)).ToArray()) } },
        Not not => new JsonObject { ["bool"] = new JsonObject { ["must_not"] = new JsonArray(Filter(not.Condition)) } },
        _ => throw new NotSupportedException(condition.GetType().Name),
    };

    private static JsonArray Array(IReadOnlyList<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    private static JsonObject Range(InRange range)
    {
        var bounds = new JsonObject();
        if (range.Min is { } min)
        {
            bounds["gte"] = min;
        }
        if (range.Max is { } max)
        {
            bounds["lte"] = max;
        }
        return bounds;
    }
}
