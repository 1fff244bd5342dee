using Matching.Search.Analysis;
using Matching.Search.Recall;

namespace Matching.Search.Tests;

public sealed class AnalysisTests
{
    private static SearchAnalyzer Analyzer => Shared.Analyzer;

    [Theory]
    [InlineData("電焊工", "电焊工")]
    [InlineData("維修電工師傅", "维修电工师傅")]
    [InlineData("ＱＣ　品管員", "qc 品管员")]
    [InlineData("月薪８０００元", "月薪8000元")]
    public void Normalisation_turns_traditional_and_full_width_text_into_simplified_half_width(string input, string expected) =>
        Assert.Equal(expected, Analyzer.Vocabulary.Text.Normalize(input));

    [Fact]
    public void Every_traditional_synonym_of_the_catalogue_normalises_to_a_word_of_its_trade()
    {
        var catalogue = Shared.Catalogue;
        var failures = catalogue.TradeSynonyms
            .Where(s => s.Kind == Domain.Catalogues.SynonymKind.Traditional)
            .Where(s => !Analyzer.AnalyzeQuery(s.Term).ConceptIds.Contains(s.TradeId))
            .Select(s => s.Term)
            .ToList();
        Assert.Empty(failures);
    }

    [Fact]
    public void Trade_names_stay_whole_words_where_a_generic_segmenter_would_split_them()
    {
        var analyzed = Analyzer.AnalyzeQuery("招聘中式烹调师和二氧化碳气体保护焊工");
        Assert.Contains("中式烹调师", analyzed.Tokens);
        Assert.Contains("二氧化碳气体保护焊工", analyzed.Tokens);
        Assert.Equal(["T071", "T032"], analyzed.ConceptIds);
    }

    [Theory]
    [InlineData("月嫂", "T091", ConceptMatch.Colloquial)]
    [InlineData("电焊工", "T029", ConceptMatch.Colloquial)]
    [InlineData("焊工", "T029", ConceptMatch.Name)]
    [InlineData("電工", "T035", ConceptMatch.Name)]
    [InlineData("悍工", "T029", ConceptMatch.Miswriting)]
    [InlineData("中式烹调帅", "T071", ConceptMatch.NearMiss)]
    [InlineData("母婴护理圆", "T091", ConceptMatch.Homophone)]
    [InlineData("母婴护理园", "T091", ConceptMatch.Homophone)]
    [InlineData("母婴护理吗", "T091", ConceptMatch.NearMiss)]
    public void Words_map_to_trade_concepts(string text, string tradeId, ConceptMatch how)
    {
        var hit = Assert.Single(Analyzer.AnalyzeQuery(text).Concepts);
        Assert.Equal(tradeId, hit.TradeId);
        Assert.Equal(how, hit.Match);
    }

    [Fact]
    public void A_trade_word_inside_a_sentence_is_found_even_when_segmentation_cuts_across_it()
    {
        Assert.Contains("T091", Analyzer.AnalyzeQuery("急招金牌月嫂两名，包吃住").ConceptIds);
        Assert.Contains("T029", Analyzer.AnalyzeQuery("招电焊工的厂").ConceptIds);
    }

    [Fact]
    public void Near_misses_are_not_guessed_for_documents_or_for_two_character_words()
    {
        Assert.Empty(Analyzer.AnalyzeDocument("中式烹调帅").ConceptIds);
        // 焊哥 is neither one slip of a three-character word nor read like a trade word.
        Assert.Empty(Analyzer.AnalyzeQuery("焊哥").ConceptIds);
        Assert.Empty(Analyzer.AnalyzeQuery("宇航员").ConceptIds);
    }

    [Fact]
    public void Punctuation_and_stop_words_are_not_tokens()
    {
        var tokens = Analyzer.AnalyzeQuery("的、了，。！和 *:* (OR)").Tokens;
        Assert.DoesNotContain(tokens, t => t is "的" or "了" or "和" or "，" or "*" or ":");
    }

    [Theory]
    [InlineData("月嫂", "T091")]
    [InlineData("電工", "T035")]
    [InlineData("hg", "T029")]
    [InlineData("dg", "T035")]
    [InlineData("diangong", "T035")]
    [InlineData("中式烹调帅", "T071")]
    [InlineData("焊", "T029")]
    public void Typeahead_accepts_colloquial_traditional_pinyin_and_slips(string input, string expectedFirst)
    {
        var suggestions = new TradeSuggester(Analyzer).Suggest(input);
        Assert.NotEmpty(suggestions);
        Assert.Equal(expectedFirst, suggestions[0].TradeId);
        Assert.Equal(Shared.Catalogue.TradesById[expectedFirst].Name, suggestions[0].Name);
        Assert.Equal(suggestions.Count, suggestions.Select(s => s.TradeId).Distinct().Count());
    }

    [Fact]
    public void Typeahead_returns_at_most_the_limit_and_nothing_for_unknown_input()
    {
        var suggester = new TradeSuggester(Analyzer);
        Assert.Equal(3, suggester.Suggest("工", 3).Count);
        Assert.Empty(suggester.Suggest("宇航"));
        Assert.Empty(suggester.Suggest("   "));
    }
}
