using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Workers;

/// <summary>
/// The worker's social security card number (社会保障卡号, kept like the ID number: keyed hash, encrypted, masked in
/// answers) and vital status (deceased or emigrated: integrity checks then refuse seats and subsidies), set by the
/// worker's county office.
/// </summary>
public static class WorkerStatusEndpoints
{
    private const string What = "劳动者";

    public static RouteGroupBuilder MapWorkerStatus(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/workers/{id:long}").WithTags("Workers");
        group.MapPut("/social-security-card", SetSocialSecurityCard).WithName("SetSocialSecurityCard").WithSummary("登记社会保障卡号（本县；可用 If-Match）")
            .RequireRoles(Roles.CountyOffice).Audited("worker.social-security-card", "worker");
        group.MapPut("/vital-status", SetVitalStatus).WithName("SetVitalStatus").WithSummary("登记死亡或出境定居（户籍注销）状态（本县；可用 If-Match）")
            .RequireRoles(Roles.CountyOffice).Audited("worker.vital-status", "worker");
        return group;
    }

    public static async Task<Results<Ok<WorkerResponse>, ValidationProblem, ProblemHttpResult>> SetSocialSecurityCard(
        long id, SocialSecurityCardInput input, Caller caller, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await WritableAsync(id, caller, store, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        if (WorkerStatusRules.NormalizeCardNumber(input.Number) is not { } number)
        {
            return ApiResults.Invalid("number", "社会保障卡号应为9位：1位大写字母加8位字母或数字");
        }
        var result = await store.SetSocialSecurityCardAsync(id, number, expectedVersion, cancellationToken);
        // Another county's holder of the card is not named to this office.
        if (result.Status == WriteStatus.Conflict && await WorkerEndpoints.VisibleAsync(result.Id, caller, store, cancellationToken) is null)
        {
            result = WriteResult.Conflict("该社会保障卡号已登记给其他县的劳动者，请核实");
        }
        return await AnswerAsync(result, id, store, catalogue, time, context, cancellationToken);
    }

    public static async Task<Results<Ok<WorkerResponse>, ValidationProblem, ProblemHttpResult>> SetVitalStatus(
        long id, VitalStatusInput input, Caller caller, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var worker = await WritableAsync(id, caller, store, cancellationToken);
        if (worker is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = WorkerStatusRules.Validate(input, worker.BirthDate, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await AnswerAsync(await store.SetVitalStatusAsync(id, draft, expectedVersion, cancellationToken), id, store, catalogue, time, context, cancellationToken);
    }

    private static async Task<Worker?> WritableAsync(long id, Caller caller, WorkerStore store, CancellationToken cancellationToken) =>
        await WorkerEndpoints.VisibleAsync(id, caller, store, cancellationToken) is { } worker && caller.CanWriteWorker(worker.CountyCode) ? worker : null;

    private static async Task<Results<Ok<WorkerResponse>, ValidationProblem, ProblemHttpResult>> AnswerAsync(WriteResult result, long id, WorkerStore store,
        Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, What);
        }
        var worker = (await store.GetAsync(id, cancellationToken))!;
        Versioning.SetETag(context, worker.Version);
        return TypedResults.Ok(WorkerResponse.From(worker, catalogue, ChinaTime.Today(time)));
    }
}
