using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Cohorts;
using Matching.Data.Enrolments;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Enrolments;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Enrolments;

/// <summary>
/// Enrol a worker in a cohort; <c>waitlist: false</c> refuses instead of waitlisting when the cohort is full. A worker the
/// eligibility rule refuses is enrolled only with <c>overrideReason</c>: the clerk's reason, kept in the audit log with
/// who decided.
/// </summary>
public sealed record EnrolmentInput(long? WorkerId, bool? Waitlist, string? OverrideReason = null);

public sealed record EnrolmentListQuery(int? Page, int? PageSize, long? CohortId, long? WorkerId, string? Status, DateOnly? CreatedFrom = null, DateOnly? CreatedTo = null);

/// <summary>
/// An enrolment as the caller may see it: an enterprise or a training institution sees the worker's name masked (王**)
/// until the worker accepted the seat; no role sees priority groups, ID number or household data here.
/// </summary>
public sealed record EnrolmentResponse(
    long Id,
    long CohortId,
    string CohortName,
    DateOnly CohortStart,
    DateOnly CohortEnd,
    long WorkerId,
    string WorkerName,
    string WorkerCounty,
    string Status,
    string StatusName,
    string Source,
    string? Note,
    long? DispatchRoundId,
    int? WaitlistPosition,
    IReadOnlyList<long>? PromotedEnrolmentIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static EnrolmentResponse From(Enrolment e, Caller caller, IReadOnlyList<long>? promoted = null) => new(e.Id, e.CohortId, e.CohortName,
        e.CohortStart, e.CohortEnd, e.WorkerId, caller.ShowName(e.WorkerName, e.Status == EnrolmentStatus.Accepted), e.WorkerCounty, e.Status,
        EnrolmentStatus.NameOf(e.Status), e.Source, e.Note, e.DispatchRoundId, e.WaitlistPosition, promoted, e.CreatedAt, e.UpdatedAt);
}

/// <summary>
/// Enrolments (报名/录取): county offices enrol their own workers and record each worker's answer; a seat that frees
/// goes to the waitlist at once. Enterprises read the enrolments of their own cohorts, training institutions those of
/// the cohorts they deliver; offices those of their workers; rural revitalisation staff those of priority-group workers; admins all. Every write is audited and takes
/// an Idempotency-Key.
/// </summary>
public static class EnrolmentEndpoints
{
    private const string What = "报名记录";

    public static RouteGroupBuilder MapEnrolments(this IEndpointRouteBuilder routes)
    {
        var cohorts = routes.MapGroup("/api/cohorts/{id:long}/enrolments").WithTags("Enrolments");
        cohorts.MapPost("/", Enrol).WithName("Enrol").WithSummary("为本县劳动者报名培训班期（有名额即录取，满员进入候补）")
            .RequireRoles(Roles.CountyOffice).Audited("enrolment.create", "cohort").WithIdempotencyKey();
        cohorts.MapGet("/", ListCohortEnrolments).WithName("ListCohortEnrolments").WithSummary("培训班期的报名名单")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);

        var group = routes.MapGroup("/api/enrolments").WithTags("Enrolments");
        group.MapGet("/", ListEnrolments).WithName("ListEnrolments").WithSummary("报名记录列表（本辖区/本企业）")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapGet("/{id:long}", GetEnrolment).WithName("GetEnrolment").WithSummary("查看报名记录")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/{id:long}/accept", Accept).WithName("AcceptOffer").WithSummary("登记劳动者确认参训")
            .RequireRoles(Roles.CountyOffice).Audited("enrolment.accept", "enrolment").WithIdempotencyKey();
        group.MapPost("/{id:long}/decline", Decline).WithName("DeclineOffer").WithSummary("登记劳动者婉拒录取（名额转给候补）")
            .RequireRoles(Roles.CountyOffice).Audited("enrolment.decline", "enrolment").WithIdempotencyKey();
        group.MapPost("/{id:long}/withdraw", Withdraw).WithName("WithdrawEnrolment").WithSummary("登记劳动者退出（名额转给候补）")
            .RequireRoles(Roles.CountyOffice).Audited("enrolment.withdraw", "enrolment").WithIdempotencyKey();
        return group;
    }

    public static async Task<Results<Created<EnrolmentResponse>, ValidationProblem, ProblemHttpResult>> Enrol(
        long id, EnrolmentInput input, Caller caller, EnrolmentStore store, CohortStore cohorts, WorkerStore workers, CancellationToken cancellationToken)
    {
        // The input is checked as a whole before anything is looked up, so a bad reason is named whatever the worker.
        var errors = new ValidationErrors();
        if (input.WorkerId is null or <= 0)
        {
            errors.Add("workerId", "必填");
        }
        var reason = Check.Text(errors, "overrideReason", input.OverrideReason, 500, minLength: 4);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (await cohorts.GetAsync(id, cancellationToken) is null)
        {
            return ApiResults.NotFound("培训班期");
        }
        var worker = await workers.GetAsync(input.WorkerId.GetValueOrDefault(), cancellationToken);
        if (worker is null || !caller.CanWriteWorker(worker.CountyCode))
        {
            // A worker of another county reads as unknown: the caller learns nothing about it.
            return ApiResults.Invalid("workerId", "劳动者不存在或不属于本县");
        }
        var @override = reason is null ? null : new EligibilityOverride(caller.UserId, caller.Name, caller.Role, reason);
        var seat = await store.EnrolAsync(id, worker.Id, input.Waitlist ?? true, @override, cancellationToken);
        if (seat.Outcome == SeatOutcome.Refused && seat.Ineligible is { Count: > 0 } reasons)
        {
            // The rule's reasons, and how to go ahead anyway if the office decides so.
            return TypedResults.Problem(title: "该劳动者不符合本班期的报名资格", statusCode: StatusCodes.Status409Conflict,
                detail: "如确需报名，请在 overrideReason 中写明理由（记入审计日志）",
                extensions: new Dictionary<string, object?> { ["reasons"] = reasons });
        }
        if (seat.Outcome == SeatOutcome.Refused)
        {
            return ApiResults.Refused(seat.Refusal, "培训班期");
        }
        var enrolment = (await store.GetAsync(seat.EnrolmentId, cancellationToken))!;
        return TypedResults.Created($"/api/enrolments/{enrolment.Id}", EnrolmentResponse.From(enrolment, caller));
    }

    public static async Task<Results<Ok<PagedList<EnrolmentResponse>>, ValidationProblem, ProblemHttpResult>> ListCohortEnrolments(
        long id, [AsParameters] EnrolmentListQuery query, Caller caller, EnrolmentStore store, CohortStore cohorts, AuditLog audit, CancellationToken cancellationToken)
    {
        var cohort = await cohorts.GetAsync(id, cancellationToken);
        if (cohort is null || !caller.CanSeeCohort(cohort.EmployerId, cohort.InstitutionId))
        {
            return ApiResults.NotFound("培训班期");
        }
        return await ListAsync(query with { CohortId = id }, caller, store, audit, cancellationToken);
    }

    public static async Task<Results<Ok<PagedList<EnrolmentResponse>>, ValidationProblem, ProblemHttpResult>> ListEnrolments(
        [AsParameters] EnrolmentListQuery query, Caller caller, EnrolmentStore store, AuditLog audit, CancellationToken cancellationToken) =>
        await ListAsync(query, caller, store, audit, cancellationToken);

    private static async Task<Results<Ok<PagedList<EnrolmentResponse>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        EnrolmentListQuery query, Caller caller, EnrolmentStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.Status is { } status && !EnrolmentStatus.All.Contains(status))
        {
            errors.Add("status", "应为 " + string.Join("、", EnrolmentStatus.All));
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var filter = Filter(query, caller);
        var page = await store.ListAsync(filter, paging.PageNumber, paging.Size, cancellationToken);
        // Names an enterprise sees in clear (accepted offers) are audited as reads of those workers.
        await PersonalDataReads.AuditAsync(audit, caller, page.Items.Where(e => e.Status == EnrolmentStatus.Accepted).Select(e => e.WorkerId));
        return TypedResults.Ok(new PagedList<EnrolmentResponse>(page.Items.Select(e => EnrolmentResponse.From(e, caller)).ToList(), page.Page, page.PageSize, page.Total));
    }

    /// <summary>The list's filter, confined to what the caller may see (also used by the export).</summary>
    public static EnrolmentFilter Filter(EnrolmentListQuery query, Caller caller) =>
        new(query.CohortId, query.WorkerId, query.Status, caller.WorkerCounties is { } counties ? [.. counties] : null,
            caller.LinkedEmployer, caller.OnlyPriorityGroupWorkers, Alerts.ChinaDay.Start(query.CreatedFrom), Alerts.ChinaDay.Start(query.CreatedTo?.AddDays(1)),
            caller.LinkedInstitution);

    public static async Task<Results<Ok<EnrolmentResponse>, ProblemHttpResult>> GetEnrolment(
        long id, Caller caller, EnrolmentStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        if (await VisibleAsync(id, caller, store, cancellationToken) is not { } e)
        {
            return ApiResults.NotFound(What);
        }
        await PersonalDataReads.AuditAsync(audit, caller, e.Status == EnrolmentStatus.Accepted ? [e.WorkerId] : []);
        return TypedResults.Ok(EnrolmentResponse.From(e, caller));
    }

    public static Task<Results<Ok<EnrolmentResponse>, ValidationProblem, ProblemHttpResult>> Accept(long id, Caller caller, EnrolmentStore store, CancellationToken cancellationToken) =>
        AnswerAsync(id, EnrolmentAnswer.Accept, caller, store, cancellationToken);

    public static Task<Results<Ok<EnrolmentResponse>, ValidationProblem, ProblemHttpResult>> Decline(long id, Caller caller, EnrolmentStore store, CancellationToken cancellationToken) =>
        AnswerAsync(id, EnrolmentAnswer.Decline, caller, store, cancellationToken);

    public static Task<Results<Ok<EnrolmentResponse>, ValidationProblem, ProblemHttpResult>> Withdraw(long id, Caller caller, EnrolmentStore store, CancellationToken cancellationToken) =>
        AnswerAsync(id, EnrolmentAnswer.Withdraw, caller, store, cancellationToken);

    private static async Task<Results<Ok<EnrolmentResponse>, ValidationProblem, ProblemHttpResult>> AnswerAsync(
        long id, EnrolmentAnswer answer, Caller caller, EnrolmentStore store, CancellationToken cancellationToken)
    {
        var enrolment = await store.GetAsync(id, cancellationToken);
        if (enrolment is null || !caller.CanWriteWorker(enrolment.WorkerCounty))
        {
            return ApiResults.NotFound(What);
        }
        var (result, promoted) = await store.AnswerAsync(id, answer, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, What);
        }
        return TypedResults.Ok(EnrolmentResponse.From((await store.GetAsync(id, cancellationToken))!, caller, promoted));
    }

    private static async Task<Enrolment?> VisibleAsync(long id, Caller caller, EnrolmentStore store, CancellationToken cancellationToken)
    {
        var e = await store.GetAsync(id, cancellationToken);
        if (e is null)
        {
            return null;
        }
        return caller.CanSeeTrainee(e.WorkerCounty, e.WorkerPriorityGroups, e.EmployerId, e.InstitutionId) ? e : null;
    }
}
