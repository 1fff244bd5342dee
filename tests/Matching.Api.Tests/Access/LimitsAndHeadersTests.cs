using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matching.Domain.Access;

namespace Matching.Api.Tests.Access;

/// <summary>A service whose callers may make only a few requests a minute.</summary>
public sealed class RateLimitedFixture : AccessFixture
{
    public const int Limit = 5;

    protected override int RequestsPerMinute => Limit;
}

public sealed class RateLimitTests(RateLimitedFixture world) : IClassFixture<RateLimitedFixture>
{
    [Fact]
    public async Task A_caller_over_the_limit_gets_429_problem_details_with_retry_after_while_others_are_served()
    {
        // The prefecture office's user makes no request while the fixture is seeded, so its budget is whole.
        var client = world.Client(Roles.PrefectureOffice);
        for (var i = 0; i < RateLimitedFixture.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/catalogues/skill-levels")).StatusCode);
        }
        var refused = await client.GetAsync("/api/catalogues/skill-levels");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter is not null);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("频繁", problem.GetProperty("title").GetString(), StringComparison.Ordinal);

        // The limit is per caller: another user is still served.
        Assert.Equal(HttpStatusCode.OK, (await world.Client(Roles.RuralRevitalisation).GetAsync("/api/catalogues/skill-levels")).StatusCode);
    }
}

/// <summary>Security headers, query limits and the OpenAPI description of authorisation.</summary>
public sealed class LimitsAndHeadersTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    [Fact]
    public async Task Api_responses_carry_the_security_headers_and_are_not_cached()
    {
        var response = await world.Client(Roles.CountyOffice).GetAsync($"/api/workers/{world.WorkerA}");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absurdly_long_query_string_is_refused_with_414()
    {
        var response = await world.Client(Roles.CountyOffice).GetAsync("/api/workers?tradeId=" + new string('T', 3000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_declares_bearer_authorisation_and_roles_on_every_api_operation()
    {
        var document = await world.Client(null).GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.Equal("http", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("type").GetString());
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                if (path.Name == "/api/auth/token")
                {
                    // The one route without a token: it is how a script gets one.
                    Assert.False(operation.Value.TryGetProperty("security", out _));
                    Assert.Contains("无需登录", operation.Value.GetProperty("description").GetString(), StringComparison.Ordinal);
                    continue;
                }
                Assert.True(operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0, $"{operation.Name} {path.Name} has no security");
                var roles = operation.Value.GetProperty("x-roles").EnumerateArray().Select(r => r.GetString()).ToList();
                Assert.NotEmpty(roles);
                Assert.All(roles, r => Assert.Contains(r, Roles.All));
                Assert.Contains("权限", operation.Value.GetProperty("description").GetString(), StringComparison.Ordinal);
            }
        }
        Assert.True(operations > 40, $"only {operations} operations");
    }
}
