using JiebaNet.Segmenter;
using Matching.Domain.Catalogues;

namespace Matching.Search.Analysis;

/// <summary>The tokens both engines index (or search for) and the trade concepts recognised in the text.</summary>
public sealed record AnalyzedText(IReadOnlyList<string> Tokens, IReadOnlyList<ConceptHit> Concepts)
{
    public static readonly AnalyzedText Empty = new([], []);

    public IReadOnlyList<string> ConceptIds => Concepts.Select(c => c.TradeId).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>
/// Text analysis done in the application, so Lucene and Elasticsearch receive identical tokens: normalise
/// (traditional → simplified, full-width → half-width, lower case), segment with jieba whose dictionary is extended
/// with every trade name and synonym of the catalogue, drop punctuation and stop words, and map terms to trade
/// concepts (text-to-concept). Queries additionally tolerate a one-character slip in a trade word.
/// </summary>
public sealed class SearchAnalyzer
{
    private static readonly Lock SegmenterSetup = new();
    private static JiebaSegmenter? _segmenter;
    private static readonly HashSet<string> WordsAdded = new(StringComparer.Ordinal);

    // Function words and the filler of job adverts: they match almost every document and say nothing.
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "的", "了", "和", "与", "及", "或", "在", "是", "有", "我", "你", "他", "她", "们", "要", "会", "能", "可", "也", "都",
        "就", "把", "被", "对", "为", "以", "等", "个", "这", "那", "之", "其", "并", "且", "从", "到", "于", "上", "下",
        "中", "人", "名", "位", "元", "招", "找", "者", "优先", "以上", "以下", "左右", "若干", "一名", "多名", "若",
    };

    private readonly JiebaSegmenter _jieba;

    public SearchAnalyzer(Catalogue catalogue)
    {
        Vocabulary = new TradeVocabulary(catalogue);
        _jieba = Segmenter(Vocabulary);
        // A stretch that is an ordinary word of jieba's dictionary is not a slip of a trade word (火车 is not 货车).
        var dictionary = WordDictionary.Instance;
        Recognizer = new ConceptRecognizer(Vocabulary, word => dictionary.ContainsWord(word));
    }

    public TradeVocabulary Vocabulary { get; }

    /// <summary>The text-to-concept layer applied to queries beyond the catalogue's own words.</summary>
    public ConceptRecognizer Recognizer { get; }

    /// <summary>Analysis of a document's text: exact concept words only.</summary>
    public AnalyzedText AnalyzeDocument(string? text) => Analyze(text, query: false);

    /// <summary>
    /// Analysis of what a user typed: the catalogue's words, then activity and workplace phrases, pinyin, homophones and
    /// a trade word with one wrong character (<see cref="ConceptRecognizer"/>).
    /// </summary>
    public AnalyzedText AnalyzeQuery(string? text) => Analyze(text, query: true);

    /// <summary>
    /// The trade concepts of a query without its search tokens (no segmentation): what typeahead and the evaluation
    /// read. Gives the same concepts as <see cref="AnalyzeQuery"/>.
    /// </summary>
    public IReadOnlyList<ConceptHit> QueryConcepts(string? text)
    {
        var normalized = Vocabulary.Text.Normalize(text);
        return normalized.Length == 0 ? [] : Concepts(normalized, query: true);
    }

    private AnalyzedText Analyze(string? text, bool query)
    {
        var normalized = Vocabulary.Text.Normalize(text);
        if (normalized.Length == 0)
        {
            return AnalyzedText.Empty;
        }
        var tokens = new List<string>();
        foreach (var word in _jieba.Cut(normalized, cutAll: false, hmm: true))
        {
            var token = word.Trim();
            if (token.Length == 0 || !token.Any(char.IsLetterOrDigit) || StopWords.Contains(token))
            {
                continue;
            }
            tokens.Add(token);
        }
        return new AnalyzedText(tokens, Concepts(normalized, query));
    }

    /// <summary>
    /// Every catalogue word inside the text counts as its concept, whatever the segmenter did (招电焊工的 → 招电|焊工|的),
    /// the longest first so 维修电工 is found and 电工 inside it is not; in the order they appear. A query's remaining
    /// characters then go to the text-to-concept layer, whose concepts follow, best reading first and, among readings of
    /// one kind, the most specific (fewest trades) first.
    /// </summary>
    private List<ConceptHit> Concepts(string normalized, bool query)
    {
        // Pinyin typed with spaces or apostrophes (bao jie, xi'an) is one word.
        var wholeTextIsLatin = query && normalized.Any(char.IsAsciiLetterLower) && normalized.All(c => char.IsAsciiLetterLower(c) || c is ' ' or '\'');
        if (wholeTextIsLatin)
        {
            normalized = string.Concat(normalized.Where(char.IsAsciiLetterLower));
        }
        var exact = new List<ConceptSpan>();
        var layered = new List<ConceptSpan>();
        var start = 0;
        while (start < normalized.Length)
        {
            if (!IsWordChar(normalized[start]))
            {
                start++;
                continue;
            }
            var end = start;
            while (end < normalized.Length && IsWordChar(normalized[end]))
            {
                end++;
            }
            var run = normalized[start..end];
            var covered = new bool[run.Length];
            var exactInRun = new List<ConceptSpan>();
            ExactWords(run, covered, exactInRun, 0, query);
            exact.AddRange(exactInRun.Select(e => e with { Start = e.Start + start }));
            if (query)
            {
                var found = new List<ConceptSpan>();
                Recognizer.Recognize(run, covered, exactInRun, wholeTextIsLatin, found);
                NearMisses(run, covered, found);
                layered.AddRange(found.Select(f => f with { Start = f.Start + start }));
            }
            start = end;
        }
        var concepts = new List<ConceptHit>();
        // What the work is before where it is (饭店洗碗的: the dish-washer, then the restaurant's trades), and a word for the
        // person (阿姨) after both: after another reading it is that job's worker (养老院阿姨), not a housekeeper. Within a
        // kind of reading, the one naming fewer trades first: 打灰 (混凝土工) says more than 工地 (five trades).
        var person = exact.Where(s => Recognizer.IsAgentWord(s.Term)).ToList();
        var ordered = exact.Except(person).OrderBy(s => s.Start)
            .Concat(layered.OrderBy(s => s.Place).ThenBy(s => Rank(s.Match)).ThenBy(s => s.TradeIds.Count).ThenBy(s => s.Start))
            .Concat(person.OrderBy(s => s.Start));
        foreach (var span in ordered)
        {
            foreach (var tradeId in span.TradeIds)
            {
                AddConcept(concepts, new ConceptHit(tradeId, span.Term, span.Match));
            }
        }
        return concepts;
    }

    /// <summary>
    /// When nothing in the text maps to a trade (did you mean, 您是不是要找): the trades whose words share the most
    /// characters or syllables with it, or whose pinyin is a letter or two away from what was typed; best first.
    /// Empty when the text maps to a trade or nothing is close enough.
    /// </summary>
    public IReadOnlyList<string> DidYouMean(string? text, int limit = 3)
    {
        var normalized = Vocabulary.Text.Normalize(text);
        if (normalized.Length == 0 || Concepts(normalized, query: true).Count > 0)
        {
            return [];
        }
        var scored = new List<(double Score, bool IsName, int Length, string TradeId)>();
        var letters = string.Concat(normalized.Where(char.IsAsciiLetterLower));
        if (letters.Length >= 4)
        {
            foreach (var reading in Vocabulary.Readings)
            {
                var distance = Levenshtein(letters, reading.Full);
                if (distance <= Math.Max(1, letters.Length / 5))
                {
                    scored.Add((1.0 - (double)distance / letters.Length, reading.IsName, reading.Term.Length, reading.TradeId));
                }
            }
        }
        var characters = normalized.Where(ChineseText.IsCjk).Take(SearchQueryCharacters).ToArray();
        if (characters.Length >= 2)
        {
            var table = PinyinTable.Shared;
            var sounds = characters.Select(c => table.Readings(c) is [var first, ..] ? first : "").ToArray();
            foreach (var reading in Vocabulary.Readings)
            {
                var sharedCharacters = Shared(characters, reading.Term.ToCharArray());
                var sharedSounds = Shared(sounds, reading.Syllables);
                var score = Math.Max(2.0 * sharedCharacters / (characters.Length + reading.Term.Length),
                    0.9 * 2.0 * sharedSounds / (sounds.Length + reading.Syllables.Length));
                if (score >= 0.5)
                {
                    scored.Add((score, reading.IsName, reading.Term.Length, reading.TradeId));
                }
            }
        }
        return scored.OrderByDescending(s => s.Score).ThenByDescending(s => s.IsName).ThenBy(s => s.Length).ThenBy(s => s.TradeId, StringComparer.Ordinal)
            .Select(s => s.TradeId).Distinct(StringComparer.Ordinal).Take(limit).ToList();
    }

    /// <summary>Characters of a query compared for "did you mean": a short phrase, not a whole sentence.</summary>
    private const int SearchQueryCharacters = 12;

    private static int Shared<T>(IReadOnlyList<T> a, IReadOnlyList<T> b) where T : notnull
    {
        var counts = new Dictionary<T, int>();
        foreach (var x in a)
        {
            counts[x] = counts.GetValueOrDefault(x) + 1;
        }
        var shared = 0;
        foreach (var y in b)
        {
            if (counts.GetValueOrDefault(y) > 0)
            {
                counts[y]--;
                shared++;
            }
        }
        return shared;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>Which reading of the layer is trusted most when several name different trades.</summary>
    private static int Rank(ConceptMatch match) => match switch
    {
        ConceptMatch.Phrase => 0,
        ConceptMatch.Stem => 1,
        ConceptMatch.Pinyin => 2,
        ConceptMatch.Homophone => 3,
        _ => 4,
    };

    private void ExactWords(string run, bool[] covered, List<ConceptSpan> found, int offset, bool query)
    {
        for (var length = Math.Min(run.Length, Vocabulary.LongestTerm); length >= 2; length--)
        {
            for (var i = 0; i + length <= run.Length; i++)
            {
                if (covered.AsSpan(i, length).Contains(true))
                {
                    continue;
                }
                var window = run.Substring(i, length);
                if (!Vocabulary.TryExact(window, out var hit) || InsideLatinWord(run, i, length))
                {
                    continue;
                }
                // A word inside a longer stretch read as another catalogue word is that longer word (若电工 is 弱电工, not
                // 电工; 其车喷漆工 is 汽车喷漆工); a listed miswriting inside a longer word with one slip too (氩弧汗工 is 氩弧焊工).
                if (query && Enclosing(run, covered, i, length, hit.Match == ConceptMatch.Miswriting) is { } longer)
                {
                    found.Add(longer with { Start = offset + longer.Start });
                    covered.AsSpan(longer.Start, longer.Length).Fill(true);
                    continue;
                }
                found.Add(new ConceptSpan(offset + i, length, hit.Match, [hit.TradeId], window));
                covered.AsSpan(i, length).Fill(true);
            }
        }
    }

    private ConceptSpan? Enclosing(string run, bool[] covered, int start, int length, bool nearMiss)
    {
        for (var total = Math.Min(run.Length, Vocabulary.LongestTerm); total > length; total--)
        {
            for (var from = Math.Max(0, start + length - total); from <= start && from + total <= run.Length; from++)
            {
                if (covered.AsSpan(from, total).Contains(true))
                {
                    continue;
                }
                var window = run.Substring(from, total);
                if (Recognizer.HomophoneTrades(window) is { Count: > 0 } sounding)
                {
                    return new ConceptSpan(from, total, ConceptMatch.Homophone, sounding, window);
                }
                if (nearMiss && Vocabulary.NearMisses(window) is { Count: 1 or 2 } trades)
                {
                    return new ConceptSpan(from, total, ConceptMatch.NearMiss, trades, window);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// A catalogue word of three or more characters with one character wrong (中式烹调帅), unless it could be several trades
    /// or the stretch is an ordinary word of jieba's dictionary.
    /// </summary>
    private void NearMisses(string run, bool[] covered, List<ConceptSpan> found)
    {
        for (var length = Math.Min(run.Length, Vocabulary.LongestTerm); length >= 3; length--)
        {
            for (var i = 0; i + length <= run.Length; i++)
            {
                if (covered.AsSpan(i, length).Contains(true))
                {
                    continue;
                }
                var window = run.Substring(i, length);
                // An ordinary word is what was meant, not a slip (公务员 is not 服务员), nor is a stretch cut across one
                // (在家|务农 is not 做家务, 的|手机号 is not 装手机).
                if (WordDictionary.Instance.ContainsWord(window) || CutsAcrossOrdinaryWord(run, i, length))
                {
                    continue;
                }
                var trades = Vocabulary.NearMisses(window);
                if (trades.Count is 1 or 2)
                {
                    found.Add(new ConceptSpan(i, length, ConceptMatch.NearMiss, trades, window));
                    covered.AsSpan(i, length).Fill(true);
                }
            }
        }
    }

    /// <summary>Whether an ordinary word of two to four characters begins inside the stretch and ends after it, or begins before it and ends inside.</summary>
    private static bool CutsAcrossOrdinaryWord(string run, int start, int length)
    {
        var dictionary = WordDictionary.Instance;
        var end = start + length;
        for (var size = 2; size <= 4; size++)
        {
            for (var from = Math.Max(0, start - size + 1); from < end && from + size <= run.Length; from++)
            {
                var crossesStart = from < start && from + size > start && from + size < end;
                var crossesEnd = from > start && from < end && from + size > end;
                if ((crossesStart || crossesEnd) && dictionary.ContainsWord(run.Substring(from, size)))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Letters of a word are not a Latin catalogue word inside longer letters (qc in qcxlg, pinyin initials).</summary>
    private static bool InsideLatinWord(string run, int start, int length) =>
        (char.IsAsciiLetter(run[start]) && start > 0 && char.IsAsciiLetter(run[start - 1]))
        || (char.IsAsciiLetter(run[start + length - 1]) && start + length < run.Length && char.IsAsciiLetter(run[start + length]));

    private static bool IsWordChar(char c) => ChineseText.IsCjk(c) || char.IsAsciiLetterOrDigit(c);

    private static void AddConcept(List<ConceptHit> concepts, ConceptHit hit)
    {
        if (!concepts.Any(c => c.TradeId == hit.TradeId))
        {
            concepts.Add(hit);
        }
    }

    /// <summary>
    /// jieba's dictionary is process-wide: it is loaded once from Resources/ next to the program and extended with
    /// the catalogue's words (each word added once, whichever catalogue asks first).
    /// </summary>
    private static JiebaSegmenter Segmenter(TradeVocabulary vocabulary)
    {
        lock (SegmenterSetup)
        {
            if (_segmenter is null)
            {
                ConfigManager.ConfigFileBaseDir = Path.Combine(AppContext.BaseDirectory, "Resources");
                _segmenter = new JiebaSegmenter();
            }
            foreach (var term in vocabulary.Terms.Keys)
            {
                if (WordsAdded.Add(term))
                {
                    // A high frequency makes the segmenter keep the whole trade word (中式烹调师, not 中式|烹调|师).
                    _segmenter.AddWord(term, 100_000, "n");
                }
            }
            return _segmenter;
        }
    }
}
