using System.Globalization;
using System.Text;

namespace Matching.Domain.Validation;

/// <summary>
/// Field-level errors keyed by the camelCase JSON path of the field (e.g. <c>trades[0].level</c>), with messages
/// in Chinese for the clerk who typed the value. Messages never repeat the value itself (it may be personal data).
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public bool Has(string field) => _errors.ContainsKey(field);

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public override string ToString() => string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
}

/// <summary>Common checks on free text, dates and numbers shared by every input type.</summary>
public static class Check
{
    /// <summary>
    /// Trims and checks a text field: required or not, bounded length, and only characters a person can see and type:
    /// no control characters (newlines and tabs only where <paramref name="multiline"/>), no format characters (Unicode
    /// category Cf: zero-width spaces and joiners, bidirectional overrides, byte-order marks), no private-use or
    /// unassigned code points, no broken surrogates, no invisible fillers (ㅤ U+3164 and its kin), and something visible
    /// in it. Every text field of every input passes here, so a new field gets the same hygiene. Returns the trimmed
    /// value, or null when empty or invalid.
    /// </summary>
    public static string? Text(ValidationErrors errors, string field, string? value, int maxLength, bool required = false, bool multiline = false, int minLength = 1)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            if (required)
            {
                errors.Add(field, "必填");
            }
            return null;
        }
        if (trimmed.Length > maxLength)
        {
            errors.Add(field, $"长度不能超过{maxLength}个字符");
            return null;
        }
        if (TextHygiene.Problem(trimmed, multiline) is { } problem)
        {
            errors.Add(field, problem);
            return null;
        }
        if (trimmed.Length < minLength)
        {
            errors.Add(field, $"长度不能少于{minLength}个字符");
            return null;
        }
        return trimmed;
    }

    /// <summary>A required value (e.g. a date or number) was not supplied.</summary>
    public static T? Required<T>(ValidationErrors errors, string field, T? value) where T : struct
    {
        if (value is null)
        {
            errors.Add(field, "必填");
        }
        return value;
    }

    public static int? Range(ValidationErrors errors, string field, int? value, int min, int max, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, "必填");
            }
            return null;
        }
        if (value < min || value > max)
        {
            errors.Add(field, $"应在{min}至{max}之间");
            return null;
        }
        return value;
    }

    /// <summary>A bounded list; null counts as empty.</summary>
    public static IReadOnlyList<T> List<T>(ValidationErrors errors, string field, IReadOnlyList<T>? values, int max, bool required = false)
    {
        if (values is null || values.Count == 0)
        {
            if (required)
            {
                errors.Add(field, "至少填写一项");
            }
            return [];
        }
        if (values.Count > max)
        {
            errors.Add(field, $"最多{max}项");
            return [];
        }
        return values;
    }

    /// <summary>Each code must exist in a catalogue and appear once.</summary>
    public static IReadOnlyList<string> Codes(ValidationErrors errors, string field, IReadOnlyList<string?>? values, int max, Func<string, bool> exists, string unknownMessage, bool required = false)
    {
        var list = List(errors, field, values, max, required);
        var result = new List<string>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var code = list[i]?.Trim();
            if (string.IsNullOrEmpty(code) || !exists(code))
            {
                errors.Add($"{field}[{i}]", unknownMessage);
            }
            else if (result.Contains(code))
            {
                errors.Add($"{field}[{i}]", "重复");
            }
            else
            {
                result.Add(code);
            }
        }
        return result;
    }
}

/// <summary>Which characters free text may hold; the reason in Chinese when it holds others.</summary>
public static class TextHygiene
{
    /// <summary>Letters that render as nothing: Hangul fillers, the Braille blank, the Mongolian vowel separator.</summary>
    private static readonly int[] InvisibleFillers = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E];

    /// <summary>Null when every character may be kept; otherwise why not (never quoting the text: it may be personal data).</summary>
    public static string? Problem(string text, bool multiline)
    {
        var visible = false;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return "包含无效的字符编码（不成对的代理项）";
            }
            i += used;
            var category = Rune.GetUnicodeCategory(rune);
            switch (category)
            {
                case UnicodeCategory.Control when multiline && rune.Value is '\n' or '\r' or '\t':
                    continue;
                case UnicodeCategory.Control:
                    return multiline ? "不能包含控制字符（换行、制表符除外）" : "不能包含控制字符或换行";
                case UnicodeCategory.Format:
                    return "不能包含不可见的格式字符（如零宽字符、双向文字控制符）";
                case UnicodeCategory.PrivateUse:
                    return "不能包含私用区字符";
                case UnicodeCategory.OtherNotAssigned:
                    return "不能包含未分配的字符";
                case UnicodeCategory.Surrogate:
                    return "包含无效的字符编码（不成对的代理项）";
                case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return multiline ? "请用普通换行，不能使用 Unicode 行/段分隔符" : "不能包含换行";
            }
            if (Array.IndexOf(InvisibleFillers, rune.Value) >= 0)
            {
                return "不能包含不可见的填充字符（如 U+3164）";
            }
            visible |= category is not (UnicodeCategory.SpaceSeparator or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.Control);
        }
        return visible ? null : "不能只包含空白或不可见字符";
    }
}
