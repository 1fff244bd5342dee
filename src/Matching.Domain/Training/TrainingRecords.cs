using System.Text.RegularExpressions;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Domain.Training;

/// <summary>Completion (结业) of an enrolment: pending until the base records it after the cohort ends.</summary>
public static class Completion
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string NotCompleted = "not-completed";

    public static readonly IReadOnlyList<string> All = [Pending, Completed, NotCompleted];

    public static string NameOf(string completion) => completion switch
    {
        Completed => "已结业",
        NotCompleted => "未结业",
        _ => "待登记",
    };
}

/// <summary>An assessment (考核/鉴定): passed or not, when, by whom.</summary>
public sealed record AssessmentInput(bool? Passed, DateOnly? AssessedOn, string? AssessingBody);

/// <summary>What the base (or institution) records of one trainee: attendance (考勤), completion (结业), assessment.</summary>
public sealed record TrainingResultInput(int? DaysScheduled, int? DaysAttended, string? Completion, DateOnly? CompletedOn, AssessmentInput? Assessment);

/// <summary>One row of an imported batch of results: the enrolment it is for, and the result.</summary>
public sealed record TrainingResultRow(long? EnrolmentId, int? DaysScheduled, int? DaysAttended, string? Completion, DateOnly? CompletedOn, AssessmentInput? Assessment)
{
    public TrainingResultInput ToResult() => new(DaysScheduled, DaysAttended, Completion, CompletedOn, Assessment);
}

/// <summary>An imported batch of results for one cohort.</summary>
public sealed record TrainingResultBatch(IReadOnlyList<TrainingResultRow>? Rows);

public sealed record TrainingResultDraft(int DaysScheduled, int? DaysAttended, string Completion, DateOnly? CompletedOn, bool? AssessmentPassed,
    DateOnly? AssessedOn, string? AssessingBody);

/// <summary>A certificate gained (证书), as a county office records it from the issuing body's record.</summary>
public sealed record CertificateInput(
    string? Type,
    string? TradeId,
    int? Level,
    string? Number,
    string? IssuingBody,
    string? IssuingProvince,
    DateOnly? IssuedOn,
    DateOnly? ExpiresOn,
    long? EnrolmentId);

public sealed record CertificateDraft(
    string Type,
    string TradeId,
    int? Level,
    string Number,
    string IssuingBody,
    string IssuingProvince,
    DateOnly IssuedOn,
    DateOnly? ExpiresOn,
    long? EnrolmentId)
{
    public WorkerCertificate AsWorkerCertificate => new(Type, TradeId, Level, IssuedOn, ExpiresOn, IssuingProvince);
}

/// <summary>Validation of training results and certificates; Chinese messages keyed by camelCase JSON path.</summary>
public static partial class TrainingRules
{
    public const int MaxBatchRows = 1000;

    /// <summary>Certificate types that carry a level of the 新八级工 ladder.</summary>
    public static readonly IReadOnlyList<string> LevelledTypes = ["vocational-qualification", "skill-level"];

    /// <summary>Results are recorded once training has begun: attendance while it runs, completion and assessment after.</summary>
    public static bool TakesResults(string cohortStatus) => cohortStatus is CohortStatus.InTraining or CohortStatus.Completed;

    /// <summary>Calendar days of a cohort, the most days a trainee can be scheduled.</summary>
    public static int CohortDays(DateOnly start, DateOnly end) => end.DayNumber - start.DayNumber + 1;

    /// <summary>
    /// A result for an enrolment in a cohort: attendance at most the cohort's days; completion and assessment only
    /// once the cohort has completed; dates between the cohort's start and today.
    /// </summary>
    public static TrainingResultDraft? Validate(TrainingResultInput input, DateOnly cohortStart, DateOnly cohortEnd, string cohortStatus, DateOnly today,
        ValidationErrors errors, string prefix = "")
    {
        // Every field is checked whatever the cohort's state, so each error names its own field.
        if (!TakesResults(cohortStatus))
        {
            errors.Add(prefix + "daysAttended", $"班期当前为“{CohortStatus.NameOf(cohortStatus)}”，开班后才能登记考勤和结业");
        }
        var days = CohortDays(cohortStart, cohortEnd);
        var scheduled = Check.Range(errors, prefix + "daysScheduled", input.DaysScheduled, 1, days);
        var attended = Check.Range(errors, prefix + "daysAttended", input.DaysAttended, 0, scheduled ?? days, required: false);
        var completion = input.Completion?.Trim() ?? Completion.Pending;
        if (!Completion.All.Contains(completion))
        {
            errors.Add(prefix + "completion", "应为 pending（待登记）、completed（已结业）或 not-completed（未结业）");
        }
        else if (completion != Completion.Pending && cohortStatus != CohortStatus.Completed)
        {
            errors.Add(prefix + "completion", "班期结业后才能登记结业情况");
        }
        if (completion != Completion.Pending && input.DaysAttended is null)
        {
            errors.Add(prefix + "daysAttended", "登记结业情况时须填写出勤天数");
        }
        DateOnly? completedOn = null;
        if (completion == Completion.Completed)
        {
            completedOn = Check.Required(errors, prefix + "completedOn", input.CompletedOn);
            if (completedOn is { } on && (on < cohortStart || on > today))
            {
                errors.Add(prefix + "completedOn", "结业日期应在开班日期与今天之间");
            }
        }
        else if (input.CompletedOn is not null)
        {
            errors.Add(prefix + "completedOn", "只有已结业才填写结业日期");
        }
        bool? passed = null;
        DateOnly? assessedOn = null;
        string? body = null;
        if (input.Assessment is { } assessment)
        {
            if (completion != Completion.Completed)
            {
                errors.Add(prefix + "assessment", "结业后才能登记考核（鉴定）结果");
            }
            passed = Check.Required(errors, prefix + "assessment.passed", assessment.Passed);
            assessedOn = Check.Required(errors, prefix + "assessment.assessedOn", assessment.AssessedOn);
            if (assessedOn is { } a && (a < cohortStart || a > today))
            {
                errors.Add(prefix + "assessment.assessedOn", "考核日期应在开班日期与今天之间");
            }
            body = Check.Text(errors, prefix + "assessment.assessingBody", assessment.AssessingBody, 100, required: true, minLength: 2);
        }
        if (!errors.IsValid)
        {
            return null;
        }
        return new TrainingResultDraft(scheduled!.Value, attended, completion, completedOn, passed, assessedOn, body);
    }

    /// <summary>
    /// A certificate as recorded; one gained in a cohort (<paramref name="cohortStart"/> given: it names an enrolment)
    /// is not issued before the cohort started, or it was not gained there.
    /// </summary>
    public static CertificateDraft? Validate(CertificateInput input, Catalogue catalogue, DateOnly today, ValidationErrors errors, DateOnly? cohortStart = null)
    {
        var type = input.Type?.Trim();
        if (string.IsNullOrEmpty(type) || !catalogue.CertificateTypesById.ContainsKey(type))
        {
            errors.Add("type", "未知的证书类型");
        }
        var tradeId = input.TradeId?.Trim();
        if (string.IsNullOrEmpty(tradeId) || !catalogue.TradesById.ContainsKey(tradeId))
        {
            errors.Add("tradeId", "未知的工种编号（记录的证书须注明工种）");
        }
        int? level = null;
        if (type is not null && LevelledTypes.Contains(type))
        {
            level = Check.Range(errors, "level", input.Level, 1, 8);
        }
        else if (input.Level is not null)
        {
            errors.Add("level", "该类证书没有技能等级");
        }
        var number = Check.Text(errors, "number", input.Number, 40, required: true, minLength: 4);
        if (number is not null && !CertificateNumberPattern().IsMatch(number))
        {
            errors.Add("number", "证书编号只能包含字母、数字和短横线");
        }
        var body = Check.Text(errors, "issuingBody", input.IssuingBody, 100, required: true, minLength: 2);
        var province = input.IssuingProvince?.Trim();
        if (string.IsNullOrEmpty(province) || !Catalogue.IsProvinceLevelCode(province))
        {
            errors.Add("issuingProvince", "发证省份应为省级行政区划代码，如 520000");
        }
        var issued = Check.Required(errors, "issuedOn", input.IssuedOn);
        if (issued is { } i && (i > today || i < today.AddYears(-30)))
        {
            errors.Add("issuedOn", "发证日期应在三十年前至今天之间");
        }
        else if (issued is { } gained && cohortStart is { } start && gained < start)
        {
            errors.Add("issuedOn", $"发证日期早于班期开班日期（{start:yyyy-MM-dd}），不是本班期取得的证书");
        }
        if (input.ExpiresOn is { } expires && issued is { } from && (expires <= from || expires > from.AddYears(30)))
        {
            errors.Add("expiresOn", "有效期截止日期应晚于发证日期，且不超过三十年");
        }
        if (input.EnrolmentId is <= 0)
        {
            errors.Add("enrolmentId", "报名编号无效");
        }
        if (!errors.IsValid)
        {
            return null;
        }
        return new CertificateDraft(type!, tradeId!, level, number!.ToUpperInvariant(), body!, province!, issued!.Value, input.ExpiresOn, input.EnrolmentId);
    }

    /// <summary>
    /// A recorded certificate raises the worker's level in its trade (adding the trade when the worker did not list it)
    /// and joins the worker's certificates, so matching sees it. Applying the same certificate twice changes nothing.
    /// </summary>
    public static (IReadOnlyList<WorkerTrade> Trades, IReadOnlyList<WorkerCertificate> Certificates) Apply(
        IReadOnlyList<WorkerTrade> trades, IReadOnlyList<WorkerCertificate> certificates, IEnumerable<WorkerCertificate> recorded)
    {
        var newTrades = trades.ToList();
        var newCertificates = certificates.ToList();
        foreach (var c in recorded)
        {
            if (!newCertificates.Contains(c))
            {
                newCertificates.Add(c);
            }
            if (c.Level is not { } level || c.TradeId is not { } tradeId)
            {
                continue;
            }
            var index = newTrades.FindIndex(t => t.TradeId == tradeId);
            if (index >= 0)
            {
                newTrades[index] = newTrades[index] with { Level = Math.Max(newTrades[index].Level, level) };
            }
            else
            {
                newTrades.Add(new WorkerTrade(tradeId, level));
            }
        }
        return (newTrades, newCertificates);
    }

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex CertificateNumberPattern();
}
