using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Validation;

namespace Matching.Domain.Institutions;

/// <summary>A designated training institution (定点培训机构): public or private (民办), a school or an enterprise base.</summary>
public sealed record InstitutionInput(
    string? Name,
    string? Ownership,
    string? Kind,
    string? CreditCode,
    string? DivisionCode,
    long? EmployerId,
    IReadOnlyList<string?>? Trades,
    bool? Active);

public sealed record InstitutionDraft(
    string Name,
    string Ownership,
    string Kind,
    string CreditCode,
    string DivisionCode,
    string ProvinceCode,
    long? EmployerId,
    IReadOnlyList<string> Trades,
    bool Active);

/// <summary>A teacher's engagement (任职) at an institution in a calendar year, full-time (专职) or part-time (兼职).</summary>
public sealed record TeacherInput(string? RealName, string? IdNumber, int? Year, string? Employment, IReadOnlyList<string?>? QualifiedTrades);

/// <summary>A validated engagement; holds the clear ID number: never log it.</summary>
public sealed record TeacherDraft(string RealName, string IdNumber, int Year, string Employment, IReadOnlyList<string> QualifiedTrades)
{
    public override string ToString() => $"TeacherDraft {{ Year = {Year}, Employment = {Employment} }}";
}

/// <summary>The teaching team of a cohort: the institution that delivers it and its teachers.</summary>
public sealed record CohortTeachingInput(long? InstitutionId, IReadOnlyList<long>? TeacherIds);

public static class InstitutionOwnership
{
    public const string Public = "public";
    public const string Private = "private";

    public static readonly IReadOnlyList<string> All = [Public, Private];

    public static string NameOf(string ownership) => ownership == Private ? "民办" : "公办";
}

public static class InstitutionKinds
{
    public const string TrainingSchool = "training-school";
    public const string VocationalSchool = "vocational-school";
    public const string EnterpriseBase = "enterprise-base";

    public static readonly IReadOnlyList<string> All = [TrainingSchool, VocationalSchool, EnterpriseBase];

    public static string NameOf(string kind) => kind switch
    {
        TrainingSchool => "职业培训学校",
        VocationalSchool => "职业院校/技工院校",
        EnterpriseBase => "企业培训基地",
        _ => kind,
    };
}

public static class TeacherEmployment
{
    public const string FullTime = "full-time";
    public const string PartTime = "part-time";

    public static readonly IReadOnlyList<string> All = [FullTime, PartTime];

    public static string NameOf(string employment) => employment == FullTime ? "专职" : "兼职";
}

/// <summary>An institution's teachers in a year, as counted for the rules.</summary>
public sealed record InstitutionYear(string InstitutionName, bool IsPrivate, int FullTimeTeachers, int Teachers);

/// <summary>A teacher's engagements in a year: how many institutions, and whether part-time at any of them.</summary>
public sealed record TeacherYear(string MaskedName, int Institutions, bool PartTimeAnywhere, int FullTimeInstitutions);

/// <summary>
/// Item 9 of the provincial policy, enforced when a teacher is registered or assigned and when a cohort opens: a
/// private institution's full-time teachers are at least one third of all its teachers (民办培训机构专职教师不得少于
/// 教师总数的1/3); a part-time teacher serves at no more than three institutions in a calendar year (兼职教师1年内任职
/// 不得超过3家培训机构). A teacher is full-time at one institution at most in a year.
/// </summary>
public static class InstitutionRules
{
    public const int MaxInstitutionsPerPartTimeTeacher = 3;

    public static InstitutionDraft? Validate(InstitutionInput input, Catalogue catalogue, ValidationErrors errors)
    {
        var name = Check.Text(errors, "name", input.Name, 100, required: true, minLength: 2);
        var ownership = input.Ownership?.Trim();
        if (ownership is null || !InstitutionOwnership.All.Contains(ownership))
        {
            errors.Add("ownership", "应为 public（公办）或 private（民办）");
        }
        var kind = input.Kind?.Trim();
        if (kind is null || !InstitutionKinds.All.Contains(kind))
        {
            errors.Add("kind", "应为 training-school（职业培训学校）、vocational-school（职业院校）或 enterprise-base（企业培训基地）");
        }
        if (!Identity.CreditCode.TryValidate(input.CreditCode, out var code, out var codeError))
        {
            errors.Add("creditCode", codeError!);
        }
        var division = input.DivisionCode?.Trim();
        string? province = null;
        if (string.IsNullOrEmpty(division))
        {
            errors.Add("divisionCode", "必填");
        }
        else if (!catalogue.IsGuizhouCounty(division) && !catalogue.IsPrefecture(division))
        {
            errors.Add("divisionCode", "应为贵州省的县级代码或已知的地级市（州）代码");
        }
        else
        {
            province = catalogue.ProvinceOf(division);
        }
        if (input.EmployerId is <= 0)
        {
            errors.Add("employerId", "企业编号无效");
        }
        var trades = Check.Codes(errors, "trades", input.Trades, 50, catalogue.TradesById.ContainsKey, "未知的工种编号", required: true);
        if (!errors.IsValid)
        {
            return null;
        }
        return new InstitutionDraft(name!, ownership!, kind!, code, division!, province!, input.EmployerId, trades, input.Active ?? true);
    }

    public static TeacherDraft? Validate(TeacherInput input, Catalogue catalogue, DateOnly today, ValidationErrors errors)
    {
        var name = Check.Text(errors, "realName", input.RealName, 30, required: true, minLength: 2);
        if (name is not null && !name.All(c => char.IsLetter(c) || c is '·' or '•' or ' '))
        {
            errors.Add("realName", "姓名只能包含文字和间隔号（·）");
        }
        if (!ResidentIdNumber.TryParse(input.IdNumber, out var id, out var idError))
        {
            errors.Add("idNumber", idError!);
        }
        else if (!catalogue.IsKnownIdAreaCode(id!.AreaCode))
        {
            errors.Add("idNumber", "身份证号码前6位不是已知的行政区划代码");
        }
        else if (Workers.WorkerRules.AgeOn(id.BirthDate, today) is < 18 or > 80)
        {
            errors.Add("idNumber", "教师年龄应在18至80周岁之间");
        }
        // A teacher is registered for the current year, the next, or up to five past years (records being completed).
        var year = Check.Range(errors, "year", input.Year, today.Year - 5, today.Year + 1);
        var employment = input.Employment?.Trim();
        if (employment is null || !TeacherEmployment.All.Contains(employment))
        {
            errors.Add("employment", "应为 full-time（专职）或 part-time（兼职）");
        }
        var trades = Check.Codes(errors, "qualifiedTrades", input.QualifiedTrades, 20, catalogue.TradesById.ContainsKey, "未知的工种编号", required: true);
        if (!errors.IsValid)
        {
            return null;
        }
        return new TeacherDraft(name!, id!.Normalized, year!.Value, employment!, trades);
    }

    /// <summary>Why a private institution breaks the one-third rule in the year, or null.</summary>
    public static string? FullTimeShareProblem(InstitutionYear year) =>
        year.IsPrivate && year.Teachers > 0 && year.FullTimeTeachers * 3 < year.Teachers
            ? $"民办培训机构“{year.InstitutionName}”专职教师{year.FullTimeTeachers}人、教师共{year.Teachers}人，专职教师少于教师总数的1/3"
            : null;

    /// <summary>Why a teacher breaks the part-time rule in the year (serving more than three institutions while part-time anywhere), or null.</summary>
    public static string? PartTimeLoadProblem(TeacherYear teacher) =>
        teacher.PartTimeAnywhere && teacher.Institutions > MaxInstitutionsPerPartTimeTeacher
            ? $"兼职教师{teacher.MaskedName}本年度在{teacher.Institutions}家培训机构任职，超过{MaxInstitutionsPerPartTimeTeacher}家"
            : null;

    /// <summary>
    /// Whether registering an engagement keeps both rules: the institution's year after adding it, the teacher's year
    /// after adding it. Returns the refusal in Chinese, or null.
    /// </summary>
    public static string? EngagementProblem(InstitutionYear before, TeacherYear teacherBefore, string employment, bool alreadyAtThisInstitution)
    {
        if (alreadyAtThisInstitution)
        {
            return "该教师本年度已在本机构登记任职";
        }
        if (employment == TeacherEmployment.FullTime && teacherBefore.FullTimeInstitutions > 0)
        {
            return $"教师{teacherBefore.MaskedName}本年度已在其他机构登记为专职教师，同一年度只能在一家机构专职任教";
        }
        var teacherAfter = teacherBefore with
        {
            Institutions = teacherBefore.Institutions + 1,
            PartTimeAnywhere = teacherBefore.PartTimeAnywhere || employment == TeacherEmployment.PartTime,
        };
        if (PartTimeLoadProblem(teacherAfter) is { } load)
        {
            return load + "，不能再登记";
        }
        var institutionAfter = before with
        {
            Teachers = before.Teachers + 1,
            FullTimeTeachers = before.FullTimeTeachers + (employment == TeacherEmployment.FullTime ? 1 : 0),
        };
        return FullTimeShareProblem(institutionAfter) is { } share
            ? share.Replace("专职教师少于", "登记后专职教师将少于", StringComparison.Ordinal) + "，请先登记专职教师"
            : null;
    }
}
