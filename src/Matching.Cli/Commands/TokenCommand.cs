using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Microsoft.Extensions.Configuration;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>token --role R [--scope S] [--name N] [--hours H]</c>: issues a token for the embedded default. The user is
/// created with that role and scope if missing (users live in the database); only the token is printed, so
/// <c>TOKEN=$(… token …)</c> works.
/// </summary>
public static class TokenCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var role = context.Value("role") ?? throw new CliException($"请用 --role 指定角色: {string.Join(", ", Roles.All)}");
        var scopes = (context.Value("scope") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hours = context.Number("hours", 8);
        var name = context.Value("name") ?? (scopes.Length == 0 ? role : $"{role}:{string.Join(',', scopes)}");

        using var environment = DataEnvironment.Open(context.Options, context.Time);
        if (Caller.Resolve(0, name, role, scopes, environment.Catalogue, out var error) is null)
        {
            throw new CliException(error!);
        }
        var users = new UserStore(environment.Database, context.Time);
        var user = await users.EnsureAsync(new UserDraft(name, role, scopes, Active: true));
        if (user.Role != role || !user.Scopes.SequenceEqual(scopes))
        {
            throw new CliException($"用户 {name} 已存在，角色或范围不同（{user.Role} {string.Join(',', user.Scopes)}）；请用 --name 指定另一个用户名");
        }
        if (!user.Active)
        {
            throw new CliException($"用户 {name} 已停用");
        }
        var auth = context.Configuration.GetSection("Matching:Auth").Get<AuthOptions>() ?? new AuthOptions();
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            throw new CliException("已配置外部身份提供方 (Matching:Auth:Authority)，请从该身份提供方获取令牌");
        }
        var key = Tokens.SigningKey(auth, context.Options.FullDataDirectory);
        await context.Out.WriteLineAsync(Tokens.Issue(user, auth, key, context.Time.GetUtcNow(), TimeSpan.FromHours(hours)));
        return 0;
    }
}
