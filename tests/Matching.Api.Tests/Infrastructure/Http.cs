using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>Requests and the checks a client makes on answers: status, media type, problem details, ETags.</summary>
public static class Http
{
    public static StringContent Json(JsonNode body) => Json(body.ToJsonString());

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, JsonNode body) =>
        client.PostAsync(path, Json(body));

    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string path, JsonNode body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = Json(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string path, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    /// <summary>Asserts the status and a JSON body, and returns the body.</summary>
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonArray> ReadArrayAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200 but got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    public static async Task<JsonArray> GetArrayAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await response.ReadArrayAsync();
    }

    public static async Task<JsonObject> GetObjectAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await response.ReadObjectAsync(HttpStatusCode.OK);
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, <c>application/problem+json</c>, and a title and status in the body.
    /// Returns the problem for further checks.
    /// </summary>
    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)expected, problem["status"]?.GetValue<int>());
        var title = problem["title"]?.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(title), $"problem without a title: {text}");
        Assert.True(HasChinese(title!), $"problem title is not Chinese: {title}");
        return problem;
    }

    /// <summary>Asserts a 400 naming <paramref name="field"/> in <c>errors</c> with a Chinese message; returns the messages.</summary>
    public static async Task<IReadOnlyList<string>> ReadFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"expected an error for '{field}' in {problem.ToJsonString()}");
        var messages = errors[field]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.True(HasChinese(m), $"message for '{field}' is not Chinese: {m}"));
        return messages;
    }

    public static string ETagOf(HttpResponseMessage response)
    {
        var etag = response.Headers.ETag;
        Assert.True(etag is not null, $"no ETag on {(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}");
        return etag.ToString();
    }

    /// <summary>The total a list reports (the first page, one item).</summary>
    public static async Task<long> TotalAsync(this HttpClient client, string listPath)
    {
        var separator = listPath.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var page = await client.GetObjectAsync($"{listPath}{separator}pageSize=1");
        return page["total"]!.GetValue<long>();
    }

    public static long IdOf(JsonObject row) => row["id"]!.GetValue<long>();

    public static bool HasChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');
}
