using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Demo;
using Database = Matching.Data.Storage.Database;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Training;

/// <summary>
/// Bad input to every new write is refused with the field named in Chinese and changes nothing: the rows of every
/// table the routes write are counted before and after.
/// </summary>
public sealed class TrainingBadInputTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] Tables =
        ["training_institutions", "teachers", "teacher_engagements", "cohort_teachers", "training_results", "certificates", "subsidy_claims", "subsidy_payment_batches"];

    private async Task<string> CountsAsync()
    {
        await using var connection = await api.Services.GetRequiredService<Database>().OpenAsync();
        var counts = new List<string>();
        foreach (var table in Tables)
        {
            counts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")}");
        }
        counts.Add($"worker-versions={await connection.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(version), 0) FROM workers")}");
        return string.Join(",", counts);
    }

    [Fact]
    public async Task Bad_input_to_each_new_route_is_refused_on_its_field_and_changes_nothing()
    {
        var admin = api.AsAdmin();
        var office = api.AsCountyOffice(Codes.DafangCounty);
        var chain = await Seed.EmployerChainAsync(api);
        // A general worker (普工), eligible for the cohort below, so the enrolment is taken.
        var worker = Http.IdOf(await Seed.WorkerAsync(api, Bodies.Worker(tradeId: Codes.GeneralWorker)));
        var institution = Http.IdOf(await admin.CreateAsync("/api/institutions", new JsonObject
        {
            ["name"] = "大方县职业技术学校", ["ownership"] = "public", ["kind"] = "vocational-school", ["creditCode"] = CreditCodes.Fresh(),
            ["divisionCode"] = Codes.DafangCounty, ["employerId"] = null, ["trades"] = new JsonArray(Codes.GeneralWorker), ["active"] = true,
        }));
        var open = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        var cohort = Http.IdOf(await chain.Enterprise.CreateAsync("/api/cohorts", open));
        open["status"] = "open";
        (await chain.Enterprise.PutAsync($"/api/cohorts/{cohort}", open, "\"1\"")).EnsureSuccessStatusCode();
        var enrolment = Http.IdOf(await office.CreateAsync($"/api/cohorts/{cohort}/enrolments", new JsonObject { ["workerId"] = worker }));
        var before = await CountsAsync();

        var cases = new (HttpClient Client, string Method, string Path, string Body, string Field)[]
        {
            (admin, "POST", "/api/institutions", """{"name":"学校","ownership":"state","kind":"training-school","creditCode":"91440300MA5XXXXXX1","divisionCode":"520521","trades":["T001"]}""", "ownership"),
            (admin, "POST", "/api/institutions", """{"name":"学校","ownership":"public","kind":"training-school","creditCode":"123","divisionCode":"520521","trades":["T001"]}""", "creditCode"),
            (admin, "POST", "/api/institutions", """{"name":"学校","ownership":"public","kind":"training-school","creditCode":"123","divisionCode":"999999","trades":["T001"]}""", "divisionCode"),
            (admin, "POST", $"/api/institutions/{institution}/teachers", $$"""{"realName":"王老师","idNumber":"{{IdNumbers.WithWrongCheck(IdNumbers.Fresh())}}","year":2026,"employment":"full-time","qualifiedTrades":["T001"]}""", "idNumber"),
            (admin, "POST", $"/api/institutions/{institution}/teachers", $$"""{"realName":"王老师","idNumber":"{{IdNumbers.Fresh()}}","year":2035,"employment":"full-time","qualifiedTrades":["T001"]}""", "year"),
            (admin, "POST", $"/api/institutions/{institution}/teachers", $$"""{"realName":"王老师","idNumber":"{{IdNumbers.Fresh()}}","year":2026,"employment":"sometimes","qualifiedTrades":["T001"]}""", "employment"),
            (chain.Enterprise, "PUT", $"/api/cohorts/{cohort}/teachers", $$"""{"institutionId":{{institution}},"teacherIds":[]}""", "teacherIds"),
            (chain.Enterprise, "PUT", $"/api/enrolments/{enrolment}/result", """{"daysScheduled":10,"daysAttended":3}""", "daysAttended"),
            (chain.Enterprise, "POST", $"/api/cohorts/{cohort}/results", """{"rows":[]}""", "rows"),
            (chain.Enterprise, "POST", $"/api/enrolments/{enrolment}/certificates", """{"type":"skill-level","tradeId":"T001","level":3,"number":"ZS002","issuingBody":"鉴定中心","issuingProvince":"99","issuedOn":"2026-05-01"}""", "issuingProvince"),
            (chain.Enterprise, "POST", $"/api/enrolments/{enrolment}/certificates", """{"type":"skill-level","tradeId":"T001","level":3,"number":"ZS002","issuingBody":"鉴定中心","issuingProvince":"520000","issuedOn":"2016-05-01"}""", "issuedOn"),
            (office, "POST", $"/api/workers/{worker}/certificates", """{"type":"skill-level","tradeId":"T001","level":3,"number":"ZS001","issuingBody":"鉴定中心","issuingProvince":"440300","issuedOn":"2026-05-01"}""", "issuingProvince"),
            (office, "POST", $"/api/workers/{worker}/certificates", """{"type":"skill-level","tradeId":"T001","level":3,"number":"ZS001","issuingBody":"鉴定中心","issuingProvince":"520000","issuedOn":"2031-05-01"}""", "issuedOn"),
            (office, "POST", $"/api/workers/{worker}/certificates", """{"type":"skill-level","tradeId":"T001","level":3,"number":"ZS001","issuingBody":"鉴定中心","issuingProvince":"520000","issuedOn":"2026-05-01","color":"red"}""", "$"),
            (office, "POST", "/api/subsidy-claims", $$"""{"enrolmentId":{{enrolment}},"certificateId":1,"bankAccount":"12345"}""", "bankAccount"),
            (office, "POST", "/api/subsidy-claims", """{"enrolmentId":999999,"certificateId":1,"bankAccount":"621700001111222233"}""", "enrolmentId"),
            (office, "PUT", $"/api/workers/{worker}/social-security-card", """{"number":"12345678"}""", "number"),
            (office, "PUT", $"/api/workers/{worker}/vital-status", """{"status":"deceased"}""", "since"),
            (office, "PUT", $"/api/workers/{worker}/vital-status", """{"status":"deceased","since":"2030-01-01"}""", "since"),
            (office, "PUT", $"/api/workers/{worker}/vital-status", """{"status":"missing"}""", "status"),
            (admin, "POST", "/api/subsidy-claims/checks", """{"year":2015}""", "year"),
        };
        foreach (var (client, method, path, body, field) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Http.Json(body) };
            using var response = await client.SendAsync(request);
            if (field == "$")
            {
                await response.ReadProblemAsync(HttpStatusCode.BadRequest);
            }
            else
            {
                await response.ReadFieldErrorAsync(field);
            }
        }
        foreach (var query in new[] { "/api/targets/progress?year=2999", "/api/targets/progress?areaCode=440300", "/api/subsidy-claims?status=maybe",
            $"/api/institutions/{institution}/teachers?year=1990", $"/api/workers/{worker}/record/export?format=xlsx" })
        {
            await (await admin.GetAsync(query)).ReadProblemAsync(HttpStatusCode.BadRequest);
        }
        Assert.Equal(before, await CountsAsync());
    }
}

/// <summary>The demo data gains institutions, teachers, completed cohorts with results, certificates and claims; the planted cases are found.</summary>
public sealed class TrainingDemoDataTests(DemoDataFixture api) : IClassFixture<DemoDataFixture>
{
    [Fact]
    public async Task The_demo_has_past_training_and_every_planted_integrity_case_is_found_by_its_check()
    {
        var admin = api.AsAdmin();
        Assert.True(await admin.TotalAsync("/api/institutions") >= 18);
        var claims = new List<JsonNode>();
        for (var page = 1; ; page++)
        {
            var list = await admin.GetObjectAsync($"/api/subsidy-claims?pageSize=200&page={page}");
            claims.AddRange(list["items"]!.AsArray()!);
            if (claims.Count >= list["total"]!.GetValue<long>())
            {
                break;
            }
        }
        var planted = claims.Where(c => c!["createdBy"]!.GetValue<string>().StartsWith(DemoTraining.PlantedBy, StringComparison.Ordinal)).ToList();
        Assert.True(planted.Count >= 12, $"{planted.Count} planted");
        foreach (var claim in planted)
        {
            var code = claim!["createdBy"]!.GetValue<string>()[DemoTraining.PlantedBy.Length..];
            Assert.True(claim["findings"]!.AsArray().Any(f => f!["code"]!.GetValue<string>() == code), $"{code}: {claim["findings"]!.ToJsonString()}");
            Assert.Equal("submitted", claim["status"]!.GetValue<string>());
        }
        // Decided demo claims passed the rules; every check of the list appears among the planted cases.
        Assert.Contains(claims, c => c!["status"]!.GetValue<string>() is "approved" or "paid");
        var codes = planted.Select(c => c!["createdBy"]!.GetValue<string>()[DemoTraining.PlantedBy.Length..]).ToHashSet();
        Assert.Superset(new HashSet<string> { "attendance", "certificate-before-cohort", "overlapping-cohorts", "subsidised-before", "lower-than-subsidised",
            "claim-window", "yearly-limit", "institution-rules", "vital-status", "identity", "shared-phone" }, codes);
        // A trainee's record shows attendance and results.
        var trainee = planted[0]!["workerId"]!.GetValue<long>();
        var record = await admin.GetObjectAsync($"/api/workers/{trainee}/record");
        Assert.NotEmpty(record["trainings"]!.AsArray());
        Assert.NotNull(record["trainings"]![0]!["result"]!["daysAttended"]);
    }
}
