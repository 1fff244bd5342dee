using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Validation;

namespace Matching.Domain.Employers;

/// <summary>A partner enterprise (协作企业) in Guangdong, Zhejiang, Fujian or Jiangsu (or a Guizhou employer).</summary>
public sealed record EmployerInput(
    string? Name,
    string? CreditCode,
    string? CityCode,
    IReadOnlyList<string?>? Industries,
    string? ContactName,
    string? ContactPhone,
    string? Address);

public sealed record EmployerDraft(
    string Name,
    string CreditCode,
    string CityCode,
    string ProvinceCode,
    IReadOnlyList<string> Industries,
    string? ContactName,
    string? ContactPhone,
    string? Address);

public static class EmployerRules
{
    public static EmployerDraft? Validate(EmployerInput input, Catalogue catalogue, ValidationErrors errors)
    {
        var name = Check.Text(errors, "name", input.Name, 100, required: true, minLength: 2);
        if (!CreditCode.TryValidate(input.CreditCode, out var code, out var codeError))
        {
            errors.Add("creditCode", codeError!);
        }
        var city = input.CityCode?.Trim();
        if (string.IsNullOrEmpty(city))
        {
            errors.Add("cityCode", "必填");
        }
        else if (!catalogue.IsPrefecture(city))
        {
            errors.Add("cityCode", "不是已知的地级市（州）代码");
        }
        var industries = Check.Codes(errors, "industries", input.Industries, 11, catalogue.IndustriesById.ContainsKey, "未知的产业编号");
        var contactName = Check.Text(errors, "contactName", input.ContactName, 30);
        string? contactPhone = null;
        if (!string.IsNullOrWhiteSpace(input.ContactPhone))
        {
            contactPhone = Check.Text(errors, "contactPhone", input.ContactPhone, 20);
            if (contactPhone is not null && !contactPhone.All(c => char.IsAsciiDigit(c) || c is '-' or '+' or ' '))
            {
                errors.Add("contactPhone", "联系电话只能包含数字、空格、+ 和 -");
            }
        }
        var address = Check.Text(errors, "address", input.Address, 200);
        if (!errors.IsValid)
        {
            return null;
        }
        return new EmployerDraft(name!, code, city!, catalogue.ProvinceOf(city!)!, industries, contactName, contactPhone, address);
    }
}
