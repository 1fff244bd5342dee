namespace Matching.Api.Infrastructure;

/// <summary>
/// Headers every response carries: no MIME sniffing, no framing, no referrer, no caching of personal data, and a
/// content security policy (strict for JSON, permissive enough for the offline API reference page).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const int MaxQueryStringLength = 2048;

    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";
    private const string PagePolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    // The web application: its own scripts and styles only, nothing inline, forms post only to itself.
    private const string AppPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        var path = context.Request.Path;
        var isApi = path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health");
        headers.ContentSecurityPolicy = path.StartsWithSegments("/api-reference") ? PagePolicy : isApi ? ApiPolicy : AppPolicy;
        // Pages carry personal data like the API: never cached. The application's own scripts and styles may be.
        if (isApi)
        {
            headers.CacheControl = "no-store";
        }
        else if (path.StartsWithSegments("/lib"))
        {
            // Vendored libraries change only with a release of this service: a week in the browser's cache.
            headers.CacheControl = "public, max-age=604800";
        }
        else if (!IsStaticAsset(path))
        {
            // As the antiforgery of the pages' forms sets it (so it need not override it).
            headers.CacheControl = "no-cache, no-store";
            headers.Pragma = "no-cache";
        }
        if (context.Request.QueryString.Value?.Length > MaxQueryStringLength)
        {
            context.Response.StatusCode = StatusCodes.Status414UriTooLong;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 414, Title = "查询参数过长", Detail = $"查询字符串不能超过 {MaxQueryStringLength} 个字符" },
            });
            return;
        }
        await next(context);
    }

    private static bool IsStaticAsset(PathString path) =>
        path.StartsWithSegments("/lib") || path.StartsWithSegments("/css") || path.StartsWithSegments("/js") || path == "/favicon.svg" || path == "/favicon.ico";
}
