using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Notifications;
using Matching.Domain.Access;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Notifications;

public sealed record InboxQuery(int? Page, int? PageSize, bool? Unread, string? Kind);

/// <summary>The caller's own in-app inbox (站内消息): reminders and alerts; read and unread.</summary>
public static class NotificationEndpoints
{
    public static RouteGroupBuilder MapNotifications(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/notifications").WithTags("Notifications");
        group.MapGet("/", ListNotifications).WithName("ListNotifications").WithSummary("我的站内消息（可只看未读），含未读数")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/{id:long}/read", MarkRead).WithName("MarkNotificationRead").WithSummary("标为已读").RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/read-all", MarkAllRead).WithName("MarkAllNotificationsRead").WithSummary("全部标为已读").RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        return group;
    }

    public static async Task<Results<Ok<InboxPage>, ValidationProblem>> ListNotifications(
        [AsParameters] InboxQuery query, Caller caller, InboxStore inbox, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.Kind is { Length: > 40 }) errors.Add("kind", "长度不能超过40个字符");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await inbox.ListAsync(caller.UserId, query.Unread, query.Kind, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(long id, Caller caller, InboxStore inbox, CancellationToken cancellationToken) =>
        await inbox.MarkReadAsync(caller.UserId, id, cancellationToken) ? TypedResults.NoContent() : ApiResults.NotFound("消息");

    public static async Task<NoContent> MarkAllRead(Caller caller, InboxStore inbox, CancellationToken cancellationToken)
    {
        await inbox.MarkAllReadAsync(caller.UserId, cancellationToken);
        return TypedResults.NoContent();
    }
}
