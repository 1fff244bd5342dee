using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Openings (岗位) at training bases.</summary>
public sealed class OpeningApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = api.CreateClient();

    private async Task<(long EmployerId, long BaseId)> BaseAsync()
    {
        var employerId = Http.IdOf(await Seed.EmployerAsync(_client));
        return (employerId, Http.IdOf(await Seed.TrainingBaseAsync(_client, employerId)));
    }

    [Fact]
    public async Task Opening_round_trip_create_read_replace_delete()
    {
        var (employerId, baseId) = await BaseAsync();
        var update = Bodies.Opening(baseId);
        update["headcount"] = 12;
        update["wageMax"] = 9000;
        update["status"] = "closed";

        var trip = await Crud.RoundTripAsync(_client, "/api/openings", Bodies.Opening(baseId), update);

        Assert.Equal(baseId, trip.Created["baseId"]!.GetValue<long>());
        Assert.Equal(employerId, trip.Created["employerId"]!.GetValue<long>());
        Assert.Equal(Codes.GeneralWorker, trip.Created["tradeId"]!.GetValue<string>());
        Assert.Equal(30, trip.Created["headcount"]!.GetValue<int>());
        Assert.True(trip.Created["accommodation"]!.GetValue<bool>());
        Assert.Equal("open", trip.Created["status"]!.GetValue<string>());
        Assert.Equal(12, trip.Updated["headcount"]!.GetValue<int>());
        Assert.Equal(9000, trip.Updated["wageMax"]!.GetValue<int>());
        Assert.Equal("closed", trip.Updated["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Omitted_optional_fields_take_their_documented_defaults()
    {
        var (_, baseId) = await BaseAsync();
        var body = new JsonObject
        {
            ["baseId"] = baseId,
            ["title"] = "包装工",
            ["tradeId"] = Codes.GeneralWorker,
            ["headcount"] = 5,
            ["wageMin"] = 4500,
            ["wageMax"] = 5500,
        };

        var created = await _client.CreateAsync("/api/openings", body);

        Assert.Equal(1, created["minLevel"]!.GetValue<int>());
        Assert.Equal(8, created["maxLevel"]!.GetValue<int>());
        Assert.Equal("open", created["status"]!.GetValue<string>());
        Assert.False(created["accommodation"]!.GetValue<bool>());
        Assert.Empty(created["requiredCertificates"]!.AsArray());
    }

    [Fact]
    public async Task A_special_operation_opening_must_require_the_operation_certificate()
    {
        var (_, baseId) = await BaseAsync();
        var total = await _client.TotalAsync("/api/openings");
        var welding = Bodies.Opening(baseId);
        welding["title"] = "焊工";
        welding["tradeId"] = Codes.Welder;

        using var refused = await _client.PostAsync("/api/openings", welding);
        var message = Assert.Single(await refused.ReadFieldErrorAsync("requiredCertificates"));
        Assert.Contains("特种作业", message, StringComparison.Ordinal);
        Assert.Equal(total, await _client.TotalAsync("/api/openings"));

        welding["requiredCertificates"] = new JsonArray("special-operation");
        var created = await _client.CreateAsync("/api/openings", welding);
        Assert.Equal(["special-operation"], Crud.Strings(created["requiredCertificates"]));
    }

    [Fact]
    public async Task An_opening_at_a_base_that_does_not_exist_is_refused()
    {
        var total = await _client.TotalAsync("/api/openings");

        using var response = await _client.PostAsync("/api/openings", Bodies.Opening(baseId: 888_888));

        await response.ReadFieldErrorAsync("baseId");
        Assert.Equal(total, await _client.TotalAsync("/api/openings"));
    }

    [Fact]
    public async Task An_opening_cannot_be_moved_to_another_base()
    {
        var (_, baseId) = await BaseAsync();
        var (_, otherBase) = await BaseAsync();
        var created = await Seed.OpeningAsync(_client, baseId);
        var path = $"/api/openings/{Http.IdOf(created)}";

        using var response = await _client.PutAsync(path, Bodies.Opening(otherBase), "\"1\"");

        await response.ReadFieldErrorAsync("baseId");
        Crud.AssertSame(created, await _client.GetObjectAsync(path));
    }

    [Fact]
    public async Task An_opening_linked_to_a_cohort_cannot_be_deleted()
    {
        var (_, baseId) = await BaseAsync();
        var openingId = Http.IdOf(await Seed.OpeningAsync(_client, baseId));
        await Seed.CohortAsync(_client, baseId, openingId);

        using var response = await _client.DeleteAsync($"/api/openings/{openingId}", "\"1\"");

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        await _client.GetObjectAsync($"/api/openings/{openingId}");
    }
}
