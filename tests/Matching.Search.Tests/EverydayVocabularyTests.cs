using Matching.Domain.Catalogues;
using Matching.Search.Analysis;
using Matching.Search.Lucene;

namespace Matching.Search.Tests;

/// <summary>
/// The catalogue's everyday vocabulary (同义词 and the phrase rules of trade-phrases.csv), swept whole through the real
/// analysis: every word finds its own trade when typed, when written in a document and when searched in a real Lucene
/// index; in a sentence it names nothing of an unrelated trade; and the general readings (a stem on its own, frames such
/// as 搞…的 or 在…上班) work without the frame being listed, while ordinary words stay nothing.
/// </summary>
public sealed class EverydayVocabularyTests : IAsyncLifetime
{
    private static SearchAnalyzer Analyzer => Shared.Analyzer;

    private static Catalogue Catalogue => Shared.Catalogue;

    private readonly TempFolder _folder = new();
    private LuceneSearchIndex? _index;

    /// <summary>One worker per trade, the worker's id the trade's number (T055 → 55).</summary>
    public async Task InitializeAsync()
    {
        _index = new LuceneSearchIndex(Path.Combine(_folder.Path, "index"), Shared.Planner);
        await _index.EnsureCreatedAsync();
        await _index.UpsertWorkersAsync(Catalogue.Trades.Select(t => Shared.Builder.Worker(Fixture.Worker(WorkerId(t.Id), t.Id, 2), Shared.Today)).ToList());
        await _index.CommitAsync();
    }

    public Task DisposeAsync()
    {
        _index?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private static long WorkerId(string tradeId) => long.Parse(tradeId[1..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_synonym_finds_the_workers_of_its_trade_and_only_them_in_a_real_lucene_index()
    {
        var wrong = new List<string>();
        foreach (var synonym in Catalogue.TradeSynonyms)
        {
            var found = await _index!.SearchWorkersAsync(new WorkerSearch(synonym.Term, Size: 10), SearchScope.Unrestricted);
            var ids = found.Hits.Select(h => h.Id).ToList();
            if (ids is not [var only] || only != WorkerId(synonym.TradeId))
            {
                wrong.Add($"{synonym.Term}→[{string.Join(' ', ids)}]");
            }
        }
        Assert.True(Catalogue.TradeSynonyms.Count > 1500, $"{Catalogue.TradeSynonyms.Count} synonyms");
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_synonym_maps_to_its_trade_alone_when_typed_and_when_written_in_a_document()
    {
        var wrong = new List<string>();
        foreach (var synonym in Catalogue.TradeSynonyms)
        {
            var query = Analyzer.AnalyzeQuery(synonym.Term).ConceptIds;
            var document = Analyzer.AnalyzeDocument(synonym.Term);
            if (query is not [var q] || q != synonym.TradeId || document.ConceptIds is not [var d] || d != synonym.TradeId)
            {
                wrong.Add($"{synonym.Term}→query [{string.Join(' ', query)}] document [{string.Join(' ', document.ConceptIds)}]");
            }
            // The words the writer indexes keep the word whole (Lucene and Elasticsearch split the text on spaces only).
            var normalized = Analyzer.Vocabulary.Text.Normalize(synonym.Term);
            if (normalized.All(ChineseText.IsCjk) && !document.Tokens.Contains(normalized))
            {
                wrong.Add($"{synonym.Term}→tokens [{string.Join(' ', document.Tokens)}]");
            }
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void In_a_sentence_every_synonym_comes_first_and_nothing_of_an_unrelated_family_comes_with_it()
    {
        string[] frames = ["想找{0}的工作", "{0}，包吃住，月薪六千", "我以前在东莞做{0}", "招{0}两名"];
        var wrong = new List<string>();
        foreach (var synonym in Catalogue.TradeSynonyms.Where(s => s.Kind != SynonymKind.Miswriting))
        {
            foreach (var frame in frames)
            {
                var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, frame, synonym.Term);
                var concepts = Analyzer.AnalyzeQuery(text).ConceptIds;
                if (concepts.Count == 0 || concepts[0] != synonym.TradeId || concepts.Any(c => !Related(c, synonym.TradeId)))
                {
                    wrong.Add($"{text}→[{string.Join(' ', concepts)}]");
                }
            }
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_everyday_word_and_activity_rule_names_trades_of_one_kind_of_work()
    {
        // A workplace hires several kinds of work (物业: cleaners and guards); a word or an activity names one.
        var rules = Catalogue.TradePhrases.Where(r => r.Kind is PhraseKind.Word or PhraseKind.Activity).ToList();
        Assert.True(rules.Count > 100, $"{rules.Count} rules");
        var unrelated = rules
            .Where(r => r.TradeIds.Any(a => r.TradeIds.Any(b => !Related(a, b))))
            .Select(r => $"{string.Join('|', r.Words)} → {string.Join('|', r.TradeIds)}").ToList();
        Assert.Empty(unrelated);
    }

    [Fact]
    public void Every_word_of_an_everyday_rule_said_on_its_own_or_with_its_object_maps_to_the_rule()
    {
        var wrong = new List<string>();
        foreach (var rule in Catalogue.TradePhrases.Where(r => r.Kind is PhraseKind.Word or PhraseKind.Activity or PhraseKind.Workplace))
        {
            var texts = rule.Objects.Count == 0
                ? rule.Words
                : rule.Words.Select(w => w + rule.Objects[0]).Concat(rule.Objects.Select(o => rule.Words[0] + o));
            foreach (var text in texts.Select(t => t.Replace("*", "", StringComparison.Ordinal)))
            {
                if (!Analyzer.AnalyzeQuery(text).ConceptIds.Take(3).Any(rule.TradeIds.Contains))
                {
                    wrong.Add($"{text}→[{string.Join(' ', Analyzer.AnalyzeQuery(text).ConceptIds)}] want {string.Join('|', rule.TradeIds)}");
                }
            }
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void A_stem_typed_on_its_own_means_its_trade_unless_it_is_a_general_word()
    {
        var stems = Analyzer.Recognizer.AloneStems;
        Assert.True(stems.Count > 300, $"{stems.Count} stems");
        // A word of a phrase rule is read by its rule (接线 is wiring, though 接线员 answers phones).
        var ruleWords = Catalogue.TradePhrases.SelectMany(r => r.Words).Select(Analyzer.Vocabulary.Text.Normalize).ToHashSet(StringComparer.Ordinal);
        var wrong = stems.Where(s => !ruleWords.Contains(s.Key) && !Analyzer.AnalyzeQuery(s.Key).ConceptIds.Take(3).Any(s.Value.Contains))
            .Select(s => $"{s.Key}→[{string.Join(' ', Analyzer.AnalyzeQuery(s.Key).ConceptIds)}]").ToList();
        Assert.Empty(wrong);
        Assert.Equal(["T002"], Analyzer.AnalyzeQuery("包装").ConceptIds);
        Assert.Equal(["T055"], Analyzer.AnalyzeQuery("钢筋").ConceptIds);
        Assert.Equal(["T121"], Analyzer.AnalyzeQuery("叉车").ConceptIds);
        // In the words of many trades: a general word (餐厅服务员, 客房服务员 …; 作业员, 高处作业人员 …).
        Assert.Empty(Analyzer.AnalyzeQuery("服务").ConceptIds);
        Assert.Empty(Analyzer.AnalyzeQuery("作业").ConceptIds);
        // Only on its own: 停车位 is not a sewing job.
        Assert.Empty(Analyzer.AnalyzeQuery("停车位免费").ConceptIds);
    }

    [Theory]
    [InlineData("搞钢筋的", "T055")]
    [InlineData("冲床车间招人", "T023")]
    [InlineData("会开铲车", "T070")]
    [InlineData("工地打灰", "T062")]
    [InlineData("井下挖煤", "T177")]
    [InlineData("数控车床操作员", "T018")]
    [InlineData("帮人修电瓶车", "T049")]
    [InlineData("在老干妈上班", "T152")]
    [InlineData("给老人洗澡翻身", "T089")]
    [InlineData("剪线头", "T117")]
    [InlineData("做瓦工", "T056")]
    public void Everyday_phrasing_maps_through_frames_rules_and_stems(string text, string tradeId) =>
        Assert.Equal(tradeId, Analyzer.AnalyzeQuery(text).ConceptIds[0]);

    [Theory]
    [InlineData("找工作")]
    [InlineData("我们刚到深圳")]
    [InlineData("长期工")]
    [InlineData("在家务农，种了几亩地")]
    [InlineData("我的手机号是一三八")]
    [InlineData("公务员")]
    [InlineData("包吃包住，工资面议")]
    [InlineData("想出去打工，老板人好就行")]
    [InlineData("厨房用品")]
    public void Ordinary_words_and_words_cut_across_are_not_read_as_trades(string text) =>
        Assert.Empty(Analyzer.AnalyzeQuery(text).ConceptIds);

    [Fact]
    public void Pinyin_initials_prefer_a_words_usual_reading_and_latin_words_are_not_found_inside_longer_letters()
    {
        // 泵车 read beng ju (车 as in chess) is not what a typist abbreviates to bj.
        Assert.Equal("T085", Analyzer.AnalyzeQuery("bj").ConceptIds[0]);
        // qc (QC, 质检) inside the initials of 汽车修理工.
        Assert.Equal("T048", Analyzer.AnalyzeQuery("qcxlg").ConceptIds[0]);
        Assert.Equal(["T003"], Analyzer.AnalyzeQuery("招QC").ConceptIds);
    }

    /// <summary>The same family, or a step or two apart in the catalogue's related trades.</summary>
    private static bool Related(string a, string b)
    {
        var trades = Catalogue.TradesById;
        if (a == b || trades[a].FamilyId == trades[b].FamilyId)
        {
            return true;
        }
        var near = trades[a].Related.Append(a).ToHashSet(StringComparer.Ordinal);
        return trades[b].Related.Append(b).Any(near.Contains);
    }
}
