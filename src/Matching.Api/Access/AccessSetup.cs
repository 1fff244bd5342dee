using System.Security.Claims;
using System.Threading.RateLimiting;
using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace Matching.Api.Access;

/// <summary>
/// Authentication (JWT bearer), the caller's role and scope from the users table, role policies, rate limiting.
/// </summary>
public static class AccessSetup
{
    public const string CallerItem = "matching.caller";

    public static void AddAccess(this WebApplicationBuilder builder, MatchingOptions options)
    {
        var auth = builder.Configuration.GetSection("Matching:Auth").Get<AuthOptions>() ?? new AuthOptions();
        builder.Services.AddSingleton(auth);
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<CallerResolver>();
        builder.Services.AddScoped(services => services.GetRequiredService<IHttpContextAccessor>().HttpContext?.Items[CallerItem] as Caller
            ?? throw new InvalidOperationException("endpoint takes a Caller but does not require authorisation"));

        builder.Services.AddSingleton<AccountService>();
        // Bearer tokens for /api (scripts, other systems); a cookie session for the web application (WebSession).
        builder.Services.AddAuthentication(WebSession.SelectorScheme).AddWebSession().AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                NameClaimType = "sub",
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            if (!string.IsNullOrWhiteSpace(auth.Authority))
            {
                jwt.Authority = auth.Authority;
            }
            else
            {
                jwt.TokenValidationParameters.IssuerSigningKey = Tokens.SigningKey(auth, options.FullDataDirectory);
            }
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = async context =>
                {
                    var resolver = context.HttpContext.RequestServices.GetRequiredService<CallerResolver>();
                    var (caller, error) = await resolver.ResolveAsync(context.Principal!);
                    if (caller is null)
                    {
                        context.Fail(error!);
                        return;
                    }
                    context.HttpContext.Items[CallerItem] = caller;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    var detail = context.AuthenticateFailure switch
                    {
                        SecurityTokenExpiredException => "令牌已过期，请重新获取",
                        null when string.IsNullOrEmpty(context.Request.Headers.Authorization) => "请求未携带令牌（Authorization: Bearer …）",
                        { Message: var message } when message.StartsWith("用户", StringComparison.Ordinal) => message,
                        _ => "令牌无效",
                    };
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context.HttpContext,
                        ProblemDetails = { Status = 401, Title = "未登录或令牌无效", Detail = detail },
                    });
                },
            };
        });
        // Token lifetimes are judged by the service's clock (TimeProvider), like every other date in the product.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TimeProvider>((jwt, time) =>
            jwt.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                if (expires is { } end && end.Add(parameters.ClockSkew) < now)
                {
                    throw new SecurityTokenExpiredException("令牌已过期") { Expires = end };
                }
                if (notBefore is { } start && start.Subtract(parameters.ClockSkew) > now)
                {
                    throw new SecurityTokenNotYetValidException("令牌尚未生效") { NotBefore = start };
                }
                return expires is not null;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IAuthorizationHandler, CallerRoleHandler>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(
                    context.User.FindFirstValue("sub") is { } user ? "user:" + user : "ip:" + context.Connection.RemoteIpAddress,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = auth.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "请求过于频繁，请稍后再试", Detail = $"每个用户每分钟最多 {auth.RequestsPerMinute} 次请求" },
                });
            };
        });
    }
}

/// <summary>Reads the token's user from the database (cached briefly), so a changed role or scope applies within a minute.</summary>
public sealed class CallerResolver(UserStore users, Catalogue catalogue, IMemoryCache cache)
{
    public async Task<(Caller? Caller, string? Error)> ResolveAsync(ClaimsPrincipal principal)
    {
        var name = principal.FindFirstValue("sub");
        if (string.IsNullOrEmpty(name))
        {
            return (null, "用户令牌缺少 sub");
        }
        var (caller, _, error) = await ResolveNameAsync(name);
        return (caller, error);
    }

    /// <summary>The caller of that user name with the account's security stamp (web sessions compare it), or why there is none.</summary>
    public async Task<(Caller? Caller, string? SecurityStamp, string? Error)> ResolveNameAsync(string name) =>
        await cache.GetOrCreateAsync(Key(name), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30);
            var user = await users.GetByNameAsync(name);
            if (user is null || !user.Active)
            {
                return (null, null, "用户不存在或已停用");
            }
            var caller = Caller.Resolve(user.Id, user.Name, user.Role, user.Scopes, catalogue, out var error);
            return caller is null ? (null, null, "用户的角色或范围无效：" + error)
                : (caller with { ManagesAccounts = user.ManagesAccounts }, user.SecurityStamp, (string?)null);
        });

    /// <summary>Drops the cached caller after a change to the account (password, role, scope, deactivation), so it applies at once.</summary>
    public void Forget(string name) => cache.Remove(Key(name));

    private static string Key(string name) => "caller:" + name;
}

/// <summary>Requires the caller's role (from the database) to be one of the endpoint's roles.</summary>
public sealed class CallerRoleRequirement(IReadOnlyList<string> roles) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

public sealed class CallerRoleHandler : AuthorizationHandler<CallerRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CallerRoleRequirement requirement)
    {
        if (context.Resource is HttpContext http && http.Items[AccessSetup.CallerItem] is Caller caller && requirement.Roles.Contains(caller.Role))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The roles an endpoint admits, kept as metadata so the OpenAPI document can state them.</summary>
public sealed record AllowedRoles(IReadOnlyList<string> Roles);

public static class RoleEndpointExtensions
{
    /// <summary>Function-level rule: only these roles reach the handler (others get 403; no token gets 401).</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AllowedRoles(roles));
        return builder.RequireAuthorization(policy => policy
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new CallerRoleRequirement(roles)));
    }

    /// <summary>
    /// Every role but training institutions (<see cref="Roles.AllButInstitutions"/>): what "everyone" reads. A route
    /// open to training institutions names them explicitly (<see cref="AllWithInstitutions"/> or its own list).
    /// </summary>
    public static readonly string[] AllButInstitutions = [.. Roles.AllButInstitutions];

    /// <summary>
    /// Every role, training institutions included: only for routes whose handler confines an institution to its own
    /// profile, cohorts and trainees (<see cref="Caller.LinkedInstitution"/>, <see cref="Caller.CanSeeCohort"/>).
    /// </summary>
    public static readonly string[] AllWithInstitutions = [.. Roles.All];
}
