using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matching.Api.Access;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Institutions;
using Matching.Domain.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests;

/// <summary>A service started on an empty folder seeds the demo set; what a client then finds in the lists.</summary>
public sealed class DemoDataApiTests(DemoDataFixture api) : IClassFixture<DemoDataFixture>
{
    /// <summary>An admin sees the whole province's demo data.</summary>
    private readonly HttpClient _client = api.AsAdmin();

    [Fact]
    public async Task The_demo_workers_page_through_completely_and_each_is_a_valid_Guizhou_registration()
    {
        var seen = new List<long>();
        for (var page = 1; page <= 3; page++)
        {
            var list = await _client.GetObjectAsync($"/api/workers?pageSize=10&page={page}");
            Assert.Equal(DemoDataFixture.Workers, list["total"]!.GetValue<long>());
            var items = list["items"]!.AsArray();
            Assert.Equal(page < 3 ? 10 : 5, items.Count);
            foreach (var worker in items)
            {
                seen.Add(worker!["id"]!.GetValue<long>());
                Assert.StartsWith("52", worker["countyCode"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.True(Http.HasChinese(worker["countyName"]!.GetValue<string>()));
                Assert.Matches("^[0-9]{4}\\*{10}[0-9]{3}[0-9X]$", worker["idNumberMasked"]!.GetValue<string>());
                Assert.Matches("^1[3-9][0-9]\\*{4}[0-9]{4}$", worker["phoneMasked"]!.GetValue<string>());
                Assert.InRange(worker["age"]!.GetValue<int>(), 16, 65);
                Assert.NotEmpty(worker["trades"]!.AsArray());
            }
        }
        Assert.Equal(DemoDataFixture.Workers, seen.Distinct().Count());
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public async Task Filtering_the_demo_set_by_the_first_workers_county_returns_only_that_county()
    {
        var first = (await _client.GetObjectAsync("/api/workers?pageSize=1"))["items"]![0]!;
        var county = first["countyCode"]!.GetValue<string>();

        var inCounty = await _client.GetObjectAsync($"/api/workers?countyCode={county}&pageSize=200");

        var items = inCounty["items"]!.AsArray();
        Assert.Contains(items, w => w!["id"]!.GetValue<long>() == first["id"]!.GetValue<long>());
        Assert.All(items, w => Assert.Equal(county, w!["countyCode"]!.GetValue<string>()));
        Assert.Equal(items.Count, inCounty["total"]!.GetValue<long>());
        // That county's own office, asking for no county, is shown the same workers.
        var own = await api.AsCountyOffice(county).GetObjectAsync("/api/workers?pageSize=200");
        Crud.AssertSame(inCounty, own);
    }

    [Fact]
    public async Task Demo_employers_have_valid_credit_codes_and_bases_openings_and_cohorts_exist()
    {
        var employers = await _client.GetObjectAsync("/api/employers?pageSize=200");
        Assert.True(employers["total"]!.GetValue<long>() > 0);
        foreach (var employer in employers["items"]!.AsArray())
        {
            var code = employer!["creditCode"]!.GetValue<string>();
            Assert.Equal(CreditCodes.CheckCharacter(code[..17]), code[17]);
            Assert.True(Http.HasChinese(employer["name"]!.GetValue<string>()));
        }
        Assert.True(await _client.TotalAsync("/api/bases") > 0);
        Assert.True(await _client.TotalAsync("/api/openings") > 0);
        Assert.True(await _client.TotalAsync("/api/cohorts") > 0);
    }

    [Fact]
    public async Task Every_role_has_a_demo_account_and_the_institutions_signs_in_to_the_cohorts_it_delivers()
    {
        Assert.Equal(Roles.All.Order(), DemoAccounts.All.Select(a => a.Role).Order());
        // As at a Development start beside the demo data (this service runs as Production, so it made none itself).
        await DemoAccounts.EnsureAsync(api.Services.GetRequiredService<UserStore>(), api.Services.GetRequiredService<InstitutionStore>());
        var issued = await api.CreateClient().PostAsJsonAsync("/api/auth/token", new { userName = DemoAccounts.InstitutionAccount, password = DemoAccounts.Password });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var institution = api.ClientWithToken((await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);

        var cohorts = await institution.GetObjectAsync("/api/cohorts?pageSize=200");
        Assert.True(cohorts["total"]!.GetValue<long>() > 0, "the demo institution delivers no cohort");
        var own = cohorts["items"]![0]!["institutionId"]!.GetValue<long>();
        Assert.All(cohorts["items"]!.AsArray(), c => Assert.Equal(own, c!["institutionId"]!.GetValue<long>()));
        // Every cohort that institution delivers, as an admin sees them, and no other.
        var all = await _client.GetObjectAsync("/api/cohorts?pageSize=200");
        Assert.True(all["total"]!.GetValue<long>() <= 200);
        Assert.Equal(all["items"]!.AsArray().Count(c => c!["institutionId"]?.GetValue<long?>() == own), cohorts["total"]!.GetValue<long>());
    }
}
