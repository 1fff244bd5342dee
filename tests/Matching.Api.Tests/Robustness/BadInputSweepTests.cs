using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Matching.Api.Tests.Access;
using Matching.Api.Tests.Infrastructure;
using Matching.Domain.Cohorts;
using Matching.Scheduling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using Xunit.Abstractions;

namespace Matching.Api.Tests.Robustness;

/// <summary>
/// Every write route of the OpenAPI document (POST, PUT, PATCH, DELETE under /api), as every role allowed to call it,
/// against the objects that role may change, with hostile input generated from the operation's schema
/// (<see cref="HostileInputs"/>), hostile path parameters and hostile If-Match headers: each answer is a 4xx problem
/// (never a 5xx), a broken field is named when the body is refused as invalid, and no row of any table changes. A
/// route added later is swept without a new test. Then the service is restarted on the same data and every job of
/// the scheduler is there again.
/// </summary>
public sealed partial class BadInputSweepTests(AccessFixture world, ITestOutputHelper output) : IClassFixture<AccessFixture>
{
    private sealed record SweepRequest(string Class, string What, HttpMethod Method, string Url, string? Body, string? IfMatch, string? Field);

    [Fact]
    public async Task Every_write_route_refuses_every_hostile_input_with_a_4xx_problem_and_changes_nothing_then_restarts_with_every_job()
    {
        await WaitUntilQuietAsync();
        using var anonymous = world.CreateClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var inputs = new HostileInputs(document);
        var failures = new List<string>();
        var perClass = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var perRoute = new List<string>();
        var without = new List<string>();
        var (requests, fieldTargeted, fieldNamed) = (0, 0, 0);
        var before = await DatabaseSnapshot.TakeAsync(world.DatabasePath);

        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            if (!template.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var (method, node) in item!.AsObject())
            {
                if (method is not ("post" or "put" or "patch" or "delete"))
                {
                    continue;
                }
                var operation = node!.AsObject();
                var route = $"{method.ToUpperInvariant()} {template}";
                var roles = operation["x-roles"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
                var sweep = await RequestsAsync(template, method, inputs.BodySchemaOf(operation), inputs);
                if (sweep.Count == 0 || roles.Count == 0)
                {
                    without.Add(route);
                    continue;
                }
                var sent = 0;
                foreach (var role in roles)
                {
                    using var client = world.Client(role);
                    foreach (var request in sweep)
                    {
                        var (failure, named) = await SendAndCheckAsync(client, role, request, before);
                        requests++;
                        sent++;
                        perClass[request.Class] = perClass.GetValueOrDefault(request.Class) + 1;
                        if (request.Field is not null && named is not null)
                        {
                            fieldTargeted++;
                            fieldNamed += named.Value ? 1 : 0;
                        }
                        if (failure is not null)
                        {
                            failures.Add(failure);
                            before = await DatabaseSnapshot.TakeAsync(world.DatabasePath);
                        }
                    }
                }
                perRoute.Add($"{route} × {string.Join("/", roles)}: {sent} requests");
            }
        }

        output.WriteLine($"{perRoute.Count} write routes swept, {requests} requests; {fieldTargeted} refused as invalid on a targeted field, {fieldNamed} of them naming it");
        output.WriteLine("By input class: " + string.Join("; ", perClass.Select(c => $"{c.Key} {c.Value}")));
        output.WriteLine("Routes: \n  " + string.Join("\n  ", perRoute));
        output.WriteLine("Write routes with no input to make hostile (no body, no parameter): " + string.Join(", ", without));
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests} hostile requests were not refused cleanly:\n" + string.Join("\n", failures.Take(80)));
        Assert.True(perRoute.Count >= 25, $"only {perRoute.Count} write routes found in the OpenAPI document");

        // After all that, the service restarts on the same data and every scheduled job is there again.
        await world.RestartAsync();
        await AssertEveryJobIsScheduledAsync();
    }

    /// <summary>Sends one request; returns a failure description (or null) and, for a field-targeted body refused as invalid, whether the field was named.</summary>
    private async Task<(string? Failure, bool? Named)> SendAndCheckAsync(HttpClient client, string role, SweepRequest request, DatabaseSnapshot before)
    {
        using var message = new HttpRequestMessage(request.Method, request.Url);
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        }
        if (request.IfMatch is not null)
        {
            message.Headers.TryAddWithoutValidation("If-Match", request.IfMatch);
        }
        using var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var label = $"{role} {request.Method} {request.Url} [{request.Class}] {Shorten(request.What)}";
        string? failure = null;
        bool? named = null;
        if (status is < 400 or >= 500)
        {
            failure = $"{label}: {status} {Shorten(text)}";
        }
        else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            failure = $"{label}: {status} without problem details ({response.Content.Headers.ContentType?.MediaType})";
        }
        else if (request.Field is not null && status == 400 && JsonNode.Parse(text)?["errors"] is JsonObject errors)
        {
            named = errors.Any(e => Names(e.Key, request.Field));
            if (!named.Value)
            {
                failure = $"{label}: 400 without naming '{request.Field}': {Shorten(text)}";
            }
        }
        var after = await DatabaseSnapshot.TakeAsync(world.DatabasePath);
        var changed = after.ChangedSince(before);
        if (changed.Count > 0)
        {
            failure = (failure is null ? "" : failure + "; ") + $"{label}: changed {string.Join(", ", changed)}";
        }
        var audited = await DatabaseSnapshot.SuccessfulAuditsSinceAsync(world.DatabasePath, before);
        if (audited.Count > 0)
        {
            failure = (failure is null ? "" : failure + "; ") + $"{label}: audited as a success: {string.Join(", ", audited)}";
        }
        return (failure, named);
    }

    /// <summary>The error key names the field, its list or object (a parent), or a part of it (a child).</summary>
    private static bool Names(string key, string field) =>
        key == field
        || field.StartsWith(key + "[", StringComparison.Ordinal) || field.StartsWith(key + ".", StringComparison.Ordinal)
        || key.StartsWith(field + "[", StringComparison.Ordinal) || key.StartsWith(field + ".", StringComparison.Ordinal);

    private async Task<IReadOnlyList<SweepRequest>> RequestsAsync(string template, string method, JsonObject? schema, HostileInputs inputs)
    {
        var httpMethod = new HttpMethod(method.ToUpperInvariant());
        var parameters = Parameter().Matches(template).Select(m => m.Groups[1].Value).ToList();
        var good = new Dictionary<string, string>();
        foreach (var parameter in parameters)
        {
            good[parameter] = await GoodValueAsync(template, parameter);
        }
        string Url(IReadOnlyDictionary<string, string> values) => Parameter().Replace(template, m => values[m.Groups[1].Value]);
        var baseBody = schema is null ? null : inputs.BaseJson(schema);
        var requests = new List<SweepRequest>();
        if (schema is not null)
        {
            requests.AddRange(inputs.BodiesFor(schema).Select(b => new SweepRequest(b.Class, b.What, httpMethod, Url(good), b.Json, null, b.Field)));
        }
        foreach (var parameter in parameters)
        {
            var hostile = parameter == "id" ? new[] { "0", "-1", "9223372036854775807", "999999937", "abc" } : ["0", "-1", "13", "2147483647", "abc"];
            foreach (var value in hostile)
            {
                requests.Add(new SweepRequest("path parameter", $"{parameter}={value}", httpMethod, Url(new Dictionary<string, string>(good) { [parameter] = value }),
                    baseBody, null, null));
            }
        }
        if (method is "put" or "patch" or "delete" && parameters.Count > 0)
        {
            foreach (var ifMatch in new[] { "abc", "\"-1\"", "\"99999\"", "W/\"x\"" })
            {
                requests.Add(new SweepRequest("If-Match header", ifMatch, httpMethod, Url(good), baseBody, ifMatch, null));
            }
        }
        return requests;
    }

    /// <summary>
    /// A real row for a path parameter, one the acting roles may change: the world's own worker, employer, base,
    /// opening, cohort, placement, enrolment or round; for a resource added later, the first row of its table.
    /// </summary>
    private async Task<string> GoodValueAsync(string template, string parameter)
    {
        if (parameter != "id")
        {
            return "1";
        }
        var segments = template.Split('/');
        var resource = segments[Array.IndexOf(segments, "{id}") - 1];
        long? known = resource switch
        {
            "workers" => world.WorkerA,
            "employers" => world.Employer1,
            "bases" => world.Base1,
            "openings" => world.Opening1,
            "cohorts" => world.Cohort1,
            "placements" => world.PlacementA,
            "enrolments" => world.EnrolmentA,
            "dispatch-rounds" => world.RoundA,
            _ => null,
        };
        if (known is { } id)
        {
            return id.ToString(CultureInfo.InvariantCulture);
        }
        await using var connection = new SqliteConnection($"Data Source={world.DatabasePath};Mode=ReadOnly;Pooling=False");
        var table = resource.Replace('-', '_');
        var exists = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @Table", new { Table = table });
        return exists > 0 ? (await connection.ExecuteScalarAsync<long?>($"SELECT MIN(id) FROM \"{table}\"") ?? 1).ToString(CultureInfo.InvariantCulture) : "1";
    }

    /// <summary>Waits until the search indexer has drained the world's changes, so only the requests could change rows.</summary>
    private async Task WaitUntilQuietAsync()
    {
        using var admin = world.Client(Matching.Domain.Access.Roles.Admin);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await admin.GetFromJsonAsync<JsonObject>("/api/search/admin/outbox"))!["pending"]!.GetValue<long>() > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), "the outbox did not drain");
            await Task.Delay(100);
        }
    }

    private async Task AssertEveryJobIsScheduledAsync()
    {
        var scheduler = await world.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        foreach (var (job, _) in SchedulingBootstrap.Jobs)
        {
            Assert.True(await scheduler.Exists(job), $"job {job} missing after the restart");
        }
        foreach (var (job, name, _) in SchedulingBootstrap.Recurring)
        {
            Assert.True(await scheduler.Exists(new TriggerKey($"{job.Name}-{name}", job.Group)), $"recurring trigger of {job} missing after the restart");
        }
        foreach (var cohort in new[] { world.Cohort1, world.Cohort2 })
        {
            foreach (var step in CohortSchedule.StepsAhead(CohortStatus.Open))
            {
                Assert.True(await scheduler.Exists(CohortSchedule.TriggerKeyOf(cohort, step)), $"cohort {cohort} {step} trigger missing after the restart");
            }
        }
        using var anonymous = world.CreateClient();
        using var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();
}
