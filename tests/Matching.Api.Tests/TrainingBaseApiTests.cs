using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Training bases (实训基地), posted and kept by the enterprise that owns them.</summary>
public sealed class TrainingBaseApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Sees every employer's bases, so totals show whether anything was written.</summary>
    private readonly HttpClient _admin = api.AsAdmin();

    [Fact]
    public async Task Training_base_round_trip_create_read_replace_delete()
    {
        var (employerId, enterprise) = await Seed.EnterpriseAsync(api);
        var update = Bodies.TrainingBase(employerId);
        update["name"] = "鹏城电子宁波合作院校基地";
        update["kind"] = "school";
        update["cityCode"] = Codes.Ningbo;
        update["trades"] = new JsonArray(Codes.Electrician);

        var trip = await Crud.RoundTripAsync(enterprise, "/api/bases", Bodies.TrainingBase(employerId), update);

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
        var total = await _admin.TotalAsync("/api/bases");
        // An enterprise user whose employer record is gone (or was never registered).
        var orphan = api.AsEnterprise(999_999);

        using var response = await orphan.PostAsync("/api/bases", Bodies.TrainingBase(employerId: 999_999));

        await response.ReadFieldErrorAsync("employerId");
        Assert.Equal(total, await _admin.TotalAsync("/api/bases"));
    }

    [Fact]
    public async Task A_base_cannot_be_moved_to_another_employer()
    {
        var owner = await Seed.EnterpriseAsync(api);
        var other = Http.IdOf(await Seed.EmployerAsync(api));
        var created = await owner.TrainingBaseAsync();
        var path = $"/api/bases/{Http.IdOf(created)}";

        using var response = await owner.Client.PutAsync(path, Bodies.TrainingBase(other), "\"1\"");

        await response.ReadFieldErrorAsync("employerId");
        Crud.AssertSame(created, await _admin.GetObjectAsync(path));
    }

    [Fact]
    public async Task A_base_with_an_opening_cannot_be_deleted()
    {
        var enterprise = await Seed.EnterpriseAsync(api);
        var baseId = Http.IdOf(await enterprise.TrainingBaseAsync());
        await Seed.OpeningAsync(enterprise.Client, baseId);

        using var response = await enterprise.Client.DeleteAsync($"/api/bases/{baseId}", ifMatch: null);

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        await _admin.GetObjectAsync($"/api/bases/{baseId}");
    }
}
