using System.Text.Json;
using Matching.Data.Storage;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Matching.Api.Infrastructure;

/// <summary>
/// Every error is problem details. Bad JSON and unbindable parameters become 400 with a Chinese explanation; any
/// other exception becomes 500 without internals. Messages never echo request values (they may be personal data).
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, Database database, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, field) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "请求内容不是有效的 JSON，或字段类型不对", DescribeJsonPath(json), FieldOf(json)),
            BadHttpRequestException { StatusCode: 413 } =>
                (413, "请求内容过大", null, null),
            BadHttpRequestException bad =>
                (bad.StatusCode, "请求参数有误", SafeBindingMessage(bad), BoundParameter(bad)),
            // The last line behind the stores' own reference checks: a constraint is a conflict, never a 500.
            _ when database.Dialect.IsForeignKeyViolation(exception) =>
                (409, "该记录仍被其他记录引用，或引用了不存在的记录，操作未执行", (string?)null, (string?)null),
            _ => (500, "服务器内部错误，请稍后重试；如持续出现请联系管理员", null, null),
        };
        if (status == 409)
        {
            logger.LogWarning("Foreign-key constraint refused {Method} {Path}; a reference check is missing before it", httpContext.Request.Method, httpContext.Request.Path);
        }
        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        httpContext.Response.StatusCode = status;
        // A field that could not be read is a field error like any other, keyed by its camelCase path.
        var problem = field is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [FieldMessage(exception)] });
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
    }

    private static string DescribeJsonPath(JsonException json) =>
        json.Path is { Length: > 1 } path ? $"出错位置：{path}" : "请求体不是有效的 JSON 对象";

    /// <summary>
    /// <c>$.trades[0].level</c> → <c>trades[0].level</c>, each name camelCase (a duplicate sent as <c>RealName</c> is
    /// reported as <c>realName</c>); null when the body as a whole is wrong.
    /// </summary>
    private static string? FieldOf(JsonException json) =>
        json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            ? string.Join('.', path[2..].Split('.').Select(name => name.Length > 0 ? CamelCase(name) : name))
            : null;

    private static string FieldMessage(Exception exception) => exception.InnerException switch
    {
        JsonException json when json.Message.StartsWith("Duplicate property", StringComparison.Ordinal) => "字段重复出现（字段名不区分大小写），每个字段只能填写一次",
        JsonException => "值的类型或格式不对（数字须为 JSON 数字，不能加引号），或不是本接口接受的字段",
        _ => "格式不对",
    };

    /// <summary>The query or route parameter that could not be bound, camelCase; null for the request body.</summary>
    private static string? BoundParameter(BadHttpRequestException bad)
    {
        var match = ParameterName().Match(bad.Message);
        if (!match.Success || IsAboutBody(bad))
        {
            return null;
        }
        return CamelCase(match.Groups["name"].Value);
    }

    // Matches ASP.NET's fixed wording before the quoted value, so a value cannot make a query parameter look like the body.
    private static bool IsAboutBody(BadHttpRequestException bad) =>
        bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
        || bad.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal)
        || (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) && bad.Message.EndsWith("from body.", StringComparison.Ordinal));

    // Query parameters bind from record properties (PascalCase); clients send and see them camelCase.
    private static string CamelCase(string name) => string.Concat(char.ToLowerInvariant(name[0]).ToString(), name[1..]);

    // Says which parameter, never its value: ASP.NET's message quotes the value, which may be personal data.
    private static string SafeBindingMessage(BadHttpRequestException bad)
    {
        if (IsAboutBody(bad))
        {
            return "请求体为空或无法读取，请提交 JSON 对象";
        }
        var match = ParameterName().Match(bad.Message);
        var name = match.Success ? CamelCase(match.Groups["name"].Value) : null;
        if (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal))
        {
            return name is null ? "缺少必需的参数或请求体" : $"缺少必需的参数：{name}";
        }
        return name is null ? "参数格式不对" : $"参数 {name} 的格式不对";
    }

    [GeneratedRegex("parameter \"[^\" ]+ (?<name>[A-Za-z0-9_]+)\"")]
    private static partial Regex ParameterName();
}

/// <summary>
/// Chinese titles for refusals the framework writes itself (unknown address, wrong method or media type, a chunked
/// body over the limit), which otherwise carry the English reason phrase.
/// </summary>
public static class ProblemTitles
{
    private static readonly Dictionary<int, string> Chinese = new()
    {
        [StatusCodes.Status400BadRequest] = "请求有误",
        [StatusCodes.Status404NotFound] = "请求的地址不存在",
        [StatusCodes.Status405MethodNotAllowed] = "该地址不支持此请求方法",
        [StatusCodes.Status406NotAcceptable] = "无法提供所要求的响应格式",
        [StatusCodes.Status413PayloadTooLarge] = "请求内容过大",
        [StatusCodes.Status415UnsupportedMediaType] = "不支持的请求内容类型，请使用 application/json",
        [StatusCodes.Status500InternalServerError] = "服务器内部错误，请稍后重试；如持续出现请联系管理员",
    };

    /// <summary>Replaces an English-only title; titles the handlers chose are kept.</summary>
    public static void Localize(ProblemDetails problem)
    {
        if (problem.Status is { } status && Chinese.TryGetValue(status, out var title) && (problem.Title ?? "").All(char.IsAscii))
        {
            problem.Title = title;
        }
    }
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
