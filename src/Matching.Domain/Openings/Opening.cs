using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Domain.Openings;

/// <summary>An opening (岗位) at a training base: the job a worker is trained for.</summary>
public sealed record OpeningInput(
    long? BaseId,
    string? Title,
    string? TradeId,
    int? MinLevel,
    int? MaxLevel,
    int? Headcount,
    int? WageMin,
    int? WageMax,
    bool? Accommodation,
    bool? Meals,
    IReadOnlyList<string?>? RequiredCertificates,
    int? AgeMin,
    int? AgeMax,
    string? TrainingType,
    string? Requirements,
    string? Status);

public sealed record OpeningDraft(
    long BaseId,
    string Title,
    string TradeId,
    int MinLevel,
    int MaxLevel,
    int Headcount,
    int WageMin,
    int WageMax,
    bool Accommodation,
    bool Meals,
    IReadOnlyList<string> RequiredCertificates,
    int AgeMin,
    int AgeMax,
    string? TrainingType,
    string? Requirements,
    string Status);

public static class OpeningRules
{
    public static readonly IReadOnlyList<string> Statuses = ["open", "closed"];

    public static OpeningDraft? Validate(OpeningInput input, Catalogue catalogue, ValidationErrors errors)
    {
        if (input.BaseId is null or <= 0)
        {
            errors.Add("baseId", "必填");
        }
        var title = Check.Text(errors, "title", input.Title, 100, required: true, minLength: 2);
        var tradeId = input.TradeId?.Trim();
        if (string.IsNullOrEmpty(tradeId) || !catalogue.TradesById.ContainsKey(tradeId))
        {
            errors.Add("tradeId", "未知的工种编号");
        }
        var minLevel = Check.Range(errors, "minLevel", input.MinLevel ?? 1, 1, 8);
        var maxLevel = Check.Range(errors, "maxLevel", input.MaxLevel ?? 8, 1, 8);
        if (minLevel > maxLevel)
        {
            errors.Add("maxLevel", "最高等级不能低于最低等级");
        }
        var headcount = Check.Range(errors, "headcount", input.Headcount, 1, 10_000);
        var wageMin = Check.Range(errors, "wageMin", input.WageMin, WorkerRules.MinWage, WorkerRules.MaxWage);
        var wageMax = Check.Range(errors, "wageMax", input.WageMax, WorkerRules.MinWage, WorkerRules.MaxWage);
        if (wageMin > wageMax)
        {
            errors.Add("wageMax", "工资上限不能低于工资下限");
        }
        var certificates = Check.Codes(errors, "requiredCertificates", input.RequiredCertificates, 4,
            catalogue.CertificateTypesById.ContainsKey, "未知的证书类型");
        if (tradeId is not null && catalogue.TradesById.TryGetValue(tradeId, out var trade) && trade.SpecialOperation
            && !certificates.Contains("special-operation"))
        {
            // A special operation (特种作业) may only be done with the operation certificate: say so instead of silently adding it.
            errors.Add("requiredCertificates", $"{trade.Name}属于特种作业，岗位须要求特种作业操作证（special-operation）");
        }
        var ageMin = Check.Range(errors, "ageMin", input.AgeMin ?? WorkerRules.MinAge, WorkerRules.MinAge, WorkerRules.MaxAge);
        var ageMax = Check.Range(errors, "ageMax", input.AgeMax ?? 55, WorkerRules.MinAge, WorkerRules.MaxAge);
        if (ageMin > ageMax)
        {
            errors.Add("ageMax", "年龄上限不能低于年龄下限");
        }
        var trainingType = input.TrainingType?.Trim();
        if (!string.IsNullOrEmpty(trainingType) && !catalogue.TrainingTypesById.ContainsKey(trainingType))
        {
            errors.Add("trainingType", "未知的培训类型");
        }
        var requirements = Check.Text(errors, "requirements", input.Requirements, 2000, multiline: true);
        var status = input.Status?.Trim() ?? "open";
        if (!Statuses.Contains(status))
        {
            errors.Add("status", "应为 open 或 closed");
        }
        if (!errors.IsValid)
        {
            return null;
        }
        return new OpeningDraft(input.BaseId!.Value, title!, tradeId!, minLevel!.Value, maxLevel!.Value, headcount!.Value,
            wageMin!.Value, wageMax!.Value, input.Accommodation ?? false, input.Meals ?? false, certificates,
            ageMin!.Value, ageMax!.Value, string.IsNullOrEmpty(trainingType) ? null : trainingType, requirements, status);
    }
}
