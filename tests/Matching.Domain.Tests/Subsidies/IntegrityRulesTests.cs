using Matching.Domain.Identity;
using Matching.Domain.Institutions;
using Matching.Domain.Subsidies;
using Matching.Domain.Training;

namespace Matching.Domain.Tests.Subsidies;

/// <summary>
/// Each integrity check both ways: a clean claim (or seat) passes it, and the one defect the check exists for is
/// found, with its severity and a Chinese reason. Limits are the shipped catalogue's defaults.
/// </summary>
public class IntegrityRulesTests
{
    private static readonly SubsidyLimits Limits = RepoCatalogue.Instance.Policy.Limits;
    private static readonly DateOnly Today = new(2026, 6, 15);
    private static readonly DateOnly Start = new(2026, 3, 2);
    private static readonly DateOnly End = new(2026, 3, 21);
    private static readonly DateOnly Birth = new(1990, 5, 6);

    private static TraineeFacts Trainee(Gender gender = Gender.Male, DateOnly? birth = null)
    {
        var born = birth ?? Birth;
        var id = ResidentIdNumber.Compose("520502", born, gender == Gender.Male ? 11 : 12);
        Assert.True(ResidentIdNumber.TryParse(id, out var info, out _));
        return new TraineeFacts(7, born, gender, info, "living", null);
    }

    private static InstitutionStanding GoodInstitution() =>
        new(new InstitutionYear("毕节市育才职业培训学校", IsPrivate: true, FullTimeTeachers: 2, Teachers: 6), [new TeacherYear("王**", 3, true, 0)]);

    private static CohortFacts Cohort(InstitutionStanding? institution = null) =>
        new(11, "焊工岗前培训3月班", Start, End, ["T029"], "pre-job", institution ?? GoodInstitution());

    private static ClaimFacts Claim() => new(
        ClaimId: 100,
        Trainee: Trainee(),
        Cohort: Cohort(),
        Certificate: new ClaimedCertificate(50, "skill-level", "T029", 3, End.AddDays(10)),
        Attendance: new AttendanceFacts(Completion.Completed, 20, 18),
        Overlapping: [],
        PastSubsidies: [new PastSubsidy(90, "skill-level", "T029", 2, 2025, 0)],
        SamePhoneInCohort: 2,
        SameAccountInCohort: 1,
        ClaimedOn: End.AddDays(30),
        Today: Today);

    private static SeatFacts Seat() => new(Trainee(), Cohort(), [], [new PastSubsidy(90, "skill-level", "T029", 2, 2026, 0)], 2, Today);

    private static readonly HeldCohort Overlap = new(12, "电工岗前培训3月班", Start.AddDays(5), End.AddDays(5));

    /// <summary>The defects, each with the check that must find it and how seriously.</summary>
    public static TheoryData<string, Func<ClaimFacts, ClaimFacts>, string, FindingSeverity> ClaimDefects => new()
    {
        { "same person in an overlapping cohort", c => c with { Overlapping = [Overlap] }, IntegrityChecks.OverlappingCohorts, FindingSeverity.Block },
        { "same trade and level subsidised before", c => c with { PastSubsidies = [new PastSubsidy(91, "vocational-qualification", "T029", 3, 2019, 0)] },
            IntegrityChecks.SubsidisedBefore, FindingSeverity.Block },
        { "special-ability certificate of the trade subsidised before", c => c with
            {
                Certificate = c.Certificate with { Type = "special-ability", Level = null },
                PastSubsidies = [new PastSubsidy(91, "special-ability", "T029", null, 2024, 0)],
            }, IntegrityChecks.SubsidisedBefore, FindingSeverity.Block },
        { "a lower level after a higher one", c => c with { PastSubsidies = [new PastSubsidy(91, "skill-level", "T029", 4, 2025, 0)] },
            IntegrityChecks.LowerThanSubsidised, FindingSeverity.Block },
        { "a fourth subsidy in the year", c => c with { PastSubsidies = [.. Enumerable.Range(0, 3).Select(i => new PastSubsidy(91 + i, "skill-level", $"T10{i}", 2, 2026, 0))] },
            IntegrityChecks.YearlyLimit, FindingSeverity.Block },
        { "claimed a day after the twelve-month window", c => c with { ClaimedOn = c.Certificate.IssuedOn.AddMonths(12).AddDays(1) }, IntegrityChecks.ClaimWindow, FindingSeverity.Block },
        { "attendance one day under 80 %", c => c with { Attendance = new AttendanceFacts(Completion.Completed, 20, 15) }, IntegrityChecks.Attendance, FindingSeverity.Block },
        { "attendance not recorded", c => c with { Attendance = new AttendanceFacts(Completion.Completed, 20, null) }, IntegrityChecks.Attendance, FindingSeverity.Block },
        { "not completed", c => c with { Attendance = new AttendanceFacts(Completion.NotCompleted, 20, 19) }, IntegrityChecks.Attendance, FindingSeverity.Block },
        { "certificate issued before the cohort started", c => c with { Certificate = c.Certificate with { IssuedOn = Start.AddDays(-1) } },
            IntegrityChecks.CertificateBeforeCohort, FindingSeverity.Block },
        { "certificate of another trade", c => c with { Certificate = c.Certificate with { TradeId = "T031" } }, IntegrityChecks.CertificateTrade, FindingSeverity.Block },
        { "birth date not the ID number's", c => c with { Trainee = c.Trainee with { BirthDate = Birth.AddYears(-3) } }, IntegrityChecks.Identity, FindingSeverity.Block },
        { "gender not the ID number's", c => c with { Trainee = c.Trainee with { Gender = Gender.Female } }, IntegrityChecks.Identity, FindingSeverity.Block },
        { "ID number that does not parse", c => c with { Trainee = c.Trainee with { Identity = null } }, IntegrityChecks.Identity, FindingSeverity.Block },
        { "a man of 61", c => c with { Trainee = Trainee(Gender.Male, Start.AddYears(-61)) }, IntegrityChecks.Age, FindingSeverity.Block },
        { "a woman of 56", c => c with { Trainee = Trainee(Gender.Female, Start.AddYears(-56)) }, IntegrityChecks.Age, FindingSeverity.Block },
        { "a person recorded as deceased", c => c with { Trainee = c.Trainee with { VitalStatus = "deceased", VitalStatusSince = new DateOnly(2025, 12, 1) } },
            IntegrityChecks.VitalStatus, FindingSeverity.Block },
        { "a person recorded as emigrated", c => c with { Trainee = c.Trainee with { VitalStatus = "emigrated" } }, IntegrityChecks.VitalStatus, FindingSeverity.Block },
        { "private institution under a third full-time", c => c with { Cohort = Cohort(GoodInstitution() with { Year = new InstitutionYear("育才", true, 1, 4) }) },
            IntegrityChecks.InstitutionRules, FindingSeverity.Block },
        { "part-time teacher at four institutions", c => c with { Cohort = Cohort(GoodInstitution() with { CohortTeachers = [new TeacherYear("李**", 4, true, 0)] }) },
            IntegrityChecks.InstitutionRules, FindingSeverity.Block },
        { "three trainees sharing a phone", c => c with { SamePhoneInCohort = 3 }, IntegrityChecks.SharedPhone, FindingSeverity.Review },
        { "five trainees sharing a phone", c => c with { SamePhoneInCohort = 5 }, IntegrityChecks.SharedPhone, FindingSeverity.Block },
        { "three trainees sharing an account", c => c with { SameAccountInCohort = 3 }, IntegrityChecks.SharedBankAccount, FindingSeverity.Review },
        { "five trainees sharing an account", c => c with { SameAccountInCohort = 5 }, IntegrityChecks.SharedBankAccount, FindingSeverity.Block },
    };

    [Fact]
    public void A_clean_claim_has_no_findings_even_at_the_edges_of_every_limit()
    {
        Assert.Empty(IntegrityRules.ForClaim(Claim(), Limits));
        // Exactly 80 % attendance, claimed on the last day of the window, a man of 60 and a woman of 55, two of three subsidies this
        // year, two trainees (a couple) sharing a phone and an account, a public institution with no full-time teacher, a part-time
        // teacher at three institutions: all still pass.
        var edges = Claim() with
        {
            Attendance = new AttendanceFacts(Completion.Completed, 20, 16),
            ClaimedOn = Claim().Certificate.IssuedOn.AddMonths(12),
            PastSubsidies = [new PastSubsidy(91, "skill-level", "T101", 2, 2026, 0), new PastSubsidy(92, "skill-level", "T102", 2, 2026, 0)],
            SamePhoneInCohort = 2,
            SameAccountInCohort = 2,
            Cohort = Cohort(new InstitutionStanding(new InstitutionYear("县职校", false, 0, 5), [new TeacherYear("赵**", 3, true, 0)])),
        };
        Assert.Empty(IntegrityRules.ForClaim(edges, Limits));
        Assert.Empty(IntegrityRules.ForClaim(Claim() with { Trainee = Trainee(Gender.Male, Start.AddYears(-60)) }, Limits));
        Assert.Empty(IntegrityRules.ForClaim(Claim() with { Trainee = Trainee(Gender.Female, Start.AddYears(-55)) }, Limits));
        // A higher level of the trade than before, and the same level of another trade, are new subsidies.
        Assert.Empty(IntegrityRules.ForClaim(Claim() with { PastSubsidies = [new PastSubsidy(91, "skill-level", "T029", 2, 2025, 0), new PastSubsidy(92, "skill-level", "T030", 3, 2025, 0)] }, Limits));
        // A claim's own grant is not a previous subsidy.
        Assert.Empty(IntegrityRules.ForClaim(Claim() with { PastSubsidies = [new PastSubsidy(100, "skill-level", "T029", 3, 2026, 0)] }, Limits));
    }

    [Theory]
    [MemberData(nameof(ClaimDefects))]
    public void Each_defect_of_a_claim_is_found_by_its_check_with_a_Chinese_reason(string defect, Func<ClaimFacts, ClaimFacts> apply, string code, FindingSeverity severity)
    {
        Assert.DoesNotContain(IntegrityRules.ForClaim(Claim(), Limits), f => f.Code == code);
        var finding = Assert.Single(IntegrityRules.ForClaim(apply(Claim()), Limits), f => f.Code == code);
        Assert.True(finding.Severity == severity, defect);
        Assert.Contains(finding.Reason, c => c is >= '\u4e00' and <= '\u9fff');
        Assert.False(string.IsNullOrEmpty(finding.Title));
    }

    public static TheoryData<string, Func<SeatFacts, SeatFacts>, string, FindingSeverity> SeatDefects => new()
    {
        { "holds an overlapping cohort", s => s with { Overlapping = [Overlap] }, IntegrityChecks.OverlappingCohorts, FindingSeverity.Block },
        { "deceased", s => s with { Trainee = s.Trainee with { VitalStatus = "deceased" } }, IntegrityChecks.VitalStatus, FindingSeverity.Block },
        { "institution breaking the one-third rule", s => s with { Cohort = Cohort(GoodInstitution() with { Year = new InstitutionYear("育才", true, 1, 4) }) },
            IntegrityChecks.InstitutionRules, FindingSeverity.Block },
        { "five seats sharing a phone", s => s with { SamePhoneInCohort = 5 }, IntegrityChecks.SharedPhone, FindingSeverity.Block },
        { "three seats sharing a phone", s => s with { SamePhoneInCohort = 3 }, IntegrityChecks.SharedPhone, FindingSeverity.Review },
        // May train, but the office learns now that no subsidy follows.
        { "a man of 62", s => s with { Trainee = Trainee(Gender.Male, Start.AddYears(-62)) }, IntegrityChecks.Age, FindingSeverity.Review },
        { "three subsidies this year already", s => s with { PastSubsidies = [.. Enumerable.Range(0, 3).Select(i => new PastSubsidy(91 + i, "skill-level", $"T10{i}", 2, 2026, 0))] },
            IntegrityChecks.YearlyLimit, FindingSeverity.Review },
    };

    [Theory]
    [MemberData(nameof(SeatDefects))]
    public void Each_defect_before_a_seat_is_found_by_its_check(string defect, Func<SeatFacts, SeatFacts> apply, string code, FindingSeverity severity)
    {
        Assert.Empty(IntegrityRules.ForSeat(Seat(), Limits));
        var finding = Assert.Single(IntegrityRules.ForSeat(apply(Seat()), Limits), f => f.Code == code);
        Assert.True(finding.Severity == severity, defect);
        Assert.Contains(finding.Reason, c => c is >= '\u4e00' and <= '\u9fff');
    }

    [Fact]
    public void Every_check_has_a_Chinese_name_and_is_exercised_by_a_defect_above()
    {
        var exercised = ClaimDefects.Select(row => (string)row[2]).Concat(SeatDefects.Select(row => (string)row[2])).ToHashSet();
        Assert.All(IntegrityChecks.All, code =>
        {
            Assert.Contains(code, exercised);
            Assert.Contains(IntegrityChecks.NameOf(code), c => c is >= '\u4e00' and <= '\u9fff');
        });
    }

    [Fact]
    public void Approval_is_refused_on_any_block_and_on_review_findings_not_confirmed_as_checked()
    {
        var block = new IntegrityFinding(IntegrityChecks.Attendance, FindingSeverity.Block, "出勤不足");
        var review = new IntegrityFinding(IntegrityChecks.SharedPhone, FindingSeverity.Review, "共用手机号");
        Assert.Null(IntegrityRules.ApprovalRefusal([], reviewed: false));
        Assert.Contains("出勤不足", IntegrityRules.ApprovalRefusal([block], reviewed: true));
        Assert.Contains("出勤不足", IntegrityRules.ApprovalRefusal([block, review], reviewed: true));
        Assert.Contains("共用手机号", IntegrityRules.ApprovalRefusal([review], reviewed: false));
        Assert.Null(IntegrityRules.ApprovalRefusal([review], reviewed: true));
    }

    /// <summary>Random claims with random defects: whatever the mix, an approval only ever passes without a blocking finding.</summary>
    [Fact]
    public void No_random_claim_with_a_blocking_finding_is_ever_approvable()
    {
        var random = new Random(20260615);
        var defects = ClaimDefects.Select(row => (Func<ClaimFacts, ClaimFacts>)row[1]).ToList();
        var approvable = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var claim = Claim();
            foreach (var defect in defects.Where(_ => random.NextDouble() < 0.08))
            {
                claim = defect(claim);
            }
            var findings = IntegrityRules.ForClaim(claim, Limits);
            var refusal = IntegrityRules.ApprovalRefusal(findings, reviewed: random.Next(2) == 0);
            if (refusal is null)
            {
                approvable++;
                Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Block);
            }
            else
            {
                Assert.NotEmpty(findings);
            }
        }
        Assert.InRange(approvable, 500, 4_999);
    }
}
