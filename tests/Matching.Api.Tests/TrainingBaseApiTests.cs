using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Training bases (实训基地) of partner employers.</summary>
public sealed class TrainingBaseApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Training_base_round_trip_create_read_replace_delete()
    {
        var employerId = Http.IdOf(await Seed.EmployerAsync(_client));
        var update = Bodies.TrainingBase(employerId);
        update["name"] = "鹏城电子宁波合作院校基地";
        update["kind"] = "school";
        update["cityCode"] = Codes.Ningbo;
        update["trades"] = new JsonArray(Codes.Electrician);

        var trip = await Crud.RoundTripAsync(_client, "/api/bases", Bodies.TrainingBase(employerId), update);

        Assert.Equal(employerId, trip.Created["employerId"]!.GetValue<long>());
        Assert.Equal("enterprise", trip.Created["kind"]!.GetValue<string>());
        Assert.Equal(Codes.Guangdong, trip.Created["provinceCode"]!.GetValue<string>());
        Assert.Equal([Codes.GeneralWorker, Codes.Welder], Crud.Strings(trip.Created["trades"]));
        Assert.Equal(["pre-job", "on-the-job"], Crud.Strings(trip.Created["trainingTypes"]));
        Assert.Equal("school", trip.Updated["kind"]!.GetValue<string>());
        Assert.Equal(Codes.Zhejiang, trip.Updated["provinceCode"]!.GetValue<string>());
        Assert.Equal([Codes.Electrician], Crud.Strings(trip.Updated["trades"]));
    }

    [Fact]
    public async Task A_base_for_an_employer_that_does_not_exist_is_refused_and_not_stored()
    {
        var total = await _client.TotalAsync("/api/bases");

        using var response = await _client.PostAsync("/api/bases", Bodies.TrainingBase(employerId: 999_999));

        await response.ReadFieldErrorAsync("employerId");
        Assert.Equal(total, await _client.TotalAsync("/api/bases"));
    }

    [Fact]
    public async Task A_base_cannot_be_moved_to_another_employer()
    {
        var owner = Http.IdOf(await Seed.EmployerAsync(_client));
        var other = Http.IdOf(await Seed.EmployerAsync(_client));
        var created = await Seed.TrainingBaseAsync(_client, owner);
        var path = $"/api/bases/{Http.IdOf(created)}";

        using var response = await _client.PutAsync(path, Bodies.TrainingBase(other), "\"1\"");

        await response.ReadFieldErrorAsync("employerId");
        Crud.AssertSame(created, await _client.GetObjectAsync(path));
    }

    [Fact]
    public async Task A_base_with_an_opening_cannot_be_deleted()
    {
        var employerId = Http.IdOf(await Seed.EmployerAsync(_client));
        var baseId = Http.IdOf(await Seed.TrainingBaseAsync(_client, employerId));
        await Seed.OpeningAsync(_client, baseId);

        using var response = await _client.DeleteAsync($"/api/bases/{baseId}", ifMatch: null);

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        await _client.GetObjectAsync($"/api/bases/{baseId}");
    }
}
