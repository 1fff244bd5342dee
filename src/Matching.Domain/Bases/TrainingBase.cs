using Matching.Domain.Catalogues;
using Matching.Domain.Validation;

namespace Matching.Domain.Bases;

/// <summary>An east–west skills-cooperation training base (东西部技能协作实训基地) of an employer.</summary>
public sealed record TrainingBaseInput(
    long? EmployerId,
    string? Name,
    string? Kind,
    string? CityCode,
    string? Address,
    IReadOnlyList<string?>? Trades,
    IReadOnlyList<string?>? TrainingTypes);

public sealed record TrainingBaseDraft(
    long EmployerId,
    string Name,
    string Kind,
    string CityCode,
    string ProvinceCode,
    string? Address,
    IReadOnlyList<string> Trades,
    IReadOnlyList<string> TrainingTypes);

public static class TrainingBaseRules
{
    /// <summary>enterprise: the employer's own base; school: a vocational or technical school paired with it (校企合作).</summary>
    public static readonly IReadOnlyList<string> Kinds = ["enterprise", "school"];

    public static TrainingBaseDraft? Validate(TrainingBaseInput input, Catalogue catalogue, ValidationErrors errors)
    {
        if (input.EmployerId is null or <= 0)
        {
            errors.Add("employerId", "必填");
        }
        var name = Check.Text(errors, "name", input.Name, 100, required: true, minLength: 2);
        var kind = input.Kind?.Trim() ?? "enterprise";
        if (!Kinds.Contains(kind))
        {
            errors.Add("kind", "应为 enterprise（企业基地）或 school（合作院校）");
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
        var address = Check.Text(errors, "address", input.Address, 200);
        var trades = Check.Codes(errors, "trades", input.Trades, 50, catalogue.TradesById.ContainsKey, "未知的工种编号", required: true);
        var types = Check.Codes(errors, "trainingTypes", input.TrainingTypes, 4, catalogue.TrainingTypesById.ContainsKey, "未知的培训类型", required: true);
        if (!errors.IsValid)
        {
            return null;
        }
        return new TrainingBaseDraft(input.EmployerId!.Value, name!, kind, city!, catalogue.ProvinceOf(city!)!, address, trades, types);
    }
}
