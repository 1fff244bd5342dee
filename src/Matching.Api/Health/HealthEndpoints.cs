using Dapper;
using Matching.Data.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matching.Api.Health;

/// <summary>Ready when the database answers.</summary>
public sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM catalogue_versions");
            return HealthCheckResult.Healthy("数据库可用");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("数据库不可用", exception);
        }
    }
}

public static class HealthEndpoints
{
    /// <summary>/health/live: the process runs. /health/ready: it can serve (database reachable).</summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");
        group.MapHealthChecks("/live", new() { Predicate = _ => false });
        group.MapHealthChecks("/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return group;
    }
}
