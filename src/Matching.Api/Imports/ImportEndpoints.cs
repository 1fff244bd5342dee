using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Imports;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Imports;

public sealed record ImportQuery(string? Mode, string? OnExisting, string? FileName);

/// <summary>An import job with its progress, the rows it rejected or reported (first 200) and where to get the rest.</summary>
public sealed record ImportResponse(ImportJob Job, string? Phase, int ProgressDone, int ProgressTotal, IReadOnlyList<ImportRejection> Rejections, int RejectionsShown,
    string ResultUrl, string RejectionsUrl);

/// <summary>
/// Excel import of survey sheets (摸排表): upload as a background job, follow its progress, read the rejected rows,
/// download the sheet back with an error column; and the blank template.
/// </summary>
public static class ImportEndpoints
{
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string What = "导入任务";

    public static RouteGroupBuilder MapImports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/imports").WithTags("Imports");
        group.MapPost("/workers", ImportWorkers).WithName("ImportWorkers")
            .WithSummary("上传摸排表（.xlsx 文件作为请求体；mode=all-or-nothing|valid-rows，onExisting=update|report），后台导入")
            .Accepts<byte[]>(XlsxContentType, "application/octet-stream")
            .WithMetadata(new FileSizeLimit(SpreadsheetGuard.MaxFileBytes))
            .RequireRoles(Roles.CountyOffice).Audited("import.create", "import");
        group.MapGet("/workers/template", Template).WithName("WorkerImportTemplate").WithSummary("下载摸排表导入模板（.xlsx）")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin);
        group.MapGet("/{id:long}", GetImport).WithName("GetImport").WithSummary("导入进度与结果（被拒绝的行：行号、列、原因）")
            .RequireRoles(Roles.CountyOffice, Roles.Admin);
        group.MapGet("/{id:long}/rejections", Rejections).WithName("ImportRejections").WithSummary("全部被拒绝或仅报告的行")
            .RequireRoles(Roles.CountyOffice, Roles.Admin);
        group.MapGet("/{id:long}/result", Result).WithName("ImportResult").WithSummary("下载原表并附“错误说明”列（.xlsx）")
            .RequireRoles(Roles.CountyOffice, Roles.Admin).Audited("import.result", "import");
        return group;
    }

    public static async Task<Results<Accepted<ImportResponse>, ValidationProblem, ProblemHttpResult>> ImportWorkers(
        [AsParameters] ImportQuery query, HttpRequest request, Caller caller, ImportJobStore jobs, ImportSignal signal, ImportProgress progress, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = SpreadsheetGuard.MaxFileBytes;
        }
        return await StartImport(query, request.ContentType, request.Body, caller, jobs, signal, progress, cancellationToken);
    }

    /// <summary>
    /// Starts an import of <paramref name="file"/> sent as <paramref name="contentType"/>: the request body of the API,
    /// or the file a clerk chose in the web application's upload form (the same checks either way).
    /// </summary>
    public static async Task<Results<Accepted<ImportResponse>, ValidationProblem, ProblemHttpResult>> StartImport(
        ImportQuery query, string? contentType, Stream file, Caller caller, ImportJobStore jobs, ImportSignal signal, ImportProgress progress, CancellationToken cancellationToken)
    {
        var errors = new Domain.Validation.ValidationErrors();
        var mode = query.Mode ?? ImportModes.ValidRows;
        var onExisting = query.OnExisting ?? ImportModes.Report;
        if (mode is not (ImportModes.AllOrNothing or ImportModes.ValidRows)) errors.Add("mode", "应为 all-or-nothing（全部或全不）或 valid-rows（仅导入有效行）");
        if (onExisting is not (ImportModes.Update or ImportModes.Report)) errors.Add("onExisting", "应为 update（更新已登记的本县劳动者）或 report（仅报告）");
        var fileName = Domain.Validation.Check.Text(errors, "fileName", query.FileName, 200) ?? "摸排表.xlsx";
        var mediaType = contentType?.Split(';')[0].Trim();
        if (mediaType is not (XlsxContentType or "application/octet-stream"))
        {
            errors.Add("Content-Type", $"请求体应为 .xlsx 文件（Content-Type: {XlsxContentType}）");
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > SpreadsheetGuard.MaxFileBytes)
            {
                return TypedResults.Problem(title: "请求内容过大", detail: $"文件不能超过 {SpreadsheetGuard.MaxFileBytes / 1024 / 1024} MB", statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            body.Write(buffer, 0, read);
        }
        var id = await jobs.CreateAsync(caller.UserId, caller.Name, caller.CountyCodes, fileName, body.ToArray(), mode, onExisting, cancellationToken);
        signal.Poke();
        var job = (await jobs.GetAsync(id, cancellationToken))!;
        return TypedResults.Accepted($"/api/imports/{id}", Response(job, [], progress));
    }

    public static FileContentHttpResult Template(Catalogue catalogue) =>
        TypedResults.File(SurveyWorkbooks.Template(catalogue), XlsxContentType, "劳动力摸排表导入模板.xlsx");

    public static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> GetImport(long id, Caller caller, ImportJobStore jobs, ImportProgress progress, CancellationToken cancellationToken)
    {
        var job = await OwnAsync(id, caller, jobs, cancellationToken);
        if (job is null)
        {
            return ApiResults.NotFound(What);
        }
        return TypedResults.Ok(Response(job, await jobs.RejectionsAsync(id, cancellationToken), progress));
    }

    public static async Task<Results<Ok<IReadOnlyList<ImportRejection>>, ProblemHttpResult>> Rejections(long id, Caller caller, ImportJobStore jobs, CancellationToken cancellationToken) =>
        await OwnAsync(id, caller, jobs, cancellationToken) is null ? ApiResults.NotFound(What) : TypedResults.Ok(await jobs.RejectionsAsync(id, cancellationToken));

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Result(long id, Caller caller, ImportJobStore jobs, CancellationToken cancellationToken)
    {
        var job = await OwnAsync(id, caller, jobs, cancellationToken);
        if (job is null)
        {
            return ApiResults.NotFound(What);
        }
        if (job.Status is ImportModes.Queued or ImportModes.Running)
        {
            return TypedResults.Problem(title: "导入尚未完成，请稍后再下载", statusCode: StatusCodes.Status409Conflict);
        }
        if (job.Status is ImportModes.Refused or ImportModes.Failed)
        {
            return TypedResults.Problem(title: "该文件未能读取，没有逐行结果", detail: job.Message, statusCode: StatusCodes.Status409Conflict);
        }
        var content = (await jobs.ContentAsync(id, cancellationToken))!;
        var annotated = SurveyWorkbooks.WithErrors(content, await jobs.RejectionsAsync(id, cancellationToken));
        return TypedResults.File(annotated, XlsxContentType, $"导入结果-{id}.xlsx");
    }

    /// <summary>The job if the caller started it (or is an admin); others read it as not found.</summary>
    private static async Task<ImportJob?> OwnAsync(long id, Caller caller, ImportJobStore jobs, CancellationToken cancellationToken) =>
        await jobs.GetAsync(id, cancellationToken) is { } job && (caller.IsAdmin || job.UserId == caller.UserId) ? job : null;

    private static ImportResponse Response(ImportJob job, IReadOnlyList<ImportRejection> rejections, ImportProgress progress)
    {
        var live = progress.Of(job.Id);
        var shown = rejections.Take(200).ToList();
        return new ImportResponse(job, live?.Phase ?? job.Status, live?.Done ?? job.ProcessedRows, live?.Total ?? job.TotalRows, shown, shown.Count,
            $"/api/imports/{job.Id}/result", $"/api/imports/{job.Id}/rejections");
    }
}

/// <summary>The body limit of an endpoint that takes a file (the service's default is 1 MB).</summary>
public sealed record FileSizeLimit(long? MaxRequestBodySize) : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata;

/// <summary>Wakes the import runner when a file arrives.</summary>
public sealed class ImportSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Poke()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already poked.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Runs queued import jobs one at a time in the background. At start, a job a stop cut off is queued again: its
/// writes are one transaction, so it had written nothing.
/// </summary>
public sealed class ImportJobRunner(ImportJobStore jobs, WorkerImporter importer, ImportSignal signal, ILogger<ImportJobRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var requeued = await jobs.RequeueInterruptedAsync(stoppingToken);
        if (requeued > 0)
        {
            logger.LogInformation("Import: {Count} interrupted jobs queued again", requeued);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await jobs.ClaimNextAsync(stoppingToken) is { } id)
                {
                    await RunOneAsync(id, stoppingToken);
                }
                await signal.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Runs the job; a job that throws is recorded as failed with nothing written, and the runner goes on.</summary>
    public async Task RunOneAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await importer.RunAsync(id, cancellationToken);
            logger.LogInformation("Import {Id}: {Status}, {Created} created, {Updated} updated, {Rejected} rows rejected",
                id, outcome.Status, outcome.Created, outcome.Updated, outcome.Rejected);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Import {Id} failed; nothing was written", id);
            await jobs.FinishAsync(id, new ImportOutcome(ImportModes.Failed, "导入过程中出错，未写入任何数据；请稍后重试或联系管理员", null, [], 0, 0, 0, 0, 0, []),
                CancellationToken.None);
        }
    }
}
