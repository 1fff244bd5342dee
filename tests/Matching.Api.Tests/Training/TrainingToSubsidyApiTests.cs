using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Database = Matching.Data.Storage.Database;
using Matching.Scheduling.Lifecycle;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Training;

/// <summary>
/// The loop over the API as its users live it: an admin designates an institution and registers its teachers, the
/// enterprise assigns them to its cohort, the county office enrols workers, the cohort runs (its dates moved into the
/// past, the lifecycle steps run as the scheduler would), the base records attendance and results, the county office
/// records certificates and claims the subsidy; a clean claim is approved and paid, a claim with too little attendance
/// is refused with its findings; the lifelong record and the targets' progress show it all.
/// </summary>
public sealed class TrainingToSubsidyApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string County = Codes.DafangCounty;

    private static JsonObject Institution() => new()
    {
        ["name"] = "大方县育才职业培训学校",
        ["ownership"] = "private",
        ["kind"] = "training-school",
        ["creditCode"] = CreditCodes.Fresh(),
        ["divisionCode"] = County,
        ["employerId"] = null,
        ["trades"] = new JsonArray(Codes.GeneralWorker),
        ["active"] = true,
    };

    private static JsonObject Teacher(string employment) => new()
    {
        ["realName"] = employment == "full-time" ? "陈专职" : "李兼职",
        ["idNumber"] = IdNumbers.Fresh(),
        ["year"] = 2026,
        ["employment"] = employment,
        ["qualifiedTrades"] = new JsonArray(Codes.GeneralWorker),
    };

    private static JsonObject Result(int scheduled, int attended, bool passed = true) => new()
    {
        ["daysScheduled"] = scheduled,
        ["daysAttended"] = attended,
        ["completion"] = "completed",
        ["completedOn"] = "2026-06-10",
        ["assessment"] = new JsonObject { ["passed"] = passed, ["assessedOn"] = "2026-06-12", ["assessingBody"] = "贵州省职业技能鉴定指导中心" },
    };

    private static JsonObject Certificate(string number, int level = 4, long? enrolmentId = null) => new()
    {
        ["type"] = "skill-level",
        ["tradeId"] = Codes.GeneralWorker,
        ["level"] = level,
        ["number"] = number,
        ["issuingBody"] = "贵州省职业技能鉴定指导中心",
        ["issuingProvince"] = "520000",
        ["issuedOn"] = "2026-06-12",
        ["expiresOn"] = null,
        ["enrolmentId"] = enrolmentId,
    };

    [Fact]
    public async Task From_training_to_certificate_to_subsidy_over_the_API()
    {
        var admin = api.AsAdmin();
        var office = api.AsCountyOffice(County);
        var chain = await Seed.EmployerChainAsync(api);

        // An institution and its teachers: full-time first (a private school keeps a third full-time), then part-time.
        var institution = Http.IdOf(await admin.CreateAsync("/api/institutions", Institution()));
        using (var refused = await admin.PostAsync($"/api/institutions/{institution}/teachers", Teacher("part-time")))
        {
            Assert.Contains("1/3", (await refused.ReadProblemAsync(HttpStatusCode.Conflict))["title"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var fullTime = await admin.CreateAsync($"/api/institutions/{institution}/teachers", Teacher("full-time"));
        await admin.CreateAsync($"/api/institutions/{institution}/teachers", Teacher("part-time"));
        var roster = await admin.GetObjectAsync($"/api/institutions/{institution}/teachers?year=2026");
        Assert.Equal((1, 2), (roster["fullTime"]!.GetValue<int>(), roster["total"]!.GetValue<int>()));
        Assert.All(roster["teachers"]!.AsArray(), t => Assert.Contains("**********", t!["idNumberMasked"]!.GetValue<string>(), StringComparison.Ordinal));

        // The enterprise's cohort, taught by the school's full-time teacher, open for enrolment.
        var cohortBody = Bodies.Cohort(chain.BaseId, chain.OpeningId);
        cohortBody["minSize"] = 1;
        cohortBody["enrolmentDeadline"] = "2026-06-20";
        cohortBody["startDate"] = "2026-06-25";
        cohortBody["endDate"] = "2026-07-04";
        var cohort = Http.IdOf(await chain.Enterprise.CreateAsync("/api/cohorts", cohortBody));
        using (var teaching = await chain.Enterprise.PutAsync($"/api/cohorts/{cohort}/teachers",
            new JsonObject { ["institutionId"] = institution, ["teacherIds"] = new JsonArray(fullTime["teacherId"]!.GetValue<long>()) }))
        {
            Assert.Equal("陈专职", (await teaching.ReadObjectAsync(HttpStatusCode.OK))["teachers"]![0]!["realName"]!.GetValue<string>());
        }
        cohortBody["status"] = "open";
        (await chain.Enterprise.PutAsync($"/api/cohorts/{cohort}", cohortBody)).EnsureSuccessStatusCode();

        // Four workers of the county enrolled and accepted.
        var workers = new List<long>();
        var enrolments = new List<long>();
        foreach (var i in Enumerable.Range(0, 4))
        {
            var body = Bodies.Worker(tradeId: Codes.GeneralWorker);
            body["phone"] = $"1398526{i:D4}";
            body["availableFrom"] = "2026-06-01"; // free to travel before the cohort starts, as the eligibility rule asks
            var worker = Http.IdOf(await Seed.WorkerAsync(api, body));
            workers.Add(worker);
            var enrolment = Http.IdOf(await office.CreateAsync($"/api/cohorts/{cohort}/enrolments", new JsonObject { ["workerId"] = worker }));
            enrolments.Add(enrolment);
            (await office.PostAsync($"/api/enrolments/{enrolment}/accept", new JsonObject())).EnsureSuccessStatusCode();
        }

        // The cohort runs 1–10 June (its dates moved into the past) and each lifecycle step runs as the scheduler fires it.
        await using (var connection = await api.Services.GetRequiredService<Database>().OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE cohorts SET enrolment_deadline = '2026-06-01', start_date = '2026-06-01', end_date = '2026-06-10' WHERE id = @Id", new { Id = cohort });
        }
        var lifecycle = api.Services.GetRequiredService<CohortLifecycle>();
        await lifecycle.DeadlineAsync(cohort);
        await lifecycle.StartAsync(cohort);
        var end = await lifecycle.CompleteAsync(cohort);
        Assert.Contains("待登记", end.Detail, StringComparison.Ordinal);
        var pending = await api.AsAdmin().GetAsync($"/api/cohorts/{cohort}/results");
        var pendingRows = await pending.ReadArrayAsync();
        Assert.Equal(4, pendingRows.Count);
        Assert.All(pendingRows, r => Assert.Equal("pending", r!["completion"]!.GetValue<string>()));
        Assert.Equal(0, await api.AsAdmin().TotalAsync($"/api/placements?workerId={workers[0]}"));

        // The base records results: three attended well; the second attended half the days (a planted integrity case).
        using (var import = await chain.Enterprise.PostAsync($"/api/cohorts/{cohort}/results", new JsonObject
        {
            ["rows"] = new JsonArray(
                Result(10, 9).Also("enrolmentId", enrolments[0]),
                Result(10, 5).Also("enrolmentId", enrolments[1]),
                Result(10, 10).Also("enrolmentId", enrolments[2])),
        }))
        {
            Assert.Equal(3, (await import.ReadArrayAsync()).Count(r => r!["completion"]!.GetValue<string>() == "completed"));
        }
        using (var single = await chain.Enterprise.PutAsync($"/api/enrolments/{enrolments[3]}/result", new JsonObject { ["daysScheduled"] = 10, ["daysAttended"] = 3, ["completion"] = "not-completed" }))
        {
            Assert.Equal("未结业", (await single.ReadObjectAsync(HttpStatusCode.OK))["completionName"]!.GetValue<string>());
        }

        // Certificates raise the worker's level; claims are created with the catalogue's amounts and checked at once.
        var certificates = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            certificates.Add(Http.IdOf(await office.CreateAsync($"/api/workers/{workers[i]}/certificates", Certificate($"GZ2026{workers[i]:D6}", 4, enrolments[i]))));
        }
        // The enterprise that ran the cohort records the certificate its third trainee gained there: one dated before the
        // cohort began is refused on its field, another enterprise cannot record for this cohort at all, nothing changes.
        var other = (await Seed.EnterpriseAsync(api)).Client;
        using (var foreign = await other.PostAsync($"/api/enrolments/{enrolments[2]}/certificates", Certificate($"GZ2026F{workers[2]:D6}", 3)))
        {
            await foreign.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        var early = Certificate($"GZ2026E{workers[2]:D6}", 3);
        early["issuedOn"] = "2026-05-31";
        using (var refused = await chain.Enterprise.PostAsync($"/api/enrolments/{enrolments[2]}/certificates", early))
        {
            Assert.Contains("开班", (await refused.ReadFieldErrorAsync("issuedOn"))[0], StringComparison.Ordinal);
        }
        Assert.Equal(2, (await office.GetArrayAsync($"/api/cohorts/{cohort}/certificates")).Count);
        var gained = await chain.Enterprise.CreateAsync($"/api/enrolments/{enrolments[2]}/certificates", Certificate($"GZ2026E{workers[2]:D6}", 3));
        Assert.Equal((enrolments[2], workers[2]), (gained["enrolmentId"]!.GetValue<long>(), gained["workerId"]!.GetValue<long>()));
        var cohortCertificates = await chain.Enterprise.GetArrayAsync($"/api/cohorts/{cohort}/certificates");
        Assert.Equal([.. enrolments.Take(3)], cohortCertificates.Select(c => c!["enrolmentId"]!.GetValue<long>()).Order().ToList());
        Assert.Equal(3, (await office.GetObjectAsync($"/api/workers/{workers[2]}"))["trades"]!.AsArray()
            .Single(t => t!["tradeId"]!.GetValue<string>() == Codes.GeneralWorker)!["level"]!.GetValue<int>());
        await (await other.GetAsync($"/api/cohorts/{cohort}/certificates")).ReadProblemAsync(HttpStatusCode.NotFound);

        var worker0 = await office.GetObjectAsync($"/api/workers/{workers[0]}");
        Assert.Equal(4, worker0["trades"]!.AsArray().Single(t => t!["tradeId"]!.GetValue<string>() == Codes.GeneralWorker)!["level"]!.GetValue<int>());
        var clean = await office.CreateAsync("/api/subsidy-claims", new JsonObject { ["enrolmentId"] = enrolments[0], ["certificateId"] = certificates[0], ["bankAccount"] = "6217 0000 1111 2222 333" });
        Assert.Equal(2000, clean["amount"]!.GetValue<int>());
        Assert.Equal("**** **** 2333", clean["bankAccountMasked"]!.GetValue<string>());
        Assert.Empty(clean["findings"]!.AsArray());
        var thin = await office.CreateAsync("/api/subsidy-claims", new JsonObject { ["enrolmentId"] = enrolments[1], ["certificateId"] = certificates[1], ["bankAccount"] = "6217000011113333444" });
        Assert.True(thin["blocked"]!.GetValue<bool>());
        Assert.Contains(thin["findings"]!.AsArray(), f => f!["code"]!.GetValue<string>() == "attendance" && f["severity"]!.GetValue<string>() == "block");
        using (var notCompleted = await office.PostAsync("/api/subsidy-claims", new JsonObject { ["enrolmentId"] = enrolments[3], ["certificateId"] = certificates[0], ["bankAccount"] = "6217000011113333555" }))
        {
            Assert.Contains("结业", (await notCompleted.ReadProblemAsync(HttpStatusCode.Conflict))["title"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The clean claim is approved; the thin one is refused with its findings, then rejected with a reason.
        var approved = await (await office.PostAsync($"/api/subsidy-claims/{Http.IdOf(clean)}/approve", new JsonObject())).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        Assert.Equal(2026, approved["grantedYear"]!.GetValue<int>());
        var refusal = await (await office.PostAsync($"/api/subsidy-claims/{Http.IdOf(thin)}/approve", new JsonObject { ["reviewed"] = true, ["note"] = "已电话核实" }))
            .ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(refusal["findings"]!.AsArray(), f => f!["code"]!.GetValue<string>() == "attendance");
        Assert.Equal("submitted", (await office.GetObjectAsync($"/api/subsidy-claims/{Http.IdOf(thin)}"))["status"]!.GetValue<string>());
        var rejected = await (await office.PostAsync($"/api/subsidy-claims/{Http.IdOf(thin)}/reject", new JsonObject { ["reason"] = "出勤不足80%" })).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("rejected", rejected["status"]!.GetValue<string>());

        // The payment file holds the approved claim with its account in clear, once.
        using (var file = await office.PostAsync("/api/subsidy-claims/payment-file", new JsonObject()))
        {
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
            var csv = await file.Content.ReadAsStringAsync();
            Assert.Contains("'6217000011112222333,2000,", csv, StringComparison.Ordinal);
            Assert.DoesNotContain("6217000011113333444", csv, StringComparison.Ordinal);
        }
        Assert.Equal("paid", (await office.GetObjectAsync($"/api/subsidy-claims/{Http.IdOf(clean)}"))["status"]!.GetValue<string>());
        await (await office.PostAsync("/api/subsidy-claims/payment-file", new JsonObject())).ReadProblemAsync(HttpStatusCode.Conflict);

        // The claims export holds what the list shows, with the same filters: the claims, their findings, no account in clear.
        var listed = (await office.GetObjectAsync("/api/subsidy-claims?pageSize=100"))["items"]!.AsArray().Select(c => c!["id"]!.GetValue<long>()).ToList();
        foreach (var (filter, expected) in new[] { ("", listed), ("?status=rejected", [Http.IdOf(thin)]) })
        {
            using var export = await office.GetAsync("/api/exports/subsidy-claims" + filter);
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            var rows = MiniExcelLibs.MiniExcel.Query(await export.Content.ReadAsStreamAsync(), useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal(expected, rows.Select(r => Convert.ToInt64(r["编号"], System.Globalization.CultureInfo.InvariantCulture)).ToList());
            Assert.All(rows, r => Assert.DoesNotContain("6217000011113333444", Convert.ToString(r["银行账号（脱敏）"], System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        await (await office.GetAsync("/api/exports/subsidy-claims?status=nonsense")).ReadProblemAsync(HttpStatusCode.BadRequest);

        // The lifelong record shows it all in order; an enterprise sees its own training, no ID, card or subsidies.
        using (var card = await office.PutAsync($"/api/workers/{workers[0]}/social-security-card", new JsonObject { ["number"] = "a12345678" }))
        {
            Assert.Equal("A1*****78", (await card.ReadObjectAsync(HttpStatusCode.OK))["socialSecurityCardMasked"]!.GetValue<string>());
        }
        var record = await office.GetObjectAsync($"/api/workers/{workers[0]}/record");
        Assert.Equal("A1*****78", record["socialSecurityCardMasked"]!.GetValue<string>());
        var kinds = record["timeline"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "登记", "培训", "证书", "补贴" }, kinds);
        var dates = record["timeline"]!.AsArray().Select(e => e!["on"]!.GetValue<string>()).ToList();
        Assert.Equal(dates.Order(StringComparer.Ordinal), dates);
        Assert.Equal("paid", record["subsidies"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(9, record["trainings"]![0]!["result"]!["daysAttended"]!.GetValue<int>());
        using (var byCard = await office.PostAsync("/api/workers/lookup", new JsonObject { ["socialSecurityCardNumber"] = "A12345678" }))
        {
            Assert.Equal(workers[0], (await byCard.ReadObjectAsync(HttpStatusCode.OK))["id"]!.GetValue<long>());
        }
        var enterpriseView = await chain.Enterprise.GetStringAsync($"/api/workers/{workers[0]}/record");
        var enterpriseRecord = JsonNode.Parse(enterpriseView)!.AsObject();
        Assert.False(enterpriseRecord.ContainsKey("idNumberMasked") && enterpriseRecord["idNumberMasked"] is not null);
        Assert.Null(enterpriseRecord["subsidies"]);
        Assert.DoesNotContain("A1*****78", enterpriseView, StringComparison.Ordinal);
        Assert.DoesNotContain("补贴", enterpriseView, StringComparison.Ordinal);
        using (var export = await office.GetAsync($"/api/workers/{workers[0]}/record/export?format=csv"))
        {
            var csv = await export.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            Assert.Contains("日期,类别,事项,详情", csv, StringComparison.Ordinal);
            Assert.Contains("摸排登记", csv, StringComparison.Ordinal);
        }

        // The targets: the county's completions this year count toward the province's 600,000.
        var progress = await office.GetObjectAsync("/api/targets/progress?year=2026");
        var countyRow = progress["areas"]!.AsArray().Single()!;
        Assert.Equal(County, countyRow["areaCode"]!.GetValue<string>());
        Assert.Equal(3, countyRow["trainingCompleted"]!.GetValue<int>());
        var province = (await admin.GetObjectAsync("/api/targets/progress?year=2026"))["areas"]![0]!;
        Assert.Equal(600_000, province["trainingTarget"]!.GetValue<int>());
        Assert.True(province["trainingCompleted"]!.GetValue<int>() >= 3);
        Assert.True(province["highSkilledCumulative"]!.GetValue<int>() >= 2);
        await (await office.GetAsync("/api/targets/progress?areaCode=520000")).ReadProblemAsync(HttpStatusCode.Forbidden);

        // Disclosure by construction: what the enterprise may not see changes, its view does not.
        var before = await chain.Enterprise.GetStringAsync($"/api/workers/{workers[0]}/record");
        (await office.PutAsync($"/api/workers/{workers[0]}/social-security-card", new JsonObject { ["number"] = "B87654321" })).EnsureSuccessStatusCode();
        (await office.PutAsync($"/api/workers/{workers[0]}/vital-status", new JsonObject { ["status"] = "emigrated", ["since"] = "2026-06-14", ["note"] = "户籍注销" }))
            .EnsureSuccessStatusCode();
        Assert.Equal(before, await chain.Enterprise.GetStringAsync($"/api/workers/{workers[0]}/record"));
        Assert.Equal("emigrated", (await office.GetObjectAsync($"/api/workers/{workers[0]}/record"))["vitalStatus"]!.GetValue<string>());

        // Every step is in the audit log.
        foreach (var action in new[] { "institution.create", "institution.teacher.register", "cohort.teachers.assign", "training.results.import", "training.result",
            "certificate.create", "training.certificate", "subsidy-claim.create", "subsidy-claim.approve", "subsidy-claim.reject", "subsidy-claim.payment-file", "worker.record.read", "worker.social-security-card", "worker.vital-status" })
        {
            Assert.True(await admin.TotalAsync($"/api/audit?action={action}") > 0, action);
        }
    }
}

internal static class JsonBodies
{
    /// <summary>The body with one more field, for rows that differ only by it.</summary>
    public static JsonObject Also(this JsonObject body, string name, long value)
    {
        body[name] = value;
        return body;
    }
}
