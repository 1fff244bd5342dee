using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Matching.Api.Web;

/// <summary>
/// A posted form read as the API's input types want it: text trimmed to null when empty, numbers and dates parsed or
/// left null (the domain rules then say "必填" or what is wrong, next to the field).
/// </summary>
public sealed class FormData(IFormCollection? form)
{
    public string? Text(string name) => form?[name] is { Count: > 0 } v && !string.IsNullOrWhiteSpace(v[0]) ? v[0]!.Trim() : null;

    /// <summary>Every value posted under the name (checkbox groups, repeated rows), blanks dropped.</summary>
    public IReadOnlyList<string> All(string name) => (form?[name] ?? StringValues.Empty)
        .Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToList();

    /// <summary>The values of a repeated field in posted order, blanks kept (rows of a table keep their positions).</summary>
    public IReadOnlyList<string?> Rows(string name) => (form?[name] ?? StringValues.Empty)
        .Select(v => string.IsNullOrWhiteSpace(v) ? null : v.Trim()).ToList();

    /// <summary>A whole number; <paramref name="invalid"/> is set when something was typed that is not one.</summary>
    public int? WholeNumber(string name, ICollection<string>? invalid = null) => Parse(name, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, invalid);

    public long? Identifier(string name) => Parse(name, s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null, null);

    public double? Fraction(string name, ICollection<string>? invalid = null) =>
        Parse(name, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : (double?)null, invalid);

    public DateOnly? Date(string name, ICollection<string>? invalid = null) =>
        Parse(name, s => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var v) ? v : (DateOnly?)null, invalid);

    /// <summary>A checkbox: true when posted with any value.</summary>
    public bool Checked(string name) => Text(name) is not null;

    /// <summary>A yes/no choice posted as "true" / "false"; null when neither.</summary>
    public bool? YesNo(string name) => Text(name) switch { "true" => true, "false" => false, _ => null };

    private T? Parse<T>(string name, Func<string, T?> parse, ICollection<string>? invalid) where T : struct
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }
        var value = parse(text);
        if (value is null)
        {
            invalid?.Add(name);
        }
        return value;
    }
}
