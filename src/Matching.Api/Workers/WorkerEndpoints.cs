using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Workers;

/// <summary>
/// A worker as the API shows it to the caller: codes with their Chinese names; ID number and phone masked; the age,
/// never the birth date (with the county and the mask, a birth date would give back the whole ID number: only the
/// audited reveal shows it). An enterprise sees a masked name (王**) and no ID number, phone, priority groups or notes
/// until the worker has accepted its offer; then the name and phone only. Each view is built from what its reader
/// may see, not filtered from a fuller one.
/// </summary>
public sealed record WorkerResponse(
    long Id,
    string RealName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdNumberMasked,
    Gender Gender,
    int Age,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PhoneMasked,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Phone,
    string CountyCode,
    string CountyName,
    string PrefectureCode,
    string PrefectureName,
    string Education,
    IReadOnlyList<WorkerTradeResponse> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? PriorityGroups,
    IReadOnlyList<string> PreferredDestinations,
    int ExpectedMonthlyWage,
    DateOnly AvailableFrom,
    IReadOnlyList<string> TrainingIntentions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HouseholdNumber = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HouseholdType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EmploymentStatus = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SocialSecurityCardMasked = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VitalStatus = null) : IVersioned
{
    /// <summary>The view for labour offices, rural revitalisation staff and admins (ID, phone and social security card masked, survey fields shown).</summary>
    public static WorkerResponse From(Worker w, Catalogue catalogue, DateOnly today) =>
        Build(w, catalogue, today, w.RealName, w.IdNumberMasked, w.PhoneMasked, phone: null, w.PriorityGroups, w.Notes) with
        {
            HouseholdNumber = w.HouseholdNumber,
            HouseholdType = w.HouseholdType,
            EmploymentStatus = w.EmploymentStatus,
            SocialSecurityCardMasked = w.SocialSecurityCardMasked,
            VitalStatus = w.VitalStatus,
        };

    /// <summary>The view for an enterprise (no survey fields); <paramref name="clearPhone"/> only once the worker accepted its offer.</summary>
    public static WorkerResponse ForEnterprise(Worker w, Catalogue catalogue, DateOnly today, bool accepted, string? clearPhone) =>
        Build(w, catalogue, today, accepted ? w.RealName : Masking.Name(w.RealName), idNumberMasked: null, phoneMasked: null,
            accepted ? clearPhone : null, priorityGroups: null, notes: null);

    private static WorkerResponse Build(Worker w, Catalogue catalogue, DateOnly today, string name, string? idNumberMasked, string? phoneMasked,
        string? phone, IReadOnlyList<string>? priorityGroups, string? notes) => new(
        w.Id, name, idNumberMasked, w.Gender, WorkerRules.AgeOn(w.BirthDate, today), phoneMasked, phone,
        w.CountyCode, catalogue.NameOf(w.CountyCode), w.PrefectureCode, catalogue.NameOf(w.PrefectureCode), w.Education,
        w.Trades.Select(t => new WorkerTradeResponse(t.TradeId, catalogue.TradesById.TryGetValue(t.TradeId, out var trade) ? trade.Name : t.TradeId,
            t.Level, catalogue.SkillLevelsByLevel.TryGetValue(t.Level, out var level) ? level.Name : "")).ToList(),
        w.Certificates, priorityGroups, w.PreferredDestinations, w.ExpectedMonthlyWage, w.AvailableFrom,
        w.TrainingIntentions, notes, w.CreatedAt, w.UpdatedAt, w.Version);
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
    string? Gender,
    DateOnly? RegisteredFrom = null,
    DateOnly? RegisteredTo = null,
    string? HouseholdType = null,
    string? EmploymentStatus = null);

/// <summary>Look-up by ID number travels in a body, so the number never appears in a URL or an access log.</summary>
public sealed record WorkerLookup(string? IdNumber, string? SocialSecurityCardNumber = null);

public sealed record WorkerId(long Id);

/// <summary>The clear ID number and phone, for the worker's own county office or an admin (audited).</summary>
public sealed record WorkerRevealed(long Id, string IdNumber, string Phone);

/// <summary>Workers (劳动者): registration by county labour offices, look-up, list and filters, all scoped to the caller.</summary>
public static class WorkerEndpoints
{
    private const string What = "劳动者";

    public static RouteGroupBuilder MapWorkers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/workers").WithTags("Workers");
        group.MapGet("/", ListWorkers).WithName("ListWorkers").WithSummary("劳动者列表（分页、筛选；仅本辖区）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/{id:long}", GetWorker).WithName("GetWorker").WithSummary("查看劳动者")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("worker.read", "worker");
        group.MapPost("/", CreateWorker).WithName("CreateWorker").WithSummary("登记劳动者（本县）")
            .RequireRoles(Roles.CountyOffice).Audited("worker.create", "worker");
        group.MapPut("/{id:long}", UpdateWorker).WithName("UpdateWorker").WithSummary("修改劳动者（可用 If-Match 防止覆盖他人修改）")
            .RequireRoles(Roles.CountyOffice).Audited("worker.update", "worker");
        group.MapDelete("/{id:long}", DeleteWorker).WithName("DeleteWorker").WithSummary("删除劳动者（无报名和安置记录时）")
            .RequireRoles(Roles.CountyOffice).Audited("worker.delete", "worker");
        group.MapPost("/lookup", LookupWorker).WithName("LookupWorker").WithSummary("按身份证号码或社会保障卡号查找本辖区已登记的劳动者")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.Admin).Audited("worker.lookup", "worker");
        group.MapPost("/{id:long}/reveal", RevealWorker).WithName("RevealWorker").WithSummary("查看完整身份证号码和手机号（记入审计日志）")
            .RequireRoles(Roles.CountyOffice, Roles.Admin).Audited("worker.reveal", "worker");
        return group;
    }

    public static async Task<Results<Ok<PagedList<WorkerResponse>>, ValidationProblem>> ListWorkers(
        [AsParameters] WorkerListQuery query, Caller caller, WorkerStore store, Catalogue catalogue, TimeProvider time, AuditLog audit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        var filter = Filter(query, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var page = await store.ListAsync(filter, paging.PageNumber, paging.Size, cancellationToken);
        var today = ChinaTime.Today(time);
        var items = new List<WorkerResponse>(page.Items.Count);
        foreach (var worker in page.Items)
        {
            items.Add(await ViewAsync(worker, caller, store, catalogue, today, cancellationToken));
        }
        // An enterprise reading a worker's clear name and phone in a list is audited as reading that worker.
        await PersonalDataReads.AuditAsync(audit, caller, items.Where(w => w.Phone is not null).Select(w => w.Id));
        return TypedResults.Ok(new PagedList<WorkerResponse>(items, page.Page, page.PageSize, page.Total));
    }

    /// <summary>The list's filter, confined to what the caller may see (also used by the export).</summary>
    public static WorkerFilter Filter(WorkerListQuery query, Caller caller, Catalogue catalogue, ValidationErrors errors)
    {
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
        if (query.HouseholdType is { } household && !HouseholdTypes.IsKnown(household)) errors.Add("householdType", "应为 poverty-lifted、monitored、relocated 或 ordinary");
        if (query.EmploymentStatus is { } employment && !EmploymentStatuses.IsKnown(employment)) errors.Add("employmentStatus", "未知的就业状态代码");
        // The caller's region is a filter inside the query, never applied to the results afterwards.
        return new WorkerFilter(Scope.Counties(caller, query.CountyCode), query.PrefectureCode, query.TradeId, query.PriorityGroup, query.Destination, query.AvailableBy,
            gender, caller.OnlyPriorityGroupWorkers, caller.LinkedEmployer, Alerts.ChinaDay.Start(query.RegisteredFrom), Alerts.ChinaDay.Start(query.RegisteredTo?.AddDays(1)),
            query.HouseholdType, query.EmploymentStatus);
    }

    public static async Task<Results<Ok<WorkerResponse>, ProblemHttpResult>> GetWorker(
        long id, Caller caller, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var worker = await VisibleAsync(id, caller, store, cancellationToken);
        if (worker is null)
        {
            return ApiResults.NotFound(What);
        }
        Versioning.SetETag(context, worker.Version);
        return TypedResults.Ok(await ViewAsync(worker, caller, store, catalogue, ChinaTime.Today(time), cancellationToken));
    }

    public static async Task<Results<Created<WorkerResponse>, ValidationProblem, ProblemHttpResult>> CreateWorker(
        WorkerInput input, Caller caller, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = WorkerRules.Validate(input, catalogue, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        if (!caller.CanWriteWorker(draft.CountyCode))
        {
            return ApiResults.Forbidden("只能登记户籍在本辖区县的劳动者");
        }
        var result = await store.CreateAsync(draft, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(await HideForeignHolderAsync(result, caller, store, cancellationToken), What);
        }
        var created = (await store.GetAsync(result.Id, cancellationToken))!;
        Versioning.SetETag(context, created.Version);
        return TypedResults.Created($"/api/workers/{result.Id}", WorkerResponse.From(created, catalogue, ChinaTime.Today(time)));
    }

    public static async Task<Results<Ok<WorkerResponse>, ValidationProblem, ProblemHttpResult>> UpdateWorker(
        long id, WorkerInput input, Caller caller, WorkerStore store, Catalogue catalogue, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await VisibleAsync(id, caller, store, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = WorkerRules.Validate(input, catalogue, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        if (!caller.CanWriteWorker(draft.CountyCode))
        {
            return ApiResults.Forbidden("不能把劳动者改到本辖区以外的县");
        }
        var result = await store.UpdateAsync(id, draft, expectedVersion, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(await HideForeignHolderAsync(result, caller, store, cancellationToken), What);
        }
        var worker = (await store.GetAsync(id, cancellationToken))!;
        Versioning.SetETag(context, worker.Version);
        return TypedResults.Ok(WorkerResponse.From(worker, catalogue, ChinaTime.Today(time)));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteWorker(
        long id, Caller caller, WorkerStore store, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await VisibleAsync(id, caller, store, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        return WriteResponses.Deleted(await store.DeleteAsync(id, expectedVersion, cancellationToken), What);
    }

    public static async Task<Results<Ok<WorkerId>, ValidationProblem, ProblemHttpResult>> LookupWorker(
        WorkerLookup lookup, Caller caller, WorkerStore store, CancellationToken cancellationToken)
    {
        // Keyed also by the social security card (社会保障卡) that carries the lifelong training record; given both,
        // the two must name the same worker. Each number given is checked, and every bad one named.
        var errors = new ValidationErrors();
        string? card = null;
        if (lookup.SocialSecurityCardNumber is not null)
        {
            card = WorkerStatusRules.NormalizeCardNumber(lookup.SocialSecurityCardNumber);
            if (card is null)
            {
                errors.Add("socialSecurityCardNumber", "社会保障卡号应为9位：1位大写字母加8位字母或数字");
            }
        }
        ResidentIdInfo? info = null;
        if ((lookup.IdNumber is not null || lookup.SocialSecurityCardNumber is null) && !ResidentIdNumber.TryParse(lookup.IdNumber, out info, out var error))
        {
            errors.Add("idNumber", error!);
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var cardHolder = card is null ? null : await store.FindBySocialSecurityCardAsync(card, cancellationToken);
        if (info is null)
        {
            return cardHolder is { } holder && await VisibleAsync(holder, caller, store, cancellationToken) is not null
                ? TypedResults.Ok(new WorkerId(holder))
                : ApiResults.NotFound("本辖区内该社会保障卡号对应的劳动者");
        }
        var id = await store.FindByIdNumberAsync(info.Normalized, cancellationToken);
        return id is { } found && (card is null || cardHolder == found) && await VisibleAsync(found, caller, store, cancellationToken) is not null
            ? TypedResults.Ok(new WorkerId(found))
            : ApiResults.NotFound("本辖区内该身份证号码对应的劳动者");
    }

    public static async Task<Results<Ok<WorkerRevealed>, ProblemHttpResult>> RevealWorker(
        long id, Caller caller, WorkerStore store, CancellationToken cancellationToken)
    {
        var worker = await VisibleAsync(id, caller, store, cancellationToken);
        if (worker is null || !caller.CanRevealWorker(worker.CountyCode))
        {
            return ApiResults.NotFound(What);
        }
        return TypedResults.Ok(new WorkerRevealed(id, (await store.RevealIdNumberAsync(id, cancellationToken))!, (await store.RevealPhoneAsync(id, cancellationToken))!));
    }

    /// <summary>
    /// A duplicate ID number is named (with the holder's id) only to someone who may see the holder; a holder outside
    /// the caller's scope is not revealed, so registering or editing cannot be used to find who holds a number.
    /// </summary>
    private static async Task<WriteResult> HideForeignHolderAsync(WriteResult result, Caller caller, WorkerStore store, CancellationToken cancellationToken) =>
        result.Status == WriteStatus.Conflict && result.Id > 0 && await VisibleAsync(result.Id, caller, store, cancellationToken) is null
            ? WriteResult.Conflict("该身份证号码已在其他县登记，请联系其户籍所在县核实")
            : result;

    /// <summary>The worker if the caller may see it; otherwise null, answered as 404 so existence does not leak.</summary>
    internal static async Task<Worker?> VisibleAsync(long id, Caller caller, WorkerStore store, CancellationToken cancellationToken)
    {
        var worker = await store.GetAsync(id, cancellationToken);
        if (worker is null)
        {
            return null;
        }
        var linked = caller.LinkedEmployer is { } employer && (await store.EmployerLinkAsync(id, employer, cancellationToken)).Linked;
        return caller.CanSeeWorker(worker.CountyCode, worker.PriorityGroups, linked) ? worker : null;
    }

    private static async Task<WorkerResponse> ViewAsync(Worker worker, Caller caller, WorkerStore store, Catalogue catalogue, DateOnly today, CancellationToken cancellationToken)
    {
        if (caller.LinkedEmployer is not { } employer)
        {
            return WorkerResponse.From(worker, catalogue, today);
        }
        var (_, accepted) = await store.EmployerLinkAsync(worker.Id, employer, cancellationToken);
        return WorkerResponse.ForEnterprise(worker, catalogue, today, accepted, accepted ? await store.RevealPhoneAsync(worker.Id, cancellationToken) : null);
    }
}
