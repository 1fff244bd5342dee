using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Matching.Api.Infrastructure;

/// <summary>Row versions travel as ETags; If-Match on PUT/DELETE prevents overwriting someone else's change.</summary>
public static class Versioning
{
    public static string ETag(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void SetETag(HttpContext context, int version) => context.Response.Headers.ETag = ETag(version);

    /// <summary>The version named by If-Match, null when absent or "*". False when the header is not a version ETag.</summary>
    public static bool TryReadIfMatch(HttpRequest request, out int? version)
    {
        version = null;
        var header = request.Headers[HeaderNames.IfMatch].ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return true;
        }
        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        if (int.TryParse(value.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }
        return false;
    }
}
