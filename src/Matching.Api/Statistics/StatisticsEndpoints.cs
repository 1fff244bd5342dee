using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Statistics;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Statistics;

public sealed record RetentionQuery(bool? PriorityGroupsOnly, string? GroupBy);

/// <summary>An area's retention with its Chinese name and rates (null when nobody has been followed up that far).</summary>
public sealed record RetentionRow(string Code, string Name, long Placements, long Retained3, long Lost3, double? Rate3, long Retained6, long Lost6, double? Rate6,
    long Retained12, long Lost12, double? Rate12);

public sealed record RetentionReport(bool PriorityGroupsOnly, string GroupBy, IReadOnlyList<RetentionRow> Areas);

/// <summary>
/// Figures for dashboards (工作台) and retention charts, counted inside the caller's scope: a county office its
/// counties, a prefecture office its prefecture, rural revitalisation staff the priority groups (重点群体), admins the
/// province; an enterprise the retention of its own placements. Counts only, no personal data.
/// </summary>
public static class StatisticsEndpoints
{
    private static readonly string[] Readers = [Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin];

    public static RouteGroupBuilder MapStatistics(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/statistics").WithTags("Statistics");
        group.MapGet("/overview", Overview).WithName("StatisticsOverview")
            .WithSummary("工作台概况：登记、报名、在训、在岗、离岗、待回访与逾期回访，按县（或按市州）及按月（仅本辖区）")
            .RequireRoles(Readers);
        group.MapGet("/retention", Retention).WithName("StatisticsRetention")
            .WithSummary("就业留存：3、6、12个月留存（按县或市州；可只看重点群体；仅本辖区，企业仅本企业的安置）")
            .RequireRoles([.. Readers, Roles.Enterprise]);
        return group;
    }

    /// <summary>The statistics scope of a caller, from its access rules: the counties it sees, and priority groups only for rural revitalisation.</summary>
    public static StatisticsScope ScopeOf(Caller caller, bool priorityGroupsOnly = false) =>
        new(caller.WorkerCounties, caller.OnlyPriorityGroupWorkers || priorityGroupsOnly, caller.LinkedEmployer);

    public static async Task<Ok<OverviewFigures>> Overview(Caller caller, StatisticsStore statistics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await statistics.OverviewAsync(ScopeOf(caller), cancellationToken));

    public static async Task<Results<Ok<RetentionReport>, ValidationProblem>> Retention(
        [AsParameters] RetentionQuery query, Caller caller, StatisticsStore statistics, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var groupBy = query.GroupBy ?? (caller.WorkerCounties is null ? "prefecture" : "county");
        if (groupBy is not ("county" or "prefecture"))
        {
            return ApiResults.Invalid("groupBy", "应为 county（按县）或 prefecture（按市州）");
        }
        var scope = ScopeOf(caller, query.PriorityGroupsOnly ?? false);
        var rows = await statistics.RetentionAsync(scope, groupBy == "county", cancellationToken);
        return TypedResults.Ok(new RetentionReport(scope.OnlyPriorityGroups, groupBy, rows.Select(r => new RetentionRow(r.Code, catalogue.NameOf(r.Code), r.Placements,
            r.Retained3, r.Lost3, Rate(r.Retained3, r.Lost3), r.Retained6, r.Lost6, Rate(r.Retained6, r.Lost6), r.Retained12, r.Lost12, Rate(r.Retained12, r.Lost12))).ToList()));
    }

    private static double? Rate(long retained, long lost) => retained + lost == 0 ? null : (double)retained / (retained + lost);
}
