using Matching.Search.Analysis;

namespace Matching.Search.Recall;

/// <summary>A trade offered while typing, with the word that matched and how (名称, 俗称, 繁体, 错写, 近似, 拼音).</summary>
public sealed record TradeSuggestion(string TradeId, string Name, string FamilyId, string FamilyName, string MatchedTerm, ConceptMatch Match);

/// <summary>
/// Typeahead for trade names (工种): accepts official names, colloquial words (月嫂), traditional characters (電工),
/// common miswritings, a word with one wrong character, and pinyin initials or full pinyin (dg, diangong → 电工).
/// </summary>
public sealed class TradeSuggester(SearchAnalyzer analyzer)
{
    public const int MaxLength = 20;

    public IReadOnlyList<TradeSuggestion> Suggest(string input, int limit = 10)
    {
        var vocabulary = analyzer.Vocabulary;
        var catalogue = vocabulary.Catalogue;
        var query = vocabulary.Text.Normalize(input).Replace(" ", "", StringComparison.Ordinal);
        var found = new List<TradeSuggestion>();

        void Add(string tradeId, string term, ConceptMatch match)
        {
            if (found.Count < limit && !found.Any(f => f.TradeId == tradeId) && catalogue.TradesById.TryGetValue(tradeId, out var trade))
            {
                found.Add(new TradeSuggestion(trade.Id, trade.Name, trade.FamilyId, catalogue.TradeFamiliesById[trade.FamilyId].Name, term, match));
            }
        }

        if (query.Length == 0)
        {
            return found;
        }
        if (query.All(char.IsAsciiLetterLower))
        {
            // Pinyin: exact initials first (hg → 焊工), then initials or full pinyin that start with the input.
            foreach (var t in catalogue.Trades.Where(t => vocabulary.PinyinInitials[t.Id] == query).OrderBy(t => t.Name.Length))
            {
                Add(t.Id, t.Pinyin, ConceptMatch.Pinyin);
            }
            foreach (var t in catalogue.Trades
                .Where(t => vocabulary.PinyinInitials[t.Id].StartsWith(query, StringComparison.Ordinal) || vocabulary.PinyinFull[t.Id].StartsWith(query, StringComparison.Ordinal))
                .OrderBy(t => t.Name.Length).ThenBy(t => t.Id, StringComparer.Ordinal))
            {
                Add(t.Id, t.Pinyin, ConceptMatch.Pinyin);
            }
        }
        // Whole word, then words that start with the input, then words that contain it (shortest first).
        if (vocabulary.TryExact(query, out var exact))
        {
            Add(exact.TradeId, exact.Term, exact.Match);
        }
        foreach (var (term, hit) in vocabulary.AllTerms.Where(t => t.Term.StartsWith(query, StringComparison.Ordinal)))
        {
            Add(hit.TradeId, hit.Term, hit.Match);
        }
        foreach (var (term, hit) in vocabulary.AllTerms.Where(t => t.Term.Contains(query, StringComparison.Ordinal)))
        {
            Add(hit.TradeId, hit.Term, hit.Match);
        }
        // Trade words inside a longer input, or with one wrong character.
        foreach (var hit in analyzer.AnalyzeQuery(query).Concepts)
        {
            Add(hit.TradeId, hit.Term, hit.Match);
        }
        return found;
    }
}
