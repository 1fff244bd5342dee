using System.Text.Json.Nodes;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;
using Matching.Search.Elasticsearch;
using Matching.Search.Lucene;

namespace Matching.Search.Tests;

/// <summary>
/// Both engines receive the same tokens and concept ids for the same document: the Lucene document as the writer gets
/// it and the Elasticsearch bulk body as it goes over the wire, compared field by field.
/// </summary>
public sealed class SameTokensTests
{
    [Fact]
    public async Task Lucene_and_Elasticsearch_index_identical_tokens_concepts_and_filter_terms()
    {
        var worker = Shared.Builder.Worker(Fixture.Worker(9, "T029", 3, certificate: true, destinations: [Fixture.Shenzhen],
            notes: "曾在東莞電子廠做電焊工兩年，持證上崗，希望包吃包住"), Shared.Today);

        // What the Elasticsearch side sends.
        var server = new RecordedElasticsearch().Answer("POST", "/_bulk", """{"took":1,"errors":false,"items":[{"index":{"status":201}}]}""");
        await new ElasticsearchSearchIndex(server.Client(), Shared.Planner).UpsertWorkersAsync([worker]);
        var source = JsonNode.Parse(server.Requests.Single().Body.Split('\n')[1])!;

        // What the Lucene writer gets, tokenised by the analyzer the writer uses.
        var document = LuceneSearchIndex.ToLucene(worker);
        var luceneText = Tokens(document.Get(Fields.Text));
        var esText = source[Fields.Text]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal(luceneText, esText);
        Assert.Equal(worker.Tokens, luceneText);
        // The normalised, segmented text: traditional became simplified, the trade word stayed whole.
        Assert.Contains("电焊工", luceneText);
        Assert.Contains("电子厂", luceneText);
        Assert.DoesNotContain(luceneText, t => t.Contains('東') || t.Contains('電'));

        var luceneTerms = Tokens(document.Get(LuceneSearchIndex.KeywordField))
            .Select(t => (Field: t[..t.IndexOf('=')], Value: t[(t.IndexOf('=') + 1)..]))
            .ToLookup(t => t.Field, t => t.Value);
        foreach (var (field, values) in Fields.Keywords(worker))
        {
            var esValues = source[field]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
            Assert.Equal(values, esValues);
            Assert.Equal(values, luceneTerms[field].ToList());
        }
        Assert.Equal(["T029"], source[Fields.Concept]!.AsArray().Select(v => v!.GetValue<string>()).ToList());
        foreach (var (field, value) in Fields.Numbers(worker))
        {
            Assert.Equal(value, source[field]!.GetValue<long>());
            Assert.Equal(value, document.GetField(field).GetInt64Value());
        }
        Assert.Equal(worker.Hash, source[Fields.Hash]!.GetValue<string>());
        Assert.Equal(worker.Hash, document.Get(Fields.Hash));
    }

    [Fact]
    public void The_elasticsearch_mapping_splits_text_only_on_whitespace_like_the_lucene_writer()
    {
        foreach (var file in new[] { "workers-template.json", "openings-template.json" })
        {
            var mappings = JsonNode.Parse(ElasticsearchSearchIndex.ReadTemplate(file))!["template"]!["mappings"]!;
            Assert.Equal("whitespace", mappings["properties"]![Fields.Text]!["analyzer"]!.GetValue<string>());
            // Every keyword the application sends is mapped as an exact keyword (strict mapping refuses others).
            Assert.Equal("strict", mappings["dynamic"]!.GetValue<string>());
        }
        var workerProperties = JsonNode.Parse(ElasticsearchSearchIndex.ReadTemplate("workers-template.json"))!["template"]!["mappings"]!["properties"]!.AsObject();
        var worker = Fixture.WorkerDocuments()[0];
        foreach (var (field, _) in Fields.Keywords(worker))
        {
            Assert.Equal("keyword", workerProperties[field]!["type"]!.GetValue<string>());
        }
        foreach (var (field, _) in Fields.Numbers(worker))
        {
            Assert.Equal("long", workerProperties[field]!["type"]!.GetValue<string>());
        }
        var openingProperties = JsonNode.Parse(ElasticsearchSearchIndex.ReadTemplate("openings-template.json"))!["template"]!["mappings"]!["properties"]!.AsObject();
        var opening = Fixture.OpeningDocuments()[0];
        Assert.All(Fields.Keywords(opening), k => Assert.Equal("keyword", openingProperties[k.Field]!["type"]!.GetValue<string>()));
        Assert.All(Fields.Numbers(opening), n => Assert.Equal("long", openingProperties[n.Field]!["type"]!.GetValue<string>()));
    }

    private static List<string> Tokens(string text)
    {
        using var analyzer = new WhitespaceAnalyzer(LuceneVersion.LUCENE_48);
        using var stream = analyzer.GetTokenStream("f", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        var tokens = new List<string>();
        while (stream.IncrementToken())
        {
            tokens.Add(term.ToString());
        }
        stream.End();
        return tokens;
    }
}
