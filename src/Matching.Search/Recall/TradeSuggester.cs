using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Matching.Search.Analysis;

namespace Matching.Search.Recall;

/// <summary>A trade offered while typing, with the word that matched and how (名称, 俗称, 繁体, 错写, 近似, 拼音).</summary>
public sealed record TradeSuggestion(string TradeId, string Name, string FamilyId, string FamilyName, string MatchedTerm, ConceptMatch Match);

/// <summary>
/// Typeahead for trade names (工种): accepts official names, colloquial words (月嫂), traditional characters (電工),
/// common miswritings, a word with one wrong character, and pinyin initials or full pinyin (dg, diangong → 电工).
/// What a clerk types is nearly always the beginning or a piece of a known word or of its pinyin, so the answers to
/// every such piece are computed once (<see cref="SuggestionTable"/>) and a keystroke costs a normalisation and one
/// look-up; anything else (a sentence, a slip) goes through the text-to-concept layer.
/// </summary>
public sealed class TradeSuggester(SearchAnalyzer analyzer)
{
    public const int MaxLength = 20;

    /// <summary>The most suggestions one call returns (the API's limit).</summary>
    public const int MaxLimit = 20;

    // One table per analyzer (the service has one; tests build several suggesters on the same analyzer).
    private static readonly ConditionalWeakTable<SearchAnalyzer, SuggestionTable> Tables = new();

    private SuggestionTable Table => Tables.GetValue(analyzer, a => new SuggestionTable(a));

    internal IEnumerable<string> PrecomputedInputTexts => Table.Inputs;

    /// <summary>How many inputs have their answer precomputed (building the table if it is not built yet).</summary>
    public int PrecomputedInputs => Table.Count;

    public IReadOnlyList<TradeSuggestion> Suggest(string input, int limit = 10)
    {
        var query = Query(input);
        if (query.Length == 0)
        {
            return [];
        }
        if (Table.TryGet(query, out var answer))
        {
            return answer.Length <= limit ? answer : answer[..limit];
        }
        return Compute(analyzer, query, limit, concepts: true);
    }

    /// <summary>The same answer computed by scanning the vocabulary on every call (the fair baseline of <c>bench search</c>).</summary>
    public IReadOnlyList<TradeSuggestion> SuggestByScan(string input, int limit = 10)
    {
        var query = Query(input);
        return query.Length == 0 ? [] : Compute(analyzer, query, limit, concepts: true);
    }

    private string Query(string input) => analyzer.Vocabulary.Text.Normalize(input).Replace(" ", "", StringComparison.Ordinal);

    /// <summary>
    /// The suggestions for a normalised input: pinyin (exact initials of a name, then names whose initials or full
    /// pinyin start with the input, then other words' pinyin), the word itself, words that start with the input, words
    /// that contain it (shortest first), and finally the concepts the text-to-concept layer reads in it.
    /// </summary>
    internal static List<TradeSuggestion> Compute(SearchAnalyzer analyzer, string query, int limit, bool concepts)
    {
        var vocabulary = analyzer.Vocabulary;
        var catalogue = vocabulary.Catalogue;
        var found = new List<TradeSuggestion>();

        void Add(string tradeId, string term, ConceptMatch match)
        {
            if (found.Count < limit && !found.Any(f => f.TradeId == tradeId) && catalogue.TradesById.TryGetValue(tradeId, out var trade))
            {
                found.Add(new TradeSuggestion(trade.Id, trade.Name, trade.FamilyId, catalogue.TradeFamiliesById[trade.FamilyId].Name, term, match));
            }
        }

        if (query.All(char.IsAsciiLetterLower))
        {
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
            foreach (var r in vocabulary.Readings
                .Where(r => !r.IsName && (r.Full.StartsWith(query, StringComparison.Ordinal) || r.Initials == query))
                .OrderBy(r => r.Term.Length).ThenBy(r => r.TradeId, StringComparer.Ordinal))
            {
                Add(r.TradeId, r.Term, ConceptMatch.Pinyin);
            }
        }
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
        if (concepts)
        {
            // Trade words inside a longer input, an activity or a place, a slip.
            foreach (var hit in analyzer.QueryConcepts(query))
            {
                Add(hit.TradeId, hit.Term, hit.Match);
            }
        }
        return found;
    }
}

/// <summary>
/// The precomputed answers of typeahead: every piece (substring) of every catalogue word and every beginning of every
/// word's pinyin and initials, each with its best <see cref="TradeSuggester.MaxLimit"/> suggestions, equal to what
/// <see cref="TradeSuggester.Compute"/> gives without the concept layer. Built once per analyzer on first use, in one
/// pass over the words: each word is filed under each of its pieces, in the order the answer lists them.
/// </summary>
internal sealed class SuggestionTable
{
    private readonly FrozenDictionary<string, TradeSuggestion[]> _answers;

    public SuggestionTable(SearchAnalyzer analyzer)
    {
        var vocabulary = analyzer.Vocabulary;
        var catalogue = vocabulary.Catalogue;
        var byName = new Dictionary<string, List<TradeSuggestion>>(StringComparer.Ordinal);
        var byStart = new Dictionary<string, List<TradeSuggestion>>(StringComparer.Ordinal);
        var byPiece = new Dictionary<string, List<TradeSuggestion>>(StringComparer.Ordinal);
        var initialsOfName = new Dictionary<string, List<TradeSuggestion>>(StringComparer.Ordinal);
        var pinyinOfName = new Dictionary<string, List<TradeSuggestion>>(StringComparer.Ordinal);
        var pinyinOfOther = new Dictionary<string, List<TradeSuggestion>>(StringComparer.Ordinal);

        TradeSuggestion Suggestion(string tradeId, string term, ConceptMatch match)
        {
            var trade = catalogue.TradesById[tradeId];
            return new TradeSuggestion(trade.Id, trade.Name, trade.FamilyId, catalogue.TradeFamiliesById[trade.FamilyId].Name, term, match);
        }
        static void File(Dictionary<string, List<TradeSuggestion>> map, string key, TradeSuggestion suggestion)
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }
            // Only the first word of a trade counts; enough trades for the longest answer.
            if (list.Count < 4 * TradeSuggester.MaxLimit && !list.Exists(s => s.TradeId == suggestion.TradeId))
            {
                list.Add(suggestion);
            }
        }

        // Pinyin of names: exact initials (shorter names first), then beginnings of initials or full pinyin (shorter names, then id).
        foreach (var trade in catalogue.Trades.OrderBy(t => t.Name.Length))
        {
            File(initialsOfName, vocabulary.PinyinInitials[trade.Id], Suggestion(trade.Id, trade.Pinyin, ConceptMatch.Pinyin));
        }
        foreach (var trade in catalogue.Trades.OrderBy(t => t.Name.Length).ThenBy(t => t.Id, StringComparer.Ordinal))
        {
            var suggestion = Suggestion(trade.Id, trade.Pinyin, ConceptMatch.Pinyin);
            foreach (var spelled in new[] { vocabulary.PinyinInitials[trade.Id], vocabulary.PinyinFull[trade.Id] })
            {
                for (var length = 1; length <= Math.Min(spelled.Length, TradeSuggester.MaxLength); length++)
                {
                    File(pinyinOfName, spelled[..length], suggestion);
                }
            }
        }
        // Pinyin of the other words: beginnings of the full pinyin, or the exact initials (shorter words, then id).
        foreach (var reading in vocabulary.Readings.Where(r => !r.IsName).OrderBy(r => r.Term.Length).ThenBy(r => r.TradeId, StringComparer.Ordinal))
        {
            var suggestion = Suggestion(reading.TradeId, reading.Term, ConceptMatch.Pinyin);
            for (var length = 1; length <= Math.Min(reading.Full.Length, TradeSuggester.MaxLength); length++)
            {
                File(pinyinOfOther, reading.Full[..length], suggestion);
            }
            if (reading.Initials.Length <= TradeSuggester.MaxLength && !reading.Full.StartsWith(reading.Initials, StringComparison.Ordinal))
            {
                File(pinyinOfOther, reading.Initials, suggestion);
            }
        }
        // The words: the whole word, then words that start with the piece, then words that contain it (shortest first).
        foreach (var (term, hit) in vocabulary.AllTerms)
        {
            var suggestion = Suggestion(hit.TradeId, hit.Term, hit.Match);
            File(byName, term, suggestion);
            var pieces = new HashSet<string>(StringComparer.Ordinal);
            for (var start = 0; start < term.Length; start++)
            {
                for (var length = 1; start + length <= term.Length && length <= TradeSuggester.MaxLength; length++)
                {
                    var piece = term.Substring(start, length);
                    if (pieces.Add(piece))
                    {
                        if (start == 0)
                        {
                            File(byStart, piece, suggestion);
                        }
                        File(byPiece, piece, suggestion);
                    }
                }
            }
        }

        var inputs = byPiece.Keys.Concat(pinyinOfName.Keys).Concat(pinyinOfOther.Keys).Concat(initialsOfName.Keys)
            .Concat(vocabulary.Readings.SelectMany(r => Enumerable.Range(1, Math.Min(r.Initials.Length, TradeSuggester.MaxLength)).Select(n => r.Initials[..n])))
            .ToHashSet(StringComparer.Ordinal);
        var answers = new Dictionary<string, TradeSuggestion[]>(inputs.Count, StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var answer = new List<TradeSuggestion>(TradeSuggester.MaxLimit);
            void Take(Dictionary<string, List<TradeSuggestion>> map)
            {
                if (!map.TryGetValue(input, out var list))
                {
                    return;
                }
                foreach (var suggestion in list)
                {
                    if (answer.Count < TradeSuggester.MaxLimit && !answer.Exists(s => s.TradeId == suggestion.TradeId))
                    {
                        answer.Add(suggestion);
                    }
                }
            }
            if (input.All(char.IsAsciiLetterLower))
            {
                Take(initialsOfName);
                Take(pinyinOfName);
                Take(pinyinOfOther);
            }
            // The word itself: only its own first entry (TryExact), as the scan gives it.
            if (vocabulary.TryExact(input, out var exact) && answer.Count < TradeSuggester.MaxLimit && !answer.Exists(s => s.TradeId == exact.TradeId))
            {
                answer.Add(Suggestion(exact.TradeId, exact.Term, exact.Match));
            }
            Take(byStart);
            Take(byPiece);
            if (answer.Count > 0)
            {
                answers[input] = [.. answer];
            }
        }
        _answers = answers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public int Count => _answers.Count;

    public IEnumerable<string> Inputs => _answers.Keys;

    public bool TryGet(string input, out TradeSuggestion[] answer) => _answers.TryGetValue(input, out answer!);
}
