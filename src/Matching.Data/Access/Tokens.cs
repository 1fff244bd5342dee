using System.Security.Claims;
using Matching.Data.Privacy;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matching.Data.Access;

/// <summary>
/// JWT settings (<c>Matching:Auth</c>). A real identity provider is plugged in with <see cref="Authority"/>; on the
/// embedded default the service and the <c>token</c> command share a signing key generated into the data folder.
/// </summary>
public sealed class AuthOptions
{
    public string Issuer { get; set; } = "matching-embedded";
    public string Audience { get; set; } = "matching-api";

    /// <summary>Base64 of an HMAC-SHA256 signing key (≥ 32 bytes); generated into keys/jwt.key when empty and no authority.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect authority of an external identity provider; when set, its keys validate tokens.</summary>
    public string? Authority { get; set; }

    /// <summary>Requests per minute per caller before 429.</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Wrong passwords in a row before the account locks (账号锁定).</summary>
    public int MaxFailedSignIns { get; set; } = Matching.Domain.Access.Lockout.MaxFailures;

    /// <summary>How long a locked account stays locked.</summary>
    public int LockoutMinutes { get; set; } = (int)Matching.Domain.Access.Lockout.Duration.TotalMinutes;

    /// <summary>Hours a web session lasts without use (sliding), and the default lifetime of a token from the token endpoint.</summary>
    public int SessionHours { get; set; } = 8;
}

/// <summary>Issues and describes the tokens of the embedded default.</summary>
public static class Tokens
{
    public const string KeyFileName = "jwt.key";

    /// <summary>The configured signing key, else the one in keys/jwt.key (generated once, owner-only).</summary>
    public static SymmetricSecurityKey SigningKey(AuthOptions options, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            var configured = Convert.FromBase64String(options.SigningKey.Trim());
            return configured.Length >= 32
                ? new SymmetricSecurityKey(configured)
                : throw new InvalidOperationException("Matching:Auth:SigningKey 应为至少32字节密钥的 base64");
        }
        return new SymmetricSecurityKey(DataKeys.LoadOrCreate(dataDirectory, KeyFileName));
    }

    /// <summary>A signed token naming the user; role and scope are read from the database on each request.</summary>
    public static string Issue(User user, AuthOptions options, SecurityKey key, DateTimeOffset now, TimeSpan lifetime) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", user.Name), new Claim("role", user.Role)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
}
