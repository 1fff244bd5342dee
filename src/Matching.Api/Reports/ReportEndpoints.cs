using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Scheduling.Reports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Reports;

public sealed record ReportListQuery(int? Page, int? PageSize, string? Kind, string? Period, bool? AllVersions);

/// <summary>
/// Reports (月调度, 季小结, 年总结): generated on schedule, or again by an admin when late data arrive (a new version;
/// the latest is current). A download is rendered from the stored figures of the reader's counties only.
/// </summary>
public static class ReportEndpoints
{
    private static readonly string[] Readers = [Roles.Admin, Roles.RuralRevitalisation, Roles.PrefectureOffice, Roles.CountyOffice];

    public static RouteGroupBuilder MapReports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/reports").WithTags("Reports");
        group.MapGet("/", ListReports).WithName("ListReports").WithSummary("月调度、季小结、年总结列表（默认只列当前版本）").RequireRoles(Readers);
        group.MapGet("/{id:long}/download", DownloadReport).WithName("DownloadReport").WithSummary("下载报告（.xlsx，仅本辖区各县）")
            .RequireRoles(Readers).Audited("report.download", "report");
        group.MapPost("/{kind}/{period}", GenerateReport).WithName("GenerateReport").WithSummary("生成或重新生成某期报告（新版本，保留旧版本）")
            .RequireRoles(Roles.Admin).Audited("report.generate", "report");
        return group;
    }

    public static async Task<Results<Ok<PagedList<StoredReport>>, ValidationProblem>> ListReports(
        [AsParameters] ReportListQuery query, ReportStore reports, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.Kind is { } kind && !ReportKinds.All.Contains(kind))
        {
            errors.Add("kind", "应为 monthly（月调度）、quarterly（季小结）或 annual（年总结）");
        }
        if (query.Period is { Length: > 10 })
        {
            errors.Add("period", "期间应写作 2026-06、2026-Q2 或 2026");
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await reports.ListAsync(query.Kind, query.Period, query.AllVersions ?? false, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadReport(
        long id, Caller caller, ReportStore reports, SummaryReports summaries, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(id, cancellationToken);
        if (report is null)
        {
            return ApiResults.NotFound("报告");
        }
        // Built from the reader's counties only: another region's figures are never read for this answer.
        var counties = caller.WorkerCounties;
        var figures = await reports.FiguresAsync(id, counties, cancellationToken);
        var scope = counties is null ? "贵州省（全省）" : ScopeName(counties, catalogue);
        return TypedResults.File(summaries.Render(report, figures, counties, scope), ReportStore.ContentType, $"{report.Kind}-{report.Period}-v{report.Version}.xlsx");
    }

    public static async Task<Results<Created<StoredReport>, ValidationProblem>> GenerateReport(
        string kind, string period, Caller caller, SummaryReports summaries, ReportStore reports, CancellationToken cancellationToken)
    {
        if (!ReportKinds.All.Contains(kind))
        {
            return ApiResults.Invalid("kind", "应为 monthly（月调度）、quarterly（季小结）或 annual（年总结）");
        }
        if (SummaryReports.ParsePeriod(kind, period) is not { } days)
        {
            return ApiResults.Invalid("period", "期间应写作 2026-06（月调度）、2026-Q2（季小结）或 2026（年总结）");
        }
        var (id, _) = await summaries.GenerateAsync(kind, period, days.From, days.To, caller.Name, cancellationToken);
        return TypedResults.Created($"/api/reports/{id}/download", await reports.GetAsync(id, cancellationToken));
    }

    private static string ScopeName(IReadOnlyList<string> counties, Catalogue catalogue)
    {
        var prefectures = counties.Select(c => catalogue.PrefectureOf(c)).Distinct().ToList();
        return prefectures.Count == 1 && prefectures[0] is { } p && catalogue.GuizhouCounties.Count(c => c.ParentCode == p) == counties.Count
            ? catalogue.NameOf(p)
            : string.Join("、", counties.Select(catalogue.NameOf));
    }
}
