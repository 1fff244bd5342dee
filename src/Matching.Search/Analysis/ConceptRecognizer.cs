using System.Collections.Frozen;
using Matching.Domain.Catalogues;

namespace Matching.Search.Analysis;

/// <summary>
/// A stretch of normalised text that named a trade concept, and how; <paramref name="Place"/> when it named only where the
/// work is (饭店, 电子厂), not the work itself (洗碗的, 食堂阿姨).
/// </summary>
public sealed record ConceptSpan(int Start, int Length, ConceptMatch Match, IReadOnlyList<string> TradeIds, string Term, bool Place = false);

/// <summary>
/// The text-to-concept layer of a query, after the catalogue's own words (which always win, longest first): what is
/// left of the text is read, in this order, by
/// <list type="number">
/// <item>the phrase patterns of <c>trade-phrases.csv</c>: an activity or a workplace (刷 … 墙, 饭店 … 后厨, 敬老院), a word
/// near its object in either order and a few characters apart;</item>
/// <item>stems of catalogue words: a verb with the stem of a word that ends in one of the verb's endings (开 + 货车|司机),
/// a stem followed by a place (电子|装配工 + 厂) or by an agent word (油漆|工 + 匠); a stem typed on its own, the ending left
/// off (钢筋 for 钢筋工, 叉车 for 叉车司机), when it is the whole stretch and names at most two trades;</item>
/// <item>pinyin typed without choosing characters, whole syllables, initials or a mix (baojie, bj, bjie);</item>
/// <item>homophones: a stretch read exactly as a catalogue word is usually read, with at least one character the same (包洁员,
/// 块递), unless the stretch is itself an ordinary word (火车 is not 货车) or, in two characters, cuts across one (我们|刚);</item>
/// <item>a catalogue word of three or more characters with one wrong character (中式烹调帅).</item>
/// </list>
/// Wherever two readings overlap, the earlier kind and then the longer match wins, so a pattern never claims the
/// characters of a trade name.
/// </summary>
public sealed class ConceptRecognizer
{
    /// <summary>Characters allowed between a word and its object (刷了两遍墙).</summary>
    private const int MaxGap = 4;

    private const int MaxPinyinTrades = 5;

    /// <summary>A stem typed on its own that could be more trades than this names none (汽车 is not one job).</summary>
    private const int MaxAloneTrades = 2;

    private readonly TradeVocabulary _vocabulary;
    private readonly Func<string, bool> _isOrdinaryWord;
    private readonly List<PairRule> _pairs = [];
    private readonly List<StemRule> _stemRules = [];
    private readonly FrozenDictionary<string, (int Rule, bool Head)[]> _pairWords;
    private readonly FrozenDictionary<string, int[]> _stemRuleWords;
    private readonly FrozenDictionary<string, StemEntry[]> _stems;
    private readonly FrozenDictionary<string, string[]> _aloneStems;
    private readonly int _longestPairWord;
    private readonly int _longestStemRuleWord;
    private readonly int _longestStem;

    /// <param name="Place">A workplace named on its own or with a place word (敬老院, 家具 … 厂), not with the person working there.</param>
    private sealed record PairRule(PhraseKind Kind, bool Standalone, string[] TradeIds, bool Place);

    private sealed record StemRule(PhraseKind Kind, FrozenSet<string>? Endings);

    private readonly FrozenSet<string> _agentWords;

    private readonly record struct StemEntry(string TradeId, string Ending);

    private readonly record struct Occurrence(int Start, int Length)
    {
        public int End => Start + Length;

        public bool Overlaps(Occurrence other) => Start < other.End && other.Start < End;

        /// <summary>Characters between the two, or -1 when they overlap.</summary>
        public int Gap(Occurrence other) => Overlaps(other) ? -1 : Math.Max(other.Start - End, Start - other.End);
    }

    private sealed record Candidate(int Tier, Occurrence[] Parts, ConceptMatch Match, IReadOnlyList<string> TradeIds, bool Place = false)
    {
        public int Matched => Parts.Sum(p => p.Length);

        public int Start => Parts.Min(p => p.Start);
    }

    /// <param name="isOrdinaryWord">Whether a word is in the general dictionary (not a slip of a trade word).</param>
    public ConceptRecognizer(TradeVocabulary vocabulary, Func<string, bool> isOrdinaryWord)
    {
        _vocabulary = vocabulary;
        _isOrdinaryWord = isOrdinaryWord;
        var text = vocabulary.Text;
        var pairWords = new Dictionary<string, List<(int, bool)>>(StringComparer.Ordinal);
        var stemRuleWords = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var allEndings = new HashSet<string>(StringComparer.Ordinal);
        var aloneEndings = new HashSet<string>(StringComparer.Ordinal);
        var placeWords = vocabulary.Catalogue.TradePhrases.Where(r => r.Kind is PhraseKind.Place)
            .SelectMany(r => r.Words).Select(text.Normalize).Where(w => w.Length > 0).ToList();
        _agentWords = vocabulary.Catalogue.TradePhrases.Where(r => r.Kind is PhraseKind.Agent)
            .SelectMany(r => r.Words).Select(text.Normalize).Where(w => w.Length > 0).ToFrozenSet(StringComparer.Ordinal);
        foreach (var rule in vocabulary.Catalogue.TradePhrases)
        {
            var words = rule.Words.Select(text.Normalize).Where(w => w.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var objects = rule.Objects.Select(text.Normalize).Where(w => w.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (rule.Kind is PhraseKind.Alone)
            {
                aloneEndings.UnionWith(objects.Where(o => o != "*"));
                continue;
            }
            if (rule.Kind is PhraseKind.Verb or PhraseKind.Place or PhraseKind.Agent)
            {
                var anyEnding = objects.Contains("*");
                allEndings.UnionWith(objects.Where(o => o != "*"));
                _stemRules.Add(new StemRule(rule.Kind, anyEnding ? null : objects.ToFrozenSet(StringComparer.Ordinal)));
                foreach (var word in words)
                {
                    Add(stemRuleWords, word, _stemRules.Count - 1);
                }
                continue;
            }
            var place = rule.Kind is PhraseKind.Workplace
                && objects.All(o => placeWords.Any(p => o.EndsWith(p, StringComparison.Ordinal)));
            _pairs.Add(new PairRule(rule.Kind, objects.Count == 0, rule.TradeIds.ToArray(), place));
            foreach (var word in words)
            {
                Add(pairWords, word, (_pairs.Count - 1, true));
            }
            foreach (var word in objects)
            {
                Add(pairWords, word, (_pairs.Count - 1, false));
            }
        }
        _pairWords = pairWords.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _stemRuleWords = stemRuleWords.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _longestPairWord = pairWords.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
        _longestStemRuleWord = stemRuleWords.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();

        // Stems: a name or synonym less one of the endings the rules name (货车司机 → 货车 + 司机), longest ending first.
        var endings = allEndings.OrderByDescending(e => e.Length).ThenBy(e => e, StringComparer.Ordinal).ToList();
        var stems = new Dictionary<string, List<StemEntry>>(StringComparer.Ordinal);
        foreach (var (term, hit) in vocabulary.Terms.Where(t => t.Value.Match != ConceptMatch.Miswriting))
        {
            foreach (var ending in endings)
            {
                if (term.Length > ending.Length && term.EndsWith(ending, StringComparison.Ordinal))
                {
                    var stem = term[..^ending.Length];
                    if (!stems.TryGetValue(stem, out var list))
                    {
                        stems[stem] = list = [];
                    }
                    if (!list.Contains(new StemEntry(hit.TradeId, ending)))
                    {
                        list.Add(new StemEntry(hit.TradeId, ending));
                    }
                }
            }
        }
        _stems = stems.ToFrozenDictionary(s => s.Key, s => s.Value.ToArray(), StringComparer.Ordinal);
        _longestStem = stems.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();

        // Stems that stand alone: kept apart from the stems above, whose rules take any ending (普通|工人 must not make 普通的 a job).
        var alone = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (term, hit) in vocabulary.Terms.Where(t => t.Value.Match != ConceptMatch.Miswriting))
        {
            foreach (var ending in aloneEndings)
            {
                if (term.Length >= ending.Length + 2 && term.EndsWith(ending, StringComparison.Ordinal)
                    && !vocabulary.Terms.ContainsKey(term[..^ending.Length]))
                {
                    Add(alone, term[..^ending.Length], hit.TradeId);
                }
            }
        }
        // A stem inside the words of more trades than that is a general word, not one job (服务 is in 餐厅服务员, 客房服务员 …).
        var allWords = vocabulary.Terms.Where(t => t.Value.Match != ConceptMatch.Miswriting).ToList();
        _aloneStems = alone.Select(a => (a.Key, Trades: a.Value.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()))
            .Where(a => a.Trades.Length <= MaxAloneTrades
                && allWords.Where(w => w.Key.Contains(a.Key, StringComparison.Ordinal)).Select(w => w.Value.TradeId).Distinct(StringComparer.Ordinal).Count() <= MaxAloneTrades)
            .ToFrozenDictionary(a => a.Key, a => a.Trades, StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether a (normalised) word is one of the agent words that name the person doing a job (阿姨, 师傅, 大姐): after
    /// another reading it is that job's worker (养老院阿姨), even when the catalogue also knows it alone (阿姨 is a housekeeper).
    /// </summary>
    public bool IsAgentWord(string word) => _agentWords.Contains(word);

    /// <summary>Stems that mean their trade typed on their own (钢筋 → 钢筋工), for tests and the start-up log.</summary>
    public IReadOnlyDictionary<string, string[]> AloneStems => _aloneStems;

    /// <summary>How many words the phrase patterns and stems know (for the start-up log and tests).</summary>
    public int PatternWords => _pairWords.Count + _stemRuleWords.Count;

    public int Stems => _stems.Count;

    /// <summary>
    /// Concepts in one run of word characters (CJK, Latin letters, digits) of normalised query text, the run's
    /// <paramref name="covered"/> characters (already a catalogue word) left alone and marked as they are claimed.
    /// </summary>
    /// <param name="exact">The catalogue words found in the run (their characters are the covered ones).</param>
    public void Recognize(string run, bool[] covered, IReadOnlyList<ConceptSpan> exact, bool wholeTextIsLatin, List<ConceptSpan> found)
    {
        // A longer stretch read as a whole catalogue word before patterns take its pieces (包装共 is 包装工, not 装 … 包);
        // two-character homophones, the least certain reading, last.
        Homophones(run, covered, 3, found);
        Patterns(run, covered, exact, found);
        Pinyin(run, covered, wholeTextIsLatin, found);
        Homophones(run, covered, 2, found);
    }

    /// <summary>
    /// Trades with a word of the stretch's length read exactly as the stretch, at least one character the same and one
    /// (two from four characters on) different; empty when the stretch is an ordinary word or could be more than three trades.
    /// </summary>
    public IReadOnlyList<string> HomophoneTrades(string window)
    {
        if (window.Length < 2 || window.AsSpan().ContainsAnyExceptInRange('\u3400', '\u9FFF') || _isOrdinaryWord(window))
        {
            return [];
        }
        var table = PinyinTable.Shared;
        var length = window.Length;
        var trades = new List<string>();
        var allowed = length <= 3 ? 1 : 2;
        for (var k = 0; k < length; k++)
        {
            foreach (var candidate in _vocabulary.WithCharacterAt(length, k, window[k]))
            {
                // A slip sounds like the word as it is usually read (做鞋工 is zuo xie gong, not a rare reading of 鞋).
                if (!candidate.Usual || trades.Contains(candidate.TradeId))
                {
                    continue;
                }
                var different = 0;
                for (var j = 0; j < length && different <= allowed; j++)
                {
                    if (candidate.Term[j] != window[j])
                    {
                        // In two characters, the one typed must be read that way usually (找 is zhao, not its rare hua: 找工 is not 化工).
                        var readings = table.Readings(window[j]);
                        var sounds = length == 2 ? readings.Count > 0 && readings[0] == candidate.Syllables[j] : readings.Contains(candidate.Syllables[j]);
                        different += sounds ? 1 : allowed + 1;
                    }
                }
                if (different >= 1 && different <= allowed)
                {
                    trades.Add(candidate.TradeId);
                }
            }
        }
        return trades.Count <= 3 ? trades : [];
    }

    private void Patterns(string run, bool[] covered, IReadOnlyList<ConceptSpan> exact, List<ConceptSpan> found)
    {
        var candidates = new List<Candidate>();
        if (_pairWords.Count > 0)
        {
            var byRule = new Dictionary<int, (List<Occurrence> Heads, List<Occurrence> Objects)>();
            foreach (var (occurrence, entries) in Occurrences(run, _pairWords, _longestPairWord))
            {
                foreach (var (rule, head) in entries)
                {
                    if (!byRule.TryGetValue(rule, out var lists))
                    {
                        byRule[rule] = lists = ([], []);
                    }
                    (head ? lists.Heads : lists.Objects).Add(occurrence);
                }
            }
            foreach (var (index, (heads, objects)) in byRule)
            {
                var rule = _pairs[index];
                foreach (var head in heads)
                {
                    if (rule.Standalone)
                    {
                        candidates.Add(new Candidate(0, [head], ConceptMatch.Phrase, rule.TradeIds, rule.Place));
                        continue;
                    }
                    foreach (var obj in objects)
                    {
                        if (head.Gap(obj) is >= 0 and <= MaxGap)
                        {
                            candidates.Add(new Candidate(0, [head, obj], ConceptMatch.Phrase, rule.TradeIds, rule.Place));
                        }
                    }
                }
            }
        }
        if (_stemRules.Count > 0 && _stems.Count > 0)
        {
            var stems = Occurrences(run, _stems, _longestStem).ToList();
            foreach (var (word, rules) in Occurrences(run, _stemRuleWords, _longestStemRuleWord))
            {
                foreach (var ruleIndex in rules)
                {
                    var rule = _stemRules[ruleIndex];
                    foreach (var (stem, entries) in stems)
                    {
                        var fits = rule.Kind switch
                        {
                            // 开 … 货车 or 货车 … 开: a verb near the stem, either side.
                            PhraseKind.Verb => stem.Length >= 2 && word.Gap(stem) is >= 0 and <= MaxGap - 1,
                            // 电子厂: the place right after the stem.
                            PhraseKind.Place => stem.Length >= 2 && word.Start == stem.End,
                            // 油漆匠, 瓦匠: the agent word right after the stem; a single character only before a real agent
                            // word, not the nominalising 的 (开车的 is not 车工).
                            _ => word.Start == stem.End && (stem.Length >= 2 || run.Substring(word.Start, word.Length) is not ("的" or "活")),
                        };
                        if (!fits)
                        {
                            continue;
                        }
                        var trades = entries.Where(e => rule.Endings is null || rule.Endings.Contains(e.Ending))
                            .Select(e => e.TradeId).Distinct(StringComparer.Ordinal).ToList();
                        if (trades.Count > 0)
                        {
                            candidates.Add(new Candidate(1, [word, stem], ConceptMatch.Stem, trades, rule.Kind is PhraseKind.Place));
                        }
                    }
                }
            }
        }
        if (_aloneStems.TryGetValue(run, out var aloneTrades))
        {
            candidates.Add(new Candidate(1, [new Occurrence(0, run.Length)], ConceptMatch.Stem, aloneTrades));
        }
        // The most characters matched first (冲床|车间 over 冲 … 车), then a whole word before one read in pieces (包装 is a
        // packer, not 包 … 装), then explicit patterns before stems, then the earliest. A pattern may take in a
        // whole catalogue word as one of its words (厨房 … 阿姨: the kitchen's helper, beside 阿姨 the housekeeper), never
        // part of one, nor anything another pattern took.
        var claimed = new bool[run.Length];
        for (var i = 0; i < run.Length; i++)
        {
            // Taken by an earlier reading of the layer (a long homophone), not by a catalogue word.
            claimed[i] = covered[i] && !exact.Any(e => e.Start <= i && i < e.Start + e.Length);
        }
        bool Fits(Occurrence part)
        {
            if (claimed.AsSpan(part.Start, part.Length).Contains(true))
            {
                return false;
            }
            return !exact.Any(e => e.Start < part.End && part.Start < e.Start + e.Length && (e.Start < part.Start || e.Start + e.Length > part.End));
        }
        foreach (var candidate in candidates.OrderByDescending(c => c.Matched).ThenBy(c => c.Parts.Length).ThenBy(c => c.Tier).ThenBy(c => c.Start))
        {
            if (!candidate.Parts.All(Fits))
            {
                continue;
            }
            foreach (var part in candidate.Parts)
            {
                claimed.AsSpan(part.Start, part.Length).Fill(true);
            }
            foreach (var part in candidate.Parts)
            {
                covered.AsSpan(part.Start, part.Length).Fill(true);
            }
            var parts = candidate.Parts.OrderBy(p => p.Start).ToList();
            found.Add(new ConceptSpan(parts[0].Start, parts[^1].End - parts[0].Start, candidate.Match, candidate.TradeIds,
                string.Join('…', parts.Select(p => run.Substring(p.Start, p.Length))), candidate.Place));
        }
    }

    private void Pinyin(string run, bool[] covered, bool wholeTextIsLatin, List<ConceptSpan> found)
    {
        if (!run.Any(char.IsAsciiLetterLower))
        {
            return;
        }
        var start = 0;
        while (start < run.Length)
        {
            if (!char.IsAsciiLetterLower(run[start]) || covered[start])
            {
                start++;
                continue;
            }
            var end = start;
            while (end < run.Length && char.IsAsciiLetterLower(run[end]) && !covered[end])
            {
                end++;
            }
            var letters = run[start..end];
            var trades = PinyinTrades(letters, allowInitials: wholeTextIsLatin || letters.Length >= 2);
            if (trades.Count > 0)
            {
                covered.AsSpan(start, end - start).Fill(true);
                found.Add(new ConceptSpan(start, end - start, ConceptMatch.Pinyin, trades, letters));
            }
            start = end;
        }
    }

    /// <summary>
    /// Trades whose name or synonym the letters spell in pinyin: whole syllables first (baojie), then a mix of
    /// syllables and initials (bjie), then initials alone (bj); names before synonyms, a word's usual reading before its
    /// rarer ones, shorter words first, then the catalogue's order (the synonym file lists job titles before everyday
    /// expressions).
    /// </summary>
    public IReadOnlyList<string> PinyinTrades(string letters, bool allowInitials = true)
    {
        if (letters.Length < 2)
        {
            return [];
        }
        var matches = new List<(int Kind, PinyinTerm Term)>();
        foreach (var reading in _vocabulary.Readings)
        {
            if (letters.Length > reading.Full.Length)
            {
                continue;
            }
            int kind;
            if (letters == reading.Full)
            {
                kind = 0;
            }
            else if (letters == reading.Initials)
            {
                kind = 2;
            }
            else if (Spells(letters, 0, reading.Syllables, 0, wholeWord: true))
            {
                kind = 1;
            }
            else if (Spells(letters, 0, reading.Syllables, 0, wholeWord: false))
            {
                // The first syllables of a longer word, each typed in full (waimai → 外卖员).
                kind = 3;
            }
            else
            {
                continue;
            }
            if (kind == 2 && !allowInitials)
            {
                continue;
            }
            matches.Add((kind, reading));
        }
        return matches.OrderBy(m => m.Kind).ThenByDescending(m => m.Term.IsName).ThenByDescending(m => m.Term.Usual).ThenBy(m => m.Term.Term.Length)
            .ThenBy(m => m.Term.Order).ThenBy(m => m.Term.TradeId, StringComparer.Ordinal)
            .Select(m => m.Term.TradeId).Distinct(StringComparer.Ordinal).Take(MaxPinyinTrades).ToList();
    }

    /// <summary>
    /// Whether the letters from <paramref name="at"/> spell the syllables from <paramref name="syllable"/>, each in full or
    /// by its initial (zh, ch, sh or the first letter); or, when not <paramref name="wholeWord"/>, spell at least the first
    /// two syllables of the word, each in full.
    /// </summary>
    private static bool Spells(string letters, int at, string[] syllables, int syllable, bool wholeWord)
    {
        if (at == letters.Length)
        {
            return wholeWord ? syllable == syllables.Length : syllable >= 2 && syllable < syllables.Length;
        }
        if (syllable == syllables.Length)
        {
            return false;
        }
        var whole = syllables[syllable];
        if (at + whole.Length <= letters.Length && string.CompareOrdinal(letters, at, whole, 0, whole.Length) == 0
            && Spells(letters, at + whole.Length, syllables, syllable + 1, wholeWord))
        {
            return true;
        }
        if (!wholeWord)
        {
            return false;
        }
        var initial = PinyinTable.Initial(whole);
        if (initial.Length < whole.Length && at + initial.Length <= letters.Length
            && string.CompareOrdinal(letters, at, initial, 0, initial.Length) == 0
            && Spells(letters, at + initial.Length, syllables, syllable + 1, wholeWord))
        {
            return true;
        }
        return initial.Length == 2 && letters[at] == whole[0] && Spells(letters, at + 1, syllables, syllable + 1, wholeWord);
    }

    private void Homophones(string run, bool[] covered, int shortest, List<ConceptSpan> found)
    {
        var longest = shortest == 2 ? 2 : Math.Min(run.Length, _vocabulary.LongestTerm);
        for (var length = longest; length >= shortest; length--)
        {
            for (var i = 0; i + length <= run.Length; i++)
            {
                if (covered.AsSpan(i, length).Contains(true))
                {
                    continue;
                }
                // Two characters that straddle an ordinary word (我们|刚, 长期|工, 找|工作) are not a slip of a trade word.
                if (length == 2 && ((i > 0 && _isOrdinaryWord(run.Substring(i - 1, 2))) || (i + 2 < run.Length && _isOrdinaryWord(run.Substring(i + 1, 2)))))
                {
                    continue;
                }
                var window = run.Substring(i, length);
                var trades = HomophoneTrades(window);
                if (trades.Count > 0)
                {
                    covered.AsSpan(i, length).Fill(true);
                    found.Add(new ConceptSpan(i, length, ConceptMatch.Homophone, trades, window));
                }
            }
        }
    }

    private static IEnumerable<(Occurrence Where, T Value)> Occurrences<T>(string run, FrozenDictionary<string, T> words, int longest)
    {
        var lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < run.Length; i++)
        {
            for (var length = Math.Min(longest, run.Length - i); length >= 1; length--)
            {
                if (lookup.TryGetValue(run.AsSpan(i, length), out var value))
                {
                    yield return (new Occurrence(i, length), value);
                }
            }
        }
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }
        list.Add(value);
    }
}
