using System.Collections.Frozen;
using System.Text;

namespace Matching.Search.Analysis;

/// <summary>
/// Toneless Mandarin readings of every CJK ideograph in U+3400–U+9FFF (Analysis/Data/unihan/pinyin.txt, derived from
/// the Unicode Han Database, Unicode licence), most common reading first; ü is written v (lv, nv) as in the trade
/// catalogue. Loaded once per process.
/// </summary>
public sealed class PinyinTable
{
    private static readonly Lazy<PinyinTable> Instance = new(Load);

    private readonly FrozenDictionary<char, string[]> _readings;

    private PinyinTable(FrozenDictionary<char, string[]> readings) => _readings = readings;

    public static PinyinTable Shared => Instance.Value;

    public int Characters => _readings.Count;

    /// <summary>The character's readings, most common first; empty for anything that is not a known ideograph.</summary>
    public IReadOnlyList<string> Readings(char c) => _readings.TryGetValue(c, out var r) ? r : [];

    /// <summary>
    /// Every way to read the word (each character's readings combined), the usual reading first, at most
    /// <paramref name="limit"/>; empty when a character has no reading.
    /// </summary>
    public List<string[]> Readings(ReadOnlySpan<char> word, int limit)
    {
        var results = new List<string[]> { new string[word.Length] };
        for (var i = 0; i < word.Length; i++)
        {
            if (!_readings.TryGetValue(word[i], out var options))
            {
                return [];
            }
            var next = new List<string[]>();
            foreach (var prefix in results)
            {
                foreach (var option in options)
                {
                    if (next.Count >= limit)
                    {
                        break;
                    }
                    var copy = (string[])prefix.Clone();
                    copy[i] = option;
                    next.Add(copy);
                }
            }
            results = next;
        }
        return results;
    }

    /// <summary>The initial a pinyin typist abbreviates a syllable to: zh, ch, sh or the first letter.</summary>
    public static string Initial(string syllable) =>
        syllable.Length >= 2 && syllable[1] == 'h' && syllable[0] is 'z' or 'c' or 's' ? syllable[..2] : syllable[..1];

    private static PinyinTable Load()
    {
        var readings = new Dictionary<char, string[]>();
        using var reader = new StreamReader(OpenCcTables.Resource("unihan/pinyin.txt"), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length < 3 || line[0] == '#' || line[1] != '\t')
            {
                continue;
            }
            readings[line[0]] = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        return new PinyinTable(readings.ToFrozenDictionary());
    }
}
