using System.Text.Json.Serialization;
using Matching.Domain.Identity;
using Matching.Domain.Institutions;
using Matching.Domain.Training;
using Matching.Domain.Workers;

namespace Matching.Domain.Subsidies;

/// <summary>How serious a finding is: <c>block</c> stops the seat or the approval; <c>review</c> needs a person to check it first.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingSeverity>))]
public enum FindingSeverity
{
    [JsonStringEnumMemberName("block")]
    Block,

    [JsonStringEnumMemberName("review")]
    Review,
}

/// <summary>One finding of the integrity checks (防止骗取、套取培训资金): which check, how serious, why, in Chinese.</summary>
public sealed record IntegrityFinding(string Code, FindingSeverity Severity, string Reason)
{
    public string Title => IntegrityChecks.NameOf(Code);
}

/// <summary>The checks, by code.</summary>
public static class IntegrityChecks
{
    public const string OverlappingCohorts = "overlapping-cohorts";
    public const string SubsidisedBefore = "subsidised-before";
    public const string LowerThanSubsidised = "lower-than-subsidised";
    public const string YearlyLimit = "yearly-limit";
    public const string ClaimWindow = "claim-window";
    public const string Attendance = "attendance";
    public const string CertificateBeforeCohort = "certificate-before-cohort";
    public const string CertificateTrade = "certificate-trade";
    public const string Identity = "identity";
    public const string Age = "age";
    public const string VitalStatus = "vital-status";
    public const string InstitutionRules = "institution-rules";
    public const string SharedPhone = "shared-phone";
    public const string SharedBankAccount = "shared-bank-account";

    public static readonly IReadOnlyList<string> All =
    [
        OverlappingCohorts, SubsidisedBefore, LowerThanSubsidised, YearlyLimit, ClaimWindow, Attendance, CertificateBeforeCohort,
        CertificateTrade, Identity, Age, VitalStatus, InstitutionRules, SharedPhone, SharedBankAccount,
    ];

    public static string NameOf(string code) => code switch
    {
        OverlappingCohorts => "同一人同时参加时间重叠的班期",
        SubsidisedBefore => "同一工种同一等级已享受过补贴",
        LowerThanSubsidised => "已按更高等级享受过该工种补贴",
        YearlyLimit => "超过年度补贴次数",
        ClaimWindow => "超过申领期限",
        Attendance => "出勤不足或未结业",
        CertificateBeforeCohort => "证书早于开班日期",
        CertificateTrade => "证书工种与班期不符",
        Identity => "身份信息与身份证号码不一致",
        Age => "年龄不在补贴范围",
        VitalStatus => "身份证号码对应人员已死亡或出境定居",
        InstitutionRules => "培训机构师资不合规",
        SharedPhone => "多名学员共用手机号",
        SharedBankAccount => "多名学员共用银行账户",
        _ => code,
    };
}

/// <summary>The trainee as the checks read them: stored birth date and gender, the ID number's (parsed from the decrypted number; null if it would not parse), and vital status.</summary>
public sealed record TraineeFacts(long WorkerId, DateOnly BirthDate, Gender Gender, ResidentIdInfo? Identity, string VitalStatus, DateOnly? VitalStatusSince);

/// <summary>The institution delivering a cohort, counted for the cohort's year, and the cohort's teachers' loads that year.</summary>
public sealed record InstitutionStanding(InstitutionYear Year, IReadOnlyList<TeacherYear> CohortTeachers);

public sealed record CohortFacts(long CohortId, string Name, DateOnly StartDate, DateOnly EndDate, IReadOnlyList<string> Trades, string TrainingType,
    InstitutionStanding? Institution);

/// <summary>Another cohort the trainee holds a seat in, or took part in, whose dates overlap this one's.</summary>
public sealed record HeldCohort(long CohortId, string Name, DateOnly StartDate, DateOnly EndDate);

/// <summary>A subsidy granted before (approved or paid), in the year it was granted.</summary>
public sealed record PastSubsidy(long ClaimId, string CertificateType, string? TradeId, int? Level, int Year, int LivingAllowance);

/// <summary>What is checked before a seat is granted (enrolment, dispatch commit, re-offer).</summary>
public sealed record SeatFacts(TraineeFacts Trainee, CohortFacts Cohort, IReadOnlyList<HeldCohort> Overlapping, IReadOnlyList<PastSubsidy> PastSubsidies,
    int SamePhoneInCohort, DateOnly Today);

/// <summary>The claimed certificate.</summary>
public sealed record ClaimedCertificate(long CertificateId, string Type, string TradeId, int? Level, DateOnly IssuedOn);

/// <summary>The enrolment's attendance and completion.</summary>
public sealed record AttendanceFacts(string Completion, int DaysScheduled, int? DaysAttended);

/// <summary>What is checked before a claim is approved. Counts of shared contacts include the trainee.</summary>
public sealed record ClaimFacts(long ClaimId, TraineeFacts Trainee, CohortFacts Cohort, ClaimedCertificate Certificate, AttendanceFacts Attendance,
    IReadOnlyList<HeldCohort> Overlapping, IReadOnlyList<PastSubsidy> PastSubsidies, int SamePhoneInCohort, int SameAccountInCohort,
    DateOnly ClaimedOn, DateOnly Today);

/// <summary>
/// The integrity checks (资金监管) as one rule set: each check reads facts and returns a finding with a severity and a
/// Chinese reason. The same code runs before a seat is granted (<see cref="ForSeat"/>) and before a claim is approved
/// (<see cref="ForClaim"/>), one at a time in the service and over a whole year in batch; no claim is approved while a
/// blocking finding stands (<see cref="ApprovalRefusal"/>).
/// </summary>
public static class IntegrityRules
{
    public static IReadOnlyList<IntegrityFinding> ForSeat(SeatFacts facts, SubsidyLimits limits)
    {
        var findings = new List<IntegrityFinding>();
        Add(findings, Overlap(facts.Overlapping, facts.Cohort));
        Add(findings, Vital(facts.Trainee));
        // Outside the subsidy ages or over the yearly limit a worker may still train; the office learns now that no subsidy will follow.
        Add(findings, AgeCheck(facts.Trainee, facts.Cohort, limits, FindingSeverity.Review));
        var thisYear = facts.PastSubsidies.Count(s => s.Year == facts.Today.Year);
        if (thisYear >= limits.YearlyLimit)
        {
            findings.Add(new IntegrityFinding(IntegrityChecks.YearlyLimit, FindingSeverity.Review,
                $"本年度已享受补贴{thisYear}次，已达每年{limits.YearlyLimit}次上限，本次培训后不能再申领补贴"));
        }
        Add(findings, Institution(facts.Cohort));
        Add(findings, Shared(IntegrityChecks.SharedPhone, "手机号", facts.SamePhoneInCohort, limits));
        return findings;
    }

    public static IReadOnlyList<IntegrityFinding> ForClaim(ClaimFacts facts, SubsidyLimits limits)
    {
        var findings = new List<IntegrityFinding>();
        Add(findings, Overlap(facts.Overlapping, facts.Cohort));
        SubsidyHistory(findings, facts, limits);
        Add(findings, Window(facts, limits));
        Add(findings, AttendanceCheck(facts.Attendance, limits));
        if (facts.Certificate.IssuedOn < facts.Cohort.StartDate)
        {
            findings.Add(new IntegrityFinding(IntegrityChecks.CertificateBeforeCohort, FindingSeverity.Block,
                $"证书发证日期{facts.Certificate.IssuedOn:yyyy-MM-dd}早于班期开班日期{facts.Cohort.StartDate:yyyy-MM-dd}，不是本次培训取得"));
        }
        if (!facts.Cohort.Trades.Contains(facts.Certificate.TradeId))
        {
            findings.Add(new IntegrityFinding(IntegrityChecks.CertificateTrade, FindingSeverity.Block, "证书工种不是本班期培训的工种"));
        }
        Add(findings, IdentityCheck(facts.Trainee));
        Add(findings, AgeCheck(facts.Trainee, facts.Cohort, limits, FindingSeverity.Block));
        Add(findings, Vital(facts.Trainee));
        Add(findings, Institution(facts.Cohort));
        Add(findings, Shared(IntegrityChecks.SharedPhone, "手机号", facts.SamePhoneInCohort, limits));
        Add(findings, Shared(IntegrityChecks.SharedBankAccount, "银行账户", facts.SameAccountInCohort, limits));
        return findings;
    }

    /// <summary>Why a claim with these findings may not be approved now, or null: any block; any review not confirmed as checked.</summary>
    public static string? ApprovalRefusal(IReadOnlyList<IntegrityFinding> findings, bool reviewed)
    {
        var blocks = findings.Where(f => f.Severity == FindingSeverity.Block).ToList();
        if (blocks.Count > 0)
        {
            return "核查未通过，不能审核通过：" + string.Join("；", blocks.Select(f => f.Reason));
        }
        var reviews = findings.Where(f => f.Severity == FindingSeverity.Review).ToList();
        if (reviews.Count > 0 && !reviewed)
        {
            return "以下情况需人工核查，核查后请确认（reviewed: true）并写明核查情况：" + string.Join("；", reviews.Select(f => f.Reason));
        }
        return null;
    }

    /// <summary>Whether any finding blocks.</summary>
    public static bool Blocks(IEnumerable<IntegrityFinding> findings) => findings.Any(f => f.Severity == FindingSeverity.Block);

    private static void Add(List<IntegrityFinding> findings, IntegrityFinding? finding)
    {
        if (finding is not null)
        {
            findings.Add(finding);
        }
    }

    private static IntegrityFinding? Overlap(IReadOnlyList<HeldCohort> overlapping, CohortFacts cohort)
    {
        var other = overlapping.Where(o => o.CohortId != cohort.CohortId).OrderBy(o => o.StartDate).FirstOrDefault();
        return other is null ? null : new IntegrityFinding(IntegrityChecks.OverlappingCohorts, FindingSeverity.Block,
            $"该劳动者已报名班期“{other.Name}”（{other.StartDate:yyyy-MM-dd}至{other.EndDate:yyyy-MM-dd}），与本班期时间重叠；同一时间只能参加一个班期");
    }

    private static void SubsidyHistory(List<IntegrityFinding> findings, ClaimFacts facts, SubsidyLimits limits)
    {
        var certificate = facts.Certificate;
        var sameTrade = facts.PastSubsidies.Where(s => s.ClaimId != facts.ClaimId && s.TradeId == certificate.TradeId).ToList();
        var same = sameTrade.FirstOrDefault(s => s.Level == certificate.Level && (s.Level is not null || s.CertificateType == certificate.Type));
        if (same is not null)
        {
            findings.Add(new IntegrityFinding(IntegrityChecks.SubsidisedBefore, FindingSeverity.Block,
                $"该工种{LevelText(certificate.Level)}已于{same.Year}年享受过补贴（申领编号 {same.ClaimId}），同一工种同一等级只能享受一次"));
        }
        var higher = sameTrade.Where(s => s.Level is not null && certificate.Level is not null && s.Level > certificate.Level).MaxBy(s => s.Level);
        if (higher is not null)
        {
            findings.Add(new IntegrityFinding(IntegrityChecks.LowerThanSubsidised, FindingSeverity.Block,
                $"该工种已按更高等级（{higher.Level}级）享受过补贴（申领编号 {higher.ClaimId}），不能再申领较低等级"));
        }
        // Granted this calendar year (all kinds together), with this claim on top of them.
        var thisYear = facts.PastSubsidies.Count(s => s.ClaimId != facts.ClaimId && s.Year == facts.Today.Year);
        if (thisYear + 1 > limits.YearlyLimit)
        {
            findings.Add(new IntegrityFinding(IntegrityChecks.YearlyLimit, FindingSeverity.Block,
                $"本年度已享受补贴{thisYear}次（各类补贴合计），再通过将超过每年{limits.YearlyLimit}次的上限"));
        }
    }

    private static IntegrityFinding? Window(ClaimFacts facts, SubsidyLimits limits)
    {
        var deadline = facts.Certificate.IssuedOn.AddMonths(limits.ClaimWindowMonths);
        return facts.ClaimedOn > deadline
            ? new IntegrityFinding(IntegrityChecks.ClaimWindow, FindingSeverity.Block,
                $"证书于{facts.Certificate.IssuedOn:yyyy-MM-dd}颁发，应在{limits.ClaimWindowMonths}个月内（{deadline:yyyy-MM-dd}前）申领，申领日期{facts.ClaimedOn:yyyy-MM-dd}已超期")
            : null;
    }

    private static IntegrityFinding? AttendanceCheck(AttendanceFacts attendance, SubsidyLimits limits)
    {
        if (attendance.Completion != Completion.Completed)
        {
            return new IntegrityFinding(IntegrityChecks.Attendance, FindingSeverity.Block, $"培训结业情况为“{Completion.NameOf(attendance.Completion)}”，未结业不能申领");
        }
        if (attendance.DaysAttended is not { } attended)
        {
            return new IntegrityFinding(IntegrityChecks.Attendance, FindingSeverity.Block, "未登记考勤");
        }
        return attended * 100 < limits.AttendanceThresholdPercent * attendance.DaysScheduled
            ? new IntegrityFinding(IntegrityChecks.Attendance, FindingSeverity.Block,
                $"出勤{attended}天/应出勤{attendance.DaysScheduled}天，出勤率{100.0 * attended / attendance.DaysScheduled:0}%低于{limits.AttendanceThresholdPercent}%")
            : null;
    }

    private static IntegrityFinding? IdentityCheck(TraineeFacts trainee)
    {
        if (trainee.Identity is not { } id)
        {
            return new IntegrityFinding(IntegrityChecks.Identity, FindingSeverity.Block, "身份证号码无法通过校验");
        }
        var problems = new List<string>();
        if (id.BirthDate != trainee.BirthDate)
        {
            problems.Add("出生日期");
        }
        if (id.Gender != trainee.Gender)
        {
            problems.Add("性别");
        }
        return problems.Count == 0 ? null
            : new IntegrityFinding(IntegrityChecks.Identity, FindingSeverity.Block, $"登记的{string.Join("和", problems)}与身份证号码不一致");
    }

    private static IntegrityFinding? AgeCheck(TraineeFacts trainee, CohortFacts cohort, SubsidyLimits limits, FindingSeverity severity)
    {
        var birth = trainee.Identity?.BirthDate ?? trainee.BirthDate;
        var gender = trainee.Identity?.Gender ?? trainee.Gender;
        var age = WorkerRules.AgeOn(birth, cohort.StartDate);
        var max = gender == Gender.Female ? limits.MaxAgeFemale : limits.MaxAgeMale;
        return age < limits.MinAge || age > max
            ? new IntegrityFinding(IntegrityChecks.Age, severity,
                $"开班时{age}周岁，不在补贴年龄范围（{limits.MinAge}至{max}周岁，{(gender == Gender.Female ? "女" : "男")}）" + (severity == FindingSeverity.Review ? "，可以参训但不能享受补贴" : ""))
            : null;
    }

    private static IntegrityFinding? Vital(TraineeFacts trainee) => trainee.VitalStatus switch
    {
        Workers.VitalStatus.Deceased or Workers.VitalStatus.Emigrated => new IntegrityFinding(IntegrityChecks.VitalStatus, FindingSeverity.Block,
            $"该身份证号码对应人员已登记为“{Workers.VitalStatus.NameOf(trainee.VitalStatus)}”{(trainee.VitalStatusSince is { } since ? $"（{since:yyyy-MM-dd}起）" : "")}"),
        _ => null,
    };

    private static IntegrityFinding? Institution(CohortFacts cohort)
    {
        if (cohort.Institution is not { } standing)
        {
            return null;
        }
        var problems = new List<string>();
        if (InstitutionRules.FullTimeShareProblem(standing.Year) is { } share)
        {
            problems.Add(share);
        }
        problems.AddRange(standing.CohortTeachers.Select(InstitutionRules.PartTimeLoadProblem).OfType<string>());
        return problems.Count == 0 ? null
            : new IntegrityFinding(IntegrityChecks.InstitutionRules, FindingSeverity.Block, string.Join("；", problems));
    }

    private static IntegrityFinding? Shared(string code, string what, int count, SubsidyLimits limits) =>
        count >= limits.SharedContactBlock
            ? new IntegrityFinding(code, FindingSeverity.Block, $"本班期有{count}名学员共用同一{what}，疑似虚增学员")
            : count >= limits.SharedContactReview
                ? new IntegrityFinding(code, FindingSeverity.Review, $"本班期有{count}名学员共用同一{what}，请核实是否为家庭成员")
                : null;

    private static string LevelText(int? level) => level is { } l ? $"{l}级" : "";
}
