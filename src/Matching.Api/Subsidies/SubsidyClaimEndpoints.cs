using System.Globalization;
using System.Text;
using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Enrolments;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Subsidies;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Subsidies;

public sealed record FindingResponse(string Code, string Title, FindingSeverity Severity, string SeverityName, string Reason)
{
    public static FindingResponse From(IntegrityFinding f) => new(f.Code, f.Title, f.Severity, f.Severity == FindingSeverity.Block ? "不予通过" : "需人工核查", f.Reason);
}

/// <summary>A claim as offices see it: amounts, the account masked, the findings of its last check.</summary>
public sealed record SubsidyClaimResponse(
    long Id,
    long WorkerId,
    string WorkerName,
    string CountyCode,
    string CountyName,
    long EnrolmentId,
    long CohortId,
    string CohortName,
    long CertificateId,
    string CertificateType,
    string CertificateTypeName,
    string TradeId,
    string TradeName,
    int? Level,
    int Amount,
    int LivingAllowance,
    int Total,
    string Basis,
    string BankAccountMasked,
    string Status,
    string StatusName,
    IReadOnlyList<FindingResponse> Findings,
    bool Blocked,
    DateTimeOffset CheckedAt,
    DateOnly ClaimedOn,
    int? GrantedYear,
    string CreatedBy,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionNote,
    long? PaymentBatchId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned
{
    public static SubsidyClaimResponse From(SubsidyClaim c, Catalogue catalogue) => new(c.Id, c.WorkerId, c.WorkerName, c.CountyCode, catalogue.NameOf(c.CountyCode),
        c.EnrolmentId, c.CohortId, c.CohortName, c.CertificateId, c.CertificateType, catalogue.CertificateTypesById.GetValueOrDefault(c.CertificateType)?.Name ?? c.CertificateType,
        c.TradeId, catalogue.TradesById.GetValueOrDefault(c.TradeId)?.Name ?? c.TradeId, c.Level, c.Amount, c.LivingAllowance, c.Total, c.Basis, c.BankAccountMasked,
        c.Status, ClaimStatus.NameOf(c.Status), c.Findings.Select(FindingResponse.From).ToList(), IntegrityRules.Blocks(c.Findings), c.CheckedAt, c.ClaimedOn,
        c.GrantedYear, c.CreatedBy, c.DecidedBy, c.DecidedAt, c.DecisionNote, c.PaymentBatchId, c.CreatedAt, c.UpdatedAt, c.Version);
}

public sealed record SubsidyClaimListQuery(int? Page, int? PageSize, string? Status, string? CountyCode, long? WorkerId, long? CohortId, int? Year);

/// <summary>A batch check of every submitted claim of the cohorts that ended in a year.</summary>
public sealed record BatchCheckInput(int? Year);

/// <summary>
/// Certificate subsidy claims (证书直补申领): created by the worker's county office from a completed enrolment and the
/// certificate it led to; checked for fraud (防止骗取、套取培训资金) when created, on request, and again before approval,
/// which no blocking finding passes; rejected with a reason; exported once for payment. Every step is audited.
/// </summary>
public static class SubsidyClaimEndpoints
{
    private const string What = "补贴申领";
    public static readonly string[] Readers = [Roles.CountyOffice, Roles.PrefectureOffice, Roles.Admin];

    public static RouteGroupBuilder MapSubsidyClaims(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/subsidy-claims").WithTags("Subsidy claims");
        group.MapGet("/", ListClaims).WithName("ListSubsidyClaims").WithSummary("补贴申领列表（本辖区）").RequireRoles(Readers);
        group.MapPost("/", CreateClaim).WithName("CreateSubsidyClaim").WithSummary("为本县已结业并取得证书的劳动者提交证书补贴申领（同时核查）")
            .RequireRoles(Roles.CountyOffice).Audited("subsidy-claim.create", "subsidy-claim").WithIdempotencyKey();
        group.MapGet("/{id:long}", GetClaim).WithName("GetSubsidyClaim").WithSummary("查看补贴申领及核查结果")
            .RequireRoles(Readers).Audited("subsidy-claim.read", "subsidy-claim");
        group.MapPost("/{id:long}/check", CheckClaim).WithName("CheckSubsidyClaim").WithSummary("重新核查待审核的申领")
            .RequireRoles(Roles.CountyOffice).Audited("subsidy-claim.check", "subsidy-claim");
        group.MapPost("/{id:long}/approve", ApproveClaim).WithName("ApproveSubsidyClaim").WithSummary("审核通过（审核前再次核查；有不予通过项时拒绝）")
            .RequireRoles(Roles.CountyOffice).Audited("subsidy-claim.approve", "subsidy-claim").WithIdempotencyKey();
        group.MapPost("/{id:long}/reject", RejectClaim).WithName("RejectSubsidyClaim").WithSummary("驳回申领（须写明理由）")
            .RequireRoles(Roles.CountyOffice).Audited("subsidy-claim.reject", "subsidy-claim").WithIdempotencyKey();
        group.MapPost("/payment-file", ExportPayments).WithName("ExportSubsidyPayments").WithSummary("导出已审核通过申领的拨付文件（CSV；导出后为已拨付）")
            .RequireRoles(Roles.CountyOffice, Roles.Admin).Audited("subsidy-claim.payment-file", "subsidy-claim");
        group.MapPost("/checks", CheckYear).WithName("CheckSubsidyClaimsOfYear").WithSummary("批量核查某年结业班期的全部待审核申领（管理员）")
            .RequireRoles(Roles.Admin).Audited("subsidy-claim.batch-check", "subsidy-claim");
        return group;
    }

    public static async Task<Results<Ok<PagedList<SubsidyClaimResponse>>, ValidationProblem>> ListClaims(
        [AsParameters] SubsidyClaimListQuery query, Caller caller, SubsidyClaimStore store, Catalogue catalogue, CancellationToken cancellationToken)
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
        return TypedResults.Ok(new PagedList<SubsidyClaimResponse>(page.Items.Select(c => SubsidyClaimResponse.From(c, catalogue)).ToList(), page.Page, page.PageSize, page.Total));
    }

    /// <summary>The list's filter within the caller's scope (the list and its export share it); problems go to <paramref name="errors"/>.</summary>
    public static SubsidyClaimFilter Filter(SubsidyClaimListQuery query, Caller caller, Catalogue catalogue, ValidationErrors errors)
    {
        if (query.Status is { } status && !ClaimStatus.All.Contains(status)) errors.Add("status", "应为 " + string.Join("、", ClaimStatus.All));
        if (query.CountyCode is { } county && !catalogue.IsGuizhouCounty(county)) errors.Add("countyCode", "不是贵州省的县级行政区划代码");
        if (query.Year is < 2000 or > 2100) errors.Add("year", "年度应在2000至2100之间");
        return new SubsidyClaimFilter(Scope.Counties(caller, query.CountyCode), query.Status, query.WorkerId, query.CohortId, query.Year);
    }

    public static async Task<Results<Created<SubsidyClaimResponse>, ValidationProblem, ProblemHttpResult>> CreateClaim(
        SubsidyClaimInput input, Caller caller, EnrolmentStore enrolments, SubsidyClaimStore store, Catalogue catalogue, HttpContext context,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var valid = SubsidyRules.Validate(input, errors);
        if (valid is not var (enrolmentId, certificateId, account))
        {
            return ApiResults.Invalid(errors);
        }
        var enrolment = await enrolments.GetAsync(enrolmentId, cancellationToken);
        if (enrolment is null || !caller.CanDecideClaim(enrolment.WorkerCounty))
        {
            return ApiResults.Invalid("enrolmentId", "报名记录不存在或不属于本县劳动者");
        }
        var result = await store.CreateAsync(enrolmentId, certificateId, account, caller.Name, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, What);
        }
        var claim = (await store.GetAsync(result.Id, cancellationToken))!;
        Versioning.SetETag(context, claim.Version);
        return TypedResults.Created($"/api/subsidy-claims/{claim.Id}", SubsidyClaimResponse.From(claim, catalogue));
    }

    public static async Task<Results<Ok<SubsidyClaimResponse>, ProblemHttpResult>> GetClaim(
        long id, Caller caller, SubsidyClaimStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var claim = await store.GetAsync(id, cancellationToken);
        if (claim is null || !caller.CanSeeClaim(claim.CountyCode))
        {
            return ApiResults.NotFound(What);
        }
        Versioning.SetETag(context, claim.Version);
        return TypedResults.Ok(SubsidyClaimResponse.From(claim, catalogue));
    }

    public static async Task<Results<Ok<SubsidyClaimResponse>, ProblemHttpResult>> CheckClaim(
        long id, Caller caller, SubsidyClaimStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (await DecidableAsync(id, caller, store, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var decision = await store.CheckAsync(id, cancellationToken);
        if (decision.Result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(decision.Result, What);
        }
        var claim = (await store.GetAsync(id, cancellationToken))!;
        Versioning.SetETag(context, claim.Version);
        return TypedResults.Ok(SubsidyClaimResponse.From(claim, catalogue));
    }

    public static async Task<Results<Ok<SubsidyClaimResponse>, ValidationProblem, ProblemHttpResult>> ApproveClaim(
        long id, ClaimApprovalInput input, Caller caller, SubsidyClaimStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await DecidableAsync(id, caller, store, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        if (SubsidyRules.Validate(input, errors) is not var (reviewed, note))
        {
            return ApiResults.Invalid(errors);
        }
        var decision = await store.ApproveAsync(id, reviewed, note, caller.Name, expectedVersion, cancellationToken);
        if (decision.Result.Status == WriteStatus.Conflict && decision.Findings.Count > 0)
        {
            // Refused on its findings: the problem names each one, so the office sees what to check or why it cannot pass.
            return TypedResults.Problem(title: decision.Result.Message, statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["findings"] = decision.Findings.Select(FindingResponse.From).ToList() });
        }
        if (decision.Result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(decision.Result, What);
        }
        var claim = (await store.GetAsync(id, cancellationToken))!;
        Versioning.SetETag(context, claim.Version);
        return TypedResults.Ok(SubsidyClaimResponse.From(claim, catalogue));
    }

    public static async Task<Results<Ok<SubsidyClaimResponse>, ValidationProblem, ProblemHttpResult>> RejectClaim(
        long id, ClaimRejectionInput input, Caller caller, SubsidyClaimStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await DecidableAsync(id, caller, store, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var reason = SubsidyRules.Validate(input, errors);
        if (reason is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.RejectAsync(id, reason, caller.Name, expectedVersion, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, What);
        }
        var claim = (await store.GetAsync(id, cancellationToken))!;
        Versioning.SetETag(context, claim.Version);
        return TypedResults.Ok(SubsidyClaimResponse.From(claim, catalogue));
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ExportPayments(
        PaymentFileInput input, Caller caller, SubsidyClaimStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var county = input.CountyCode?.Trim();
        if (county is not null && !catalogue.IsGuizhouCounty(county))
        {
            return ApiResults.Invalid("countyCode", "不是贵州省的县级行政区划代码");
        }
        IReadOnlyList<string> counties = caller.IsAdmin
            ? (county is null ? catalogue.GuizhouCounties.Select(c => c.Code).ToList() : [county])
            : Scope.Counties(caller, county)!;
        if (county is not null && !counties.Contains(county))
        {
            return ApiResults.Forbidden("只能导出本辖区县的拨付文件");
        }
        var file = await store.ExportPaymentsAsync(counties, caller.Name, cancellationToken);
        if (file is null)
        {
            return TypedResults.Problem(title: "没有已审核通过、待拨付的补贴申领", statusCode: StatusCodes.Status409Conflict);
        }
        var csv = new StringBuilder("\uFEFF申领编号,姓名,身份证号码（脱敏）,县,银行账号,证书补贴（元）,生活费补贴（元）,合计（元）\n");
        foreach (var line in file.Lines)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{line.ClaimId},{CsvText.Cell(line.WorkerName)},{line.IdNumberMasked},{CsvText.Cell(catalogue.NameOf(line.CountyCode))},'{line.BankAccount},{line.Amount},{line.LivingAllowance},{line.Amount + line.LivingAllowance}\n");
        }
        csv.Append(CultureInfo.InvariantCulture, $"合计,{file.Lines.Count}笔,,,,,,{file.Total}\n");
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"补贴拨付文件-{file.BatchId}.csv");
    }

    public static async Task<Results<Ok<BatchCheckSummary>, ValidationProblem>> CheckYear(
        BatchCheckInput input, Database database, PersonalDataProtector protector, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(time);
        if (input.Year is not { } year || year < today.Year - 5 || year > today.Year)
        {
            return ApiResults.Invalid("year", $"年度应在{today.Year - 5}至{today.Year}之间");
        }
        return TypedResults.Ok(await IntegrityBatch.CheckYearAsync(database, protector, catalogue, year, today, time.GetUtcNow(), cancellationToken: cancellationToken));
    }

    private static async Task<SubsidyClaim?> DecidableAsync(long id, Caller caller, SubsidyClaimStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } claim && caller.CanDecideClaim(claim.CountyCode) ? claim : null;
}
