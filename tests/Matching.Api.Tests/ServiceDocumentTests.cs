using System.Net;
using System.Text.RegularExpressions;
using Matching.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests;

/// <summary>The OpenAPI document, the offline API reference page and the health endpoints.</summary>
public sealed partial class ServiceDocumentTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task The_openapi_document_is_version_3_1_and_lists_every_api_route_and_method()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");
        var document = await response.ReadObjectAsync(HttpStatusCode.OK);

        Assert.StartsWith("3.1.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Http.HasChinese(document["info"]!["title"]!.GetValue<string>()));
        var paths = document["paths"]!.AsObject();

        // Every route the running service answers under /api, with each of its methods.
        var mapped = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(m => (Path: Constraint().Replace(e.RoutePattern.RawText!.TrimEnd('/'), "}"), Method: m.ToLowerInvariant())))
            .ToList();
        Assert.True(mapped.Count >= 30, $"only {mapped.Count} routes found");
        foreach (var (path, method) in mapped)
        {
            Assert.True(paths.ContainsKey(path), $"{path} is not in the OpenAPI document");
            Assert.True(paths[path]!.AsObject().ContainsKey(method), $"{method.ToUpperInvariant()} {path} is not in the OpenAPI document");
        }

        // And the resources the README lists under /api are among them.
        foreach (var resource in new[] { "workers", "employers", "bases", "openings", "cohorts", "placements" })
        {
            Assert.Contains($"/api/{resource}", paths.Select(p => p.Key));
            Assert.Contains($"/api/{resource}/{{id}}", paths.Select(p => p.Key));
        }
        Assert.Contains("/api/workers/lookup", paths.Select(p => p.Key));
        Assert.Contains("/api/placements/{id}/follow-ups/{month}", paths.Select(p => p.Key));
        Assert.Contains("/api/catalogues/divisions", paths.Select(p => p.Key));
    }

    [Fact]
    public async Task The_api_reference_is_an_html_page_whose_scripts_are_served_by_the_service_itself()
    {
        // The root is the web application (its sign-in page when signed out); the API reference keeps its own address.
        using var redirect = await _client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/signin", redirect.Headers.Location!.IsAbsoluteUri ? redirect.Headers.Location.PathAndQuery : redirect.Headers.Location.OriginalString, StringComparison.Ordinal);

        var location = new Uri(_client.BaseAddress!, "/api-reference");
        using var page = await FollowAsync(location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>东西部劳务协作匹配引擎 API</title>", html, StringComparison.Ordinal);

        // Offline: every script is a relative address on this service, and it is there.
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var src in scripts)
        {
            Assert.DoesNotContain("//", src, StringComparison.Ordinal);
            using var script = await _client.GetAsync(new Uri(page.RequestMessage!.RequestUri!, src));
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_healthy(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void The_service_keeps_its_data_in_the_configured_folder()
    {
        Assert.True(File.Exists(api.DatabasePath), $"no database at {api.DatabasePath}");
        Assert.True(File.Exists(Path.Combine(api.DataDirectory, "keys", "data.key")));
    }

    private async Task<HttpResponseMessage> FollowAsync(Uri uri)
    {
        for (var hops = 0; hops < 5; hops++)
        {
            var response = await _client.GetAsync(uri);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect))
            {
                return response;
            }
            uri = new Uri(uri, response.Headers.Location!);
            response.Dispose();
        }
        throw new InvalidOperationException($"too many redirects from {uri}");
    }

    [GeneratedRegex(":[^}]+}")]
    private static partial Regex Constraint();

    [GeneratedRegex("<script[^>]*\\ssrc=\"(?<src>[^\"]+)\"")]
    private static partial Regex ScriptSource();
}
