using Matching.Domain.Catalogues;
using Matching.Domain.Validation;

namespace Matching.Domain.Access;

/// <summary>
/// The password rule (密码规则): 10 to 128 characters, at least three of lower-case letters, upper-case letters,
/// digits and other characters, not containing the account name, not a well-known password.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    /// <summary>Shown beside every password field, so the rule is known before it is broken.</summary>
    public const string Description = "至少10位，包含大写字母、小写字母、数字、符号中的至少三类，且不含账号名";

    // Passwords that meet the character rule yet appear at the top of every leaked list.
    private static readonly string[] WellKnown = ["password123", "p@ssw0rd123", "admin@12345", "aa123456789", "qwer@123456", "abc@1234567", "1qaz@wsx3edc"];

    /// <summary>Adds a Chinese message to <paramref name="errors"/> under <paramref name="field"/> when the password breaks the rule.</summary>
    public static void Check(ValidationErrors errors, string field, string? password, string? userName)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, "必填");
            return;
        }
        if (password.Length < MinLength || password.Length > MaxLength)
        {
            errors.Add(field, $"密码长度应为{MinLength}至{MaxLength}位");
            return;
        }
        if (password.Any(char.IsControl))
        {
            errors.Add(field, "密码不能包含控制字符");
            return;
        }
        var classes = (password.Any(char.IsAsciiLetterLower) ? 1 : 0) + (password.Any(char.IsAsciiLetterUpper) ? 1 : 0)
            + (password.Any(char.IsAsciiDigit) ? 1 : 0) + (password.Any(c => !char.IsAsciiLetterOrDigit(c)) ? 1 : 0);
        if (classes < 3)
        {
            errors.Add(field, "密码应包含大写字母、小写字母、数字、符号中的至少三类");
            return;
        }
        if (!string.IsNullOrWhiteSpace(userName) && password.Contains(userName.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(field, "密码不能包含账号名");
            return;
        }
        if (WellKnown.Contains(password.ToLowerInvariant()))
        {
            errors.Add(field, "该密码过于常见，请换一个");
        }
    }
}

/// <summary>Lockout (账号锁定): after <see cref="MaxFailures"/> wrong passwords in a row the account is locked for a while.</summary>
public static class Lockout
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(15);

    public static bool IsLocked(DateTimeOffset? lockedUntil, DateTimeOffset now) => lockedUntil is { } until && until > now;

    /// <summary>
    /// The account's failure count and lock after one more wrong password: the count grows until it reaches the
    /// limit; then the account locks and the count starts again, so the next lock needs as many new failures.
    /// </summary>
    public static (int Failures, DateTimeOffset? LockedUntil) AfterFailure(int failures, DateTimeOffset? lockedUntil, DateTimeOffset now,
        int maxFailures = MaxFailures, TimeSpan? duration = null)
    {
        var count = failures + 1;
        return count >= maxFailures ? (0, now + (duration ?? Duration)) : (count, lockedUntil);
    }
}

/// <summary>
/// The accounts a caller administers (delegated administration, 分级授权): everything (provincial admin); the
/// enterprise accounts of one employer; the accounts of one training institution; or the office accounts whose every
/// county lies in an area (a county office's counties, a prefecture office's prefecture) and the accounts of the
/// training institutions located there. <see cref="Prefectures"/> are the prefectures wholly inside the area, whose
/// prefecture-office accounts the caller may therefore administer; <see cref="Institutions"/> the ids (as scopes are
/// written) of the institutions whose accounts the caller administers.
/// </summary>
public sealed record AccountArea(bool All, long? EmployerId, IReadOnlyList<string> Counties, IReadOnlyList<string> Prefectures)
{
    public static readonly AccountArea Everything = new(true, null, [], []);

    public static readonly AccountArea Nothing = new(false, null, [], []);

    public IReadOnlyList<string> Institutions { get; init; } = [];

    public bool IsEmpty => !All && EmployerId is null && Counties.Count == 0 && Institutions.Count == 0;

    /// <summary>An office area: the divisions (its counties and whole prefectures) whose institutions' accounts it administers.</summary>
    public IReadOnlyList<string> InstitutionDivisions => All || EmployerId is not null ? [] : [.. Counties, .. Prefectures];

    /// <summary>Whether an account of this role and these (stored, unresolved) scopes lies in the area.</summary>
    public bool Admits(string role, IReadOnlyList<string> scopes) => All || role switch
    {
        Roles.Enterprise => EmployerId is { } employer && scopes.Count > 0
            && scopes.All(s => s == employer.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Roles.CountyOffice => Counties.Count > 0 && scopes.Count > 0 && scopes.All(Counties.Contains),
        Roles.PrefectureOffice => Prefectures.Count > 0 && scopes.Count > 0 && scopes.All(Prefectures.Contains),
        Roles.TrainingInstitution => Institutions.Count > 0 && scopes.Count > 0 && scopes.All(Institutions.Contains),
        _ => false,
    };

    /// <summary>The roles an administrator of this area may give.</summary>
    public IReadOnlyList<string> GrantableRoles => All ? Roles.All : Roles.All.Where(role => role switch
    {
        Roles.Enterprise => EmployerId is not null,
        Roles.CountyOffice => Counties.Count > 0,
        Roles.PrefectureOffice => Prefectures.Count > 0,
        Roles.TrainingInstitution => Institutions.Count > 0,
        _ => false,
    }).ToList();

    /// <summary>
    /// The area a caller administers: see <see cref="AccountArea"/>. Accounts without the flag administer nothing. An
    /// office's institutions are where the institutions are, so the caller adds them (<see cref="InstitutionDivisions"/>).
    /// </summary>
    public static AccountArea Of(Caller caller, Catalogue catalogue)
    {
        if (caller.IsAdmin)
        {
            return Everything;
        }
        if (!caller.ManagesAccounts)
        {
            return Nothing;
        }
        if (caller.LinkedEmployer is { } employer)
        {
            return new AccountArea(false, employer, [], []);
        }
        if (caller.LinkedInstitution is { } institution)
        {
            return Nothing with { Institutions = [institution.ToString(System.Globalization.CultureInfo.InvariantCulture)] };
        }
        if (caller.IsLabourOffice)
        {
            var wholePrefectures = caller.CountyCodes.Select(c => catalogue.PrefectureOf(c)).OfType<string>().Distinct()
                .Where(p => catalogue.GuizhouCounties.Where(c => c.ParentCode == p).All(c => caller.CountyCodes.Contains(c.Code)))
                .ToList();
            return new AccountArea(false, null, caller.CountyCodes, wholePrefectures);
        }
        return Nothing;
    }
}
