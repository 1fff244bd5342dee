using System.Text.RegularExpressions;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Validation;

namespace Matching.Domain.Workers;

/// <summary>Validation of a worker registration. Messages are Chinese; keys are camelCase JSON paths.</summary>
public static partial class WorkerRules
{
    public const int MinAge = 16;
    public const int MaxAge = 65;
    public const int MinWage = 1000;
    public const int MaxWage = 100_000;

    /// <summary>Certificates are dated within a working life: issued and expiring at most 50 years from today.</summary>
    public const int CertificateYears = 50;

    public static WorkerDraft? Validate(WorkerInput input, Catalogue catalogue, DateOnly today, ValidationErrors errors)
    {
        var name = Check.Text(errors, "realName", input.RealName, 30, required: true, minLength: 2);
        if (name is not null && !name.All(c => char.IsLetter(c) || c is '·' or '•' or ' '))
        {
            errors.Add("realName", "姓名只能包含文字和间隔号（·）");
            name = null;
        }

        ResidentIdInfo? id = null;
        if (!ResidentIdNumber.TryParse(input.IdNumber, out id, out var idError))
        {
            errors.Add("idNumber", idError!);
        }
        else if (!catalogue.IsKnownIdAreaCode(id!.AreaCode))
        {
            errors.Add("idNumber", "身份证号码前6位不是已知的行政区划代码");
            id = null;
        }
        else if (id.BirthDate > today)
        {
            errors.Add("idNumber", "身份证号码中的出生日期晚于今天");
            id = null;
        }

        var gender = input.Gender;
        var birthDate = input.BirthDate;
        if (id is null && birthDate is { } born && (born > today || AgeOn(born, today) is < MinAge or > MaxAge))
        {
            // Without a usable ID number the birth date is checked on its own, so a wrong date is still named.
            errors.Add("birthDate", $"出生日期应使年龄在{MinAge}至{MaxAge}周岁之间");
        }
        if (id is not null)
        {
            if (gender is not null && gender != id.Gender)
            {
                errors.Add("gender", "性别与身份证号码不一致");
            }
            if (birthDate is not null && birthDate != id.BirthDate)
            {
                errors.Add("birthDate", "出生日期与身份证号码不一致");
            }
            gender = id.Gender;
            birthDate = id.BirthDate;
            var age = AgeOn(id.BirthDate, today);
            if (age is < MinAge or > MaxAge)
            {
                errors.Add("idNumber", $"年龄须在{MinAge}至{MaxAge}周岁之间");
            }
        }

        var phone = NormalizePhone(input.Phone);
        if (phone is null)
        {
            errors.Add("phone", "请填写11位手机号码");
        }

        string? county = input.CountyCode?.Trim();
        if (string.IsNullOrEmpty(county))
        {
            errors.Add("countyCode", "必填");
            county = null;
        }
        else if (!catalogue.IsGuizhouCounty(county))
        {
            errors.Add("countyCode", "不是贵州省的县级行政区划代码");
            county = null;
        }

        var education = input.Education?.Trim();
        if (string.IsNullOrEmpty(education))
        {
            errors.Add("education", "必填");
        }
        else if (!catalogue.EducationLevelsById.ContainsKey(education))
        {
            errors.Add("education", "未知的文化程度");
        }

        var trades = new List<WorkerTrade>();
        var tradeInputs = Check.List(errors, "trades", input.Trades, 10, required: true);
        for (var i = 0; i < tradeInputs.Count; i++)
        {
            var t = tradeInputs[i];
            var tradeId = t?.TradeId?.Trim();
            var ok = true;
            if (string.IsNullOrEmpty(tradeId) || !catalogue.TradesById.ContainsKey(tradeId))
            {
                errors.Add($"trades[{i}].tradeId", "未知的工种编号");
                ok = false;
            }
            else if (trades.Any(x => x.TradeId == tradeId))
            {
                errors.Add($"trades[{i}].tradeId", "重复");
                ok = false;
            }
            var level = Check.Range(errors, $"trades[{i}].level", t?.Level, 1, 8);
            if (ok && level is not null)
            {
                trades.Add(new WorkerTrade(tradeId!, level.Value));
            }
        }

        var certificates = new List<WorkerCertificate>();
        var certificateInputs = Check.List(errors, "certificates", input.Certificates, 20);
        for (var i = 0; i < certificateInputs.Count; i++)
        {
            var c = certificateInputs[i];
            var field = $"certificates[{i}]";
            var type = c?.Type?.Trim();
            var ok = true;
            if (string.IsNullOrEmpty(type) || !catalogue.CertificateTypesById.ContainsKey(type))
            {
                errors.Add($"{field}.type", "未知的证书类型");
                ok = false;
            }
            var tradeId = c?.TradeId?.Trim();
            if (!string.IsNullOrEmpty(tradeId) && !catalogue.TradesById.ContainsKey(tradeId))
            {
                errors.Add($"{field}.tradeId", "未知的工种编号");
                ok = false;
            }
            if (type == "special-operation" && string.IsNullOrEmpty(tradeId))
            {
                errors.Add($"{field}.tradeId", "特种作业操作证须注明作业工种");
                ok = false;
            }
            var level = Check.Range(errors, $"{field}.level", c?.Level, 1, 8, required: false);
            if (c?.IssuedOn is { } issued && issued > today)
            {
                errors.Add($"{field}.issuedOn", "发证日期不能晚于今天");
                ok = false;
            }
            else if (c?.IssuedOn is { } early && early < today.AddYears(-CertificateYears))
            {
                errors.Add($"{field}.issuedOn", $"发证日期不能早于{CertificateYears}年前");
                ok = false;
            }
            if (c?.ExpiresOn is { } expires && (expires < today.AddYears(-CertificateYears) || expires > today.AddYears(CertificateYears)))
            {
                errors.Add($"{field}.expiresOn", $"有效期截止日期应在{CertificateYears}年前至{CertificateYears}年后之间");
                ok = false;
            }
            if (c?.IssuedOn is { } from && c.ExpiresOn is { } to && to <= from)
            {
                errors.Add($"{field}.expiresOn", "有效期截止日期应晚于发证日期");
                ok = false;
            }
            var issuingProvince = c?.IssuingProvince?.Trim();
            if (!string.IsNullOrEmpty(issuingProvince) && !Catalogue.IsProvinceLevelCode(issuingProvince))
            {
                errors.Add($"{field}.issuingProvince", "发证省份应为省级行政区划代码，如 520000");
                ok = false;
            }
            if (ok && c is not null)
            {
                certificates.Add(new WorkerCertificate(type!, string.IsNullOrEmpty(tradeId) ? null : tradeId, level, c.IssuedOn, c.ExpiresOn,
                    string.IsNullOrEmpty(issuingProvince) ? null : issuingProvince));
            }
        }

        var groups = Check.Codes(errors, "priorityGroups", input.PriorityGroups, 8,
            catalogue.PriorityGroupsById.ContainsKey, "未知的重点群体类别");
        var destinations = Check.Codes(errors, "preferredDestinations", input.PreferredDestinations, 10,
            catalogue.IsDestination, "不是协作省份（广东、浙江、福建、江苏）或其地级市的代码");
        var intentions = Check.Codes(errors, "trainingIntentions", input.TrainingIntentions, 4,
            catalogue.TrainingTypesById.ContainsKey, "未知的培训类型");

        var wage = Check.Range(errors, "expectedMonthlyWage", input.ExpectedMonthlyWage, MinWage, MaxWage);
        var availableFrom = Check.Required(errors, "availableFrom", input.AvailableFrom);
        if (availableFrom is { } af && (af < today.AddYears(-5) || af > today.AddYears(2)))
        {
            errors.Add("availableFrom", "可到岗日期应在五年前至两年后之间");
        }
        var notes = Check.Text(errors, "notes", input.Notes, 2000, multiline: true);
        var (householdNumber, householdType, employmentStatus) = ValidateSurveyFields(input, errors);
        if (HouseholdTypes.ImpliedPriorityGroup(householdType) is { } implied && !groups.Contains(implied))
        {
            groups = [.. groups, implied];
        }

        if (!errors.IsValid)
        {
            return null;
        }
        return new WorkerDraft(name!, id!.Normalized, gender!.Value, birthDate!.Value, phone!, county!,
            catalogue.PrefectureOf(county!)!, education!, trades, certificates, groups, destinations, wage!.Value,
            availableFrom!.Value, intentions, notes, householdNumber, householdType, employmentStatus);
    }

    /// <summary>户编号 (letters, digits, dashes), 户类型 and 当前就业状态, each optional; codes or their Chinese names.</summary>
    private static (string? HouseholdNumber, string? HouseholdType, string? EmploymentStatus) ValidateSurveyFields(WorkerInput input, ValidationErrors errors)
    {
        var householdNumber = Check.Text(errors, "householdNumber", input.HouseholdNumber, 30);
        if (householdNumber is not null && !householdNumber.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add("householdNumber", "户编号只能包含字母、数字和连字符");
            householdNumber = null;
        }
        string? householdType = null;
        if (!string.IsNullOrWhiteSpace(input.HouseholdType))
        {
            householdType = SurveyCodes.Find(HouseholdTypes.All, input.HouseholdType);
            if (householdType is null)
            {
                errors.Add("householdType", $"未知的户类型，可选：{string.Join("、", HouseholdTypes.All.Select(t => t.Name))}");
            }
        }
        string? employmentStatus = null;
        if (!string.IsNullOrWhiteSpace(input.EmploymentStatus))
        {
            employmentStatus = SurveyCodes.Find(EmploymentStatuses.All, input.EmploymentStatus);
            if (employmentStatus is null)
            {
                errors.Add("employmentStatus", $"未知的就业状态，可选：{string.Join("、", EmploymentStatuses.All.Select(t => t.Name))}");
            }
        }
        return (householdNumber, householdType, employmentStatus);
    }

    /// <summary>Whole years between the birth date and the day.</summary>
    public static int AgeOn(DateOnly birthDate, DateOnly day)
    {
        var age = day.Year - birthDate.Year;
        if (day < birthDate.AddYears(age))
        {
            age--;
        }
        return age;
    }

    /// <summary>A mainland mobile number (11 digits starting 13–19), with spaces, dashes and +86 removed; null if not one.</summary>
    public static string? NormalizePhone(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var digits = value.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (digits.StartsWith("+86", StringComparison.Ordinal))
        {
            digits = digits[3..];
        }
        return MobilePattern().IsMatch(digits) ? digits : null;
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex MobilePattern();
}
