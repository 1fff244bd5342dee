using Matching.Allocation;
using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Dispatch;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Scheduling.Dispatch;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.DispatchRounds;

/// <summary>
/// A dry run: <c>mode</c> optimal (default) or stable; whose workers — <c>countyCode</c>, <c>prefectureCode</c>, or
/// neither for the whole province; <c>priorityWeight</c> added per priority-group worker placed (default 0.2).
/// </summary>
public sealed record DispatchRoundInput(string? Mode, string? CountyCode, string? PrefectureCode, double? PriorityWeight);

public sealed record ReviewQuery(int? Page, int? PageSize);

public sealed record DispatchRoundListQuery(int? Page, int? PageSize);

/// <summary>
/// Dispatch rounds (月调度): a dry run over open cohorts with free seats and the workers of a county, a prefecture or
/// the province (within the caller's scope) → review per cohort and per county, each assignment with its reasons,
/// beside the first-come-first-served baseline → commit, which creates the offers. Rounds are stored and audited.
/// </summary>
public static class DispatchRoundEndpoints
{
    private const string What = "调度方案";
    private static readonly string[] Offices = [Roles.CountyOffice, Roles.PrefectureOffice, Roles.Admin];

    public static RouteGroupBuilder MapDispatchRounds(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/dispatch-rounds").WithTags("DispatchRounds");
        group.MapPost("/", DryRun).WithName("DryRunDispatchRound").WithSummary("月调度试算（不下发录取）")
            .RequireRoles(Offices).Audited("dispatch-round.dry-run", "dispatch-round").WithIdempotencyKey();
        group.MapGet("/", ListRounds).WithName("ListDispatchRounds").WithSummary("调度方案列表")
            .RequireRoles(Offices);
        group.MapGet("/{id:long}", GetRound).WithName("GetDispatchRound").WithSummary("调度方案及其与先到先得的对比")
            .RequireRoles(Offices).Audited("dispatch-round.read", "dispatch-round");
        group.MapGet("/{id:long}/cohorts", ReviewByCohort).WithName("ReviewDispatchRoundByCohort").WithSummary("按班期审核：名额、分配人员及理由")
            .RequireRoles(Offices).Audited("dispatch-round.review", "dispatch-round");
        group.MapGet("/{id:long}/counties", ReviewByCounty).WithName("ReviewDispatchRoundByCounty").WithSummary("按县审核：分配人员及理由")
            .RequireRoles(Offices).Audited("dispatch-round.review", "dispatch-round");
        group.MapPost("/{id:long}/commit", Commit).WithName("CommitDispatchRound").WithSummary("下发调度方案（生成录取通知）")
            .RequireRoles(Offices).Audited("dispatch-round.commit", "dispatch-round").WithIdempotencyKey();
        return group;
    }

    public static async Task<Results<Created<DispatchRound>, ValidationProblem, ProblemHttpResult>> DryRun(
        DispatchRoundInput input, Caller caller, DispatchRoundPlanner planner, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var mode = input.Mode?.Trim() ?? AllocationModes.Optimal;
        if (!AllocationModes.Selectable.Contains(mode))
        {
            errors.Add("mode", "应为 optimal（最优）或 stable（稳定）");
        }
        var weight = input.PriorityWeight ?? DispatchRoundPlanner.DefaultPriorityWeight;
        if (weight is < 0 or > 1 || double.IsNaN(weight))
        {
            errors.Add("priorityWeight", "重点群体政策权重应在0至1之间");
        }
        var scope = ResolveScope(input, caller, catalogue, errors);
        if (!errors.IsValid || scope is null)
        {
            return ApiResults.Invalid(errors);
        }
        var (kind, code, counties) = scope.Value;
        var result = await planner.DryRunAsync(new RoundRequest(kind, code, counties, mode, weight, caller.UserId, caller.Name), cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, What);
        }
        return TypedResults.Created($"/api/dispatch-rounds/{result.Id}", (await rounds.GetAsync(result.Id, cancellationToken))!);
    }

    public static async Task<Results<Ok<PagedList<DispatchRound>>, ValidationProblem>> ListRounds(
        [AsParameters] DispatchRoundListQuery query, Caller caller, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await rounds.ListAsync(VisibleScopes(caller, catalogue), paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<Ok<DispatchRound>, ProblemHttpResult>> GetRound(long id, Caller caller, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken) =>
        await VisibleAsync(id, caller, rounds, catalogue, cancellationToken) is { } round ? TypedResults.Ok(round) : ApiResults.NotFound(What);

    public static async Task<Results<Ok<PagedList<RoundCohortReview>>, ValidationProblem, ProblemHttpResult>> ReviewByCohort(
        long id, [AsParameters] ReviewQuery query, Caller caller, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (await VisibleAsync(id, caller, rounds, catalogue, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        return TypedResults.Ok(await rounds.ReviewByCohortAsync(id, caller.WorkerCounties, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<Ok<PagedList<RoundCountyReview>>, ValidationProblem, ProblemHttpResult>> ReviewByCounty(
        long id, [AsParameters] ReviewQuery query, Caller caller, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (await VisibleAsync(id, caller, rounds, catalogue, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        return TypedResults.Ok(await rounds.ReviewByCountyAsync(id, caller.WorkerCounties, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<Ok<DispatchRound>, ValidationProblem, ProblemHttpResult>> Commit(
        long id, Caller caller, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var round = await VisibleAsync(id, caller, rounds, catalogue, cancellationToken);
        if (round is null)
        {
            return ApiResults.NotFound(What);
        }
        if (!CoversWholeScope(caller, round, catalogue))
        {
            return ApiResults.Forbidden("只有覆盖该方案全部范围的部门可以下发（省级方案由管理员下发）");
        }
        var committed = await rounds.CommitAsync(id, caller.UserId, caller.Name, cancellationToken);
        if (committed.Result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(committed.Result, What);
        }
        return TypedResults.Ok((await rounds.GetAsync(id, cancellationToken))!);
    }

    /// <summary>The round's scope from the input, checked against the caller's: offices within their counties, admins anywhere.</summary>
    private static (string Kind, string Code, IReadOnlyList<string>? Counties)? ResolveScope(DispatchRoundInput input, Caller caller, Catalogue catalogue, ValidationErrors errors)
    {
        if (input.CountyCode is not null && input.PrefectureCode is not null)
        {
            // Both named: each is checked, and one of them is one too many.
            if (!catalogue.IsGuizhouCounty(input.CountyCode))
            {
                errors.Add("countyCode", "不是贵州省的县级行政区划代码");
            }
            errors.Add("prefectureCode", "县和市州只能选一个");
            return null;
        }
        if (input.CountyCode is { } county)
        {
            if (!catalogue.IsGuizhouCounty(county))
            {
                errors.Add("countyCode", "不是贵州省的县级行政区划代码");
                return null;
            }
            if (caller.WorkerCounties is { } own && !own.Contains(county))
            {
                errors.Add("countyCode", "只能对本辖区的劳动者试算");
                return null;
            }
            return (DispatchScope.County, county, [county]);
        }
        if (input.PrefectureCode is { } prefecture)
        {
            if (!prefecture.StartsWith("52", StringComparison.Ordinal) || !catalogue.IsPrefecture(prefecture))
            {
                errors.Add("prefectureCode", "不是贵州省的市州代码");
                return null;
            }
            var counties = catalogue.GuizhouCounties.Where(c => c.ParentCode == prefecture).Select(c => c.Code).ToList();
            if (caller.WorkerCounties is { } own && !counties.All(own.Contains))
            {
                errors.Add("prefectureCode", "只能对本辖区的劳动者试算");
                return null;
            }
            return (DispatchScope.Prefecture, prefecture, counties);
        }
        if (caller.WorkerCounties is { Count: 1 } single)
        {
            return (DispatchScope.County, single[0], [single[0]]);
        }
        if (caller.WorkerCounties is not null)
        {
            errors.Add("countyCode", "请指定县（countyCode）或市州（prefectureCode）；全省试算由管理员进行");
            return null;
        }
        return (DispatchScope.Province, Catalogue.GuizhouProvinceCode, null);
    }

    /// <summary>Scope codes of rounds that reach the caller's counties: their counties, their prefectures, the province; null for all.</summary>
    private static List<string>? VisibleScopes(Caller caller, Catalogue catalogue) => caller.WorkerCounties is { } counties
        ? [.. counties, .. counties.Select(c => catalogue.PrefectureOf(c)!).Distinct(), Catalogue.GuizhouProvinceCode]
        : null;

    private static async Task<DispatchRound?> VisibleAsync(long id, Caller caller, DispatchRoundStore rounds, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var round = await rounds.GetAsync(id, cancellationToken);
        return round is not null && (VisibleScopes(caller, catalogue) is not { } scopes || scopes.Contains(round.ScopeCode)) ? round : null;
    }

    private static bool CoversWholeScope(Caller caller, DispatchRound round, Catalogue catalogue) => caller.WorkerCounties is not { } own || round.ScopeKind switch
    {
        DispatchScope.County => own.Contains(round.ScopeCode),
        DispatchScope.Prefecture => catalogue.GuizhouCounties.Where(c => c.ParentCode == round.ScopeCode).All(c => own.Contains(c.Code)),
        _ => false,
    };
}
