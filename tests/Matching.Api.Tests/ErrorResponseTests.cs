using System.Net;
using System.Text;
using Matching.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Matching.Api.Tests;

/// <summary>
/// Refusals that do not come from a handler — body too large, unknown address, wrong method or media type, a
/// server fault — are problem details with a Chinese title like every other error.
/// </summary>
public sealed class ErrorResponseTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const int OneMegabyte = 1024 * 1024;

    /// <summary>Registers workers (大方县).</summary>
    private readonly HttpClient _office = api.AsCountyOffice(Codes.DafangCounty);

    /// <summary>Registers employers.</summary>
    private readonly HttpClient _admin = api.AsAdmin();

    [Fact]
    public async Task A_body_over_one_megabyte_is_refused_with_413_and_nothing_is_written()
    {
        var total = await _office.TotalAsync("/api/workers");
        var body = Bodies.Worker();
        body["notes"] = new string('a', OneMegabyte);

        // As curl does for large bodies: wait for the server's go-ahead. The service refuses on the declared length
        // and closes the connection rather than read a megabyte it will not use, so a client already streaming the
        // body may meet a broken pipe before it reads the answer.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/workers") { Content = Http.Json(body) };
        request.Headers.ExpectContinue = true;

        using var response = await _office.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(total, await _office.TotalAsync("/api/workers"));
    }

    [Fact]
    public async Task A_chunked_body_over_one_megabyte_is_refused_with_413_too()
    {
        var total = await _admin.TotalAsync("/api/employers");
        var body = Bodies.Employer();
        body["address"] = new string('a', OneMegabyte);
        // No Content-Length: the size is only known while reading.
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToJsonString())));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/employers") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _admin.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(total, await _admin.TotalAsync("/api/employers"));
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_read_and_judged_on_its_content()
    {
        var body = Bodies.Worker();
        body["notes"] = new string('a', OneMegabyte - 2_000);

        using var response = await _office.PostAsync("/api/workers", body);

        await response.ReadFieldErrorAsync("notes");
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/workers/not-a-number", HttpStatusCode.NotFound)]
    [InlineData("PATCH", "/api/workers/1", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/api/catalogues/trades/T001", HttpStatusCode.MethodNotAllowed)]
    public async Task Unknown_addresses_and_methods_are_problems(string method, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await _office.SendAsync(request);

        await response.ReadProblemAsync(expected);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_415()
    {
        var total = await _admin.TotalAsync("/api/employers");

        using var response = await _admin.PostAsync("/api/employers", new StringContent(Bodies.Employer().ToJsonString(), Encoding.UTF8, "text/plain"));

        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(total, await _admin.TotalAsync("/api/employers"));
    }

    [Fact]
    public async Task A_server_fault_is_a_500_problem_that_tells_nothing_of_the_internals()
    {
        // A service of its own whose database has lost a table: every list of placements fails inside the server.
        var broken = new ApiFixture();
        await broken.InitializeAsync();
        try
        {
            await using (var connection = new SqliteConnection($"Data Source={broken.DatabasePath};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = "DROP TABLE placement_follow_ups";
                await drop.ExecuteNonQueryAsync();
            }
            using var client = broken.AsAdmin();

            using var response = await client.GetAsync("/api/placements");

            var problem = await response.ReadProblemAsync(HttpStatusCode.InternalServerError);
            var text = problem.ToJsonString();
            Assert.DoesNotContain("placement_follow_ups", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Sqlite", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
            Assert.Null(problem["exception"]);
            // Operators learn what failed; the client did not.
            Assert.Contains(broken.Logs.Entries, e => e.StartsWith("Error", StringComparison.Ordinal) && e.Contains("/api/placements", StringComparison.Ordinal)
                && e.Contains("placement_follow_ups", StringComparison.Ordinal));
            // The rest of the service still answers.
            await client.GetObjectAsync("/api/workers");
        }
        finally
        {
            await broken.DisposeAsync();
        }
    }
}
