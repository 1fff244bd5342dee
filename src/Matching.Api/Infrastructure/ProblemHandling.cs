using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Matching.Api.Infrastructure;

/// <summary>
/// Every error is problem details. Bad JSON and unbindable parameters become 400 with a Chinese explanation; any
/// other exception becomes 500 without internals. Messages never echo request values (they may be personal data).
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "请求内容不是有效的 JSON，或字段类型不对", DescribeJsonPath(json)),
            BadHttpRequestException { StatusCode: 413 } =>
                (413, "请求内容过大", null),
            BadHttpRequestException bad =>
                (bad.StatusCode, "请求参数有误", SafeBindingMessage(bad)),
            _ => (500, "服务器内部错误，请稍后重试；如持续出现请联系管理员", null),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string? DescribeJsonPath(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"出错位置：{path}" : null;

    // Says which parameter, never its value: ASP.NET's message quotes the value, which may be personal data.
    private static string SafeBindingMessage(BadHttpRequestException bad)
    {
        var match = ParameterName().Match(bad.Message);
        var name = match.Success ? match.Groups["name"].Value : null;
        if (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal))
        {
            return name is null ? "缺少必需的参数或请求体" : $"缺少必需的参数：{name}";
        }
        return name is null ? "参数格式不对" : $"参数 {name} 的格式不对";
    }

    [GeneratedRegex("parameter \"[^\" ]+ (?<name>[A-Za-z0-9_]+)\"")]
    private static partial Regex ParameterName();
}

/// <summary>Refuses bodies over the limit before they are read (Kestrel enforces it too, for chunked bodies).</summary>
public sealed class RequestSizeLimit(RequestDelegate next, long maxBytes)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 413, Title = "请求内容过大", Detail = $"请求体不能超过 {maxBytes / 1024} KB" },
            });
            return;
        }
        await next(context);
    }
}
