using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matching.Data.Access;
using Matching.Domain.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Access;

/// <summary>Missing, forged, expired and orphaned tokens are refused with 401 problem details that say why.</summary>
public sealed class TokenTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    private async Task<(HttpStatusCode Status, string? Detail)> GetAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/catalogues");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, problem.TryGetProperty("detail", out var d) ? d.GetString() : null);
    }

    [Fact]
    public async Task A_valid_token_passes() =>
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(world.Client(Roles.Admin))).Status);

    [Fact]
    public async Task An_expired_token_is_401_saying_it_expired()
    {
        var token = world.Token(world.UserNameOf(Roles.Admin), Roles.Admin, world.Now.AddHours(-3), TimeSpan.FromHours(1));
        var (status, detail) = await GetAsync(world.ClientWithToken(token));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("过期", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var forged = world.Token(world.UserNameOf(Roles.Admin), Roles.Admin, world.Now, TimeSpan.FromHours(1), key: Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(world.ClientWithToken(forged))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(world.ClientWithToken("not.a.jwt"))).Status);
    }

    [Fact]
    public async Task A_token_naming_no_stored_user_is_401_and_the_role_in_the_token_grants_nothing()
    {
        var token = world.Token("nobody", Roles.Admin, world.Now, TimeSpan.FromHours(1));
        var (status, detail) = await GetAsync(world.ClientWithToken(token));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("用户不存在或已停用", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deactivated_user_is_refused()
    {
        var users = world.Services.GetRequiredService<UserStore>();
        var user = await users.EnsureAsync(new UserDraft("to-deactivate", Roles.Admin, [], true));
        await users.UpdateAsync(user.Id, new UserDraft("to-deactivate", Roles.Admin, [], false), null);
        var token = world.Token("to-deactivate", Roles.Admin, world.Now, TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(world.ClientWithToken(token))).Status);
    }

    [Fact]
    public async Task The_role_comes_from_the_users_table_not_from_the_token()
    {
        // A county-office user whose token claims "admin" still cannot read the audit log.
        var token = world.Token(world.UserNameOf(Roles.CountyOffice), Roles.Admin, world.Now, TimeSpan.FromHours(1));
        var response = await world.ClientWithToken(token).GetAsync("/api/audit");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
