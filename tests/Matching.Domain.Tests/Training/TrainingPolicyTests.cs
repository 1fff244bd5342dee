using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Institutions;
using Matching.Domain.Matching;
using Matching.Domain.Training;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Domain.Tests.Training;

/// <summary>The shipped policy catalogue, certificate recognition, the institution rules of item 9, results and certificates, targets.</summary>
public class TrainingPolicyTests
{
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;
    private static readonly DateOnly Today = new(2026, 6, 15);

    [Fact]
    public void The_shipped_subsidy_rules_hold_the_common_defaults_as_configurable_values()
    {
        var policy = Catalogue.Policy;
        Assert.True(policy.IsConfigured);
        Assert.Equal(800, policy.AmountFor("special-ability", null, "pre-job")!.Amount);
        Assert.Equal([1000, 1500, 2000, 2500, 3000], Enumerable.Range(2, 5).Select(l => policy.AmountFor("skill-level", l, "pre-job")!.Amount));
        Assert.Null(policy.AmountFor("skill-level", 1, "pre-job"));
        var limits = policy.Limits;
        Assert.Equal((12, 3, 16, 60, 55), (limits.ClaimWindowMonths, limits.YearlyLimit, limits.MinAge, limits.MaxAgeMale, limits.MaxAgeFemale));
        Assert.All(policy.Values, v => Assert.Contains(v.Description, c => c is >= '\u4e00' and <= '\u9fff'));
        Assert.Equal(600_000, policy.TargetFor("520000", TargetKinds.Training, 2026)!.Value);
        Assert.Equal(500_000, policy.TargetFor("520000", TargetKinds.HighSkilled, 2026)!.Value);
    }

    [Fact]
    public void Broken_policy_files_are_reported_with_every_problem()
    {
        var files = Directory.GetFiles(RepoCatalogue.Folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        files["subsidy-amounts.csv"] += "no-such-type,2,*,1000,x\nskill-level,9,*,abc,y\n";
        files["certificate-recognition.csv"] += "special-ability,999999,440000,x\n";
        files["subsidy-rules.csv"] = files["subsidy-rules.csv"].Replace("yearly-limit,3", "yearly-limit,0", StringComparison.Ordinal);
        files["targets.csv"] += "440300,training,2023,,1000,外省地区\n";
        var problems = Assert.Throws<CatalogueException>(() => CatalogueParser.Parse(name => files.GetValueOrDefault(name))).Problems;
        Assert.Contains(problems, p => p.Contains("no-such-type", StringComparison.Ordinal) && p.Contains("未知的证书类型", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("等级", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("金额", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("999999", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("yearly-limit", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("440300", StringComparison.Ordinal));
    }

    private static WorkerCertificate SpecialAbility(string? province, DateOnly? expires = null) => new("special-ability", "T029", null, new DateOnly(2025, 5, 1), expires, province);

    [Fact]
    public void A_Guizhou_special_ability_certificate_is_recognised_in_Guangdong_and_one_from_Sichuan_is_not()
    {
        var guizhou = CertificateRequirement.Check(Catalogue, SpecialAbility("520000"), "special-ability", "T029", Today, "440000");
        Assert.Equal(CertificateOutcome.Recognised, guizhou);
        var sichuan = CertificateRequirement.Best(Catalogue, [SpecialAbility("510000")], "special-ability", "T029", Today, "440000");
        Assert.False(sichuan.Satisfies);
        Assert.Equal(CertificateOutcome.NotRecognised, sichuan.Outcome);
        Assert.Contains("互认目录", CertificateRequirement.Reason(Catalogue, sichuan), StringComparison.Ordinal);
        // Not recognised in Zhejiang either: the catalogue names Guangdong only.
        Assert.Equal(CertificateOutcome.NotRecognised, CertificateRequirement.Check(Catalogue, SpecialAbility("520000"), "special-ability", "T029", Today, "330000"));
        // A province not recorded is taken as Guizhou, where workers register.
        var unrecorded = CertificateRequirement.Best(Catalogue, [SpecialAbility(null)], "special-ability", "T029", Today, "440000");
        Assert.True(unrecorded.Satisfies);
        Assert.Contains("贵州省颁发", CertificateRequirement.Reason(Catalogue, unrecorded), StringComparison.Ordinal);
        Assert.Contains("广东省", CertificateRequirement.Reason(Catalogue, unrecorded), StringComparison.Ordinal);
        // The best certificate wins: a recognised one beside an unrecognised one satisfies.
        Assert.True(CertificateRequirement.Best(Catalogue, [SpecialAbility("510000"), SpecialAbility("520000")], "special-ability", "T029", Today, "440000").Satisfies);
    }

    [Fact]
    public void The_hard_eligibility_rule_admits_a_recognised_certificate_and_refuses_an_unrecognised_one_with_the_reason()
    {
        OpeningTerms Opening(string province, string city) => new("T029", 1, 8, ["special-ability"], 18, 55, province, city, null);
        // 焊工 is a special operation: the worker also holds the (nationally valid) special-operation certificate.
        var operation = new WorkerCertificate("special-operation", "T029", null, new DateOnly(2025, 5, 1), null, "520000");
        WorkerTerms Worker(string? issuedIn) => new(new DateOnly(1990, 3, 1), [new WorkerTrade("T029", 2)], [SpecialAbility(issuedIn), operation], [], Today, []);

        // 贵州 → 广东 is in the recognition catalogue; 贵州 → 浙江 is not; 浙江's own certificate counts in 浙江.
        Assert.True(Eligibility.Admits(Catalogue, Worker("520000"), Opening("440000", "440300"), Today));
        Assert.False(Eligibility.Admits(Catalogue, Worker("520000"), Opening("330000", "330100"), Today));
        Assert.True(Eligibility.Admits(Catalogue, Worker("330000"), Opening("330000", "330100"), Today));
        var refusal = Assert.Single(Eligibility.Check(Catalogue, Worker("520000"), Opening("330000", "330100"), Today));
        Assert.Equal(EligibilityCheck.Certificate, refusal.Check);
        Assert.Contains("互认目录", refusal.Reason, StringComparison.Ordinal);
        Assert.Contains("浙江省", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rule_and_the_match_reasons_agree_on_every_certificate_type_issuing_province_and_opening_province()
    {
        var provinces = Catalogue.Provinces.Select(p => p.Code).Append("510000").Cast<string?>().Append(null).ToList();
        foreach (var type in Catalogue.CertificateTypes.Select(t => t.Id))
        {
            foreach (var issuedIn in provinces)
            {
                foreach (var requiredIn in Catalogue.Provinces.Select(p => p.Code))
                {
                    var held = new WorkerCertificate(type, "T029", null, new DateOnly(2025, 5, 1), null, issuedIn);
                    Assert.Equal(CertificateRequirement.Check(Catalogue, held, type, "T029", Today, requiredIn) >= CertificateOutcome.IssuedThere,
                        Eligibility.Holds(Catalogue, [held], type, "T029", requiredIn, Today));
                }
            }
        }
    }

    [Fact]
    public void Certificates_issued_where_required_or_nationally_valid_count_and_expired_or_other_trades_do_not()
    {
        Assert.Equal(CertificateOutcome.IssuedThere, CertificateRequirement.Check(Catalogue, SpecialAbility("440000"), "special-ability", "T029", Today, "440000"));
        var operation = new WorkerCertificate("special-operation", "T029", null, new DateOnly(2024, 1, 1), new DateOnly(2030, 1, 1), "510000");
        Assert.Equal(CertificateOutcome.Recognised, CertificateRequirement.Check(Catalogue, operation, "special-operation", "T029", Today, "330000"));
        Assert.Contains("全国通用", CertificateRequirement.Reason(Catalogue, CertificateRequirement.Best(Catalogue, [operation], "special-operation", "T029", Today, "330000")), StringComparison.Ordinal);
        Assert.Equal(CertificateOutcome.Expired, CertificateRequirement.Check(Catalogue, SpecialAbility("440000", new DateOnly(2026, 1, 1)), "special-ability", "T029", Today, "440000"));
        Assert.Equal(CertificateOutcome.OtherTrade, CertificateRequirement.Check(Catalogue, SpecialAbility("440000") with { TradeId = "T001" }, "special-ability", "T029", Today, "440000"));
        Assert.Equal(CertificateOutcome.OtherType, CertificateRequirement.Check(Catalogue, SpecialAbility("440000"), "skill-level", "T029", Today, "440000"));
    }

    [Fact]
    public void A_private_institution_keeps_a_third_of_its_teachers_full_time_and_a_part_time_teacher_serves_three_institutions_at_most()
    {
        Assert.Null(InstitutionRules.FullTimeShareProblem(new InstitutionYear("育才", true, 2, 6)));
        Assert.Contains("1/3", InstitutionRules.FullTimeShareProblem(new InstitutionYear("育才", true, 1, 4)), StringComparison.Ordinal);
        Assert.Null(InstitutionRules.FullTimeShareProblem(new InstitutionYear("县职校", false, 0, 4)));
        Assert.Null(InstitutionRules.PartTimeLoadProblem(new TeacherYear("王**", 3, true, 0)));
        Assert.Contains("3家", InstitutionRules.PartTimeLoadProblem(new TeacherYear("王**", 4, true, 0)), StringComparison.Ordinal);

        // Registering: a first teacher of a private institution must be full-time; part-time ones then up to two per full-time one.
        var empty = new InstitutionYear("育才", true, 0, 0);
        var newcomer = new TeacherYear("李**", 0, false, 0);
        Assert.NotNull(InstitutionRules.EngagementProblem(empty, newcomer, TeacherEmployment.PartTime, false));
        Assert.Null(InstitutionRules.EngagementProblem(empty, newcomer, TeacherEmployment.FullTime, false));
        Assert.Null(InstitutionRules.EngagementProblem(new InstitutionYear("育才", true, 1, 2), newcomer, TeacherEmployment.PartTime, false));
        Assert.Contains("请先登记专职教师", InstitutionRules.EngagementProblem(new InstitutionYear("育才", true, 1, 3), newcomer, TeacherEmployment.PartTime, false), StringComparison.Ordinal);
        // A fourth institution for a part-time teacher, a second full-time post, or the same institution twice are refused.
        var busy = new TeacherYear("李**", 3, true, 0);
        Assert.Contains("超过3家", InstitutionRules.EngagementProblem(new InstitutionYear("县职校", false, 0, 0), busy, TeacherEmployment.PartTime, false), StringComparison.Ordinal);
        Assert.NotNull(InstitutionRules.EngagementProblem(new InstitutionYear("县职校", false, 0, 0), new TeacherYear("李**", 1, false, 1), TeacherEmployment.FullTime, false));
        Assert.NotNull(InstitutionRules.EngagementProblem(new InstitutionYear("县职校", false, 0, 0), newcomer, TeacherEmployment.FullTime, true));
    }

    private static TrainingResultDraft? Result(TrainingResultInput input, string status, ValidationErrors errors) =>
        TrainingRules.Validate(input, new DateOnly(2026, 5, 4), new DateOnly(2026, 5, 23), status, Today, errors);

    [Fact]
    public void Results_are_bounded_by_the_cohort_and_completion_waits_for_the_cohort_to_complete()
    {
        var valid = new TrainingResultInput(20, 18, Completion.Completed, new DateOnly(2026, 5, 23), new AssessmentInput(true, new DateOnly(2026, 5, 25), "贵州省职业技能鉴定中心"));
        var errors = new ValidationErrors();
        Rules.Refusal.Accepted(Result(valid, "completed", errors), errors);
        foreach (var (field, input, status) in new (string, TrainingResultInput, string)[]
        {
            ("daysScheduled", valid with { DaysScheduled = 21 }, "completed"),
            ("daysAttended", valid with { DaysAttended = 21 }, "completed"),
            ("daysAttended", valid with { DaysAttended = -1 }, "completed"),
            ("completion", valid with { Completion = "done" }, "completed"),
            ("completion", valid with { Assessment = null }, "in-training"),
            ("completedOn", valid with { CompletedOn = new DateOnly(2026, 5, 1) }, "completed"),
            ("completedOn", valid with { CompletedOn = Today.AddDays(1) }, "completed"),
            ("assessment.assessingBody", valid with { Assessment = valid.Assessment! with { AssessingBody = "" } }, "completed"),
            ("assessment.assessedOn", valid with { Assessment = valid.Assessment! with { AssessedOn = Today.AddDays(3) } }, "completed"),
            ("daysAttended", valid, "open"),
        })
        {
            var e = new ValidationErrors();
            Rules.Refusal.On(field, Result(input, status, e), e);
        }
        // Attendance alone may be entered during the training.
        var during = new ValidationErrors();
        Rules.Refusal.Accepted(Result(new TrainingResultInput(20, 9, null, null, null), "in-training", during), during);
    }

    [Fact]
    public void A_recorded_certificate_is_validated_and_raises_the_workers_level_in_its_trade()
    {
        var input = new CertificateInput("skill-level", "T029", 4, "GZ-2026-0001", "贵州省职业技能鉴定中心", "520000", new DateOnly(2026, 5, 30), null, 12);
        var errors = new ValidationErrors();
        var draft = TrainingRules.Validate(input, Catalogue, Today, errors);
        Rules.Refusal.Accepted(draft, errors);
        foreach (var (field, bad) in new (string, CertificateInput)[]
        {
            ("type", input with { Type = "diploma" }),
            ("tradeId", input with { TradeId = null }),
            ("level", input with { Level = 9 }),
            ("level", input with { Type = "special-ability", Level = 3 }),
            ("number", input with { Number = "编号1234" }),
            ("issuingProvince", input with { IssuingProvince = "440300" }),
            ("issuedOn", input with { IssuedOn = Today.AddDays(1) }),
            ("expiresOn", input with { ExpiresOn = new DateOnly(2026, 5, 1) }),
        })
        {
            var e = new ValidationErrors();
            Rules.Refusal.On(field, TrainingRules.Validate(bad, Catalogue, Today, e), e);
        }
        // Gained in a cohort: issued on its first day or later, not before.
        var inCohort = new ValidationErrors();
        Rules.Refusal.Accepted(TrainingRules.Validate(input, Catalogue, Today, inCohort, cohortStart: new DateOnly(2026, 5, 30)), inCohort);
        var before = new ValidationErrors();
        Rules.Refusal.OnlyOn("issuedOn", TrainingRules.Validate(input, Catalogue, Today, before, cohortStart: new DateOnly(2026, 5, 31)), before);
        Assert.Contains("2026-05-31", before.ToDictionary()["issuedOn"][0], StringComparison.Ordinal);
        var (trades, certificates) = TrainingRules.Apply([new WorkerTrade("T029", 2), new WorkerTrade("T001", 3)], [], [draft!.AsWorkerCertificate]);
        Assert.Equal([new WorkerTrade("T029", 4), new WorkerTrade("T001", 3)], trades);
        Assert.Single(certificates);
        // Applying it again changes nothing; a lower certificate does not lower the level.
        var again = TrainingRules.Apply(trades, certificates, [draft.AsWorkerCertificate, draft.AsWorkerCertificate with { Level = 2, IssuedOn = new DateOnly(2020, 1, 1) }]);
        Assert.Equal(4, again.Trades.Single(t => t.TradeId == "T029").Level);
        Assert.Equal(2, again.Certificates.Count);
    }

    [Fact]
    public void The_enterprise_running_a_cohort_records_its_training_and_offices_never_do()
    {
        Assert.True(new Caller(1, "hr", Roles.Enterprise, [], 7).CanRecordResults(7, null));
        Assert.False(new Caller(1, "hr", Roles.Enterprise, [], 8).CanRecordResults(7, null));
        foreach (var role in new[] { Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin })
        {
            Assert.False(new Caller(1, "x", role, ["520521"], 7).CanRecordResults(7, null), role);
        }
    }

    [Fact]
    public void Progress_adds_up_counties_and_counts_high_skilled_workers_from_the_targets_first_year()
    {
        var completions = new Dictionary<string, int> { ["520502"] = 30_000, ["520521"] = 12_000, ["520102"] = 18_000 };
        var firsts = new Dictionary<(string, int), int> { [("520502", 2022)] = 900, [("520502", 2023)] = 1_000, [("520102", 2026)] = 500, [("520521", 2027)] = 70 };
        var province = TargetProgress.Compute(Catalogue, "520000", 2026, completions, firsts);
        Assert.Equal(60_000, province.TrainingCompleted);
        Assert.Equal(0.1, province.TrainingProgress);
        Assert.Equal(1_500, province.HighSkilledCumulative);
        Assert.Equal(2023, province.HighSkilledFromYear);
        var bijie = TargetProgress.Compute(Catalogue, "520500", 2026, completions, firsts);
        Assert.Equal(42_000, bijie.TrainingCompleted);
        Assert.Null(bijie.TrainingTarget);
        Assert.Equal(1_000, bijie.HighSkilledCumulative);
        Assert.Equal(["520500", .. Catalogue.GuizhouCounties.Where(c => c.ParentCode == "520500").Select(c => c.Code)], TargetProgress.AreaWithChildren(Catalogue, "520500"));
    }
}
