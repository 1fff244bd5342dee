using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Openings (岗位) at training bases, posted by the enterprise that owns the base.</summary>
public sealed class OpeningApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Sees every employer's openings, so totals show whether anything was written.</summary>
    private readonly HttpClient _admin = api.AsAdmin();

    /// <summary>A new employer with one base, and its enterprise's client.</summary>
    private async Task<(long EmployerId, long BaseId, HttpClient Enterprise)> BaseAsync()
    {
        var enterprise = await Seed.EnterpriseAsync(api);
        return (enterprise.EmployerId, Http.IdOf(await enterprise.TrainingBaseAsync()), enterprise.Client);
    }

    [Fact]
    public async Task Opening_round_trip_create_read_replace_delete()
    {
        var (employerId, baseId, enterprise) = await BaseAsync();
        var update = Bodies.Opening(baseId);
        update["headcount"] = 12;
        update["wageMax"] = 9000;
        update["status"] = "closed";

        var trip = await Crud.RoundTripAsync(enterprise, "/api/openings", Bodies.Opening(baseId), update);

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
        var (_, baseId, enterprise) = await BaseAsync();
        var body = new JsonObject
        {
            ["baseId"] = baseId,
            ["title"] = "包装工",
            ["tradeId"] = Codes.GeneralWorker,
            ["headcount"] = 5,
            ["wageMin"] = 4500,
            ["wageMax"] = 5500,
        };

        var created = await enterprise.CreateAsync("/api/openings", body);

        Assert.Equal(1, created["minLevel"]!.GetValue<int>());
        Assert.Equal(8, created["maxLevel"]!.GetValue<int>());
        Assert.Equal("open", created["status"]!.GetValue<string>());
        Assert.False(created["accommodation"]!.GetValue<bool>());
        Assert.Empty(created["requiredCertificates"]!.AsArray());
    }

    [Fact]
    public async Task A_special_operation_opening_must_require_the_operation_certificate()
    {
        var (_, baseId, enterprise) = await BaseAsync();
        var total = await _admin.TotalAsync("/api/openings");
        var welding = Bodies.Opening(baseId);
        welding["title"] = "焊工";
        welding["tradeId"] = Codes.Welder;

        using var refused = await enterprise.PostAsync("/api/openings", welding);
        var message = Assert.Single(await refused.ReadFieldErrorAsync("requiredCertificates"));
        Assert.Contains("特种作业", message, StringComparison.Ordinal);
        Assert.Equal(total, await _admin.TotalAsync("/api/openings"));

        welding["requiredCertificates"] = new JsonArray("special-operation");
        var created = await enterprise.CreateAsync("/api/openings", welding);
        Assert.Equal(["special-operation"], Crud.Strings(created["requiredCertificates"]));
    }

    [Fact]
    public async Task An_opening_at_a_base_that_does_not_exist_is_refused()
    {
        var (_, _, enterprise) = await BaseAsync();
        var total = await _admin.TotalAsync("/api/openings");

        using var response = await enterprise.PostAsync("/api/openings", Bodies.Opening(baseId: 888_888));

        await response.ReadFieldErrorAsync("baseId");
        Assert.Equal(total, await _admin.TotalAsync("/api/openings"));
    }

    [Fact]
    public async Task An_opening_cannot_be_moved_to_another_base()
    {
        var owner = await Seed.EnterpriseAsync(api);
        var baseId = Http.IdOf(await owner.TrainingBaseAsync());
        var sameEmployersBase = Http.IdOf(await owner.TrainingBaseAsync());
        var (_, otherEmployersBase, _) = await BaseAsync();
        var created = await Seed.OpeningAsync(owner.Client, baseId);
        var path = $"/api/openings/{Http.IdOf(created)}";

        foreach (var otherBase in new[] { sameEmployersBase, otherEmployersBase })
        {
            using var response = await owner.Client.PutAsync(path, Bodies.Opening(otherBase), "\"1\"");
            await response.ReadFieldErrorAsync("baseId");
        }

        Crud.AssertSame(created, await _admin.GetObjectAsync(path));
    }

    [Fact]
    public async Task An_opening_linked_to_a_cohort_cannot_be_deleted()
    {
        var (_, baseId, enterprise) = await BaseAsync();
        var openingId = Http.IdOf(await Seed.OpeningAsync(enterprise, baseId));
        await Seed.CohortAsync(enterprise, baseId, openingId);

        using var response = await enterprise.DeleteAsync($"/api/openings/{openingId}", "\"1\"");

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        await _admin.GetObjectAsync($"/api/openings/{openingId}");
    }
}
