using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Access;

/// <summary>
/// Accounts with passwords: the token endpoint, the password rule, lockout and unlock, and delegated administration
/// (an enterprise's, a training institution's or an office's account administrator manages only the accounts of its
/// enterprise, institution or area, an office's including the institutions located in it).
/// </summary>
public sealed class AccountApiTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    private const string Password = "Kaili#Clerk2026";

    [Fact]
    public async Task A_password_gives_a_token_that_works_and_is_stored_only_as_an_identity_hash()
    {
        var name = await CreateAsync(world.AsAdmin(), "token-" + Suffix(), Roles.CountyOffice, ["520502"], Password);
        var issued = await world.CreateClient().PostAsJsonAsync("/api/auth/token", new { userName = name, password = Password, hours = 2 });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.Equal(7200, body.GetProperty("expiresIn").GetInt32());
        Assert.Equal(Roles.CountyOffice, body.GetProperty("role").GetString());
        var client = world.ClientWithToken(body.GetProperty("accessToken").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/workers")).StatusCode);

        // The stored hash is Identity's (version 3 format: base64 starting with 0x01), never the password.
        await using var connection = await world.Services.GetRequiredService<Database>().OpenAsync();
        var hash = await connection.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE name = @Name", new { Name = name });
        Assert.False(string.IsNullOrEmpty(hash));
        Assert.DoesNotContain(Password, hash, StringComparison.Ordinal);
        Assert.Equal(0x01, Convert.FromBase64String(hash!)[0]);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_name_read_the_same_and_neither_gives_a_token()
    {
        var name = await CreateAsync(world.AsAdmin(), "wrong-" + Suffix(), Roles.RuralRevitalisation, [], Password);
        var wrong = await world.CreateClient().PostAsJsonAsync("/api/auth/token", new { userName = name, password = "Not#ThePassword1" });
        var unknown = await world.CreateClient().PostAsJsonAsync("/api/auth/token", new { userName = "nobody-" + Suffix(), password = "Not#ThePassword1" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var a = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        var b = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("用户名或密码错误", a.GetProperty("detail").GetString());
        Assert.Equal(a.GetProperty("title").GetString(), b.GetProperty("title").GetString());
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_against_the_right_one_until_an_administrator_unlocks_it()
    {
        var admin = world.AsAdmin();
        var name = await CreateAsync(admin, "lock-" + Suffix(), Roles.CountyOffice, ["520502"], Password);
        var anonymous = world.CreateClient();
        for (var i = 1; i < Lockout.MaxFailures; i++)
        {
            var refused = await anonymous.PostAsJsonAsync("/api/auth/token", new { userName = name, password = "Wrong#Password" + i });
            Assert.Equal("登录失败", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        var locking = await anonymous.PostAsJsonAsync("/api/auth/token", new { userName = name, password = "Wrong#PasswordLast" });
        Assert.Equal(HttpStatusCode.Unauthorized, locking.StatusCode);
        Assert.Equal("账号已锁定", (await locking.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.NotNull(locking.Headers.RetryAfter);

        var right = await anonymous.PostAsJsonAsync("/api/auth/token", new { userName = name, password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Equal("账号已锁定", (await right.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        var id = (await world.Services.GetRequiredService<UserStore>().GetCredentialsAsync(name))!.User.Id;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{id}/unlock", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/token", new { userName = name, password = Password })).StatusCode);
    }

    [Theory]
    [InlineData("short#A1", "密码长度")]
    [InlineData("alllowercaseletters", "至少三类")]
    [InlineData("P@ssw0rd123", "过于常见")]
    public async Task A_password_breaking_the_rule_is_refused_next_to_the_field_and_no_account_is_made(string password, string message)
    {
        var name = "weak-" + Suffix();
        var response = await world.AsAdmin().PostAsJsonAsync("/api/users", new { name, role = Roles.RuralRevitalisation, scopes = Array.Empty<string>(), password });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains(message, errors.GetProperty("password")[0].GetString(), StringComparison.Ordinal);
        Assert.Null(await world.Services.GetRequiredService<UserStore>().GetCredentialsAsync(name));
    }

    [Fact]
    public async Task An_enterprise_account_administrator_manages_only_its_own_enterprise_accounts()
    {
        var admin = world.AsAdmin();
        var own = world.Employer1.ToString(CultureInfo.InvariantCulture);
        var other = world.Employer2.ToString(CultureInfo.InvariantCulture);
        var hrName = await CreateAsync(admin, "hr-admin-" + Suffix(), Roles.Enterprise, [own], Password, managesAccounts: true);
        var otherEnterprise = await CreateAsync(admin, "hr-other-" + Suffix(), Roles.Enterprise, [other], Password);
        var hr = await SignedInAsync(hrName);

        Assert.Equal(HttpStatusCode.Created, (await hr.PostAsJsonAsync("/api/users", new { name = "hr-colleague-" + Suffix(), role = Roles.Enterprise, scopes = new[] { own } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hr.PostAsJsonAsync("/api/users", new { name = "hr-2-" + Suffix(), role = Roles.Enterprise, scopes = new[] { other } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hr.PostAsJsonAsync("/api/users", new { name = "office-" + Suffix(), role = Roles.CountyOffice, scopes = new[] { "520502" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hr.PostAsJsonAsync("/api/users", new { name = "root-" + Suffix(), role = Roles.Admin, scopes = Array.Empty<string>() })).StatusCode);

        // The list holds only its enterprise's accounts; another enterprise's account reads as not found.
        var list = await hr.GetFromJsonAsync<JsonElement>("/api/users?pageSize=200");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, u => Assert.Equal([own], u.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!)));
        var otherId = (await world.Services.GetRequiredService<UserStore>().GetCredentialsAsync(otherEnterprise))!.User.Id;
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync($"/api/users/{otherId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hr.PutAsJsonAsync($"/api/users/{otherId}/password", new { password = "Taken#Over2026x" })).StatusCode);
    }

    [Fact]
    public async Task A_county_account_administrator_manages_its_own_county_only_and_an_account_without_the_flag_none()
    {
        var admin = world.AsAdmin();
        var countyAdmin = await SignedInAsync(await CreateAsync(admin, "county-admin-" + Suffix(), Roles.CountyOffice, ["520502"], Password, managesAccounts: true));
        Assert.Equal(HttpStatusCode.Created, (await countyAdmin.PostAsJsonAsync("/api/users", new { name = "clerk-" + Suffix(), role = Roles.CountyOffice, scopes = new[] { "520502" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await countyAdmin.PostAsJsonAsync("/api/users", new { name = "clerk-b-" + Suffix(), role = Roles.CountyOffice, scopes = new[] { "520602" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await countyAdmin.PostAsJsonAsync("/api/users", new { name = "pref-" + Suffix(), role = Roles.PrefectureOffice, scopes = new[] { "520500" } })).StatusCode);

        var clerk = await SignedInAsync(await CreateAsync(admin, "plain-clerk-" + Suffix(), Roles.CountyOffice, ["520502"], Password));
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.GetAsync("/api/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.PostAsJsonAsync("/api/users", new { name = "clerk-c-" + Suffix(), role = Roles.CountyOffice, scopes = new[] { "520502" } })).StatusCode);
    }

    [Fact]
    public async Task An_institution_account_administrator_manages_only_its_own_institutions_accounts()
    {
        var admin = world.AsAdmin();
        var own = world.Institution1.ToString(CultureInfo.InvariantCulture);
        var other = world.Institution2.ToString(CultureInfo.InvariantCulture);
        var head = await SignedInAsync(await CreateAsync(admin, "school-admin-" + Suffix(), Roles.TrainingInstitution, [own], Password, managesAccounts: true));
        var otherSchool = await CreateAsync(admin, "school-other-" + Suffix(), Roles.TrainingInstitution, [other], Password);

        var colleague = "school-clerk-" + Suffix();
        Assert.Equal(HttpStatusCode.Created, (await head.PostAsJsonAsync("/api/users", new { name = colleague, role = Roles.TrainingInstitution, scopes = new[] { own }, password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await head.PostAsJsonAsync("/api/users", new { name = "school-2-" + Suffix(), role = Roles.TrainingInstitution, scopes = new[] { other } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await head.PostAsJsonAsync("/api/users", new { name = "hr-" + Suffix(), role = Roles.Enterprise, scopes = new[] { world.Employer1.ToString(CultureInfo.InvariantCulture) } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await head.PostAsJsonAsync("/api/users", new { name = "office-" + Suffix(), role = Roles.CountyOffice, scopes = new[] { "520502" } })).StatusCode);

        // The list holds only its institution's accounts; another institution's account reads as not found.
        var items = (await head.GetFromJsonAsync<JsonElement>("/api/users?pageSize=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, u => u.GetProperty("name").GetString() == colleague);
        Assert.All(items, u => Assert.Equal([own], u.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!)));
        var otherId = (await world.Services.GetRequiredService<UserStore>().GetCredentialsAsync(otherSchool))!.User.Id;
        Assert.Equal(HttpStatusCode.NotFound, (await head.GetAsync($"/api/users/{otherId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await head.PutAsJsonAsync($"/api/users/{otherId}/password", new { password = "Taken#Over2026x" })).StatusCode);

        // The colleague signs in and works as its institution.
        var clerk = await SignedInAsync(colleague);
        Assert.Equal(HttpStatusCode.OK, (await clerk.GetAsync($"/api/institutions/{own}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clerk.GetAsync($"/api/institutions/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.GetAsync("/api/users")).StatusCode);
    }

    [Fact]
    public async Task Office_account_administrators_create_accounts_for_the_institutions_located_in_their_area_only()
    {
        // Institution 2 is in 七星关区 (520502, 毕节市); institution 1 in 东莞 (441900), outside every office's area.
        var admin = world.AsAdmin();
        var inArea = world.Institution2.ToString(CultureInfo.InvariantCulture);
        var outside = world.Institution1.ToString(CultureInfo.InvariantCulture);
        var county = await SignedInAsync(await CreateAsync(admin, "county-admin-i-" + Suffix(), Roles.CountyOffice, ["520502"], Password, managesAccounts: true));
        var prefecture = await SignedInAsync(await CreateAsync(admin, "pref-admin-i-" + Suffix(), Roles.PrefectureOffice, ["520500"], Password, managesAccounts: true));
        var otherCounty = await SignedInAsync(await CreateAsync(admin, "county-admin-b-" + Suffix(), Roles.CountyOffice, ["520602"], Password, managesAccounts: true));

        var created = "school-by-county-" + Suffix();
        Assert.Equal(HttpStatusCode.Created, (await county.PostAsJsonAsync("/api/users", new { name = created, role = Roles.TrainingInstitution, scopes = new[] { inArea } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await prefecture.PostAsJsonAsync("/api/users", new { name = "school-by-pref-" + Suffix(), role = Roles.TrainingInstitution, scopes = new[] { inArea } })).StatusCode);
        foreach (var (office, scope) in new[] { (county, outside), (prefecture, outside), (otherCounty, inArea) })
        {
            var before = await world.AsAdmin().TotalAsync("/api/users");
            Assert.Equal(HttpStatusCode.Forbidden, (await office.PostAsJsonAsync("/api/users", new { name = "school-x-" + Suffix(), role = Roles.TrainingInstitution, scopes = new[] { scope } })).StatusCode);
            Assert.Equal(before, await world.AsAdmin().TotalAsync("/api/users"));
        }
        var countyList = (await county.GetFromJsonAsync<JsonElement>("/api/users?pageSize=200")).GetProperty("items").EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.Contains(created, countyList);
        var otherList = (await otherCounty.GetFromJsonAsync<JsonElement>("/api/users?pageSize=200")).GetProperty("items").EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.DoesNotContain(created, otherList);

        // An institution that does not exist gets no account, whoever asks.
        var refused = await admin.PostAsJsonAsync("/api/users", new { name = "school-none-" + Suffix(), role = Roles.TrainingInstitution, scopes = new[] { "999999" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("培训机构不存在", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("scopes")[0].GetString(), StringComparison.Ordinal);
    }

    private static string Suffix() => Guid.NewGuid().ToString("N")[..8];

    private static async Task<string> CreateAsync(HttpClient admin, string name, string role, string[] scopes, string password, bool managesAccounts = false)
    {
        var response = await admin.PostAsJsonAsync("/api/users", new { name, role, scopes, password, managesAccounts });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return name;
    }

    private async Task<HttpClient> SignedInAsync(string name)
    {
        var issued = await world.CreateClient().PostAsJsonAsync("/api/auth/token", new { userName = name, password = Password });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        return world.ClientWithToken((await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }
}
