using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Placements;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.FollowUps;

public sealed record FollowUpListQuery(int? Page, int? PageSize, string? State, string? CountyCode, long? EmployerId);

public sealed record CountyFollowUpsResponse(string CountyCode, string CountyName, long Due, long Overdue);

/// <summary>Due (应回访) and overdue (逾期未回访) follow-ups, as a list and per county, within the caller's scope.</summary>
public static class FollowUpEndpoints
{
    public static RouteGroupBuilder MapFollowUps(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/follow-ups").WithTags("Placements");
        group.MapGet("/", ListFollowUps).WithName("ListFollowUps").WithSummary("待回访、逾期回访列表（state=due|overdue；仅本辖区/本企业）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/counties", PerCounty).WithName("FollowUpsPerCounty").WithSummary("各县待回访、逾期回访数")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin);
        return group;
    }

    public static async Task<Results<Ok<PagedList<OpenFollowUp>>, ValidationProblem>> ListFollowUps(
        [AsParameters] FollowUpListQuery query, Caller caller, FollowUpStore store, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        var filter = Filter(query, caller, catalogue, time, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(filter, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<Ok<IReadOnlyList<CountyFollowUpsResponse>>, ValidationProblem>> PerCounty(
        [AsParameters] FollowUpListQuery query, Caller caller, FollowUpStore store, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = Filter(query, caller, catalogue, time, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var rows = await store.PerCountyAsync(filter, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<CountyFollowUpsResponse>>(rows.Select(r => new CountyFollowUpsResponse(r.CountyCode, catalogue.NameOf(r.CountyCode), r.Due, r.Overdue)).ToList());
    }

    /// <summary>The list's filter, confined to what the caller may see (also used by the export).</summary>
    public static FollowUpFilter Filter(FollowUpListQuery query, Caller caller, Catalogue catalogue, TimeProvider time, ValidationErrors errors)
    {
        if (query.State is not (null or FollowUpSchedule.Due or FollowUpSchedule.Overdue)) errors.Add("state", "应为 due（待回访）或 overdue（逾期）");
        if (query.CountyCode is { } county && !catalogue.IsGuizhouCounty(county)) errors.Add("countyCode", "不是贵州省的县级行政区划代码");
        return new FollowUpFilter(ChinaTime.Today(time), query.State, Scope.Counties(caller, query.CountyCode), Scope.Employer(caller, query.EmployerId),
            caller.OnlyPriorityGroupWorkers);
    }
}
