using System.Security.Claims;
using Matching.Data.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Matching.Api.Access;

/// <summary>
/// The web application's session: a cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) naming the signed-in user
/// and the account's security stamp. On every request the caller's role and scope are read from the users table, as
/// for bearer tokens (cached briefly); a changed password, a deactivated account or a changed stamp ends the session.
/// <c>/api</c> never reads the cookie: scripts and other systems use bearer tokens, so a page cannot be made to call
/// the API on a signed-in clerk's behalf.
/// </summary>
public static class WebSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>The default scheme: bearer under /api or when a bearer token is sent, the session cookie elsewhere.</summary>
    public const string SelectorScheme = "matching";

    /// <summary>The authorization policy of every page of the web application.</summary>
    public const string Policy = "web";

    public const string CookieName = "matching.session";
    public const string StampClaim = "stamp";
    public const string SignInPath = "/signin";

    public static AuthenticationBuilder AddWebSession(this AuthenticationBuilder builder)
    {
        builder.AddPolicyScheme(SelectorScheme, "bearer or session", policy => policy.ForwardDefaultSelector = context =>
            context.Request.Path.StartsWithSegments("/api") || context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? JwtBearerDefaults.AuthenticationScheme
                : Scheme);
        builder.AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = SignInPath;
            cookie.LogoutPath = "/signout";
            cookie.AccessDeniedPath = "/denied";
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = ValidateAsync;
        });
        builder.Services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<AuthOptions, TimeProvider>((cookie, auth, time) =>
        {
            cookie.ExpireTimeSpan = TimeSpan.FromHours(auth.SessionHours);
            cookie.TimeProvider = time;
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>The principal a session carries: the user's name (as tokens' <c>sub</c>) and security stamp.</summary>
    public static ClaimsPrincipal Principal(User user) => new(new ClaimsIdentity(
        [new Claim("sub", user.Name), new Claim(StampClaim, user.SecurityStamp ?? "")], Scheme, "sub", "role"));

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.FindFirstValue("sub");
        var resolved = name is null ? default : await context.HttpContext.RequestServices.GetRequiredService<CallerResolver>().ResolveNameAsync(name);
        if (resolved.Caller is null || (resolved.SecurityStamp ?? "") != context.Principal!.FindFirstValue(StampClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        context.HttpContext.Items[AccessSetup.CallerItem] = resolved.Caller;
        // The role as stored now (not as at sign-in), for the pages' [Authorize(Roles = …)].
        var claims = context.Principal!.Claims.Where(c => c.Type != "role").Append(new Claim("role", resolved.Caller.Role));
        context.ReplacePrincipal(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, "sub", "role")));
    }
}
