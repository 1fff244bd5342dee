using System.Net.Http.Headers;
using System.Net.Http.Json;
using Matching.Data.Access;
using Matching.Scheduling.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Dispatch;

/// <summary>
/// The whole service over HTTP on a <see cref="TestWorld"/>'s database and fake clock (the scheduler left off, so
/// only requests change data), with tokens for users of any role and scope.
/// </summary>
public sealed class DispatchApi : WebApplicationFactory<Program>
{
    public DispatchApi(TestWorld world) => World = world;

    public TestWorld World { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Matching:DataDirectory", World.Folder);
        builder.UseSetting("Matching:DemoWorkers", "0");
        builder.UseSetting("Matching:WarmUp", "false");
        builder.UseSetting("Matching:Scheduling:Enabled", "false");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(World.Time));
    }

    /// <summary>A client carrying a token of a user with this role and scope (created in the users table).</summary>
    public async Task<HttpClient> ClientAsync(string role, params string[] scopes)
    {
        var users = new UserStore(World.Database, World.Time);
        var user = await users.EnsureAsync(new UserDraft($"{role}:{string.Join(',', scopes)}", role, scopes, Active: true));
        var auth = new AuthOptions();
        var token = Tokens.Issue(user, auth, Tokens.SigningKey(auth, World.Folder), World.Time.GetUtcNow(), TimeSpan.FromHours(1));
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public static class Json
{
    public static async Task<System.Text.Json.JsonElement> ReadAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
}
