using System.Globalization;
using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Auth;

/// <summary>A password sign-in for a script: the account's name and password, and the token's lifetime in hours (default the session length, at most 24).</summary>
public sealed record TokenRequest(string? UserName, string? Password, int? Hours);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt, string UserName, string Role);

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

/// <summary>
/// Bearer tokens for scripts from a name and password (<c>POST /api/auth/token</c>), on the embedded issuer; with an
/// external identity provider (<c>Matching:Auth:Authority</c>) tokens come from it instead. And the caller's own
/// password change.
/// </summary>
public static class AuthEndpoints
{
    public const int MaxTokenHours = 24;

    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).WithName("IssueToken")
            .WithSummary("用账号和密码获取访问令牌（Bearer；连续输错密码将锁定账号）").AllowAnonymous();
        group.MapPost("/password", ChangePassword).WithName("ChangeOwnPassword").WithSummary("修改本人密码")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions).Audited("auth.password", "user");
        return group;
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest request, AccountService accounts, AuthOptions auth, MatchingOptions options, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var name = Check.Text(errors, "userName", request.UserName, 100, required: true);
        if (string.IsNullOrEmpty(request.Password))
        {
            errors.Add("password", "必填");
        }
        else if (request.Password.Length > PasswordPolicy.MaxLength)
        {
            errors.Add("password", $"长度不能超过{PasswordPolicy.MaxLength}个字符");
        }
        var hours = Check.Range(errors, "hours", request.Hours ?? auth.SessionHours, 1, MaxTokenHours);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            return TypedResults.Problem(title: "本服务的令牌由外部身份提供方签发", detail: "请从 Matching:Auth:Authority 所配置的身份提供方获取令牌",
                statusCode: StatusCodes.Status404NotFound);
        }
        var result = await accounts.SignInAsync(name!, request.Password!, "auth.token", cancellationToken);
        if (result.Outcome != SignInOutcome.Success)
        {
            if (result.LockedUntil is { } until)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(title: result.Outcome == SignInOutcome.LockedOut ? "账号已锁定" : "登录失败", detail: result.Message,
                statusCode: StatusCodes.Status401Unauthorized);
        }
        var now = time.GetUtcNow();
        var lifetime = TimeSpan.FromHours(hours!.Value);
        var token = Tokens.Issue(result.User!, auth, Tokens.SigningKey(auth, options.FullDataDirectory), now, lifetime);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds, now + lifetime, result.User!.Name, result.User.Role));
    }

    public static async Task<Results<NoContent, ValidationProblem>> ChangePassword(
        PasswordChange change, Caller caller, AccountService accounts, CancellationToken cancellationToken)
    {
        var errors = await accounts.ChangeOwnPasswordAsync(caller, change.CurrentPassword, change.NewPassword, cancellationToken);
        return errors.IsValid ? TypedResults.NoContent() : ApiResults.Invalid(errors);
    }
}
