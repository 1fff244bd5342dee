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
    }

    public TradeVocabulary Vocabulary { get; }

    /// <summary>Analysis of a document's text: exact concept words only.</summary>
    public AnalyzedText AnalyzeDocument(string? text) => Analyze(text, nearMisses: false);

    /// <summary>Analysis of what a user typed: also recognises a trade word with one wrong character.</summary>
    public AnalyzedText AnalyzeQuery(string? text) => Analyze(text, nearMisses: true);

    private AnalyzedText Analyze(string? text, bool nearMisses)
    {
        var normalized = Vocabulary.Text.Normalize(text);
        if (normalized.Length == 0)
        {
            return AnalyzedText.Empty;
        }
        var tokens = new List<string>();
        var concepts = new List<ConceptHit>();
        foreach (var word in _jieba.Cut(normalized, cutAll: false, hmm: true))
        {
            var token = word.Trim();
            if (token.Length == 0 || !token.Any(char.IsLetterOrDigit) || StopWords.Contains(token))
            {
                continue;
            }
            tokens.Add(token);
            if (Vocabulary.TryExact(token, out var hit))
            {
                AddConcept(concepts, hit with { Term = token });
            }
        }
        // Segmentation may split a trade word that sits between other characters (e.g. 招电焊工的 → 招电|焊工|的):
        // every known term inside the text counts as that concept, whatever the segmenter did.
        ScanRuns(normalized, concepts, nearMisses);
        return new AnalyzedText(tokens, concepts);
    }

    private void ScanRuns(string normalized, List<ConceptHit> concepts, bool nearMisses)
    {
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
            ScanRun(normalized.AsSpan(start, end - start).ToString(), concepts, nearMisses);
            start = end;
        }
    }

    private void ScanRun(string run, List<ConceptHit> concepts, bool nearMisses)
    {
        var covered = new bool[run.Length];
        // Longest words first, so 维修电工 is found before 电工 inside it.
        for (var length = Math.Min(run.Length, Vocabulary.LongestTerm); length >= 2; length--)
        {
            for (var i = 0; i + length <= run.Length; i++)
            {
                if (covered.AsSpan(i, length).Contains(true))
                {
                    continue;
                }
                var window = run.Substring(i, length);
                if (Vocabulary.TryExact(window, out var hit))
                {
                    AddConcept(concepts, hit with { Term = window });
                    covered.AsSpan(i, length).Fill(true);
                }
            }
        }
        if (!nearMisses)
        {
            return;
        }
        for (var length = Math.Min(run.Length, Vocabulary.LongestTerm); length >= 3; length--)
        {
            for (var i = 0; i + length <= run.Length; i++)
            {
                if (covered.AsSpan(i, length).Contains(true))
                {
                    continue;
                }
                var window = run.Substring(i, length);
                var trades = Vocabulary.NearMisses(window);
                // One slip that could be several different trades is not a recognisable word.
                if (trades.Count is 1 or 2)
                {
                    foreach (var tradeId in trades)
                    {
                        AddConcept(concepts, new ConceptHit(tradeId, window, ConceptMatch.NearMiss));
                    }
                    covered.AsSpan(i, length).Fill(true);
                }
            }
        }
    }

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
