using Matching.Api.Infrastructure;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Workers;

/// <summary>A worker as the API shows it: codes with their Chinese names, ID number and phone masked.</summary>
public sealed record WorkerResponse(
    long Id,
    string RealName,
    string IdNumberMasked,
    Gender Gender,
    DateOnly BirthDate,
    int Age,
    string PhoneMasked,
    string CountyCode,
    string CountyName,
    string PrefectureCode,
    string PrefectureName,
    string Education,
    IReadOnlyList<WorkerTradeResponse> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    IReadOnlyList<string> PriorityGroups,
    IReadOnlyList<string> PreferredDestinations,
    int ExpectedMonthlyWage,
    DateOnly AvailableFrom,
    IReadOnlyList<string> TrainingIntentions,
    string? Notes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public static WorkerResponse From(Worker w, Catalogue catalogue, DateOnly today) => new(
        w.Id, w.RealName, w.IdNumberMasked, w.Gender, w.BirthDate, WorkerRules.AgeOn(w.BirthDate, today), w.PhoneMasked,
        w.CountyCode, catalogue.NameOf(w.CountyCode), w.PrefectureCode, catalogue.NameOf(w.PrefectureCode), w.Education,
        w.Trades.Select(t => new WorkerTradeResponse(t.TradeId, catalogue.TradesById.TryGetValue(t.TradeId, out var trade) ? trade.Name : t.TradeId,
            t.Level, catalogue.SkillLevelsByLevel.TryGetValue(t.Level, out var level) ? level.Name : "")).ToList(),
        w.Certificates, w.PriorityGroups, w.PreferredDestinations, w.ExpectedMonthlyWage, w.AvailableFrom,
        w.TrainingIntentions, w.Notes, w.CreatedAt, w.UpdatedAt, w.Version);
}

public sealed record WorkerTradeResponse(string TradeId, string TradeName, int Level, string LevelName);

/// <summary>Query of the worker list; every filter optional.</summary>
public sealed record WorkerListQuery(
    int? Page,
    int? PageSize,
    string? CountyCode,
    string? PrefectureCode,
    string? TradeId,
    string? PriorityGroup,
    string? Destination,
    DateOnly? AvailableBy,
    // Text, not the enum: query binding of enums is case-sensitive ("Female"), but responses say "female".
    string? Gender);

/// <summary>Look-up by ID number travels in a body, so the number never appears in a URL or an access log.</summary>
public sealed record WorkerLookup(string? IdNumber);

public sealed record WorkerId(long Id);

/// <summary>Workers (劳动者): registration by county labour offices, look-up, list and filters.</summary>
public static class WorkerEndpoints
{
    public static RouteGroupBuilder MapWorkers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/workers").WithTags("Workers");
        group.MapGet("/", ListWorkers).WithName("ListWorkers").WithSummary("劳动者列表（分页、筛选）");
        group.MapGet("/{id:long}", GetWorker).WithName("GetWorker").WithSummary("查看劳动者");
        group.MapPost("/", CreateWorker).WithName("CreateWorker").WithSummary("登记劳动者");
        group.MapPut("/{id:long}", UpdateWorker).WithName("UpdateWorker").WithSummary("修改劳动者（可用 If-Match 防止覆盖他人修改）");
        group.MapDelete("/{id:long}", DeleteWorker).WithName("DeleteWorker").WithSummary("删除劳动者（无报名和安置记录时）");
        group.MapPost("/lookup", LookupWorker).WithName("LookupWorker").WithSummary("按身份证号码查找已登记的劳动者");
        return group;
    }

    public static async Task<Results<Ok<PagedList<WorkerResponse>>, ValidationProblem>> ListWorkers(
        [AsParameters] WorkerListQuery query, WorkerStore store, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.CountyCode is { } county && !catalogue.IsGuizhouCounty(county)) errors.Add("countyCode", "不是贵州省的县级行政区划代码");
        if (query.PrefectureCode is { } prefecture && !(catalogue.IsPrefecture(prefecture) && prefecture.StartsWith("52", StringComparison.Ordinal))) errors.Add("prefectureCode", "不是贵州省的市州代码");
        if (query.TradeId is { } trade && !catalogue.TradesById.ContainsKey(trade)) errors.Add("tradeId", "未知的工种编号");
        if (query.PriorityGroup is { } priorityGroup && !catalogue.PriorityGroupsById.ContainsKey(priorityGroup)) errors.Add("priorityGroup", "未知的重点群体类别");
        if (query.Destination is { } destination && !catalogue.IsDestination(destination)) errors.Add("destination", "不是协作省份或其地级市的代码");
        Gender? gender = query.Gender?.ToUpperInvariant() switch
        {
            null => null,
            "MALE" => Gender.Male,
            "FEMALE" => Gender.Female,
            _ => null,
        };
        if (query.Gender is not null && gender is null) errors.Add("gender", "应为 male 或 female");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var page = await store.ListAsync(
            new WorkerFilter(query.CountyCode is null ? null : [query.CountyCode], query.PrefectureCode, query.TradeId, query.PriorityGroup,
                query.Destination, query.AvailableBy, gender),
            paging.PageNumber, paging.Size, cancellationToken);
        var today = ChinaTime.Today(time);
        return TypedResults.Ok(new PagedList<WorkerResponse>(page.Items.Select(w => WorkerResponse.From(w, catalogue, today)).ToList(), page.Page, page.PageSize, page.Total));
    }

    public static async Task<Results<Ok<WorkerResponse>, ProblemHttpResult>> GetWorker(
        long id, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var worker = await store.GetAsync(id, cancellationToken);
        if (worker is null)
        {
            return ApiResults.NotFound("劳动者");
        }
        Versioning.SetETag(context, worker.Version);
        return TypedResults.Ok(WorkerResponse.From(worker, catalogue, ChinaTime.Today(time)));
    }

    public static async Task<Results<Created<WorkerResponse>, ValidationProblem, ProblemHttpResult>> CreateWorker(
        WorkerInput input, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = WorkerRules.Validate(input, catalogue, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.CreateAsync(draft, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, "劳动者");
        }
        var created = (await store.GetAsync(result.Id, cancellationToken))!;
        Versioning.SetETag(context, created.Version);
        return TypedResults.Created($"/api/workers/{result.Id}", WorkerResponse.From(created, catalogue, ChinaTime.Today(time)));
    }

    public static async Task<Results<Ok<WorkerResponse>, ValidationProblem, ProblemHttpResult>> UpdateWorker(
        long id, WorkerInput input, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var errors = new ValidationErrors();
        var draft = WorkerRules.Validate(input, catalogue, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.UpdateAsync(id, draft, expectedVersion, cancellationToken);
        return await WrittenAsync(result, store, catalogue, time, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteWorker(
        long id, WorkerStore store, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var result = await store.DeleteAsync(id, expectedVersion, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.NoContent() : Refusal(result);
    }

    public static async Task<Results<Ok<WorkerId>, ValidationProblem, ProblemHttpResult>> LookupWorker(
        WorkerLookup lookup, WorkerStore store, CancellationToken cancellationToken)
    {
        if (!ResidentIdNumber.TryParse(lookup.IdNumber, out var info, out var error))
        {
            return ApiResults.Invalid("idNumber", error!);
        }
        var id = await store.FindByIdNumberAsync(info!.Normalized, cancellationToken);
        return id is null ? ApiResults.NotFound("该身份证号码对应的劳动者") : TypedResults.Ok(new WorkerId(id.Value));
    }

    private static async Task<Results<Ok<WorkerResponse>, ValidationProblem, ProblemHttpResult>> WrittenAsync(
        WriteResult result, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (result.Status != WriteStatus.Ok)
        {
            return Refusal(result);
        }
        var worker = (await store.GetAsync(result.Id, cancellationToken))!;
        Versioning.SetETag(context, worker.Version);
        return TypedResults.Ok(WorkerResponse.From(worker, catalogue, ChinaTime.Today(time)));
    }

    private static ProblemHttpResult Refusal(WriteResult result) => ApiResults.Refused(result, "劳动者");
}
