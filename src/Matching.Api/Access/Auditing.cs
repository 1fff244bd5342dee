using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Matching.Api.Access;

/// <summary>Marks an endpoint whose every call is written to the audit log: writes, reveals, reads of full records.</summary>
public sealed record Audited(string Action, string ResourceType);

public static class AuditEndpointExtensions
{
    /// <summary>Appends who, role, action, resource, when and outcome to the audit log after the handler ran.</summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action, string resourceType) =>
        builder.WithMetadata(new Audited(action, resourceType)).AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var http = context.HttpContext;
            var resourceId = http.Request.RouteValues.TryGetValue("id", out var id) ? Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture) : null;
            await RecordAsync(http, action, resourceType, resourceId, result);
            return result;
        });

    /// <summary>
    /// Appends one call's outcome to the audit log as the API's filter does: used by the web pages, which call the same
    /// handlers as the API's routes, so a page's read or write is audited under the same action.
    /// </summary>
    public static async Task RecordAsync(HttpContext http, string action, string resourceType, string? resourceId, object? result)
    {
        var status = StatusOf(result) ?? http.Response.StatusCode;
        var caller = http.Items[AccessSetup.CallerItem] as Caller;
        await http.RequestServices.GetRequiredService<AuditLog>().AppendAsync(caller?.UserId, caller?.Name, caller?.Role, action,
            resourceType, resourceId ?? CreatedId(result), Outcome(status), status, CancellationToken.None);
    }

    public static string Outcome(int status) => status switch
    {
        >= 200 and < 300 => "success",
        400 or 413 => "invalid",
        401 or 403 => "denied",
        404 => "not-found",
        409 or 412 => "conflict",
        _ => "error",
    };

    private static int? StatusOf(object? result) => result switch
    {
        INestedHttpResult nested => StatusOf(nested.Result),
        IStatusCodeHttpResult { StatusCode: { } code } => code,
        _ => null,
    };

    private static string? CreatedId(object? result) => result switch
    {
        INestedHttpResult nested => CreatedId(nested.Result),
        IValueHttpResult { Value: IVersioned row } => row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>Requests refused by a role policy (403) on an audited endpoint are audited as denied.</summary>
public sealed class AuditingAuthorizationResultHandler(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // The web application's pages answer a refused role with its own page (/denied), not with problem JSON.
        if (authorizeResult.Forbidden && !context.Request.Path.StartsWithSegments("/api"))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            var audited = context.GetEndpoint()?.Metadata.GetMetadata<Audited>();
            var caller = context.Items[AccessSetup.CallerItem] as Caller;
            if (audited is not null)
            {
                var id = context.Request.RouteValues.TryGetValue("id", out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
                await audit.AppendAsync(caller?.UserId, caller?.Name, caller?.Role, audited.Action, audited.ResourceType, id, "denied", 403);
            }
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = 403,
                    Title = "无权执行此操作",
                    Detail = caller is null ? null : $"角色“{Roles.NameOf(caller.Role)}”不能执行此操作",
                },
            });
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
