using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Bases;
using Matching.Data.Storage;
using Matching.Domain.Bases;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Bases;

public sealed record TrainingBaseListQuery(int? Page, int? PageSize, long? EmployerId, string? ProvinceCode, string? CityCode, string? TradeId);

/// <summary>Training bases (东西部技能协作实训基地) posted by partner enterprises.</summary>
public static class TrainingBaseEndpoints
{
    private const string What = "实训基地";

    public static RouteGroupBuilder MapTrainingBases(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/bases").WithTags("Training bases");
        group.MapGet("/", ListBases).WithName("ListBases").WithSummary("实训基地列表（企业只见本企业）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/{id:long}", GetBase).WithName("GetBase").WithSummary("查看实训基地")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapPost("/", CreateBase).WithName("CreateBase").WithSummary("登记本企业的实训基地")
            .RequireRoles(Roles.Enterprise).Audited("base.create", "base");
        group.MapPut("/{id:long}", UpdateBase).WithName("UpdateBase").WithSummary("修改本企业的实训基地")
            .RequireRoles(Roles.Enterprise).Audited("base.update", "base");
        group.MapDelete("/{id:long}", DeleteBase).WithName("DeleteBase").WithSummary("删除本企业的实训基地（无岗位和班期时）")
            .RequireRoles(Roles.Enterprise).Audited("base.delete", "base");
        return group;
    }

    public static async Task<Results<Ok<PagedList<TrainingBase>>, ValidationProblem>> ListBases(
        [AsParameters] TrainingBaseListQuery query, Caller caller, TrainingBaseStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.ProvinceCode is { } province && !catalogue.DivisionsByCode.ContainsKey(province)) errors.Add("provinceCode", "未知的省份代码");
        if (query.CityCode is { } city && !catalogue.IsPrefecture(city)) errors.Add("cityCode", "不是已知的地级市（州）代码");
        if (query.TradeId is { } trade && !catalogue.TradesById.ContainsKey(trade)) errors.Add("tradeId", "未知的工种编号");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(new TrainingBaseFilter(Scope.Employer(caller, query.EmployerId), query.ProvinceCode, query.CityCode, query.TradeId),
            paging.PageNumber, paging.Size, cancellationToken));
    }

    public static Task<Results<Ok<TrainingBase>, ProblemHttpResult>> GetBase(long id, Caller caller, TrainingBaseStore store, HttpContext context, CancellationToken cancellationToken) =>
        WriteResponses.GetAsync(id, What, Scope.Visible(caller, store.GetAsync, b => b.EmployerId), context, cancellationToken);

    public static async Task<Results<Created<TrainingBase>, ValidationProblem, ProblemHttpResult>> CreateBase(
        TrainingBaseInput input, Caller caller, TrainingBaseStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = TrainingBaseRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        if (!caller.CanWriteEmployerData(draft.EmployerId))
        {
            return ApiResults.Forbidden("只能为本企业登记实训基地");
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/bases", store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<TrainingBase>, ValidationProblem, ProblemHttpResult>> UpdateBase(
        long id, TrainingBaseInput input, Caller caller, TrainingBaseStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await Scope.Writable(caller, id, store.GetAsync, b => b.EmployerId, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = TrainingBaseRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.OkAsync(await store.UpdateAsync(id, draft, expectedVersion, cancellationToken), What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteBase(
        long id, Caller caller, TrainingBaseStore store, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await Scope.Writable(caller, id, store.GetAsync, b => b.EmployerId, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        return WriteResponses.Deleted(await store.DeleteAsync(id, expectedVersion, cancellationToken), What);
    }
}
