using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matching.Data.Storage;

/// <summary>
/// Multi-valued codes are stored as <c>|a|b|</c>, so that <c>column LIKE '%|a|%'</c> filters identically on every
/// engine; the pattern is built here and passed as a parameter, never concatenated into SQL.
/// </summary>
public static class Codes
{
    public static string Join(IEnumerable<string> codes)
    {
        var joined = string.Join('|', codes);
        return joined.Length == 0 ? "" : $"|{joined}|";
    }

    public static IReadOnlyList<string> Split(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split('|', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>For <c>LIKE @p ESCAPE '\'</c>: a code holding a LIKE wildcard matches only itself, not every row.</summary>
    public static string ContainsPattern(string code) => $"%|{Like.Escape(code)}|%";
}

/// <summary>JSON settings for columns holding structures (trades with levels, certificates).</summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidDataException("stored JSON column is null");
}

/// <summary>How a write ended, for the endpoint to turn into a status code.</summary>
public enum WriteStatus { Ok, NotFound, Conflict, PreconditionFailed, Invalid }

/// <summary>The outcome of a create, update or delete: the row's id and version, or why it was refused (in Chinese).</summary>
public readonly record struct WriteResult(WriteStatus Status, long Id = 0, int Version = 0, string? Message = null, string? Field = null)
{
    public static WriteResult Ok(long id, int version) => new(WriteStatus.Ok, id, version);
    public static readonly WriteResult NotFound = new(WriteStatus.NotFound);
    public static WriteResult Conflict(string message, long existingId = 0) => new(WriteStatus.Conflict, existingId, 0, message);
    public static WriteResult PreconditionFailed(int currentVersion) =>
        new(WriteStatus.PreconditionFailed, 0, currentVersion, "记录已被他人修改，请刷新后重试");
    /// <summary>A reference the domain rules could not check without the database (e.g. an unknown employer).</summary>
    public static WriteResult Invalid(string field, string message) => new(WriteStatus.Invalid, 0, 0, message, field);
}

/// <summary>A page of a list with its total.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary>Escapes user text for a LIKE pattern with <c>ESCAPE '\'</c>.</summary>
public static class Like
{
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);
}

/// <summary>A stored row with its id and optimistic-concurrency version (sent as its ETag).</summary>
public interface IVersioned
{
    long Id { get; }

    int Version { get; }
}
