using System.Text.RegularExpressions;
using Matching.Domain.Validation;

namespace Matching.Domain.Workers;

/// <summary>Whether the person behind an ID number is alive and resident: an office records a death or emigration (注销户籍).</summary>
public static class VitalStatus
{
    public const string Living = "living";
    public const string Deceased = "deceased";
    public const string Emigrated = "emigrated";

    public static readonly IReadOnlyList<string> All = [Living, Deceased, Emigrated];

    public static string NameOf(string status) => status switch
    {
        Deceased => "已死亡",
        Emigrated => "已出境定居（户籍注销）",
        _ => "正常",
    };
}

/// <summary>The social security card number (社会保障卡号) that carries the lifelong training record.</summary>
public sealed record SocialSecurityCardInput(string? Number);

/// <summary>A change of vital status, with the date it took effect.</summary>
public sealed record VitalStatusInput(string? Status, DateOnly? Since, string? Note);

public sealed record VitalStatusDraft(string Status, DateOnly? Since, string? Note);

public static partial class WorkerStatusRules
{
    /// <summary>The card number as printed: nine characters, a capital letter then eight capital letters or digits (e.g. A12345678).</summary>
    public static string? NormalizeCardNumber(string? value)
    {
        var trimmed = value?.Trim().ToUpperInvariant();
        return trimmed is not null && CardPattern().IsMatch(trimmed) ? trimmed : null;
    }

    /// <summary>Masked for answers: first and last two characters shown (A1*****78).</summary>
    public static string MaskCardNumber(string number) => string.Concat(number.AsSpan(0, 2), new string('*', number.Length - 4), number.AsSpan(number.Length - 2));

    public static VitalStatusDraft? Validate(VitalStatusInput input, DateOnly birthDate, DateOnly today, ValidationErrors errors)
    {
        var status = input.Status?.Trim();
        if (status is null || !VitalStatus.All.Contains(status))
        {
            errors.Add("status", "应为 living（正常）、deceased（已死亡）或 emigrated（已出境定居）");
        }
        DateOnly? since = null;
        if (status is VitalStatus.Deceased or VitalStatus.Emigrated)
        {
            since = Check.Required(errors, "since", input.Since);
            if (since is { } s && (s > today || s < birthDate))
            {
                errors.Add("since", "日期应在出生日期与今天之间");
            }
        }
        else if (input.Since is not null)
        {
            errors.Add("since", "状态为正常时不填日期");
        }
        var note = Check.Text(errors, "note", input.Note, 500, multiline: true);
        return errors.IsValid ? new VitalStatusDraft(status!, since, note) : null;
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]{8}$")]
    private static partial Regex CardPattern();
}
