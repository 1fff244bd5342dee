using System.Text;
using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Reports;

public sealed record ReportListQuery(int? Page, int? PageSize, string? Kind);

/// <summary>Stored summary reports (季小结, 年总结), written by the scheduler: counts per prefecture, no personal data.</summary>
public static class ReportEndpoints
{
    private static readonly string[] Readers = [Roles.Admin, Roles.RuralRevitalisation, Roles.PrefectureOffice, Roles.CountyOffice];

    public static RouteGroupBuilder MapReports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/reports").WithTags("Reports");
        group.MapGet("/", ListReports).WithName("ListReports").WithSummary("季小结、年总结列表").RequireRoles(Readers);
        group.MapGet("/{id:long}/download", DownloadReport).WithName("DownloadReport").WithSummary("下载报告（CSV）")
            .RequireRoles(Readers).Audited("report.download", "report");
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
            errors.Add("kind", "应为 quarterly（季小结）或 annual（年总结）");
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await reports.ListAsync(query.Kind, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadReport(long id, ReportStore reports, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(id, cancellationToken);
        var content = report is null ? null : await reports.ContentAsync(id, cancellationToken);
        if (report is null || content is null)
        {
            return ApiResults.NotFound("报告");
        }
        return TypedResults.File(Encoding.UTF8.GetBytes(content), report.ContentType, report.FileName);
    }
}
