using System.Text;

namespace Matching.Api.Web;

/// <summary>Finds a field's messages among the API's field errors (keys are camelCase JSON paths such as <c>trades[0].level</c>).</summary>
public static class FieldErrors
{
    public static string? Of(IDictionary<string, string[]>? errors, string key, bool includeItems = false)
    {
        if (errors is null || errors.Count == 0)
        {
            return null;
        }
        var messages = errors.Where(e => e.Key == key || (includeItems && e.Key.StartsWith(key + "[", StringComparison.Ordinal)))
            .SelectMany(e => e.Value).Distinct().ToList();
        return messages.Count == 0 ? null : string.Join("；", messages);
    }

    /// <summary>An element id from a field name (letters, digits and dashes).</summary>
    public static string IdOf(string name)
    {
        var id = new StringBuilder("f-");
        foreach (var c in name)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }
        return id.ToString();
    }

    public static string? DescribedBy(string id, bool hint, bool error)
    {
        var ids = new List<string>(2);
        if (error)
        {
            ids.Add(id + "-error");
        }
        if (hint)
        {
            ids.Add(id + "-hint");
        }
        return ids.Count == 0 ? null : string.Join(' ', ids);
    }
}
