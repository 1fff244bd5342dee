using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Training;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Training;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Targets;

public sealed record TargetProgressQuery(int? Year, string? AreaCode);

/// <summary>Progress of an area and the areas under it (province → prefectures, prefecture → counties) in a year.</summary>
public sealed record TargetProgressResponse(int Year, string AreaCode, IReadOnlyList<AreaProgress> Areas);

public sealed record TargetResponse(string AreaCode, string AreaName, string Kind, string KindName, int FromYear, int? ToYear, int Value, string Note);

/// <summary>
/// The province's targets (目标任务) as catalogue data, and progress computed from completions (training person-times
/// in the year) and certificates (high-skilled workers, cumulatively). Offices see their own area; rural
/// revitalisation staff and admins the province.
/// </summary>
public static class TargetEndpoints
{
    private static readonly string[] Readers = [Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin];

    public static RouteGroupBuilder MapTargets(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/targets").WithTags("Targets");
        group.MapGet("/", ListTargets).WithName("ListTargets").WithSummary("目标任务（省、市州、县；可在目录中配置）").RequireRoles(Readers);
        group.MapGet("/progress", GetProgress).WithName("GetTargetProgress").WithSummary("目标任务完成进度（按年度、地区；限本辖区）").RequireRoles(Readers);
        return group;
    }

    public static Ok<IReadOnlyList<TargetResponse>> ListTargets(Catalogue catalogue) =>
        TypedResults.Ok<IReadOnlyList<TargetResponse>>(catalogue.Policy.Targets.Select(t => new TargetResponse(t.AreaCode, catalogue.NameOf(t.AreaCode), t.Kind,
            TargetKinds.NameOf(t.Kind), t.FromYear, t.ToYear, t.Value, t.Note)).ToList());

    public static async Task<Results<Ok<TargetProgressResponse>, ValidationProblem, ProblemHttpResult>> GetProgress(
        [AsParameters] TargetProgressQuery query, Caller caller, TargetCountStore counts, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(time);
        var errors = new ValidationErrors();
        var year = query.Year ?? today.Year;
        if (year < 2000 || year > today.Year)
        {
            errors.Add("year", $"年度应在2000至{today.Year}之间");
        }
        var area = query.AreaCode?.Trim();
        if (area is not null && !TargetProgress.IsGuizhouArea(catalogue, area))
        {
            errors.Add("areaCode", "应为贵州省（520000）、市州或县的代码");
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        // The areas the caller may see, built from its scope: an office its counties (a prefecture office also its prefecture).
        IReadOnlyList<string> areas;
        if (caller.WorkerCounties is { } counties)
        {
            var own = caller.Role == Roles.PrefectureOffice ? [catalogue.PrefectureOf(counties[0])!, .. counties] : counties.ToList();
            if (area is not null && !own.Contains(area))
            {
                return ApiResults.Forbidden("只能查看本辖区的目标任务进度");
            }
            areas = area is not null ? TargetProgress.AreaWithChildren(catalogue, area) : caller.Role == Roles.PrefectureOffice ? TargetProgress.AreaWithChildren(catalogue, own[0]) : own;
        }
        else
        {
            areas = TargetProgress.AreaWithChildren(catalogue, area ?? Catalogue.GuizhouProvinceCode);
        }
        var minHighSkilled = catalogue.SkillLevels.Where(l => l.HighSkilled).Min(l => l.Level);
        var (completions, firstHighSkilled) = await counts.CountsAsync(year, minHighSkilled, cancellationToken);
        return TypedResults.Ok(new TargetProgressResponse(year, areas[0],
            areas.Select(a => TargetProgress.Compute(catalogue, a, year, completions, firstHighSkilled)).ToList()));
    }
}
