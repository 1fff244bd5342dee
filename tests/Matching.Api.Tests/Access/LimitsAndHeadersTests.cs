using System.Net;
using System.Net.Http.Json;
using System.Text;
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
        var client = world.Client(Roles.CountyOffice);
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
        Assert.Equal(HttpStatusCode.OK, (await world.Client(Roles.Admin).GetAsync("/api/catalogues/skill-levels")).StatusCode);
    }
}

/// <summary>Security headers, query limits, the OpenAPI description of authorisation, and no personal data in logs.</summary>
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
                Assert.True(operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0, $"{operation.Name} {path.Name} has no security");
                var roles = operation.Value.GetProperty("x-roles").EnumerateArray().Select(r => r.GetString()).ToList();
                Assert.NotEmpty(roles);
                Assert.All(roles, r => Assert.Contains(r, Roles.All));
                Assert.Contains("权限", operation.Value.GetProperty("description").GetString(), StringComparison.Ordinal);
            }
        }
        Assert.True(operations > 40, $"only {operations} operations");
    }

    [Fact]
    public async Task Bad_input_carrying_an_id_number_and_a_phone_never_puts_them_in_logs_or_error_messages()
    {
        var client = world.Client(Roles.CountyOffice);
        var id = world.IdNumberA;
        var phone = world.PhoneA;
        var bodies = new[]
        {
            // Duplicate registration (409), wrong gender for the ID, unknown county, unknown field, wrong types, broken JSON.
            $$"""{"realName":"王小明","idNumber":"{{id}}","phone":"{{phone}}","countyCode":"520502","education":"junior","trades":[{"tradeId":"T001","level":1}],"expectedMonthlyWage":4500,"availableFrom":"2026-12-01"}""",
            $$"""{"realName":"王小明","idNumber":"{{id}}","gender":"female","phone":"{{phone}}","countyCode":"520502"}""",
            $$"""{"realName":"王小明","idNumber":"{{id[..17]}}0","phone":"{{phone}}","countyCode":"999999"}""",
            $$"""{"realName":"王小明","idNumber":"{{id}}","phone":"{{phone}}","shoeSize":42}""",
            $$"""{"realName":"王小明","idNumber":{{phone}},"phone":["{{id}}"]}""",
            $$"""{"realName":"王小明","idNumber":"{{id}}","phone":"{{phone}}" """,
        };
        var answers = new StringBuilder();
        foreach (var body in bodies)
        {
            var response = await client.PostAsync("/api/workers", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True((int)response.StatusCode is 400 or 409, $"{response.StatusCode} for {body.Length}-char body");
            answers.AppendLine(await response.Content.ReadAsStringAsync());
        }
        var lookup = await client.PostAsJsonAsync("/api/workers/lookup", new { idNumber = id[..17] + "9" });
        answers.AppendLine(await lookup.Content.ReadAsStringAsync());
        var lookupBadJson = await client.PostAsync("/api/workers/lookup", new StringContent($$"""{"idNumber": {{id[..17]}} }""", Encoding.UTF8, "application/json"));
        answers.AppendLine(await lookupBadJson.Content.ReadAsStringAsync());

        var logs = string.Join("\n", world.Logs.Entries);
        Assert.NotEmpty(world.Logs.Entries);
        foreach (var secret in new[] { id, id[..17], phone })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, answers.ToString(), StringComparison.Ordinal);
        }
    }
}
