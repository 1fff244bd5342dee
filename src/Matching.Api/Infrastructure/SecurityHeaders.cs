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

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        var isPage = context.Request.Path.StartsWithSegments("/api-reference") || context.Request.Path == "/";
        headers.ContentSecurityPolicy = isPage ? PagePolicy : ApiPolicy;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            headers.CacheControl = "no-store";
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
}
