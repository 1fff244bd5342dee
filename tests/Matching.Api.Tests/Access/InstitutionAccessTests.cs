using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Institutions;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Bases;
using Matching.Domain.Cohorts;
using Matching.Domain.Employers;
using Matching.Domain.Identity;
using Matching.Domain.Institutions;
using Matching.Domain.Workers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Access;

/// <summary>
/// Two training institutions, each delivering one completed cohort of the same enterprise: institution 1 runs cohort 1
/// (trainees A and B accepted, D declined), institution 2 runs cohort 2 (trainee C). Trainees A and C are in priority
/// groups and have household data.
/// </summary>
public sealed class InstitutionWorld : ApiFixture
{
    public long Employer { get; private set; }
    public long Institution1 { get; private set; }
    public long Institution2 { get; private set; }
    public long Cohort1 { get; private set; }
    public long Cohort2 { get; private set; }
    public long WorkerA { get; private set; }
    public long WorkerB { get; private set; }
    public long WorkerC { get; private set; }
    public long WorkerD { get; private set; }
    public long EnrolmentA { get; private set; }
    public long EnrolmentB { get; private set; }
    public long EnrolmentC { get; private set; }
    public long EnrolmentD { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var workers = Services.GetRequiredService<WorkerStore>();
        WorkerA = Ok(await workers.CreateAsync(Worker("龙小芳", 11, "520521", ["monitored"], "household-A")));
        WorkerB = Ok(await workers.CreateAsync(Worker("杨大山", 13, "520521", [], null)));
        WorkerC = Ok(await workers.CreateAsync(Worker("吴春梅", 15, "520502", ["poverty-lifted"], "household-C")));
        WorkerD = Ok(await workers.CreateAsync(Worker("罗明亮", 17, "520502", [], null)));

        Employer = Ok(await Services.GetRequiredService<EmployerStore>().CreateAsync(new EmployerDraft("佛山顺德美居电器有限公司",
            CreditCode.Compose("91440606MA5CX2468"), "440600", "440000", ["equipment"], null, null, null)));
        var baseId = Ok(await Services.GetRequiredService<TrainingBaseStore>().CreateAsync(new TrainingBaseDraft(Employer, "美居东西部协作实训基地", "enterprise",
            "440600", "440000", null, ["T007"], ["pre-job"])));
        var institutions = Services.GetRequiredService<InstitutionStore>();
        Institution1 = Ok(await institutions.CreateAsync(new InstitutionDraft("大方县职业技术学校", "public", "vocational-school",
            CreditCode.Compose("12520521MB1357913"), "520521", "520000", null, ["T007"], true)));
        Institution2 = Ok(await institutions.CreateAsync(new InstitutionDraft("七星关区育才职业培训学校", "private", "training-school",
            CreditCode.Compose("52520502MJ2468024"), "520502", "520000", null, ["T007"], true)));
        await institutions.RegisterTeacherAsync(Institution1, new TeacherDraft("周老师", ResidentIdNumber.Compose("520521", new DateOnly(1979, 3, 3), 41), 2026, "full-time", ["T007"]));
        await institutions.RegisterTeacherAsync(Institution2, new TeacherDraft("陈老师", ResidentIdNumber.Compose("520502", new DateOnly(1981, 5, 5), 43), 2026, "full-time", ["T007"]));

        var cohorts = Services.GetRequiredService<CohortStore>();
        Cohort1 = Ok(await cohorts.CreateAsync(Cohort(baseId, "电子装配工岗前培训一期")));
        Cohort2 = Ok(await cohorts.CreateAsync(Cohort(baseId, "电子装配工岗前培训二期")));
        var now = Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var connection = await Services.GetRequiredService<Database>().OpenAsync();
        // Which institution delivers a cohort is set by its enterprise (PUT /api/cohorts/{id}/teachers); written here directly.
        await connection.ExecuteAsync("UPDATE cohorts SET institution_id = @Institution WHERE id = @Cohort", new[]
        {
            new { Institution = Institution1, Cohort = Cohort1 }, new { Institution = Institution2, Cohort = Cohort2 },
        });
        const string enrol = """
            INSERT INTO enrolments (cohort_id, worker_id, status, created_at, updated_at) VALUES (@Cohort, @Worker, @Status, @Now, @Now);
            SELECT last_insert_rowid();
            """;
        EnrolmentA = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort1, Worker = WorkerA, Status = "accepted", Now = now });
        EnrolmentB = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort1, Worker = WorkerB, Status = "accepted", Now = now });
        EnrolmentD = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort1, Worker = WorkerD, Status = "declined", Now = now });
        EnrolmentC = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort2, Worker = WorkerC, Status = "accepted", Now = now });
    }

    private static WorkerDraft Worker(string name, int sequence, string county, IReadOnlyList<string> groups, string? household)
    {
        var idNumber = ResidentIdNumber.Compose(county, new DateOnly(1994, 4, 4).AddDays(sequence * 37), sequence);
        var info = ResidentIdNumber.TryParse(idNumber, out var parsed, out _) ? parsed! : throw new InvalidOperationException("bad test ID");
        return new WorkerDraft(name, idNumber, info.Gender, info.BirthDate, "1390000" + sequence.ToString("D4", CultureInfo.InvariantCulture), county, county[..4] + "00",
            "junior", [new WorkerTrade("T007", 2)], [], groups, ["440000"], 5000, new DateOnly(2026, 1, 1), ["pre-job"], "照顾老人",
            household, household is null ? null : "monitored", household is null ? null : "unemployed");
    }

    /// <summary>A cohort that ran from 1 to 20 May 2026 (the service's today is 15 June) and is completed.</summary>
    private static CohortDraft Cohort(long baseId, string name) =>
        new(baseId, name, "pre-job", ["T007"], 30, 1, new DateOnly(2026, 4, 20), new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 20), [], CohortStatus.Completed);

    private static long Ok(WriteResult result) =>
        result.Status == WriteStatus.Ok ? result.Id : throw new InvalidOperationException($"seed refused: {result.Status} {result.Message}");
}

/// <summary>
/// A training institution (培训机构) account, each permission both ways: its own profile, teachers, cohort, trainees and
/// results are open to it; another institution's answer as not found, naming nothing of them, and writes to them
/// change nothing. What it may not see changes none of its answers by a byte.
/// </summary>
public sealed partial class InstitutionAccessTests(InstitutionWorld world) : IClassFixture<InstitutionWorld>
{
    private HttpClient Own => world.AsInstitution(world.Institution1);

    [Fact]
    public async Task An_institution_reads_its_own_profile_teachers_and_cohort_and_another_institutions_read_as_not_found()
    {
        var own = Own;
        var list = await own.GetObjectAsync("/api/institutions?pageSize=200");
        Assert.Equal([world.Institution1], list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()));
        Assert.Equal("大方县职业技术学校", (await own.GetObjectAsync($"/api/institutions/{world.Institution1}"))["name"]!.GetValue<string>());
        var teachers = await own.GetObjectAsync($"/api/institutions/{world.Institution1}/teachers?year=2026");
        Assert.Equal("周老师", teachers["teachers"]![0]!["realName"]!.GetValue<string>());

        var cohorts = await own.GetObjectAsync("/api/cohorts?pageSize=200");
        Assert.Equal([world.Cohort1], cohorts["items"]!.AsArray().Select(c => c!["id"]!.GetValue<long>()));
        Assert.Equal(world.Institution1, (await own.GetObjectAsync($"/api/cohorts/{world.Cohort1}"))["institutionId"]!.GetValue<long>());
        Assert.Equal(3, (await own.GetObjectAsync($"/api/cohorts/{world.Cohort1}/enrolments"))["total"]!.GetValue<long>());
        Assert.Equal(world.Institution1, (await own.GetObjectAsync($"/api/cohorts/{world.Cohort1}/teachers"))["institutionId"]!.GetValue<long>());
        var enrolments = await own.GetObjectAsync("/api/enrolments?pageSize=200");
        Assert.Equal(new[] { world.EnrolmentA, world.EnrolmentB, world.EnrolmentD }, enrolments["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).Order());
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/enrolments/{world.EnrolmentA}")).StatusCode);

        // Institution 2's profile, teachers, cohort, trainee and results: 404, naming none of them.
        foreach (var url in new[]
        {
            $"/api/institutions/{world.Institution2}", $"/api/institutions/{world.Institution2}/teachers", $"/api/cohorts/{world.Cohort2}",
            $"/api/cohorts/{world.Cohort2}/enrolments", $"/api/cohorts/{world.Cohort2}/teachers", $"/api/cohorts/{world.Cohort2}/results",
            $"/api/enrolments/{world.EnrolmentC}", $"/api/enrolments/{world.EnrolmentC}/result",
        })
        {
            using var response = await own.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode} {text}");
            foreach (var secret in new[] { "育才", "二期", "陈老师", "吴春梅", "吴**", "520502" })
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
        // Filters cannot widen the scope: asking for cohort 2's enrolments or another employer's cohorts gives nothing.
        Assert.Equal(0, (await own.GetObjectAsync($"/api/enrolments?cohortId={world.Cohort2}"))["total"]!.GetValue<long>());
        Assert.Equal(0, (await own.GetObjectAsync($"/api/institutions?employerId={world.Employer}"))["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_institution_sees_its_trainees_exactly_as_the_enterprise_sees_them_and_no_worker_register()
    {
        var own = Own;
        var enterprise = world.AsEnterprise(world.Employer);
        foreach (var enrolment in new[] { world.EnrolmentA, world.EnrolmentB, world.EnrolmentD })
        {
            var asInstitution = await own.GetStringAsync($"/api/enrolments/{enrolment}");
            Assert.Equal(await enterprise.GetStringAsync($"/api/enrolments/{enrolment}"), asInstitution);
            Assert.DoesNotMatch(IdNumberLike(), asInstitution);
            foreach (var hidden in new[] { "priorityGroups", "monitored", "idNumber", "household", "phone", "notes", "照顾老人" })
            {
                Assert.DoesNotContain(hidden, asInstitution, StringComparison.OrdinalIgnoreCase);
            }
        }
        // Accepted trainees by name; the one who declined masked (王** style), as the enterprise sees a candidate. Each
        // clear name it receives is audited as a read of that worker, as for an enterprise.
        var reads = await ClearNameReadsAsync(world.WorkerA);
        Assert.Equal("龙小芳", (await own.GetObjectAsync($"/api/enrolments/{world.EnrolmentA}"))["workerName"]!.GetValue<string>());
        Assert.Equal("罗**", (await own.GetObjectAsync($"/api/enrolments/{world.EnrolmentD}"))["workerName"]!.GetValue<string>());
        await own.GetObjectAsync($"/api/cohorts/{world.Cohort1}/enrolments");
        Assert.Equal(reads + 2, await ClearNameReadsAsync(world.WorkerA));

        // No worker, placement or search route: refused by role, whoever the worker is.
        foreach (var url in new[] { $"/api/workers/{world.WorkerA}", "/api/workers", $"/api/workers/{world.WorkerA}/record", $"/api/workers/{world.WorkerA}/certificates",
            "/api/placements", "/api/search/workers?q=装配", "/api/exports/enrolments", "/api/openings", "/api/employers", "/api/follow-ups" })
        {
            Assert.True((await own.GetAsync(url)).StatusCode == HttpStatusCode.Forbidden, url);
        }
    }

    [Fact]
    public async Task An_institution_records_results_and_a_certificate_for_its_own_cohort_and_another_institutions_are_refused_changing_nothing()
    {
        var own = Own;
        var result = new JsonObject { ["daysScheduled"] = 20, ["daysAttended"] = 18, ["completion"] = "completed", ["completedOn"] = "2026-05-20" };

        // Another institution's trainee and cohort first: refused as not found, and not a row of any table changes.
        var before = await DatabaseSnapshot.TakeAsync(world.DatabasePath);
        using (var refused = await own.PutAsync($"/api/enrolments/{world.EnrolmentC}/result", result))
        {
            await refused.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        using (var refused = await own.PostAsync($"/api/cohorts/{world.Cohort2}/results", new JsonObject
        {
            ["rows"] = new JsonArray(new JsonObject { ["enrolmentId"] = world.EnrolmentC, ["daysScheduled"] = 20, ["daysAttended"] = 3 }),
        }))
        {
            await refused.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        using (var refused = await own.PostAsync($"/api/workers/{world.WorkerC}/certificates", Certificate("S2026520777", world.EnrolmentC)))
        {
            await refused.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        // Its own cohort's enrolment named for another institution's trainee: not that trainee's enrolment, not found.
        using (var refused = await own.PostAsync($"/api/workers/{world.WorkerC}/certificates", Certificate("S2026520778", world.EnrolmentA)))
        {
            await refused.ReadProblemAsync(HttpStatusCode.NotFound);
        }
        var after = await DatabaseSnapshot.TakeAsync(world.DatabasePath);
        Assert.Empty(after.ChangedSince(before));

        // Its own: attendance one at a time, the cohort as a batch, and a certificate gained in it.
        var recorded = await (await own.PutAsync($"/api/enrolments/{world.EnrolmentA}/result", result)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(18, recorded["daysAttended"]!.GetValue<int>());
        var batch = await (await own.PostAsync($"/api/cohorts/{world.Cohort1}/results", new JsonObject
        {
            ["rows"] = new JsonArray(new JsonObject { ["enrolmentId"] = world.EnrolmentB, ["daysScheduled"] = 20, ["daysAttended"] = 15 }),
        })).ReadArrayAsync();
        Assert.Contains(batch, r => r!["enrolmentId"]!.GetValue<long>() == world.EnrolmentB && r["daysAttended"]!.GetValue<int>() == 15);
        var certificate = await (await own.PostAsync($"/api/workers/{world.WorkerA}/certificates", Certificate("S2026520779", world.EnrolmentA)))
            .ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(world.EnrolmentA, certificate["enrolmentId"]!.GetValue<long>());

        // What it recorded is what the county office reads.
        var office = world.AsCountyOffice("520521");
        Assert.Equal(18, (await office.GetObjectAsync($"/api/enrolments/{world.EnrolmentA}/result"))["daysAttended"]!.GetValue<int>());
        Assert.Contains("S2026520779", await office.GetStringAsync($"/api/workers/{world.WorkerA}/certificates"), StringComparison.Ordinal);

        // The other institution records its own cohort and is refused on this one.
        var other = world.AsInstitution(world.Institution2);
        Assert.Equal(HttpStatusCode.OK, (await other.PutAsync($"/api/enrolments/{world.EnrolmentC}/result", result)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsync($"/api/enrolments/{world.EnrolmentB}/result", result)).StatusCode);
        Assert.Equal(15, (await office.GetObjectAsync($"/api/enrolments/{world.EnrolmentB}/result"))["daysAttended"]!.GetValue<int>());
    }

    [Fact]
    public void Who_may_record_a_cohorts_results_is_one_rule_the_enterprise_and_the_delivering_institution_pass_and_nobody_else()
    {
        var catalogue = world.Services.GetRequiredService<Matching.Domain.Catalogues.Catalogue>();
        Caller As(string role, params string[] scopes) => Caller.Resolve(1, "t", role, scopes, catalogue, out _)!;
        var employer = world.Employer.ToString(CultureInfo.InvariantCulture);
        // Every role of the product, in and out of scope.
        var callers = Roles.All.SelectMany(role => role switch
        {
            Roles.Enterprise => new[] { As(role, employer), As(role, "999") },
            Roles.TrainingInstitution => new[] { As(role, world.Institution1.ToString(CultureInfo.InvariantCulture)), As(role, world.Institution2.ToString(CultureInfo.InvariantCulture)) },
            Roles.CountyOffice => new[] { As(role, "520521") },
            Roles.PrefectureOffice => new[] { As(role, "520500") },
            _ => new[] { As(role) },
        }).ToList();
        var allowed = callers.Where(c => c.CanRecordResults(world.Employer, world.Institution1)).Select(c => (c.Role, c.EmployerId, c.InstitutionId)).ToList();
        Assert.Equal(new (string, long?, long?)[] { (Roles.Enterprise, world.Employer, null), (Roles.TrainingInstitution, null, world.Institution1) }, allowed);
        Assert.Equal(Roles.All.Count + 2, callers.Count);
        // A cohort no institution delivers: the enterprise alone.
        Assert.False(As(Roles.TrainingInstitution, world.Institution1.ToString(CultureInfo.InvariantCulture)).CanRecordResults(world.Employer, null));
    }

    [Fact]
    public async Task What_an_institution_may_not_see_changes_none_of_its_answers_by_a_byte()
    {
        var own = Own;
        var urls = await InstitutionGetUrlsAsync();
        Assert.True(urls.Count > 30, $"only {urls.Count} routes to read");
        var office = world.AsAdmin();
        string[] officeViews = [$"/api/workers/{world.WorkerA}", $"/api/workers/{world.WorkerC}", $"/api/enrolments/{world.EnrolmentC}", $"/api/institutions/{world.Institution2}/teachers"];

        var before = await ReadAllAsync(own, urls);
        var officeBefore = await ReadAllAsync(office, officeViews);
        Assert.Contains(before, a => a.Contains("龙小芳", StringComparison.Ordinal));
        await using (var connection = new SqliteConnection($"Data Source={world.DatabasePath};Pooling=False"))
        {
            // Its own trainees' ID numbers, priority groups and household data; another institution's trainees, teachers,
            // profile, cohort and results; everything as if it had been recorded so (no timestamp moves).
            await connection.ExecuteAsync("""
                UPDATE workers SET id_number_masked = '5205**********9999', priority_groups = '|hard-to-employ|', household_number = 'X-1', household_type = 'relocated',
                    employment_status = 'employed', notes = '另有说明' WHERE id IN (@A, @B);
                UPDATE workers SET real_name = '改了名', id_number_masked = '5299**********0000', priority_groups = '', phone_masked = '139****0000' WHERE id = @C;
                UPDATE teachers SET real_name = '换了人' WHERE id IN (SELECT teacher_id FROM teacher_engagements WHERE institution_id = @Institution2);
                UPDATE training_institutions SET name = '改名学校' WHERE id = @Institution2;
                UPDATE cohorts SET name = '改名班期', capacity = 99 WHERE id = @Cohort2;
                INSERT INTO training_results (enrolment_id, cohort_id, worker_id, days_scheduled, days_attended, completion, updated_at, version)
                    VALUES (@EnrolmentC, @Cohort2, @C, 20, 1, 'pending', '2026-06-01T00:00:00.0000000+00:00', 1)
                    ON CONFLICT (enrolment_id) DO UPDATE SET days_attended = 1;
                """, new
            {
                A = world.WorkerA, B = world.WorkerB, C = world.WorkerC, world.Institution2, world.Cohort2, world.EnrolmentC,
            });
        }
        var after = await ReadAllAsync(own, urls);
        var officeAfter = await ReadAllAsync(office, officeViews);

        for (var i = 0; i < urls.Count; i++)
        {
            Assert.True(before[i] == after[i], $"GET {urls[i]} differs for the institution:\n{before[i]}\n{after[i]}");
        }
        // The changes are real: an admin's answers about the same people and rows do change.
        for (var i = 0; i < officeViews.Length; i++)
        {
            Assert.NotEqual(officeBefore[i], officeAfter[i]);
        }
    }

    /// <summary>
    /// Every GET route the OpenAPI document opens to training institutions, with every id of this world put in (both
    /// institutions, both cohorts, every enrolment, every worker).
    /// </summary>
    private async Task<List<string>> InstitutionGetUrlsAsync()
    {
        var document = JsonNode.Parse(await world.CreateClient().GetStringAsync("/openapi/v1.json"))!.AsObject();
        long[] ids = [world.Institution1, world.Institution2, world.Cohort1, world.Cohort2, world.EnrolmentA, world.EnrolmentB, world.EnrolmentC, world.EnrolmentD,
            world.WorkerA, world.WorkerB, world.WorkerC, world.WorkerD];
        var urls = new List<string>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            if (!template.StartsWith("/api/", StringComparison.Ordinal) || item?["get"]?["x-roles"] is not JsonArray roles
                || !roles.Any(r => r!.GetValue<string>() == Roles.TrainingInstitution))
            {
                continue;
            }
            if (!template.Contains('{', StringComparison.Ordinal))
            {
                urls.Add(template + "?pageSize=200");
            }
            else if (template.Contains("{id}", StringComparison.Ordinal) && template.Count(c => c == '{') == 1)
            {
                urls.AddRange(ids.Distinct().Select(id => template.Replace("{id}", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
            }
        }
        return urls;
    }

    private static async Task<List<string>> ReadAllAsync(HttpClient client, IReadOnlyList<string> urls)
    {
        var answers = new List<string>(urls.Count);
        foreach (var url in urls)
        {
            using var response = await client.GetAsync(url);
            // A problem's trace id differs on every request: not something the institution learns.
            answers.Add($"{(int)response.StatusCode} {TraceId().Replace(await response.Content.ReadAsStringAsync(), "")}");
        }
        return answers;
    }

    private async Task<long> ClearNameReadsAsync(long worker)
    {
        await using var connection = new SqliteConnection($"Data Source={world.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'worker.read' AND resource_id = @Id AND role = 'training_institution' AND outcome = 'success'",
            new { Id = worker.ToString(CultureInfo.InvariantCulture) });
    }

    private static JsonObject Certificate(string number, long enrolmentId) => new()
    {
        ["type"] = "skill-level",
        ["tradeId"] = "T007",
        ["level"] = 3,
        ["number"] = number,
        ["issuingBody"] = "贵州省职业技能鉴定指导中心",
        ["issuingProvince"] = "520000",
        ["issuedOn"] = "2026-05-25",
        ["enrolmentId"] = enrolmentId,
    };

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    [GeneratedRegex(@"\d{6}(19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx]")]
    private static partial Regex IdNumberLike();
}
