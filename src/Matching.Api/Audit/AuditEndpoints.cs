using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Audit;

public sealed record AuditListQuery(int? Page, int? PageSize, long? UserId, string? Action, string? ResourceType, string? ResourceId, DateTimeOffset? From, DateTimeOffset? To, string? Outcome,
    string? Order = null);

/// <summary>The append-only audit log: who did what to which record, when, and how it ended. Admins only.</summary>
public static class AuditEndpoints
{
    private static readonly string[] Outcomes = ["success", "denied", "not-found", "invalid", "conflict", "error"];

    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit").WithTags("Audit").RequireRoles(Roles.Admin);
        group.MapGet("/", ListAudit).WithName("ListAudit").WithSummary("审计日志（按用户、操作、对象、时间、结果筛选）");
        return group;
    }

    public static async Task<Results<Ok<PagedList<AuditEntry>>, ValidationProblem>> ListAudit([AsParameters] AuditListQuery query, AuditLog audit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        var action = Check.Text(errors, "action", query.Action, 50);
        var resourceType = Check.Text(errors, "resourceType", query.ResourceType, 50);
        var resourceId = Check.Text(errors, "resourceId", query.ResourceId, 50);
        if (query.Outcome is { } outcome && !Outcomes.Contains(outcome)) errors.Add("outcome", $"应为 {string.Join("、", Outcomes)} 之一");
        if (query.From > query.To) errors.Add("to", "结束时间不能早于开始时间");
        if (query.Order is not (null or "oldest" or "newest")) errors.Add("order", "应为 oldest（默认，由早到晚）或 newest（由近到远）");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await audit.ListAsync(new AuditFilter(query.UserId, action, resourceType, resourceId, query.From, query.To, query.Outcome) { NewestFirst = query.Order == "newest" },
            paging.PageNumber, paging.Size, cancellationToken));
    }
}
