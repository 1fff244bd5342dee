using Matching.Api.Access;
using Matching.Data.Operations;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matching.Api.Health;

/// <summary>Ready when the database answers.</summary>
public sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy("数据库可用");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("数据库不可用", exception);
        }
    }
}

/// <summary>
/// Degraded (still serving) while background work has rows it could not handle: cohorts that cannot be scheduled,
/// lifecycle steps that failed, changes set aside by the search indexer. The description says which and why.
/// </summary>
public sealed class BackgroundWorkHealthCheck(BackgroundProblems problems, SearchComponents search) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reasons = (await problems.ListAsync(cancellationToken)).Select(p => p.Detail).ToList();
        var outbox = await search.Outbox.StatusAsync(cancellationToken);
        if (outbox.SetAside > 0)
        {
            reasons.Add($"检索索引有 {outbox.SetAside} 条变更多次失败后已搁置（见 /api/problems）");
        }
        return reasons.Count == 0
            ? HealthCheckResult.Healthy("后台作业正常")
            : HealthCheckResult.Degraded($"后台作业有 {reasons.Count} 个问题：{string.Join("；", reasons.Take(5))}{(reasons.Count > 5 ? "……" : "")}");
    }
}

/// <summary>What background work could not do, for admins.</summary>
public sealed record ProblemsResponse(IReadOnlyList<BackgroundProblem> Problems, OutboxStatus SearchOutbox);

public static class HealthEndpoints
{
    /// <summary>
    /// /health/live: the process runs. /health/ready: it can serve (database reachable); Degraded, with the reasons,
    /// while background work has rows it could not handle.
    /// </summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");
        group.MapHealthChecks("/live", new() { Predicate = _ => false });
        group.MapHealthChecks("/ready", new() { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteAsync });

        var problems = routes.MapGroup("/api/problems").WithTags("Health");
        problems.MapGet("/", ListProblems).WithName("ListBackgroundProblems")
            .WithSummary("后台作业遇到的问题：无法排程的班期、执行失败的班期步骤、检索索引搁置的变更")
            .RequireRoles(Roles.Admin);
        return group;
    }

    public static async Task<Ok<ProblemsResponse>> ListProblems(BackgroundProblems problems, SearchComponents search, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ProblemsResponse(await problems.ListAsync(cancellationToken), await search.Outbox.StatusAsync(cancellationToken)));

    /// <summary>"Healthy", or the status followed by one line per check that is not healthy, with its reason.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = new List<string> { report.Status.ToString() };
        lines.AddRange(report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}"));
        return context.Response.WriteAsync(string.Join('\n', lines));
    }
}
