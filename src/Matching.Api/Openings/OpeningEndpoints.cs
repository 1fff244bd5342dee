using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Openings;
using Matching.Data.Bases;
using Matching.Data.Storage;
using Matching.Domain.Openings;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Openings;

public sealed record OpeningListQuery(int? Page, int? PageSize, long? EmployerId, long? BaseId, string? TradeId, string? Status, string? ProvinceCode);

/// <summary>Openings (岗位) at training bases, posted by partner enterprises.</summary>
public static class OpeningEndpoints
{
    private const string What = "岗位";

    public static RouteGroupBuilder MapOpenings(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/openings").WithTags("Openings");
        group.MapGet("/", ListOpenings).WithName("ListOpenings").WithSummary("岗位列表")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/{id:long}", GetOpening).WithName("GetOpening").WithSummary("查看岗位")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapPost("/", CreateOpening).WithName("CreateOpening").WithSummary("发布岗位")
            .RequireRoles(Roles.Enterprise).Audited("opening.create", "opening");
        group.MapPut("/{id:long}", UpdateOpening).WithName("UpdateOpening").WithSummary("修改岗位")
            .RequireRoles(Roles.Enterprise).Audited("opening.update", "opening");
        group.MapDelete("/{id:long}", DeleteOpening).WithName("DeleteOpening").WithSummary("删除岗位（未关联班期和安置时；否则可关闭）")
            .RequireRoles(Roles.Enterprise).Audited("opening.delete", "opening");
        return group;
    }

    public static async Task<Results<Ok<PagedList<Opening>>, ValidationProblem>> ListOpenings(
        [AsParameters] OpeningListQuery query, Caller caller, OpeningStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.ProvinceCode is { } province && !catalogue.DivisionsByCode.ContainsKey(province)) errors.Add("provinceCode", "未知的省份代码");
        if (query.TradeId is { } trade && !catalogue.TradesById.ContainsKey(trade)) errors.Add("tradeId", "未知的工种编号");
        if (query.Status is { } status && !OpeningRules.Statuses.Contains(status)) errors.Add("status", "应为 open 或 closed");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(new OpeningFilter(Scope.Employer(caller, query.EmployerId), query.BaseId, query.TradeId, query.Status, query.ProvinceCode),
            paging.PageNumber, paging.Size, cancellationToken));
    }

    public static Task<Results<Ok<Opening>, ProblemHttpResult>> GetOpening(long id, Caller caller, OpeningStore store, HttpContext context, CancellationToken cancellationToken) =>
        WriteResponses.GetAsync(id, What, Scope.Visible(caller, store.GetAsync, row => row.EmployerId), context, cancellationToken);

    public static async Task<Results<Created<Opening>, ValidationProblem, ProblemHttpResult>> CreateOpening(
        OpeningInput input, Caller caller, OpeningStore store, TrainingBaseStore bases, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = OpeningRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        if (await Scope.Writable(caller, draft.BaseId, bases.GetAsync, b => b.EmployerId, cancellationToken) is null)
        {
            return ApiResults.Invalid("baseId", "实训基地不存在或不属于本企业");
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/openings", store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<Opening>, ValidationProblem, ProblemHttpResult>> UpdateOpening(
        long id, OpeningInput input, Caller caller, OpeningStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await Scope.Writable(caller, id, store.GetAsync, row => row.EmployerId, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = OpeningRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.OkAsync(await store.UpdateAsync(id, draft, expectedVersion, cancellationToken), What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteOpening(
        long id, Caller caller, OpeningStore store, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await Scope.Writable(caller, id, store.GetAsync, row => row.EmployerId, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        return WriteResponses.Deleted(await store.DeleteAsync(id, expectedVersion, cancellationToken), What);
    }
}
