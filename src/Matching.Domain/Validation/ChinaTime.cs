namespace Matching.Domain.Validation;

/// <summary>Dates in the product are Beijing dates (UTC+8, no daylight saving), whatever the server's time zone.</summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(Offset).DateTime);

    /// <summary>A moment as people in Guizhou read it: 2026-06-15 14:05 (Beijing time); empty when null.</summary>
    public static string Format(DateTimeOffset? moment) =>
        moment is { } m ? m.ToOffset(Offset).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>The Beijing date of an instant (e.g. the day a worker was registered).</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);
}
