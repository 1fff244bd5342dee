using Dapper;
using Matching.Data.Demo;
using Matching.Data.Enrolments;
using Matching.Data.Institutions;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Data.Training;
using Matching.Domain.Cohorts;
using Matching.Domain.Institutions;
using Matching.Domain.Subsidies;
using Matching.Domain.Training;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Data.Tests;

/// <summary>Integrity checks before a seat, item 9 at registration and opening, certificates and the worker's skills, over a real SQLite file.</summary>
public sealed class TrainingAndSubsidyTests(DataFixture data) : IClassFixture<DataFixture>
{
    private EnrolmentStore Enrolments => new(data.Database, data.Time, data.Environment.Catalogue);
    private InstitutionStore Institutions => new(data.Database, data.Environment.Protector, data.Time);

    private async Task<long> OpenCohortAsync(long baseId)
    {
        var id = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId)));
        Assert.Equal(WriteStatus.Ok, (await data.Cohorts.UpdateAsync(id, data.Cohort(baseId, status: CohortStatus.Open), null, SetStatus)).Status);
        return id;
    }

    /// <summary>The bare status change (the lifecycle's effects are not under test here).</summary>
    private static async Task<WriteResult> SetStatus(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, long cohortId, string to, CancellationToken _)
    {
        await connection.ExecuteAsync("UPDATE cohorts SET status = @To WHERE id = @Id", new { To = to, Id = cohortId }, tx);
        return WriteResult.Ok(cohortId, 0);
    }

    private async Task ShareFirstPhoneAsync(IReadOnlyList<long> workers)
    {
        await using var connection = await data.Database.OpenAsync();
        await connection.ExecuteAsync("UPDATE workers SET phone_hash = (SELECT phone_hash FROM workers WHERE id = @Source) WHERE id IN @Ids",
            new { Source = workers[0], Ids = workers.Skip(1).ToList() });
    }

    private async Task<long> InstitutionAsync(string ownership)
    {
        var errors = new ValidationErrors();
        var draft = InstitutionRules.Validate(new InstitutionInput($"测试培训学校{DataFixture.Next()}", ownership, "training-school",
            Domain.Identity.CreditCode.Compose($"52520102MJ{DataFixture.Next():D7}"), "520102", null, ["T001"], true), data.Environment.Catalogue, errors)!;
        return DataFixture.Created(await Institutions.CreateAsync(draft));
    }

    private static TeacherDraft Teacher(string employment, int year = 2026) =>
        new($"教师{(char)('甲' + DataFixture.Next() % 20)}", Domain.Identity.ResidentIdNumber.Compose("520102", new DateOnly(1975, 1, 1).AddDays(DataFixture.Next()), 7), year, employment, ["T001"]);

    [Fact]
    public async Task Before_a_seat_a_deceased_person_an_overlapping_cohort_and_a_phone_shared_by_five_are_refused_and_three_sharing_is_noted()
    {
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var cohort = await OpenCohortAsync(baseId);
        var other = await OpenCohortAsync(baseId);
        var workers = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            workers.Add(DataFixture.Created(await data.Workers.CreateAsync(data.Worker())));
        }

        Assert.Equal(WriteStatus.Ok, (await data.Workers.SetVitalStatusAsync(workers[5], new VitalStatusDraft(VitalStatus.Deceased, new DateOnly(2026, 1, 3), "户籍注销"), null)).Status);
        var deceased = await Enrolments.EnrolAsync(cohort, workers[5], allowWaitlist: true);
        Assert.Equal(SeatOutcome.Refused, deceased.Outcome);
        Assert.Contains("已死亡", deceased.Refusal.Message, StringComparison.Ordinal);

        Assert.Equal(SeatOutcome.Offered, (await Enrolments.EnrolAsync(other, workers[0], allowWaitlist: true)).Outcome);
        var overlap = await Enrolments.EnrolAsync(cohort, workers[0], allowWaitlist: true);
        Assert.Equal(SeatOutcome.Refused, overlap.Outcome);
        Assert.Contains("时间重叠", overlap.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(other, overlap.Refusal.Id);

        await ShareFirstPhoneAsync(workers[1..5]);
        var seats = new List<SeatResult>();
        foreach (var w in workers[1..5])
        {
            seats.Add(await Enrolments.EnrolAsync(cohort, w, allowWaitlist: true));
        }
        Assert.All(seats.Take(4), s => Assert.NotEqual(SeatOutcome.Refused, s.Outcome));
        Assert.Null((await Enrolments.GetAsync(seats[1].EnrolmentId))!.Note);
        Assert.Contains("待核查", (await Enrolments.GetAsync(seats[2].EnrolmentId))!.Note, StringComparison.Ordinal);
        // A fifth trainee with the same phone is refused (block at five).
        var fifth = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        await ShareFirstPhoneAsync([workers[1], fifth]);
        var refused = await Enrolments.EnrolAsync(cohort, fifth, allowWaitlist: true);
        Assert.Equal(SeatOutcome.Refused, refused.Outcome);
        Assert.Contains("手机号", refused.Refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item_9_holds_when_teachers_are_registered_and_assigned_and_a_cohort_breaking_it_cannot_open_or_take_trainees()
    {
        var school = await InstitutionAsync(InstitutionOwnership.Private);
        // A private school's first teacher must be full-time; then two part-time per full-time one.
        Assert.Equal(WriteStatus.Conflict, (await Institutions.RegisterTeacherAsync(school, Teacher(TeacherEmployment.PartTime))).Status);
        var fullTime = DataFixture.Created(await Institutions.RegisterTeacherAsync(school, Teacher(TeacherEmployment.FullTime)));
        DataFixture.Created(await Institutions.RegisterTeacherAsync(school, Teacher(TeacherEmployment.PartTime)));
        DataFixture.Created(await Institutions.RegisterTeacherAsync(school, Teacher(TeacherEmployment.PartTime)));
        var third = await Institutions.RegisterTeacherAsync(school, Teacher(TeacherEmployment.PartTime));
        Assert.Equal(WriteStatus.Conflict, third.Status);
        Assert.Contains("1/3", third.Message, StringComparison.Ordinal);

        // A part-time teacher at three institutions cannot take a fourth.
        var roaming = Teacher(TeacherEmployment.PartTime);
        foreach (var _ in Enumerable.Range(0, 3))
        {
            DataFixture.Created(await Institutions.RegisterTeacherAsync(await InstitutionAsync(InstitutionOwnership.Public), roaming));
        }
        var fourth = await Institutions.RegisterTeacherAsync(await InstitutionAsync(InstitutionOwnership.Public), roaming);
        Assert.Equal(WriteStatus.Conflict, fourth.Status);
        Assert.Contains("超过3家", fourth.Message, StringComparison.Ordinal);
        Assert.Equal(WriteStatus.Invalid, (await Institutions.RegisterTeacherAsync(school, roaming with { RealName = "另一人" })).Status);

        // A planned cohort taught by the school's full-time teacher; then the school's roster breaks the rule (as an old import would).
        var (_, baseId) = await data.EmployerWithBaseAsync();
        var cohort = DataFixture.Created(await data.Cohorts.CreateAsync(data.Cohort(baseId)));
        var teacherId = (await Institutions.EngagementAsync(fullTime))!.TeacherId;
        Assert.Equal(WriteStatus.Ok, (await Institutions.AssignCohortAsync(cohort, school, [teacherId])).Status);
        Assert.Equal(WriteStatus.Invalid, (await Institutions.AssignCohortAsync(cohort, school, [teacherId + 10_000])).Status);
        await using (var connection = await data.Database.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO teachers (real_name, id_number_hash, id_number_cipher, id_number_masked, created_at) VALUES ('导入教师', randomblob(32), randomblob(40), 'x', '2026-01-01');
                INSERT INTO teacher_engagements (teacher_id, institution_id, year, employment, qualified_trades, created_at)
                VALUES (last_insert_rowid(), @School, 2026, 'part-time', '|T001|', '2026-01-01');
                """, new { School = school });
        }
        var opening = await data.Cohorts.UpdateAsync(cohort, data.Cohort(baseId, status: CohortStatus.Open), null, SetStatus);
        Assert.Equal(WriteStatus.Conflict, opening.Status);
        Assert.Contains("1/3", opening.Message, StringComparison.Ordinal);
        Assert.Equal(CohortStatus.Planned, (await data.Cohorts.GetAsync(cohort))!.Status);
    }

    [Fact]
    public async Task A_recorded_certificate_raises_the_workers_level_which_a_re_registration_keeps_and_its_number_is_recorded_once()
    {
        var input = DataFixture.WorkerInput(tradeId: "T001");
        var workerId = DataFixture.Created(await data.Workers.CreateAsync(data.Worker(input)));
        var records = new TrainingRecordStore(data.Database, data.Time);
        var number = $"ZS{DataFixture.Next():D8}";
        var certificate = new CertificateDraft("skill-level", "T001", 4, number, "贵州省职业技能鉴定指导中心", "520000", new DateOnly(2026, 3, 1), null, null);
        DataFixture.Created(await records.CreateCertificateAsync(workerId, certificate));
        Assert.Equal(4, (await data.Workers.GetAsync(workerId))!.Trades.Single(t => t.TradeId == "T001").Level);
        Assert.Contains(await data.OutboxAsync(), o => o == ("worker", workerId, "upsert"));

        // The clerk re-registers the worker with the level typed at the survey (2): the certified level stays.
        Assert.Equal(WriteStatus.Ok, (await data.Workers.UpdateAsync(workerId, data.Worker(input), null)).Status);
        var worker = (await data.Workers.GetAsync(workerId))!;
        Assert.Equal(4, worker.Trades.Single(t => t.TradeId == "T001").Level);
        Assert.Contains(worker.Certificates, c => c.Type == "skill-level" && c.Level == 4 && c.IssuingProvince == "520000");

        var other = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        var duplicate = await records.CreateCertificateAsync(other, certificate);
        Assert.Equal(WriteStatus.Conflict, duplicate.Status);
        Assert.Single(await records.CertificatesOfAsync(workerId));
        Assert.Empty(await records.CertificatesOfAsync(other));
        Assert.Equal(WriteStatus.Conflict, (await data.Workers.DeleteAsync(workerId, null)).Status);
    }
}

/// <summary>A seeded world with past training (every claim of its last months waiting) shared by the claim tests.</summary>
public sealed class ClaimWorldFixture : IDisposable
{
    public ClaimWorldFixture()
    {
        Environment = Folder.Track(DataEnvironment.Open(new MatchingOptions { DataDirectory = Folder.Path, DemoWorkers = 0 }, Time));
        var today = ChinaTime.Today(Time);
        var options = new DemoTrainingOptions(
            [
                new DemoTrainingPeriod(today.AddDays(-420), today.AddDays(-200), 150, DecideClaims: true),
                new DemoTrainingPeriod(today.AddDays(-190), today.AddDays(-10), 260, DecideClaims: false),
            ],
            CertificateShare: 0.9, UpdateWorkerSkills: true, Plant: true);
        new DemoSeeder(Environment, Time).SeedAsync(300, training: options).GetAwaiter().GetResult();
    }

    public TempFolder Folder { get; } = new();
    public TimeProvider Time { get; } = new FixedClock();
    public DataEnvironment Environment { get; }

    public SubsidyClaimStore Claims => new(Environment.Database, Environment.Protector, Environment.Catalogue, Time);

    public async Task<IReadOnlyList<(long Id, string Status, string CreatedBy, int Year)>> ClaimsAsync()
    {
        await using var connection = await Environment.Database.OpenAsync();
        return (await connection.QueryAsync<(long, string, string, string)>("""
            SELECT s.id, s.status, s.created_by, c.end_date FROM subsidy_claims s JOIN cohorts c ON c.id = s.cohort_id ORDER BY s.id
            """)).Select(r => (r.Item1, r.Item2, r.Item3, int.Parse(r.Item4[..4], System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    public void Dispose()
    {
        Environment.Dispose();
        Folder.Dispose();
    }
}

/// <summary>The checks on a seeded world: planted cases found, batch equals one at a time, no blocked claim ever approved.</summary>
public sealed class ClaimIntegrityTests(ClaimWorldFixture world) : IClassFixture<ClaimWorldFixture>
{
    [Fact]
    public async Task Every_planted_case_is_found_by_its_check_and_the_batch_finds_what_one_claim_at_a_time_finds()
    {
        var claims = await world.ClaimsAsync();
        var planted = claims.Where(c => c.CreatedBy.StartsWith(DemoTraining.PlantedBy, StringComparison.Ordinal)).ToList();
        Assert.True(planted.Count >= 12, $"{planted.Count} planted claims");
        var today = ChinaTime.Today(world.Time);
        var limits = world.Environment.Catalogue.Policy.Limits;
        var batch = new Dictionary<long, IReadOnlyList<IntegrityFinding>>();
        foreach (var year in claims.Select(c => c.Year).Distinct())
        {
            foreach (var facts in await IntegrityBatch.ReadAsync(world.Environment.Database, world.Environment.Protector, year, today))
            {
                batch[facts.ClaimId] = IntegrityRules.ForClaim(facts, limits);
            }
        }
        var submitted = claims.Where(c => c.Status == ClaimStatus.Submitted).ToList();
        Assert.Equal(submitted.Select(c => c.Id).Order(), batch.Keys.Order());
        await using var connection = await world.Environment.Database.OpenAsync();
        foreach (var claim in submitted)
        {
            await using var tx = await connection.BeginTransactionAsync();
            var one = IntegrityRules.ForClaim((await IntegrityFacts.ClaimAsync(connection, tx, world.Environment.Protector, claim.Id, today))!, limits);
            Assert.Equal(one, batch[claim.Id]);
        }
        foreach (var (id, _, createdBy, _) in planted)
        {
            var code = createdBy[DemoTraining.PlantedBy.Length..];
            Assert.True(batch[id].Any(f => f.Code == code), $"planted {code} (claim {id}) not found: {string.Join("; ", batch[id].Select(f => f.Code))}");
        }
        // Most random claims are clean: the checks are not crying wolf.
        Assert.True(batch.Values.Count(f => f.Count == 0) > batch.Count / 2, $"{batch.Values.Count(f => f.Count == 0)} of {batch.Count} clean");
    }

    [Fact]
    public async Task No_claim_is_ever_approved_with_a_blocking_finding_whatever_the_order_of_approvals()
    {
        var random = new Random(7);
        var store = world.Claims;
        var submitted = (await world.ClaimsAsync()).Where(c => c.Status == ClaimStatus.Submitted).Select(c => c.Id).OrderBy(_ => random.Next()).ToList();
        int approved = 0, refused = 0;
        foreach (var id in submitted)
        {
            var reviewed = random.Next(3) > 0;
            var decision = await store.ApproveAsync(id, reviewed, reviewed ? "已电话核实，为同户家庭成员" : null, "测试", null);
            if (decision.Result.Status == WriteStatus.Ok)
            {
                approved++;
                Assert.False(IntegrityRules.Blocks(decision.Findings), $"claim {id} approved with {string.Join("; ", decision.Findings.Select(f => f.Reason))}");
                Assert.True(reviewed || decision.Findings.Count == 0);
            }
            else
            {
                refused++;
                Assert.Equal(WriteStatus.Conflict, decision.Result.Status);
                Assert.NotEmpty(decision.Findings);
                Assert.Equal(ClaimStatus.Submitted, (await store.GetAsync(id))!.Status);
            }
        }
        Assert.True(approved > 0 && refused > 0, $"approved {approved}, refused {refused}");
        // What was stored at each approval says the same: no approved claim carries a blocking finding.
        foreach (var (id, status, _, _) in await world.ClaimsAsync())
        {
            if (status == ClaimStatus.Approved && submitted.Contains(id))
            {
                Assert.False(IntegrityRules.Blocks((await store.GetAsync(id))!.Findings));
            }
        }
    }
}
