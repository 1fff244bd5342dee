using System.Collections.Frozen;
using Matching.Domain.Catalogues;

namespace Matching.Search.Analysis;

/// <summary>How a term was recognised as a trade concept.</summary>
public enum ConceptMatch { Name, Colloquial, Traditional, Miswriting, NearMiss, Pinyin, Phrase, Stem, Homophone }

/// <summary>
/// A catalogue word's reading (for pinyin input and homophones): the syllables, whether it is the trade's name, whether it
/// is the word's usual reading (each character read the commonest way; 泵车 beng che, not beng ju) and the word's place in
/// the catalogue (names, then synonyms in file order).
/// </summary>
public sealed record PinyinTerm(string TradeId, string Term, string[] Syllables, bool IsName, bool Usual = true, int Order = 0)
{
    public string Full { get; } = string.Concat(Syllables);

    /// <summary>The first letter of each syllable, as people abbreviate (货车司机 → hcsj, not hchsj).</summary>
    public string Initials { get; } = string.Concat(Syllables.Select(s => s[0]));
}

/// <summary>A trade concept (工种) recognised in text, with the words that named it and how.</summary>
public sealed record ConceptHit(string TradeId, string Term, ConceptMatch Match);

/// <summary>
/// Every word the catalogue knows for a trade (official name, 俗称, 繁体, 常见错写), normalised, mapped to the trade
/// id; plus a substitution-tolerant look-up (edit distance 1 on terms of three characters or more) and the trades'
/// pinyin initials for typeahead.
/// </summary>
public sealed class TradeVocabulary
{
    private readonly FrozenDictionary<string, ConceptHit> _terms;
    private readonly FrozenDictionary<string, string[]> _oneSubstitution;
    private readonly IReadOnlyList<(string Term, ConceptHit Hit)> _allTerms;

    public TradeVocabulary(Catalogue catalogue)
    {
        Catalogue = catalogue;
        var learnt = LearnTraditionalPairs(catalogue);
        Text = new ChineseText(learnt);

        var terms = new Dictionary<string, ConceptHit>(StringComparer.Ordinal);
        foreach (var trade in catalogue.Trades)
        {
            terms[Text.Normalize(trade.Name)] = new ConceptHit(trade.Id, trade.Name, ConceptMatch.Name);
        }
        // Simplified synonyms before traditional ones: 電焊工 normalises to 电焊工, which is already a colloquial word.
        foreach (var synonym in catalogue.TradeSynonyms.OrderBy(s => s.Kind == SynonymKind.Traditional))
        {
            var match = synonym.Kind switch
            {
                SynonymKind.Traditional => ConceptMatch.Traditional,
                SynonymKind.Miswriting => ConceptMatch.Miswriting,
                _ => ConceptMatch.Colloquial,
            };
            // A traditional synonym normalises to a simplified word that may already be a name: the name wins.
            terms.TryAdd(Text.Normalize(synonym.Term), new ConceptHit(synonym.TradeId, synonym.Term, match));
        }
        _terms = terms.ToFrozenDictionary(StringComparer.Ordinal);
        _allTerms = terms.Select(t => (t.Key, t.Value)).OrderBy(t => t.Key.Length).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();

        var substitutions = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (term, hit) in terms)
        {
            if (term.Length < 3 || !term.All(ChineseText.IsCjk))
            {
                continue;
            }
            for (var i = 0; i < term.Length; i++)
            {
                var key = string.Concat(term.AsSpan(0, i), "*", term.AsSpan(i + 1));
                if (!substitutions.TryGetValue(key, out var set))
                {
                    substitutions[key] = set = new HashSet<string>(StringComparer.Ordinal);
                }
                set.Add(hit.TradeId);
            }
        }
        _oneSubstitution = substitutions.ToFrozenDictionary(s => s.Key, s => s.Value.Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

        PinyinInitials = catalogue.Trades.ToFrozenDictionary(
            t => t.Id,
            t => string.Concat(t.Pinyin.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => s[0])),
            StringComparer.Ordinal);
        PinyinFull = catalogue.Trades.ToFrozenDictionary(t => t.Id, t => t.Pinyin.Replace(" ", "", StringComparison.Ordinal), StringComparer.Ordinal);
        LongestTerm = terms.Keys.Max(k => k.Length);

        // Readings: a name as the catalogue spells it (the right reading of 长, 行 …); other words by the table, each
        // way of reading them (at most four), since a typist may pick any. Miswritings are not read: their characters are wrong.
        var table = PinyinTable.Shared;
        var readings = new List<PinyinTerm>();
        var seen = new HashSet<(string, string)>();
        foreach (var trade in catalogue.Trades)
        {
            var name = Text.Normalize(trade.Name);
            var syllables = trade.Pinyin.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (syllables.Length == name.Length && seen.Add((trade.Id, string.Join(' ', syllables))))
            {
                readings.Add(new PinyinTerm(trade.Id, name, syllables, IsName: true));
            }
        }
        var order = 0;
        foreach (var (term, hit) in terms.Where(t => t.Value.Match != ConceptMatch.Miswriting && t.Key.All(ChineseText.IsCjk)))
        {
            order++;
            var usual = true;
            foreach (var syllables in table.Readings(term, 4))
            {
                if (seen.Add((hit.TradeId, string.Join(' ', syllables))))
                {
                    readings.Add(new PinyinTerm(hit.TradeId, term, syllables, hit.Match == ConceptMatch.Name, usual, order));
                }
                usual = false;
            }
        }
        Readings = readings;
        _bySound = readings.GroupBy(r => string.Join(' ', r.Syllables), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _byCharacter = readings
            .SelectMany(r => r.Term.Select((c, i) => (Key: (r.Term.Length, i, c), Reading: r)))
            .GroupBy(x => x.Key)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Reading).ToArray());
    }

    private readonly FrozenDictionary<string, PinyinTerm[]> _bySound;
    private readonly FrozenDictionary<(int Length, int Position, char Character), PinyinTerm[]> _byCharacter;

    /// <summary>Readings of the words of <paramref name="length"/> characters that have <paramref name="character"/> at <paramref name="position"/>.</summary>
    public IReadOnlyList<PinyinTerm> WithCharacterAt(int length, int position, char character) =>
        _byCharacter.TryGetValue((length, position, character), out var found) ? found : [];

    /// <summary>Every reading of every name and synonym (names first).</summary>
    public IReadOnlyList<PinyinTerm> Readings { get; }

    /// <summary>Catalogue words read exactly as the syllables (joined by spaces), e.g. "bao jie" → 保洁.</summary>
    public IReadOnlyList<PinyinTerm> SoundingLike(string syllables) => _bySound.TryGetValue(syllables, out var found) ? found : [];

    public Catalogue Catalogue { get; }

    public ChineseText Text { get; }

    /// <summary>Normalised term → concept; what the segmenter's dictionary is extended with.</summary>
    public IReadOnlyDictionary<string, ConceptHit> Terms => _terms;

    /// <summary>Every known term, shortest first: what typeahead scans.</summary>
    public IReadOnlyList<(string Term, ConceptHit Hit)> AllTerms => _allTerms;

    /// <summary>Initials of the trade's pinyin, e.g. 焊工 (han gong) → hg.</summary>
    public FrozenDictionary<string, string> PinyinInitials { get; }

    /// <summary>The trade's pinyin without spaces, e.g. hangong.</summary>
    public FrozenDictionary<string, string> PinyinFull { get; }

    public int LongestTerm { get; }

    public bool TryExact(string normalizedTerm, out ConceptHit hit) => _terms.TryGetValue(normalizedTerm, out hit!);

    /// <summary>
    /// Trades whose name or synonym differs from the (normalised) term in exactly one character: a typing slip such
    /// as 电焊攻 for 电焊工. Only for Chinese terms of three characters or more, where one slip still leaves the word
    /// recognisable; two-character words differ in one character from too many other words.
    /// </summary>
    public IReadOnlyList<string> NearMisses(string normalizedTerm)
    {
        if (normalizedTerm.Length < 3 || normalizedTerm.Length > LongestTerm || !normalizedTerm.All(ChineseText.IsCjk))
        {
            return [];
        }
        var found = new List<string>();
        for (var i = 0; i < normalizedTerm.Length; i++)
        {
            var key = string.Concat(normalizedTerm.AsSpan(0, i), "*", normalizedTerm.AsSpan(i + 1));
            if (_oneSubstitution.TryGetValue(key, out var trades))
            {
                foreach (var t in trades)
                {
                    if (!found.Contains(t))
                    {
                        found.Add(t);
                    }
                }
            }
        }
        return found;
    }

    /// <summary>
    /// Character pairs (traditional → simplified) learnt from the catalogue: each traditional synonym is aligned with
    /// the same trade's simplified name or synonym of the same length, and the differing characters form pairs.
    /// </summary>
    private static List<KeyValuePair<char, char>> LearnTraditionalPairs(Catalogue catalogue)
    {
        var simplifiedTerms = catalogue.Trades.Select(t => (t.Id, Term: t.Name))
            .Concat(catalogue.TradeSynonyms.Where(s => s.Kind != SynonymKind.Traditional).Select(s => (Id: s.TradeId, s.Term)))
            .ToLookup(t => t.Id, t => t.Term);
        // A character that appears in simplified terms is a simplified character: never rewrite it.
        var simplifiedCharacters = simplifiedTerms.SelectMany(g => g).SelectMany(t => t).ToHashSet();
        var votes = new Dictionary<(char, char), int>();
        foreach (var synonym in catalogue.TradeSynonyms.Where(s => s.Kind == SynonymKind.Traditional))
        {
            var best = simplifiedTerms[synonym.TradeId]
                .Where(t => t.Length == synonym.Term.Length)
                .MaxBy(t => t.Zip(synonym.Term).Count(p => p.First == p.Second));
            if (best is null || best.Zip(synonym.Term).Count(p => p.First != p.Second) > Math.Max(1, best.Length / 2))
            {
                continue;
            }
            for (var i = 0; i < best.Length; i++)
            {
                if (best[i] != synonym.Term[i] && ChineseText.IsCjk(best[i]) && ChineseText.IsCjk(synonym.Term[i])
                    && !simplifiedCharacters.Contains(synonym.Term[i]))
                {
                    votes[(synonym.Term[i], best[i])] = votes.GetValueOrDefault((synonym.Term[i], best[i])) + 1;
                }
            }
        }
        return votes.GroupBy(v => v.Key.Item1)
            .Select(g => new KeyValuePair<char, char>(g.Key, g.MaxBy(v => v.Value).Key.Item2))
            .ToList();
    }
}
