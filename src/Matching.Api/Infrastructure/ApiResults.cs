using Matching.Data.Storage;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Infrastructure;

/// <summary>Turns refusals into RFC 9457 problem details with Chinese titles.</summary>
public static class ApiResults
{
    public static ValidationProblem Invalid(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: "输入有误，请按提示修改", type: "https://tools.ietf.org/html/rfc9110#section-15.5.1");

    public static ValidationProblem Invalid(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return Invalid(errors);
    }

    public static ValidationProblem BadIfMatch() => Invalid("If-Match", "If-Match 应为本记录的 ETag，例如 \"3\"");

    /// <summary>The caller may see the object (or there is none) but may not do this to it.</summary>
    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "无权执行此操作", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: $"{what}不存在", statusCode: StatusCodes.Status404NotFound);

    /// <summary>A refused write: 404, 409 (naming the existing record), 412 (stale If-Match) or 400.</summary>
    public static ProblemHttpResult Refused(WriteResult result, string what) => result.Status switch
    {
        WriteStatus.NotFound => NotFound(what),
        WriteStatus.Conflict => TypedResults.Problem(
            title: result.Message,
            statusCode: StatusCodes.Status409Conflict,
            extensions: result.Id > 0 ? new Dictionary<string, object?> { ["existingId"] = result.Id } : null),
        WriteStatus.PreconditionFailed => TypedResults.Problem(
            title: result.Message,
            statusCode: StatusCodes.Status412PreconditionFailed,
            extensions: new Dictionary<string, object?> { ["currentVersion"] = result.Version }),
        WriteStatus.Invalid => TypedResults.Problem(new HttpValidationProblemDetails(
            new Dictionary<string, string[]> { [result.Field!] = [result.Message!] })
        {
            Title = "输入有误，请按提示修改",
            Status = StatusCodes.Status400BadRequest,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        }),
        _ => throw new InvalidOperationException($"not a refusal: {result.Status}"),
    };
}

/// <summary>After a write: read the row back and answer with it and its ETag, or with the refusal.</summary>
public static class WriteResponses
{
    public static async Task<Results<Ok<T>, ValidationProblem, ProblemHttpResult>> OkAsync<T>(
        WriteResult result, string what, Func<long, CancellationToken, Task<T?>> read, HttpContext context, CancellationToken cancellationToken)
        where T : class, IVersioned
    {
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, what);
        }
        var row = (await read(result.Id, cancellationToken))!;
        Versioning.SetETag(context, row.Version);
        return TypedResults.Ok(row);
    }

    public static async Task<Results<Created<T>, ValidationProblem, ProblemHttpResult>> CreatedAsync<T>(
        WriteResult result, string what, string location, Func<long, CancellationToken, Task<T?>> read, HttpContext context, CancellationToken cancellationToken)
        where T : class, IVersioned
    {
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, what);
        }
        var row = (await read(result.Id, cancellationToken))!;
        Versioning.SetETag(context, row.Version);
        return TypedResults.Created($"{location}/{result.Id}", row);
    }

    public static async Task<Results<Ok<T>, ProblemHttpResult>> GetAsync<T>(
        long id, string what, Func<long, CancellationToken, Task<T?>> read, HttpContext context, CancellationToken cancellationToken)
        where T : class, IVersioned
    {
        var row = await read(id, cancellationToken);
        if (row is null)
        {
            return ApiResults.NotFound(what);
        }
        Versioning.SetETag(context, row.Version);
        return TypedResults.Ok(row);
    }

    public static Results<NoContent, ValidationProblem, ProblemHttpResult> Deleted(WriteResult result, string what) =>
        result.Status == WriteStatus.Ok ? TypedResults.NoContent() : ApiResults.Refused(result, what);
}
