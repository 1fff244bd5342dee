using Matching.Domain.Training;
using Matching.Domain.Validation;

namespace Matching.Domain.Subsidies;

/// <summary>A certificate subsidy claim (证书直补申领): for a completed enrolment and the certificate it led to, paid to an account.</summary>
public sealed record SubsidyClaimInput(long? EnrolmentId, long? CertificateId, string? BankAccount);

/// <summary>The county office's approval; <see cref="Reviewed"/> confirms that findings needing review were checked (the note says how).</summary>
public sealed record ClaimApprovalInput(bool? Reviewed, string? Note);

public sealed record ClaimRejectionInput(string? Reason);

/// <summary>A payment file of approved claims, for the county offices' counties (or one of them).</summary>
public sealed record PaymentFileInput(string? CountyCode);

public static class ClaimStatus
{
    /// <summary>已提交: waiting for the county office's review.</summary>
    public const string Submitted = "submitted";

    public const string Approved = "approved";
    public const string Rejected = "rejected";

    /// <summary>已拨付: included in a payment file sent to the bank.</summary>
    public const string Paid = "paid";

    public static readonly IReadOnlyList<string> All = [Submitted, Approved, Rejected, Paid];

    /// <summary>Claims that count as subsidies received (for the once-per-trade-and-level rule and the yearly limit).</summary>
    public static readonly IReadOnlyList<string> Granted = [Approved, Paid];

    public static string NameOf(string status) => status switch
    {
        Submitted => "待审核",
        Approved => "已审核通过",
        Rejected => "已驳回",
        Paid => "已拨付",
        _ => status,
    };
}

/// <summary>What a claim is worth under the catalogue: the certificate subsidy and, for priority groups, the living allowance.</summary>
public sealed record ClaimAmount(int Subsidy, int LivingAllowance, string Basis)
{
    public int Total => Subsidy + LivingAllowance;
}

public static class SubsidyRules
{
    /// <summary>A bank account number (银行卡号/账号): 12 to 30 digits; spaces are ignored.</summary>
    public static string? NormalizeAccount(string? value)
    {
        var digits = value?.Replace(" ", "", StringComparison.Ordinal).Trim();
        return digits is { Length: >= 12 and <= 30 } && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    /// <summary>Masked for answers: the last four digits only (**** **** 1234).</summary>
    public static string MaskAccount(string account) => "**** **** " + account[^4..];

    public static (long EnrolmentId, long CertificateId, string BankAccount)? Validate(SubsidyClaimInput input, ValidationErrors errors)
    {
        if (input.EnrolmentId is null or <= 0)
        {
            errors.Add("enrolmentId", "必填");
        }
        if (input.CertificateId is null or <= 0)
        {
            errors.Add("certificateId", "必填");
        }
        var account = NormalizeAccount(input.BankAccount);
        if (account is null)
        {
            errors.Add("bankAccount", "请填写12至30位数字的银行账号（社会保障卡金融账户或本人银行卡）");
        }
        return errors.IsValid ? (input.EnrolmentId!.Value, input.CertificateId!.Value, account!) : null;
    }

    public static (bool Reviewed, string? Note)? Validate(ClaimApprovalInput input, ValidationErrors errors)
    {
        var note = Check.Text(errors, "note", input.Note, 500, multiline: true);
        var reviewed = input.Reviewed ?? false;
        if (reviewed && (note is null || note.Length < 4))
        {
            errors.Add("note", "确认已核查时须写明核查情况（至少4个字）");
        }
        return errors.IsValid ? (reviewed, note) : null;
    }

    public static string? Validate(ClaimRejectionInput input, ValidationErrors errors) =>
        Check.Text(errors, "reason", input.Reason, 500, required: true, multiline: true, minLength: 2);

    /// <summary>
    /// The certificate subsidy for the certificate's type and level (and the cohort's training type), plus the living
    /// allowance for the listed priority groups (per day attended, capped) unless one was paid already this year.
    /// Null when the catalogue has no amount for the certificate.
    /// </summary>
    public static ClaimAmount? Amount(TrainingPolicy policy, string certificateType, int? level, string trainingType, IReadOnlyList<string> priorityGroups,
        int daysAttended, bool livingAllowancePaidThisYear)
    {
        if (policy.AmountFor(certificateType, level, trainingType) is not { } amount)
        {
            return null;
        }
        var limits = policy.Limits;
        var allowance = !livingAllowancePaidThisYear && priorityGroups.Any(limits.LivingAllowanceGroups.Contains)
            ? limits.LivingAllowancePerDay * Math.Min(Math.Max(daysAttended, 0), limits.LivingAllowanceMaxDays)
            : 0;
        return new ClaimAmount(amount.Amount, allowance, allowance > 0 ? $"{amount.Note}；生活费补贴{limits.LivingAllowancePerDay}元/天" : amount.Note);
    }
}
