using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>Partner enterprises (协作企业), registered and removed by an admin, kept up to date by the enterprise itself.</summary>
public sealed class EmployerApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = api.AsAdmin();

    [Fact]
    public async Task Employer_round_trip_create_read_replace_delete()
    {
        var update = Bodies.Employer();
        update["name"] = "宁波甬江智能装备有限公司";
        update["cityCode"] = Codes.Ningbo;
        update["industries"] = new JsonArray("equipment");

        var trip = await Crud.RoundTripAsync(_client, "/api/employers", Bodies.Employer(), update);

        Assert.Equal(Codes.Shenzhen, trip.Created["cityCode"]!.GetValue<string>());
        Assert.Equal(Codes.Guangdong, trip.Created["provinceCode"]!.GetValue<string>());
        Assert.Equal(["equipment", "digital"], Crud.Strings(trip.Created["industries"]));
        Assert.Equal("李经理", trip.Created["contactName"]!.GetValue<string>());
        Assert.Equal("宁波甬江智能装备有限公司", trip.Updated["name"]!.GetValue<string>());
        Assert.Equal(Codes.Ningbo, trip.Updated["cityCode"]!.GetValue<string>());
        Assert.Equal(Codes.Zhejiang, trip.Updated["provinceCode"]!.GetValue<string>());
        Assert.Equal(update["creditCode"]!.GetValue<string>(), trip.Updated["creditCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_enterprise_keeps_its_own_record_up_to_date_with_if_match()
    {
        var created = await Seed.EmployerAsync(api);
        var path = $"/api/employers/{Http.IdOf(created)}";
        var enterprise = api.AsEnterprise(Http.IdOf(created));
        var body = Bodies.Employer(created["creditCode"]!.GetValue<string>());
        body["contactName"] = "王主管";
        body["contactPhone"] = "0755-26880000";

        using var put = await enterprise.PutAsync(path, body, "\"1\"");

        var updated = await put.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("\"2\"", Http.ETagOf(put));
        Assert.Equal("王主管", updated["contactName"]!.GetValue<string>());
        Crud.AssertSame(updated, await _client.GetObjectAsync(path));
        using var stale = await enterprise.PutAsync(path, Bodies.Employer(), "\"1\"");
        Assert.Equal(2, (await stale.ReadProblemAsync(HttpStatusCode.PreconditionFailed))["currentVersion"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_credit_code_typed_in_lower_case_is_stored_in_upper_case()
    {
        var code = CreditCodes.Fresh();
        var body = Bodies.Employer(code.ToLowerInvariant());

        var created = await _client.CreateAsync("/api/employers", body);

        Assert.Equal(code, created["creditCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Registering_the_same_credit_code_again_is_a_conflict_naming_the_existing_employer()
    {
        var code = CreditCodes.Fresh();
        var existing = Http.IdOf(await _client.CreateAsync("/api/employers", Bodies.Employer(code)));
        var total = await _client.TotalAsync("/api/employers");

        var again = Bodies.Employer(code);
        again["name"] = "另一家公司";
        using var response = await _client.PostAsync("/api/employers", again);

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(existing, problem["existingId"]!.GetValue<long>());
        Assert.Equal(total, await _client.TotalAsync("/api/employers"));
    }

    [Fact]
    public async Task An_employer_with_a_training_base_cannot_be_deleted()
    {
        var enterprise = await Seed.EnterpriseAsync(api);
        await enterprise.TrainingBaseAsync();

        using var response = await _client.DeleteAsync($"/api/employers/{enterprise.EmployerId}", "\"1\"");

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
        await _client.GetObjectAsync($"/api/employers/{enterprise.EmployerId}");
    }

    [Fact]
    public async Task Unknown_employer_is_a_404_problem()
    {
        using var get = await _client.GetAsync("/api/employers/424242");
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        using var put = await _client.PutAsync("/api/employers/424242", Bodies.Employer(), "\"1\"");
        await put.ReadProblemAsync(HttpStatusCode.NotFound);
    }
}
