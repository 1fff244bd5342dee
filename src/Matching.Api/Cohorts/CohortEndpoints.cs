using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Cohorts;
using Matching.Data.Bases;
using Matching.Data.Storage;
using Matching.Domain.Cohorts;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Scheduling.Lifecycle;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Cohorts;

public sealed record CohortListQuery(int? Page, int? PageSize, long? EmployerId, long? BaseId, string? TradeId, string? Status, DateOnly? StartsFrom, DateOnly? StartsTo);

/// <summary>Training cohorts (培训班期) at bases: capacity, dates, linked openings and lifecycle status.</summary>
public static class CohortEndpoints
{
    private const string What = "培训班期";

    public static RouteGroupBuilder MapCohorts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cohorts").WithTags("Cohorts");
        group.MapGet("/", ListCohorts).WithName("ListCohorts").WithSummary("培训班期列表")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapGet("/{id:long}", GetCohort).WithName("GetCohort").WithSummary("查看培训班期")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/", CreateCohort).WithName("CreateCohort").WithSummary("开设培训班期")
            .RequireRoles(Roles.Enterprise).Audited("cohort.create", "cohort");
        group.MapPut("/{id:long}", UpdateCohort).WithName("UpdateCohort").WithSummary("修改培训班期（含状态流转）")
            .RequireRoles(Roles.Enterprise).Audited("cohort.update", "cohort");
        group.MapDelete("/{id:long}", DeleteCohort).WithName("DeleteCohort").WithSummary("删除培训班期（无报名时；否则可取消）")
            .RequireRoles(Roles.Enterprise).Audited("cohort.delete", "cohort");
        group.MapPost("/{id:long}/cancel", CancelCohort).WithName("CancelCohort").WithSummary("取消培训班期（释放名额，为报名者推荐后续班期）")
            .RequireRoles(Roles.Enterprise, Roles.Admin).Audited("cohort.cancel", "cohort");
        return group;
    }

    public static async Task<Results<Ok<PagedList<Cohort>>, ValidationProblem>> ListCohorts(
        [AsParameters] CohortListQuery query, Caller caller, CohortStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.TradeId is { } trade && !catalogue.TradesById.ContainsKey(trade)) errors.Add("tradeId", "未知的工种编号");
        if (query.Status is { } status && !CohortStatus.All.Contains(status)) errors.Add("status", "未知的班期状态");
        if (query.StartsFrom > query.StartsTo) errors.Add("startsTo", "结束日期不能早于开始日期");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        // An enterprise is confined to its own cohorts, a training institution to those it delivers: conditions of the query.
        return TypedResults.Ok(await store.ListAsync(new CohortFilter(Scope.Employer(caller, query.EmployerId), query.BaseId, query.TradeId, query.Status, query.StartsFrom, query.StartsTo,
            caller.LinkedInstitution), paging.PageNumber, paging.Size, cancellationToken));
    }

    public static Task<Results<Ok<Cohort>, ProblemHttpResult>> GetCohort(long id, Caller caller, CohortStore store, HttpContext context, CancellationToken cancellationToken) =>
        WriteResponses.GetAsync(id, What, Visible(caller, store), context, cancellationToken);

    /// <summary>A reader that returns the cohort only when the caller may see it (<see cref="Caller.CanSeeCohort"/>); others read as "not found".</summary>
    public static Func<long, CancellationToken, Task<Cohort?>> Visible(Caller caller, CohortStore store) =>
        async (id, cancellationToken) => await store.GetAsync(id, cancellationToken) is { } cohort && caller.CanSeeCohort(cohort.EmployerId, cohort.InstitutionId) ? cohort : null;

    public static async Task<Results<Created<Cohort>, ValidationProblem, ProblemHttpResult>> CreateCohort(
        CohortInput input, Caller caller, CohortStore store, TrainingBaseStore bases, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = CohortRules.Validate(input, catalogue, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        if (await Scope.Writable(caller, draft.BaseId, bases.GetAsync, b => b.EmployerId, cancellationToken) is null)
        {
            return ApiResults.Invalid("baseId", "实训基地不存在或不属于本企业");
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/cohorts", store.GetAsync, context, cancellationToken);
    }

    /// <summary>
    /// Replaces a cohort. A new status is a step of its lifecycle, taken with the same rule and effects as the
    /// scheduled steps (opening enrolment before the deadline, confirming with enough accepted workers, starting on the
    /// start date, completing from the end date, cancelling with seats released and workers re-offered).
    /// </summary>
    public static async Task<Results<Ok<Cohort>, ValidationProblem, ProblemHttpResult>> UpdateCohort(
        long id, CohortInput input, Caller caller, CohortStore store, CohortLifecycle lifecycle, Catalogue catalogue, TimeProvider time, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await Scope.Writable(caller, id, store.GetAsync, row => row.EmployerId, cancellationToken) is not { } stored)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = CohortRules.Validate(input, catalogue, ChinaTime.Today(time), errors,
            new CohortStored(stored.Status, stored.EnrolmentDeadline, stored.StartDate, stored.EndDate));
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var by = Roles.NameOf(caller.Role);
        return await WriteResponses.OkAsync(await store.UpdateAsync(id, draft, expectedVersion,
            (connection, tx, cohortId, to, token) => lifecycle.MoveAsync(connection, tx, cohortId, to, by, token), cancellationToken),
            What, store.GetAsync, context, cancellationToken);
    }

    /// <summary>Admins and the owning enterprise cancel a cohort: its seats are released and its workers re-offered.</summary>
    public static async Task<Results<Ok<Cohort>, ValidationProblem, ProblemHttpResult>> CancelCohort(
        long id, Caller caller, CohortStore store, CohortLifecycle lifecycle, HttpContext context, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } cohort || !(caller.IsAdmin || caller.CanWriteEmployerData(cohort.EmployerId)))
        {
            return ApiResults.NotFound(What);
        }
        return await WriteResponses.OkAsync(await lifecycle.CancelAsync(id, Roles.NameOf(caller.Role), cancellationToken), What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteCohort(
        long id, Caller caller, CohortStore store, HttpContext context, CancellationToken cancellationToken)
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
