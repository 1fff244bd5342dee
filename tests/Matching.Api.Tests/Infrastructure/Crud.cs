using System.Net;
using System.Text.Json.Nodes;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>
/// The life of one record as a client sees it: create (201, Location, ETag), read back, replace with If-Match,
/// refusal of a stale or malformed If-Match, delete (204) and 404 afterwards.
/// </summary>
public static class Crud
{
    public sealed record Trip(JsonObject Created, JsonObject Updated);

    public static async Task<Trip> RoundTripAsync(HttpClient client, string collection, JsonObject createBody, JsonObject updateBody)
    {
        using var post = await client.PostAsync(collection, createBody);
        var created = await post.ReadObjectAsync(HttpStatusCode.Created);
        var id = Http.IdOf(created);
        var path = $"{collection}/{id}";
        Assert.Equal(path, post.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", Http.ETagOf(post));
        Assert.Equal(1, created["version"]!.GetValue<int>());

        using (var get = await client.GetAsync(post.Headers.Location))
        {
            var read = await get.ReadObjectAsync(HttpStatusCode.OK);
            Assert.Equal("\"1\"", Http.ETagOf(get));
            AssertSame(created, read);
        }

        using var put = await client.PutAsync(path, updateBody, "\"1\"");
        var updated = await put.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("\"2\"", Http.ETagOf(put));
        Assert.Equal(2, updated["version"]!.GetValue<int>());
        Assert.Equal(id, Http.IdOf(updated));

        // A client still holding version 1 is told the current version instead of overwriting version 2.
        using (var stale = await client.PutAsync(path, createBody, "\"1\""))
        {
            Assert.Equal(2, (await stale.ReadProblemAsync(HttpStatusCode.PreconditionFailed))["currentVersion"]!.GetValue<int>());
        }
        using (var malformed = await client.PutAsync(path, createBody, "one"))
        {
            await malformed.ReadFieldErrorAsync("If-Match");
        }
        using (var get = await client.GetAsync(path))
        {
            Assert.Equal("\"2\"", Http.ETagOf(get));
            AssertSame(updated, await get.ReadObjectAsync(HttpStatusCode.OK));
        }

        await DeleteAsync(client, path, currentVersion: 2);
        return new Trip(created, updated);
    }

    /// <summary>Refuses a stale and a malformed If-Match, then deletes: 204, and 404 for a read or a second delete.</summary>
    public static async Task DeleteAsync(HttpClient client, string path, int currentVersion)
    {
        using (var stale = await client.DeleteAsync(path, $"\"{currentVersion + 5}\""))
        {
            Assert.Equal(currentVersion, (await stale.ReadProblemAsync(HttpStatusCode.PreconditionFailed))["currentVersion"]!.GetValue<int>());
        }
        using (var malformed = await client.DeleteAsync(path, "\"v2\""))
        {
            await malformed.ReadFieldErrorAsync("If-Match");
        }
        await client.GetObjectAsync(path);

        using (var delete = await client.DeleteAsync(path, $"\"{currentVersion}\""))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        using (var get = await client.GetAsync(path))
        {
            await get.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        using (var again = await client.DeleteAsync(path, ifMatch: null))
        {
            await again.ReadProblemAsync(HttpStatusCode.NotFound);
        }
    }

    public static void AssertSame(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n but got {actual.ToJsonString()}");

    public static IReadOnlyList<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}
