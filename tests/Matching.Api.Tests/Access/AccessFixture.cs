using System.Globalization;
using System.Net.Http.Json;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Bases;
using Matching.Domain.Cohorts;
using Matching.Domain.Employers;
using Matching.Domain.Identity;
using Matching.Domain.Openings;
using Matching.Domain.Placements;
using Matching.Domain.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Access;

/// <summary>
/// The service with a small, known world for access-control tests: two counties in two prefectures, four workers,
/// two employers each with a base, an opening and a cohort, two placements, and one user per role.
/// </summary>
public class AccessFixture : ApiFixture
{
    /// <summary>七星关区 (毕节市): the county office's county.</summary>
    public const string CountyA = "520502";

    /// <summary>碧江区 (铜仁市): another county in another prefecture.</summary>
    public const string CountyB = "520602";

    public const string PrefectureOfA = "520500";

    /// <summary>Worker in county A, poverty-lifted, enrolled and accepted at employer 1, placed there.</summary>
    public long WorkerA { get; private set; }

    /// <summary>Worker in county B, a monitored household (priority group), placed at employer 2.</summary>
    public long WorkerB { get; private set; }

    /// <summary>Worker in county B in no priority group, linked to no employer.</summary>
    public long WorkerC { get; private set; }

    /// <summary>Worker in county B in no priority group, offered a seat by employer 1 but not yet accepted.</summary>
    public long WorkerD { get; private set; }

    public string IdNumberA { get; } = ResidentIdNumber.Compose(CountyA, new DateOnly(1990, 3, 8), 123);
    public string PhoneA { get; } = "13812345678";
    public string IdNumberB { get; } = ResidentIdNumber.Compose(CountyB, new DateOnly(1988, 7, 1), 456);

    public long Employer1 { get; private set; }
    public long Employer2 { get; private set; }
    public long Base1 { get; private set; }
    public long Base2 { get; private set; }
    public long Opening1 { get; private set; }
    public long Opening2 { get; private set; }
    public long Cohort1 { get; private set; }
    public long Cohort2 { get; private set; }

    /// <summary>Cancelled cohorts of employer 1 and 2: cancelling again is refused (409), so the call changes nothing.</summary>
    public long CancelledCohort1 { get; private set; }
    public long CancelledCohort2 { get; private set; }
    public long PlacementA { get; private set; }
    public long PlacementB { get; private set; }

    /// <summary>Worker A's accepted seat in cohort 1 (employer 1).</summary>
    public long EnrolmentA { get; private set; }

    /// <summary>Worker D's offered seat in cohort 1 (employer 1): county B, no priority group.</summary>
    public long EnrolmentD { get; private set; }

    /// <summary>Worker A's declined offer in cohort 2: every answer to it is refused, so answering it changes nothing.</summary>
    public long EnrolmentDeclined { get; private set; }

    /// <summary>
    /// A private institution that is employer 1's base, teaching cohort 1 (the training institution user's own); and a
    /// public one linked to no employer, delivering no cohort.
    /// </summary>
    public long Institution1 { get; private set; }
    public long Institution2 { get; private set; }

    /// <summary>Subsidy claims of worker A (county A, in cohort 1) and worker B (county B, in cohort 2), each blocked by its findings.</summary>
    public long ClaimA { get; private set; }
    public long ClaimB { get; private set; }

    /// <summary>Committed dispatch rounds over county A (by its county office) and county B (by an admin).</summary>
    public long RoundA { get; private set; }
    public long RoundB { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await SeedAsync();
        await SeedTrainingAsync();
        // Stored now, so tokens naming them may be minted before any request is made as them.
        foreach (var role in Roles.All)
        {
            await UserAsync(role, ScopeOf(role));
        }
        // Rounds that assign nobody (every worker of this world is placed, enrolled or not yet available), committed so
        // that committing again is refused and changes nothing.
        RoundA = await CommittedRoundAsync(Roles.CountyOffice, CountyA);
        RoundB = await CommittedRoundAsync(Roles.Admin, CountyB);
        // Both placements' first follow-ups are more than 30 days overdue and both workers are covered (poverty-lifted,
        // monitored): one run of the watch raises and delivers an alert for each.
        await Services.GetRequiredService<Matching.Scheduling.Alerts.FollowUpWatch>().RunOnceAsync();
        var alerts = Services.GetRequiredService<Matching.Data.Alerts.JobLossAlertStore>();
        AlertA = (await alerts.ListAsync(new Matching.Data.Alerts.AlertFilter(WorkerId: WorkerA), 1, 10)).Items.Single().Id;
        AlertB = (await alerts.ListAsync(new Matching.Data.Alerts.AlertFilter(WorkerId: WorkerB), 1, 10)).Items.Single().Id;
    }

    /// <summary>Job-loss alerts (overdue follow-up) of worker A (county A) and worker B (county B).</summary>
    public long AlertA { get; private set; }
    public long AlertB { get; private set; }

    private async Task<long> CommittedRoundAsync(string role, string county)
    {
        var client = Client(role);
        var created = await client.PostAsJsonAsync("/api/dispatch-rounds", new { countyCode = county });
        var id = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        (await client.PostAsync($"/api/dispatch-rounds/{id}/commit", null)).EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>A client acting as this world's user of the role (county A's office, employer 1's enterprise…); null for no token.</summary>
    public HttpClient Client(string? role) => role is null ? CreateClient() : CreateClient(role, ScopeOf(role));

    /// <summary>The audit log's name for this world's user of the role.</summary>
    public string UserNameOf(string role) => UserName(role, ScopeOf(role));

    /// <summary>This world's scope of each role; a role added later must be given one here, or every test of this world fails.</summary>
    private string[] ScopeOf(string role) => role switch
    {
        Roles.CountyOffice => [CountyA],
        Roles.PrefectureOffice => [PrefectureOfA],
        Roles.Enterprise => [Employer1.ToString(CultureInfo.InvariantCulture)],
        Roles.TrainingInstitution => [Institution1.ToString(CultureInfo.InvariantCulture)],
        Roles.RuralRevitalisation or Roles.Admin => [],
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "no scope for this role in the access world"),
    };

    private async Task SeedAsync()
    {
        var time = Services.GetRequiredService<TimeProvider>();
        var today = Domain.Validation.ChinaTime.Today(time);
        var workers = Services.GetRequiredService<WorkerStore>();
        WorkerA = Ok(await workers.CreateAsync(Worker(IdNumberA, PhoneA, CountyA, "520500", ["poverty-lifted"])));
        WorkerB = Ok(await workers.CreateAsync(Worker(IdNumberB, "13912345678", CountyB, "520600", ["monitored"])));
        // Not available before the cohorts start, so no dispatch round offers worker C a seat.
        WorkerC = Ok(await workers.CreateAsync(Worker(ResidentIdNumber.Compose(CountyB, new DateOnly(1995, 1, 20), 789), "13712345678", CountyB, "520600", [])
            with { AvailableFrom = today.AddYears(1) }));
        WorkerD = Ok(await workers.CreateAsync(Worker(ResidentIdNumber.Compose(CountyB, new DateOnly(1996, 2, 21), 246), "13612345678", CountyB, "520600", [])));

        var employers = Services.GetRequiredService<EmployerStore>();
        Employer1 = Ok(await employers.CreateAsync(new EmployerDraft("东莞华创电子科技有限公司", CreditCode.Compose("91441900MA4UX1234"), "441900", "440000", ["digital"], null, null, null)));
        Employer2 = Ok(await employers.CreateAsync(new EmployerDraft("宁波恒信精密机械有限公司", CreditCode.Compose("91330200MA2GX5678"), "330200", "330000", ["equipment"], null, null, null)));
        var bases = Services.GetRequiredService<TrainingBaseStore>();
        Base1 = Ok(await bases.CreateAsync(new TrainingBaseDraft(Employer1, "华创东西部协作实训基地", "enterprise", "441900", "440000", null, ["T007"], ["pre-job"])));
        Base2 = Ok(await bases.CreateAsync(new TrainingBaseDraft(Employer2, "恒信东西部协作实训基地", "enterprise", "330200", "330000", null, ["T029"], ["pre-job"])));
        var openings = Services.GetRequiredService<OpeningStore>();
        Opening1 = Ok(await openings.CreateAsync(Opening(Base1, "T007", [])));
        Opening2 = Ok(await openings.CreateAsync(Opening(Base2, "T029", ["special-operation"])));
        var cohorts = Services.GetRequiredService<CohortStore>();
        Cohort1 = Ok(await cohorts.CreateAsync(Cohort(Base1, "T007", Opening1, today)));
        Cohort2 = Ok(await cohorts.CreateAsync(Cohort(Base2, "T029", Opening2, today)));
        CancelledCohort1 = Ok(await cohorts.CreateAsync(Cohort(Base1, "T007", Opening1, today) with { Status = CohortStatus.Cancelled }));
        CancelledCohort2 = Ok(await cohorts.CreateAsync(Cohort(Base2, "T029", Opening2, today) with { Status = CohortStatus.Cancelled }));

        // Enrolments in given states, written directly (the enrolment endpoints would decide the states themselves).
        var database = Services.GetRequiredService<Database>();
        await using (var connection = await database.OpenAsync())
        {
            const string enrol = """
                INSERT INTO enrolments (cohort_id, worker_id, status, created_at, updated_at) VALUES (@Cohort, @Worker, @Status, @Now, @Now);
                SELECT last_insert_rowid();
                """;
            EnrolmentA = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort1, Worker = WorkerA, Status = "accepted", Now = time.GetUtcNow() });
            EnrolmentD = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort1, Worker = WorkerD, Status = "offered", Now = time.GetUtcNow() });
            EnrolmentDeclined = await connection.ExecuteScalarAsync<long>(enrol, new { Cohort = Cohort2, Worker = WorkerA, Status = "declined", Now = time.GetUtcNow() });
        }
        var placements = Services.GetRequiredService<PlacementStore>();
        PlacementA = Ok(await placements.CreateAsync(new PlacementDraft(WorkerA, Employer1, Opening1, null, today.AddMonths(-2), 5200)));
        PlacementB = Ok(await placements.CreateAsync(new PlacementDraft(WorkerB, Employer2, Opening2, null, today.AddMonths(-2), 6100)));
    }

    /// <summary>
    /// Institutions, a teacher of cohort 1, completed results and certificates for worker A (cohort 1) and worker B
    /// (cohort 2, enrolled here directly) and a claim for each. The cohorts start in the future, so each certificate
    /// predates its cohort: both claims carry a blocking finding and approving them is refused, changing nothing.
    /// </summary>
    private async Task SeedTrainingAsync()
    {
        var time = Services.GetRequiredService<TimeProvider>();
        var today = Domain.Validation.ChinaTime.Today(time);
        var institutions = Services.GetRequiredService<Matching.Data.Institutions.InstitutionStore>();
        Institution1 = Ok(await institutions.CreateAsync(new Domain.Institutions.InstitutionDraft("华创职业培训学校", "private", "enterprise-base",
            CreditCode.Compose("52441900MJ1234567"), "441900", "440000", Employer1, ["T007"], true)));
        Institution2 = Ok(await institutions.CreateAsync(new Domain.Institutions.InstitutionDraft("七星关区职业技术学校", "public", "vocational-school",
            CreditCode.Compose("12520502MB7654321"), CountyA, "520000", null, ["T029"], true)));
        var engagement = Ok(await institutions.RegisterTeacherAsync(Institution1, new Domain.Institutions.TeacherDraft("赵老师", ResidentIdNumber.Compose(CountyA,
            new DateOnly(1980, 4, 4), 31), today.AddDays(30).Year, "full-time", ["T007"])));
        var teacher = (await institutions.EngagementAsync(engagement))!.TeacherId;
        Ok(await institutions.AssignCohortAsync(Cohort1, Institution1, [teacher]));

        var database = Services.GetRequiredService<Database>();
        long enrolmentB;
        await using (var connection = await database.OpenAsync())
        {
            enrolmentB = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO enrolments (cohort_id, worker_id, status, created_at, updated_at) VALUES (@Cohort, @Worker, 'accepted', @Now, @Now);
                SELECT last_insert_rowid();
                """, new { Cohort = Cohort2, Worker = WorkerB, Now = time.GetUtcNow() });
            const string result = """
                INSERT INTO training_results (enrolment_id, cohort_id, worker_id, days_scheduled, days_attended, completion, completed_on, updated_at, version)
                VALUES (@Enrolment, @Cohort, @Worker, 16, 15, 'completed', @On, @Now, 1)
                """;
            await connection.ExecuteAsync(result, new { Enrolment = EnrolmentA, Cohort = Cohort1, Worker = WorkerA, On = today, Now = time.GetUtcNow() });
            await connection.ExecuteAsync(result, new { Enrolment = enrolmentB, Cohort = Cohort2, Worker = WorkerB, On = today, Now = time.GetUtcNow() });
        }
        var records = Services.GetRequiredService<Matching.Data.Training.TrainingRecordStore>();
        var claims = Services.GetRequiredService<Matching.Data.Subsidies.SubsidyClaimStore>();
        var certificateA = Ok(await records.CreateCertificateAsync(WorkerA, new Domain.Training.CertificateDraft("skill-level", "T007", 3, "S2026520001",
            "贵州省职业技能鉴定中心", "520000", today.AddDays(-10), null, EnrolmentA)));
        var certificateB = Ok(await records.CreateCertificateAsync(WorkerB, new Domain.Training.CertificateDraft("skill-level", "T029", 3, "S2026520002",
            "贵州省职业技能鉴定中心", "520000", today.AddDays(-10), null, enrolmentB)));
        ClaimA = Ok(await claims.CreateAsync(EnrolmentA, certificateA, "6217000012345678", "fixture"));
        ClaimB = Ok(await claims.CreateAsync(enrolmentB, certificateB, "6217000087654321", "fixture"));
    }

    private static WorkerDraft Worker(string idNumber, string phone, string county, string prefecture, IReadOnlyList<string> groups)
    {
        var info = ResidentIdNumber.TryParse(idNumber, out var parsed, out _) ? parsed! : throw new InvalidOperationException("bad test ID");
        return new WorkerDraft("测试" + county[^2..], idNumber, info.Gender, info.BirthDate, phone, county, prefecture, "junior",
            [new WorkerTrade("T007", 2)], [], groups, ["440000"], 5000, new DateOnly(2026, 1, 1), ["pre-job"], "家中有老人需照顾");
    }

    private static OpeningDraft Opening(long baseId, string trade, IReadOnlyList<string> certificates) =>
        new(baseId, "岗位" + trade, trade, 1, 8, 20, 4500, 6500, true, true, certificates, 18, 50, "pre-job", null, "open");

    private static CohortDraft Cohort(long baseId, string trade, long opening, DateOnly today) =>
        new(baseId, "岗前培训" + trade, "pre-job", [trade], 30, 5, today.AddDays(20), today.AddDays(30), today.AddDays(45), [opening], CohortStatus.Open);

    private static long Ok(WriteResult result) =>
        result.Status == WriteStatus.Ok ? result.Id : throw new InvalidOperationException($"seed refused: {result.Status} {result.Message}");
}
