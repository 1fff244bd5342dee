using System.Collections.Frozen;
using System.Reflection;
using System.Text;

namespace Matching.Search.Analysis;

/// <summary>
/// Normalises Chinese text before segmentation, the same way for documents and queries: full-width to half-width,
/// Latin letters to lower case, control characters to spaces, and the whole sentence from traditional to simplified
/// characters with OpenCC's dictionaries (Taiwan and Hong Kong phrases to mainland ones first, 計程車 → 出租车, then
/// phrases and characters, the longest phrase winning). Character pairs learnt from the catalogue's traditional
/// synonyms cover what OpenCC leaves alone.
/// </summary>
public sealed class ChineseText
{
    private readonly FrozenDictionary<char, char> _learnt;

    public ChineseText(IEnumerable<KeyValuePair<char, char>> learntPairs)
    {
        var tables = OpenCcTables.Shared;
        var map = new Dictionary<char, char>();
        foreach (var (traditional, simplified) in learntPairs)
        {
            if (!tables.Characters.ContainsKey(traditional))
            {
                map.TryAdd(traditional, simplified);
            }
        }
        _learnt = map.ToFrozenDictionary();
    }

    /// <summary>How many traditional characters the tables know.</summary>
    public int KnownTraditionalCharacters => OpenCcTables.Shared.Characters.Count + _learnt.Count;

    public string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var tables = OpenCcTables.Shared;
        Span<char> buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        var anyPhraseStart = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u3000')
            {
                c = ' ';
            }
            else if (c is >= '\uFF01' and <= '\uFF5E')
            {
                c = (char)(c - 0xFEE0);
            }
            if (char.IsControl(c))
            {
                c = ' ';
            }
            else if (c is >= 'A' and <= 'Z')
            {
                c = (char)(c + 32);
            }
            anyPhraseStart |= tables.PhraseStarts.Contains(c);
            buffer[i] = c;
        }
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < buffer.Length; i++)
        {
            if (anyPhraseStart && tables.PhraseStarts.Contains(buffer[i]))
            {
                var matched = false;
                for (var length = Math.Min(tables.LongestPhrase, buffer.Length - i); length >= 2; length--)
                {
                    if (tables.Phrases.TryGetValue(buffer.Slice(i, length), out var phrase))
                    {
                        builder.Append(phrase);
                        i += length - 1;
                        matched = true;
                        break;
                    }
                }
                if (matched)
                {
                    continue;
                }
            }
            builder.Append(Character(buffer[i], tables));
        }
        return builder.ToString();
    }

    private char Character(char c, OpenCcTables tables) =>
        tables.Characters.TryGetValue(c, out var simplified) ? simplified
        : _learnt.TryGetValue(c, out var learnt) ? learnt
        : c;

    public static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF';
}

/// <summary>
/// OpenCC's dictionaries (Analysis/Data/opencc, Apache-2.0), loaded once per process: every phrase table merged into
/// one map (regional phrases before generic ones, values already converted to simplified characters) and one
/// character map (traditional and regional variant characters to simplified).
/// </summary>
internal sealed class OpenCcTables
{
    private static readonly Lazy<OpenCcTables> Instance = new(Load);

    public static OpenCcTables Shared => Instance.Value;

    private OpenCcTables(FrozenDictionary<char, char> characters, Dictionary<string, string> phrases)
    {
        Characters = characters;
        PhrasesByText = phrases.ToFrozenDictionary(StringComparer.Ordinal);
        Phrases = PhrasesByText.GetAlternateLookup<ReadOnlySpan<char>>();
        PhraseStarts = phrases.Keys.Select(k => k[0]).ToFrozenSet();
        LongestPhrase = phrases.Keys.Max(k => k.Length);
    }

    public FrozenDictionary<char, char> Characters { get; }

    public FrozenDictionary<string, string> PhrasesByText { get; }

    public FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Phrases { get; }

    public FrozenSet<char> PhraseStarts { get; }

    public int LongestPhrase { get; }

    private static OpenCcTables Load()
    {
        var characters = new Dictionary<char, char>();
        foreach (var (key, value) in Entries("TSCharacters.txt"))
        {
            if (key.Length == 1 && value.Length == 1 && key[0] != value[0])
            {
                characters.TryAdd(key[0], value[0]);
            }
        }
        char Simplify(char c) => characters.TryGetValue(c, out var s) ? s : c;
        // Regional variants (TW 裡, HK 着 …) read in reverse: the variant goes back to OpenCC's standard form, then to simplified.
        foreach (var file in new[] { "TWVariants.txt", "HKVariants.txt" })
        {
            foreach (var (standard, variant) in Entries(file))
            {
                if (standard.Length == 1 && variant.Length == 1 && variant[0] != Simplify(standard[0]))
                {
                    characters.TryAdd(variant[0], Simplify(standard[0]));
                }
            }
        }
        var phrases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "TWPhrasesRev.txt", "TWVariantsRevPhrases.txt", "HKVariantsRevPhrases.txt", "TSPhrases.txt" })
        {
            foreach (var (key, value) in Entries(file))
            {
                if (key.Length >= 2)
                {
                    phrases.TryAdd(key, string.Concat(value.Select(Simplify)));
                }
            }
        }
        return new OpenCcTables(characters.ToFrozenDictionary(), phrases);
    }

    /// <summary>Key and first value of each line (<c>key\tvalue other</c>), comments skipped.</summary>
    private static IEnumerable<(string Key, string Value)> Entries(string file)
    {
        using var reader = new StreamReader(Resource("opencc/" + file), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var tab = line.IndexOf('\t');
            if (tab <= 0)
            {
                continue;
            }
            var value = line[(tab + 1)..];
            var space = value.IndexOf(' ');
            yield return (line[..tab], space < 0 ? value : value[..space]);
        }
    }

    internal static Stream Resource(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"embedded resource {name} is missing from Matching.Search");
}
