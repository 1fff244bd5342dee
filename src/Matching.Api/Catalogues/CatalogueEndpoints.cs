using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Catalogues;

/// <summary>The subsidy amounts and the rules' local values, as the catalogue holds them.</summary>
public sealed record SubsidyCatalogue(IReadOnlyList<Domain.Training.SubsidyAmount> Amounts, IReadOnlyList<Domain.Training.PolicyValue> Rules);

public sealed record CatalogueSummary(string Version, IReadOnlyDictionary<string, int> Counts);

public sealed record DivisionQuery(string? Level, string? ParentCode);

public sealed record TradeQuery(string? FamilyId, string? Brand, string? Industry, bool? SpecialOperation);

/// <summary>Reference catalogues (行政区划, 工种, 技能等级, 证书, 重点群体, 培训类型…), read-only, versioned.</summary>
public static class CatalogueEndpoints
{
    public static RouteGroupBuilder MapCatalogues(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/catalogues").WithTags("Catalogues").RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapGet("/", GetSummary).WithName("GetCatalogueSummary").WithSummary("目录版本与条目数");
        group.MapGet("/divisions", ListDivisions).WithName("ListDivisions").WithSummary("行政区划（贵州市州、县及协作省份地级市）");
        group.MapGet("/trades", ListTrades).WithName("ListTrades").WithSummary("工种目录");
        group.MapGet("/trades/{id}", GetTrade).WithName("GetTrade").WithSummary("查看工种及其俗称");
        group.MapGet("/trade-synonyms", (Catalogue c) => TypedResults.Ok(c.TradeSynonyms)).WithName("ListTradeSynonyms").WithSummary("工种俗称、繁体与常见错写");
        group.MapGet("/trade-families", (Catalogue c) => TypedResults.Ok(c.TradeFamilies)).WithName("ListTradeFamilies").WithSummary("工种大类");
        group.MapGet("/industries", (Catalogue c) => TypedResults.Ok(c.Industries)).WithName("ListIndustries").WithSummary("重点产业");
        group.MapGet("/brands", () => TypedResults.Ok(BrandProgrammes.All)).WithName("ListBrands").WithSummary("品牌工程");
        group.MapGet("/skill-levels", (Catalogue c) => TypedResults.Ok(c.SkillLevels)).WithName("ListSkillLevels").WithSummary("技能等级（新八级工）");
        group.MapGet("/certificate-types", (Catalogue c) => TypedResults.Ok(c.CertificateTypes)).WithName("ListCertificateTypes").WithSummary("证书类型");
        group.MapGet("/priority-groups", (Catalogue c) => TypedResults.Ok(c.PriorityGroups)).WithName("ListPriorityGroups").WithSummary("重点群体");
        group.MapGet("/training-types", (Catalogue c) => TypedResults.Ok(c.TrainingTypes)).WithName("ListTrainingTypes").WithSummary("培训类型");
        group.MapGet("/education-levels", (Catalogue c) => TypedResults.Ok(c.EducationLevels)).WithName("ListEducationLevels").WithSummary("文化程度");
        group.MapGet("/certificate-recognition", (Catalogue c) => TypedResults.Ok(c.Policy.Recognitions)).WithName("ListCertificateRecognition")
            .WithSummary("证书互认目录（* 表示任何省份；证书在颁发省份始终有效）");
        group.MapGet("/subsidy-rules", (Catalogue c) => TypedResults.Ok(new SubsidyCatalogue(c.Policy.Amounts, c.Policy.Values))).WithName("GetSubsidyRules")
            .WithSummary("补贴标准与规则（本地可调整的取值）");
        return group;
    }

    public static Ok<CatalogueSummary> GetSummary(Catalogue catalogue) => TypedResults.Ok(new CatalogueSummary(catalogue.Version, new Dictionary<string, int>
    {
        ["divisions"] = catalogue.Divisions.Count,
        ["guizhouCounties"] = catalogue.GuizhouCounties.Count,
        ["trades"] = catalogue.Trades.Count,
        ["tradeSynonyms"] = catalogue.TradeSynonyms.Count,
        ["tradeFamilies"] = catalogue.TradeFamilies.Count,
        ["industries"] = catalogue.Industries.Count,
        ["skillLevels"] = catalogue.SkillLevels.Count,
        ["certificateTypes"] = catalogue.CertificateTypes.Count,
        ["priorityGroups"] = catalogue.PriorityGroups.Count,
        ["trainingTypes"] = catalogue.TrainingTypes.Count,
        ["educationLevels"] = catalogue.EducationLevels.Count,
    }));

    public static Results<Ok<IReadOnlyList<Division>>, ValidationProblem> ListDivisions([AsParameters] DivisionQuery query, Catalogue catalogue)
    {
        var errors = new ValidationErrors();
        DivisionLevel? level = query.Level switch
        {
            null => null,
            "province" => DivisionLevel.Province,
            "prefecture" => DivisionLevel.Prefecture,
            "county" => DivisionLevel.County,
            _ => null,
        };
        if (query.Level is not null && level is null) errors.Add("level", "应为 province、prefecture 或 county");
        if (query.ParentCode is { } parent && !catalogue.DivisionsByCode.ContainsKey(parent)) errors.Add("parentCode", "未知的行政区划代码");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        IReadOnlyList<Division> result = catalogue.Divisions
            .Where(d => level is null || d.Level == level)
            .Where(d => query.ParentCode is null || d.ParentCode == query.ParentCode)
            .ToList();
        return TypedResults.Ok(result);
    }

    public static Results<Ok<IReadOnlyList<Trade>>, ValidationProblem> ListTrades([AsParameters] TradeQuery query, Catalogue catalogue)
    {
        var errors = new ValidationErrors();
        if (query.FamilyId is { } family && !catalogue.TradeFamiliesById.ContainsKey(family)) errors.Add("familyId", "未知的工种大类");
        if (query.Brand is { } brand && !BrandProgrammes.All.Contains(brand)) errors.Add("brand", "应为 贵州技工、黔菜师傅、黔灵家政 或 黔旅工匠");
        if (query.Industry is { } industry && !catalogue.IndustriesById.ContainsKey(industry)) errors.Add("industry", "未知的产业编号");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        IReadOnlyList<Trade> result = catalogue.Trades
            .Where(t => query.FamilyId is null || t.FamilyId == query.FamilyId)
            .Where(t => query.Brand is null || t.Brands.Contains(query.Brand))
            .Where(t => query.Industry is null || t.Industries.Contains(query.Industry))
            .Where(t => query.SpecialOperation is null || t.SpecialOperation == query.SpecialOperation)
            .ToList();
        return TypedResults.Ok(result);
    }

    public sealed record TradeDetail(Trade Trade, string FamilyName, IReadOnlyList<TradeSynonym> Synonyms);

    public static Results<Ok<TradeDetail>, ProblemHttpResult> GetTrade(string id, Catalogue catalogue) =>
        catalogue.TradesById.TryGetValue(id, out var trade)
            ? TypedResults.Ok(new TradeDetail(trade, catalogue.TradeFamiliesById[trade.FamilyId].Name,
                catalogue.TradeSynonyms.Where(s => s.TradeId == id).ToList()))
            : ApiResults.NotFound("工种");
}
