using Microsoft.AspNetCore.Http.HttpResults;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Mvc;

namespace Matching.Api.Web;

/// <summary>
/// What an API handler answered, read by a page: the value, or the status with the problem's title, detail and
/// field errors (keyed by the API's camelCase paths, shown next to the fields).
/// </summary>
public sealed class ApiOutcome<T> : IApiOutcome where T : class
{
    internal ApiOutcome(T? value, int status, ProblemDetails? problem)
    {
        Value = value;
        Status = status;
        Title = problem?.Title;
        Detail = problem?.Detail;
        Errors = problem is HttpValidationProblemDetails validation ? validation.Errors : new Dictionary<string, string[]>();
    }

    public T? Value { get; }

    public int Status { get; }

    public bool IsOk => Status is >= 200 and < 300;

    public string? Title { get; }

    public string? Detail { get; }

    public IDictionary<string, string[]> Errors { get; }

    /// <summary>The problem as one line for a message box: title, then detail.</summary>
    public string Message => string.Join("：", new[] { Title, Detail }.Where(s => !string.IsNullOrEmpty(s)));

}

/// <summary>An outcome whatever its value type, for the components that show refusals.</summary>
public interface IApiOutcome
{
    int Status { get; }

    bool IsOk { get; }

    string? Title { get; }

    string Message { get; }

    IDictionary<string, string[]> Errors { get; }
}

/// <summary>Reading handler results.</summary>
public static class Api
{
    public static ApiOutcome<T> Read<T>(IResult result) where T : class
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;
        return result switch
        {
            ProblemHttpResult problem => new ApiOutcome<T>(null, status, problem.ProblemDetails),
            ValidationProblem validation => new ApiOutcome<T>(null, status, validation.ProblemDetails),
            IValueHttpResult { Value: T value } => new ApiOutcome<T>(value, status, null),
            _ => new ApiOutcome<T>(null, status, null),
        };
    }

    /// <summary>A refusal made by the page itself before calling a handler (e.g. a number that is not a number), shown like the API's.</summary>
    public static ApiOutcome<T> Invalid<T>(ValidationErrors errors) where T : class =>
        Read<T>(Infrastructure.ApiResults.Invalid(errors));
}
