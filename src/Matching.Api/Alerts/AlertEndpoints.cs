using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Alerts;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Alerts;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Alerts;

public sealed record AlertListQuery(int? Page, int? PageSize, string? Status, string? Trigger, string? CountyCode, string? PrefectureCode, long? WorkerId,
    DateOnly? RaisedFrom, DateOnly? RaisedTo);

/// <summary>An alert with the Chinese names of its codes.</summary>
public sealed record AlertResponse(JobLossAlert Alert, string CountyName, string PrefectureName, string TriggerName, string StatusName) : IVersioned
{
    public long Id => Alert.Id;

    public int Version => Alert.Version;

    public static AlertResponse From(JobLossAlert a, Catalogue catalogue) =>
        new(a, catalogue.NameOf(a.CountyCode), catalogue.NameOf(a.PrefectureCode), JobLossAlertRules.TriggerName(a.Trigger), JobLossAlertRules.StatusName(a.Status));
}

public sealed record AlertResolution(string? Note);

/// <summary>
/// 防返贫就业预警: the list with filters and a summary (with the time from each triggering event to delivery), one
/// alert with its re-match suggestions, and its lifecycle (acknowledge, resolve with a note). All within the
/// caller's region.
/// </summary>
public static class AlertEndpoints
{
    private const string What = "预警";
    private static readonly string[] Readers = [Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin];
    private static readonly string[] Handlers = [Roles.CountyOffice, Roles.RuralRevitalisation];

    public static RouteGroupBuilder MapAlerts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/alerts").WithTags("Alerts");
        group.MapGet("/", ListAlerts).WithName("ListAlerts").WithSummary("防返贫就业预警列表（按状态、触发原因、县、时间筛选；仅本辖区）").RequireRoles(Readers);
        group.MapGet("/summary", Summary).WithName("AlertSummary").WithSummary("预警统计：各状态、各原因数量，从触发到送达的用时").RequireRoles(Readers);
        group.MapGet("/{id:long}", GetAlert).WithName("GetAlert").WithSummary("查看预警及再就业岗位、培训班期推荐")
            .RequireRoles(Readers).Audited("alert.read", "alert");
        group.MapPost("/{id:long}/acknowledge", Acknowledge).WithName("AcknowledgeAlert").WithSummary("接收预警（待处理 → 已接收）")
            .RequireRoles(Handlers).Audited("alert.acknowledge", "alert");
        group.MapPost("/{id:long}/resolve", Resolve).WithName("ResolveAlert").WithSummary("处置预警并记录所做帮扶（→ 已处置）")
            .RequireRoles(Handlers).Audited("alert.resolve", "alert");
        return group;
    }

    public static async Task<Results<Ok<PagedList<AlertResponse>>, ValidationProblem>> ListAlerts(
        [AsParameters] AlertListQuery query, Caller caller, JobLossAlertStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        var filter = Filter(query.Status, query.Trigger, query.CountyCode, query.PrefectureCode, query.WorkerId, query.RaisedFrom, query.RaisedTo, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var page = await store.ListAsync(filter, paging.PageNumber, paging.Size, cancellationToken);
        return TypedResults.Ok(new PagedList<AlertResponse>(page.Items.Select(a => AlertResponse.From(a, catalogue)).ToList(), page.Page, page.PageSize, page.Total));
    }

    public static async Task<Results<Ok<AlertSummary>, ValidationProblem>> Summary(
        [AsParameters] AlertListQuery query, Caller caller, JobLossAlertStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = Filter(query.Status, query.Trigger, query.CountyCode, query.PrefectureCode, query.WorkerId, query.RaisedFrom, query.RaisedTo, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.SummaryAsync(filter, cancellationToken));
    }

    public static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> GetAlert(
        long id, Caller caller, JobLossAlertStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var alert = await store.GetAsync(id, cancellationToken);
        if (alert is null || !caller.CanSeeAlert(alert.CountyCode))
        {
            return ApiResults.NotFound(What);
        }
        Versioning.SetETag(context, alert.Version);
        return TypedResults.Ok(AlertResponse.From(alert, catalogue));
    }

    public static Task<Results<Ok<AlertResponse>, ValidationProblem, ProblemHttpResult>> Acknowledge(
        long id, Caller caller, JobLossAlertStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken) =>
        MoveAsync(id, JobLossAlertRules.Acknowledged, null, caller, store, catalogue, context, cancellationToken);

    public static async Task<Results<Ok<AlertResponse>, ValidationProblem, ProblemHttpResult>> Resolve(
        long id, AlertResolution resolution, Caller caller, JobLossAlertStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        // Out of the caller's region reads as not found, before anything about the body is said.
        if (await store.GetAsync(id, cancellationToken) is not { } alert || !caller.CanHandleAlert(alert.CountyCode))
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var note = Check.Text(errors, "note", resolution.Note, 1000, required: true, multiline: true, minLength: 4);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return await MoveAsync(id, JobLossAlertRules.Resolved, note, caller, store, catalogue, context, cancellationToken);
    }

    private static async Task<Results<Ok<AlertResponse>, ValidationProblem, ProblemHttpResult>> MoveAsync(
        long id, string to, string? note, Caller caller, JobLossAlertStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var alert = await store.GetAsync(id, cancellationToken);
        if (alert is null || !caller.CanHandleAlert(alert.CountyCode))
        {
            return ApiResults.NotFound(What);
        }
        var result = await store.MoveAsync(id, to, caller.Name, note, expectedVersion, cancellationToken);
        return await WriteResponses.OkAsync(result, What, async (alertId, token) =>
            await store.GetAsync(alertId, token) is { } a ? AlertResponse.From(a, catalogue) : null, context, cancellationToken);
    }

    private static AlertFilter Filter(string? status, string? trigger, string? county, string? prefecture, long? workerId, DateOnly? from, DateOnly? to,
        Caller caller, Catalogue catalogue, ValidationErrors errors)
    {
        if (status is not null && !JobLossAlertRules.Statuses.Contains(status)) errors.Add("status", "应为 open、acknowledged 或 resolved");
        if (trigger is not null && !JobLossAlertRules.Triggers.Contains(trigger)) errors.Add("trigger", "应为 not-employed、left-early 或 follow-up-overdue");
        if (county is not null && !catalogue.IsGuizhouCounty(county)) errors.Add("countyCode", "不是贵州省的县级行政区划代码");
        if (prefecture is not null && !(catalogue.IsPrefecture(prefecture) && prefecture.StartsWith("52", StringComparison.Ordinal))) errors.Add("prefectureCode", "不是贵州省的市州代码");
        if (from is not null && to is not null && to < from) errors.Add("raisedTo", "结束日期不能早于开始日期");
        return new AlertFilter(Scope.Counties(caller, county), prefecture, status, trigger, workerId, ChinaDay.Start(from), ChinaDay.Start(to?.AddDays(1)));
    }
}

/// <summary>Beijing calendar days as UTC instants, for filters on stored times.</summary>
public static class ChinaDay
{
    public static DateTimeOffset? Start(DateOnly? day) => day is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset) : null;
}
