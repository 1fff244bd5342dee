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
    /// <summary>
    /// Appends who, role, action, resource, when and outcome to the audit log. A call that changes data gets its row
    /// inside the change's own transaction (<see cref="AuditScope"/>): the change is never kept without it. Every other
    /// call (reads, refusals) gets its row after the handler ran.
    /// </summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action, string resourceType) =>
        builder.WithMetadata(new Audited(action, resourceType)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var routeId = http.Request.RouteValues.TryGetValue("id", out var id) ? Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture) : null;
            return await RunAsync(http, action, resourceType, routeId, SuccessStatusOf(http.GetEndpoint()), () => next(context).AsTask());
        });

    /// <summary>
    /// Runs one handler call audited as the API's route of the same action does (in the change's transaction, or after
    /// the call): the web pages call the same handlers as the API, so a page's read or write is audited alike.
    /// </summary>
    public static Task<object?> RunAsync(HttpContext http, string action, string resourceType, string? resourceId, Func<Task<object?>> call) =>
        RunAsync(http, action, resourceType, resourceId, SuccessStatusOf(http, action), call);

    /// <summary>Appends a call's outcome after the fact (a web-only action such as a sign-out or a file download).</summary>
    public static Task RecordAsync(HttpContext http, string action, string resourceType, string? resourceId, object? result) =>
        RunAsync(http, action, resourceType, resourceId, StatusCodes.Status200OK, () => Task.FromResult(result));

    private static async Task<object?> RunAsync(HttpContext http, string action, string resourceType, string? resourceId, int successStatus, Func<Task<object?>> call)
    {
        var caller = http.Items[AccessSetup.CallerItem] as Caller;
        var pending = new PendingAudit(caller?.UserId, caller?.Name, caller?.Role, action, resourceType, resourceId, successStatus,
            http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        object? result;
        using (AuditScope.Begin(pending))
        {
            result = await call();
        }
        if (!pending.Written)
        {
            var status = StatusOf(result) ?? http.Response.StatusCode;
            await http.RequestServices.GetRequiredService<AuditLog>().AppendAsync(caller?.UserId, caller?.Name, caller?.Role, action,
                resourceType, resourceId ?? CreatedId(result), Outcome(status), status, CancellationToken.None);
        }
        return result;
    }

    /// <summary>The status the endpoint answers when it succeeds (201 for a create, 204 for a delete…), from its declared results.</summary>
    private static int SuccessStatusOf(Endpoint? endpoint) =>
        endpoint?.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>()
            .Select(m => m.StatusCode).FirstOrDefault(code => code is >= 200 and < 300) is { } code and > 0 ? code : StatusCodes.Status200OK;

    /// <summary>The success status of the API route audited under <paramref name="action"/>.</summary>
    private static int SuccessStatusOf(HttpContext http, string action) =>
        SuccessStatusOf(http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .FirstOrDefault(e => e.Metadata.GetMetadata<Audited>()?.Action == action));

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

/// <summary>Reads of a worker's clear personal data by an enterprise (an accepted offer unlocks name and phone).</summary>
public static class PersonalDataReads
{
    /// <summary>
    /// One audit row per worker whose clear name or phone an enterprise or training institution received in a list, as
    /// if it had opened the worker (<c>worker.read</c>): every such read is audited, not only the detail page.
    /// </summary>
    public static async Task AuditAsync(AuditLog audit, Caller caller, IEnumerable<long> workerIds)
    {
        if (!caller.IsPartner)
        {
            return;
        }
        foreach (var id in workerIds.Distinct())
        {
            await audit.AppendAsync(caller.UserId, caller.Name, caller.Role, "worker.read", "worker",
                id.ToString(System.Globalization.CultureInfo.InvariantCulture), "success", StatusCodes.Status200OK, CancellationToken.None);
        }
    }
}
