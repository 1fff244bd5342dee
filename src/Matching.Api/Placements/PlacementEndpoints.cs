using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Placements;
using Matching.Domain.Validation;
using Matching.Scheduling.Alerts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Placements;

public sealed record PlacementListQuery(
    int? Page, int? PageSize, long? WorkerId, long? EmployerId, string? Status, string? CountyCode, string? PriorityGroup, DateOnly? FollowUpDueBy,
    DateOnly? StartedFrom = null, DateOnly? StartedTo = null);

/// <summary>A worker leaving a placement (登记离岗): the day and why.</summary>
public sealed record PlacementLeave(DateOnly? LeftOn, string? Reason);

/// <summary>Placements (就业安置) and their follow-ups (跟踪回访), read by rural revitalisation staff.</summary>
public static class PlacementEndpoints
{
    private const string What = "就业安置记录";

    public static RouteGroupBuilder MapPlacements(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/placements").WithTags("Placements");
        group.MapGet("/", ListPlacements).WithName("ListPlacements").WithSummary("就业安置列表（可按县、重点群体、待回访筛选；仅本辖区/本企业）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/{id:long}", GetPlacement).WithName("GetPlacement").WithSummary("查看就业安置及回访")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("placement.read", "placement");
        group.MapPost("/", CreatePlacement).WithName("CreatePlacement").WithSummary("登记就业安置（自动生成1/3/6/12个月回访）")
            .RequireRoles(Roles.CountyOffice, Roles.Enterprise).Audited("placement.create", "placement");
        group.MapPut("/{id:long}/follow-ups/{month:int}", RecordFollowUp).WithName("RecordFollowUp").WithSummary("登记回访结果")
            .RequireRoles(Roles.CountyOffice, Roles.Enterprise).Audited("placement.follow-up", "placement");
        group.MapPost("/{id:long}/leave", LeavePlacement).WithName("LeavePlacement").WithSummary("登记离岗（未满12个月离岗的脱贫、监测户劳动者触发预警）")
            .RequireRoles(Roles.CountyOffice, Roles.Enterprise).Audited("placement.leave", "placement");
        group.MapDelete("/{id:long}", DeletePlacement).WithName("DeletePlacement").WithSummary("删除误登记的就业安置")
            .RequireRoles(Roles.CountyOffice, Roles.Enterprise).Audited("placement.delete", "placement");
        return group;
    }

    public static async Task<Results<Ok<PagedList<Placement>>, ValidationProblem>> ListPlacements(
        [AsParameters] PlacementListQuery query, Caller caller, PlacementStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        var filter = Filter(query, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(filter, paging.PageNumber, paging.Size, cancellationToken));
    }

    /// <summary>Each listed worker's newest placement the caller may see (a page of workers with their employment status).</summary>
    public static Task<IReadOnlyDictionary<long, Placement>> NewestOfWorkers(
        IReadOnlyList<long> workerIds, Caller caller, PlacementStore store, Catalogue catalogue, CancellationToken cancellationToken) =>
        store.NewestPerWorkerAsync(Filter(new PlacementListQuery(null, null, null, null, null, null, null, null), caller, catalogue, new ValidationErrors()), workerIds, cancellationToken);

    /// <summary>The list's filter, confined to what the caller may see (also used by the export).</summary>
    public static PlacementFilter Filter(PlacementListQuery query, Caller caller, Catalogue catalogue, ValidationErrors errors)
    {
        if (query.Status is { } status && status is not (PlacementRules.Active or PlacementRules.Left)) errors.Add("status", "应为 active 或 left");
        if (query.CountyCode is { } county && !catalogue.IsGuizhouCounty(county)) errors.Add("countyCode", "不是贵州省的县级行政区划代码");
        if (query.PriorityGroup is { } group && !catalogue.PriorityGroupsById.ContainsKey(group)) errors.Add("priorityGroup", "未知的重点群体类别");
        if (query.StartedFrom is { } from && query.StartedTo is { } to && to < from) errors.Add("startedTo", "结束日期不能早于开始日期");
        return new PlacementFilter(query.WorkerId, Scope.Employer(caller, query.EmployerId), query.Status, Scope.Counties(caller, query.CountyCode), query.PriorityGroup,
            query.FollowUpDueBy, caller.OnlyPriorityGroupWorkers, query.StartedFrom, query.StartedTo?.AddDays(1));
    }

    public static Task<Results<Ok<Placement>, ProblemHttpResult>> GetPlacement(
        long id, Caller caller, PlacementStore store, WorkerStore workers, HttpContext context, CancellationToken cancellationToken) =>
        WriteResponses.GetAsync(id, What, (placementId, token) => VisibleAsync(placementId, caller, store, workers, token), context, cancellationToken);

    public static async Task<Results<Created<Placement>, ValidationProblem, ProblemHttpResult>> CreatePlacement(
        PlacementInput input, Caller caller, PlacementStore store, WorkerStore workers, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = PlacementRules.Validate(input, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var worker = await workers.GetAsync(draft.WorkerId, cancellationToken);
        var linked = caller.LinkedEmployer is { } employer && worker is not null && (await workers.EmployerLinkAsync(worker.Id, employer, cancellationToken)).Linked;
        if (worker is null || !caller.CanSeeWorker(worker.CountyCode, worker.PriorityGroups, linked))
        {
            return ApiResults.Invalid("workerId", "劳动者不存在");
        }
        if (!caller.CanWritePlacement(worker.CountyCode, draft.EmployerId))
        {
            return ApiResults.Forbidden("只能为本县劳动者或本企业登记就业安置");
        }
        // A placement unlocks the worker's name and phone for the employer: an enterprise may record one only for a
        // worker who accepted its offer, so it cannot unlock anyone by itself.
        if (caller.LinkedEmployer is { } own && !await workers.AcceptedOfferAsync(worker.Id, own, cancellationToken))
        {
            return ApiResults.Invalid("workerId", "该劳动者尚未接受本企业的录取，企业不能为其登记就业安置；请由其户籍所在县人社部门登记");
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/placements", store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<Placement>, ValidationProblem, ProblemHttpResult>> RecordFollowUp(
        long id, int month, FollowUpInput input, Caller caller, PlacementStore store, WorkerStore workers, AlertSignal alerts, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var placement = await WritableAsync(id, caller, store, workers, cancellationToken);
        if (placement is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        if (!PlacementRules.FollowUpMonths.Contains(month))
        {
            errors.Add("month", "回访月份应为 1、3、6 或 12");
        }
        var draft = PlacementRules.Validate(input, placement.StartDate, ChinaTime.Today(time), errors);
        if (draft is null || !errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.RecordFollowUpAsync(id, month, draft, expectedVersion, cancellationToken);
        if (!draft.StillEmployed)
        {
            // An alert raised with the write goes out now, not at the next poll.
            alerts.Poke();
        }
        return await WriteResponses.OkAsync(result, What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<Placement>, ValidationProblem, ProblemHttpResult>> LeavePlacement(
        long id, PlacementLeave input, Caller caller, PlacementStore store, WorkerStore workers, AlertSignal alerts, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var placement = await WritableAsync(id, caller, store, workers, cancellationToken);
        if (placement is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var today = ChinaTime.Today(time);
        var leftOn = Check.Required(errors, "leftOn", input.LeftOn);
        if (leftOn is { } day && day > today)
        {
            errors.Add("leftOn", "离岗日期不能晚于今天");
        }
        var reason = Check.Text(errors, "reason", input.Reason, 200, required: true);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.LeaveAsync(id, leftOn!.Value, reason!, expectedVersion, cancellationToken);
        alerts.Poke();
        return await WriteResponses.OkAsync(result, What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeletePlacement(
        long id, Caller caller, PlacementStore store, WorkerStore workers, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await WritableAsync(id, caller, store, workers, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        return WriteResponses.Deleted(await store.DeleteAsync(id, expectedVersion, cancellationToken), What);
    }

    private static async Task<Placement?> VisibleAsync(long id, Caller caller, PlacementStore store, WorkerStore workers, CancellationToken cancellationToken)
    {
        var placement = await store.GetAsync(id, cancellationToken);
        var worker = placement is null ? null : await workers.GetAsync(placement.WorkerId, cancellationToken);
        return worker is not null && caller.CanSeePlacement(worker.CountyCode, worker.PriorityGroups, placement!.EmployerId) ? placement : null;
    }

    private static async Task<Placement?> WritableAsync(long id, Caller caller, PlacementStore store, WorkerStore workers, CancellationToken cancellationToken)
    {
        var placement = await store.GetAsync(id, cancellationToken);
        var worker = placement is null ? null : await workers.GetAsync(placement.WorkerId, cancellationToken);
        return worker is not null && caller.CanWritePlacement(worker.CountyCode, placement!.EmployerId) ? placement : null;
    }
}
