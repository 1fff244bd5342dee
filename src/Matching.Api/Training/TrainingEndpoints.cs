using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Api.Workers;
using Matching.Data.Cohorts;
using Matching.Data.Enrolments;
using Matching.Data.Storage;
using Matching.Data.Training;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Training;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Training;

/// <summary>A result with the Chinese name of its completion.</summary>
public sealed record TrainingResultResponse(
    long EnrolmentId,
    long CohortId,
    long WorkerId,
    int DaysScheduled,
    int? DaysAttended,
    double? AttendanceRate,
    string Completion,
    string CompletionName,
    DateOnly? CompletedOn,
    bool? AssessmentPassed,
    DateOnly? AssessedOn,
    string? AssessingBody,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public static TrainingResultResponse From(TrainingResult r) => new(r.EnrolmentId, r.CohortId, r.WorkerId, r.DaysScheduled, r.DaysAttended,
        r.DaysAttended is { } a && r.DaysScheduled > 0 ? Math.Round((double)a / r.DaysScheduled, 4) : null, r.Completion, Domain.Training.Completion.NameOf(r.Completion),
        r.CompletedOn, r.AssessmentPassed, r.AssessedOn, r.AssessingBody, r.UpdatedAt, r.Version);
}

/// <summary>A recorded certificate with the names of its type, trade, level and issuing province.</summary>
public sealed record CertificateResponse(
    long Id,
    long WorkerId,
    long? EnrolmentId,
    string Type,
    string TypeName,
    string TradeId,
    string TradeName,
    int? Level,
    string? LevelName,
    bool HighSkilled,
    string Number,
    string IssuingBody,
    string IssuingProvince,
    string IssuingProvinceName,
    DateOnly IssuedOn,
    DateOnly? ExpiresOn,
    DateTimeOffset CreatedAt)
{
    public static CertificateResponse From(Certificate c, Catalogue catalogue)
    {
        var level = c.Level is { } l ? catalogue.SkillLevelsByLevel.GetValueOrDefault(l) : null;
        return new(c.Id, c.WorkerId, c.EnrolmentId, c.Type, catalogue.CertificateTypesById.GetValueOrDefault(c.Type)?.Name ?? c.Type, c.TradeId,
            catalogue.TradesById.GetValueOrDefault(c.TradeId)?.Name ?? c.TradeId, c.Level, level?.Name, level?.HighSkilled ?? false, c.Number, c.IssuingBody,
            c.IssuingProvince, catalogue.NameOf(c.IssuingProvince), c.IssuedOn, c.ExpiresOn, c.CreatedAt);
    }
}

/// <summary>
/// What happened in a cohort: attendance (考勤), completion (结业) and assessment (考核/鉴定) per enrolment, entered by the
/// enterprise that runs the cohort one at a time or imported as a batch, and the certificates (证书) its trainees gained
/// there; certificates are also recorded by the worker's county office. Who records for a cohort is one rule
/// (<see cref="Caller.CanRecordTraining"/>). A certificate raises the worker's level in its trade.
/// </summary>
public static class TrainingEndpoints
{
    public static RouteGroupBuilder MapTraining(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Training");
        group.MapPut("/enrolments/{id:long}/result", RecordResult).WithName("RecordTrainingResult").WithSummary("登记学员考勤、结业与考核结果（本企业班期）")
            .RequireRoles(Roles.Enterprise).Audited("training.result", "enrolment");
        group.MapGet("/enrolments/{id:long}/result", GetResult).WithName("GetTrainingResult").WithSummary("查看学员培训结果")
            .RequireRoles(RoleEndpointExtensions.AnyRole);
        group.MapPost("/cohorts/{id:long}/results", ImportResults).WithName("ImportTrainingResults").WithSummary("批量导入班期学员的考勤、结业与考核结果（全部成功或全部不改）")
            .RequireRoles(Roles.Enterprise).Audited("training.results.import", "cohort");
        group.MapGet("/cohorts/{id:long}/results", ListResults).WithName("ListTrainingResults").WithSummary("班期学员的培训结果（本企业/本辖区）")
            .RequireRoles(RoleEndpointExtensions.AnyRole);
        group.MapPost("/enrolments/{id:long}/certificates", RecordCohortCertificate).WithName("RecordCohortCertificate")
            .WithSummary("登记学员在本企业班期取得的证书（发证日期不早于开班；提升该工种技能等级）")
            .RequireRoles(Roles.Enterprise).Audited("training.certificate", "enrolment");
        group.MapGet("/cohorts/{id:long}/certificates", ListCohortCertificates).WithName("ListCohortCertificates").WithSummary("班期学员在本班期取得的证书（本企业/本辖区）")
            .RequireRoles(RoleEndpointExtensions.AnyRole);
        group.MapPost("/workers/{id:long}/certificates", RecordCertificate).WithName("RecordCertificate").WithSummary("登记劳动者取得的证书（本县；提升该工种技能等级）")
            .RequireRoles(Roles.CountyOffice).Audited("certificate.create", "worker");
        group.MapGet("/workers/{id:long}/certificates", ListCertificates).WithName("ListCertificates").WithSummary("劳动者已登记的证书")
            .RequireRoles(RoleEndpointExtensions.AnyRole);
        return group;
    }

    public static async Task<Results<Ok<TrainingResultResponse>, ValidationProblem, ProblemHttpResult>> RecordResult(
        long id, TrainingResultInput input, Caller caller, EnrolmentStore enrolments, CohortStore cohorts, TrainingRecordStore store, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await RecordableAsync(id, caller, enrolments, cohorts, cancellationToken) is not ({ } _, { } cohort))
        {
            return ApiResults.NotFound("报名记录");
        }
        var errors = new ValidationErrors();
        var draft = TrainingRules.Validate(input, cohort.StartDate, cohort.EndDate, cohort.Status, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.RecordResultsAsync(cohort.Id, [(id, draft)], "", cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, "报名记录");
        }
        return TypedResults.Ok(TrainingResultResponse.From((await store.ResultAsync(id, cancellationToken))!));
    }

    public static async Task<Results<Ok<TrainingResultResponse>, ProblemHttpResult>> GetResult(
        long id, Caller caller, EnrolmentStore enrolments, TrainingRecordStore store, CancellationToken cancellationToken)
    {
        var enrolment = await enrolments.GetAsync(id, cancellationToken);
        var visible = enrolment is not null && (caller.Role == Roles.Enterprise
            ? caller.EmployerId == enrolment.EmployerId
            : caller.CanSeeWorker(enrolment.WorkerCounty, enrolment.WorkerPriorityGroups, false));
        if (!visible || await store.ResultAsync(id, cancellationToken) is not { } result)
        {
            return ApiResults.NotFound("培训结果");
        }
        return TypedResults.Ok(TrainingResultResponse.From(result));
    }

    public static async Task<Results<Ok<IReadOnlyList<TrainingResultResponse>>, ValidationProblem, ProblemHttpResult>> ImportResults(
        long id, TrainingResultBatch batch, Caller caller, CohortStore cohorts, TrainingRecordStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var cohort = await cohorts.GetAsync(id, cancellationToken);
        if (cohort is null || !caller.CanRecordTraining(cohort.EmployerId))
        {
            return ApiResults.NotFound("培训班期");
        }
        var errors = new ValidationErrors();
        var rows = Check.List(errors, "rows", batch.Rows, TrainingRules.MaxBatchRows, required: true);
        var drafts = new List<(long, TrainingResultDraft)>(rows.Count);
        var today = ChinaTime.Today(time);
        for (var i = 0; i < rows.Count; i++)
        {
            var prefix = $"rows[{i}].";
            if (rows[i]?.EnrolmentId is not ({ } enrolmentId and > 0))
            {
                errors.Add(prefix + "enrolmentId", "必填");
                continue;
            }
            if (drafts.Any(d => d.Item1 == enrolmentId))
            {
                errors.Add(prefix + "enrolmentId", "重复");
                continue;
            }
            if (TrainingRules.Validate(rows[i].ToResult(), cohort.StartDate, cohort.EndDate, cohort.Status, today, errors, prefix) is { } draft)
            {
                drafts.Add((enrolmentId, draft));
            }
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.RecordResultsAsync(id, drafts, "rows[{0}].", cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, "培训班期");
        }
        return TypedResults.Ok<IReadOnlyList<TrainingResultResponse>>((await store.CohortResultsAsync(id, null, false, cancellationToken)).Select(TrainingResultResponse.From).ToList());
    }

    public static async Task<Results<Ok<IReadOnlyList<TrainingResultResponse>>, ProblemHttpResult>> ListResults(
        long id, Caller caller, CohortStore cohorts, TrainingRecordStore store, CancellationToken cancellationToken)
    {
        var cohort = await cohorts.GetAsync(id, cancellationToken);
        if (cohort is null || !caller.CanSeeEmployerData(cohort.EmployerId))
        {
            return ApiResults.NotFound("培训班期");
        }
        // Offices see the results of their own counties' trainees, rural revitalisation staff those of priority groups: filtered in the query.
        var results = await store.CohortResultsAsync(id, caller.WorkerCounties, caller.OnlyPriorityGroupWorkers, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<TrainingResultResponse>>(results.Select(TrainingResultResponse.From).ToList());
    }

    /// <summary>A certificate a trainee gained in the cohort, recorded by whoever records the cohort's results; the enrolment is the route's.</summary>
    public static async Task<Results<Created<CertificateResponse>, ValidationProblem, ProblemHttpResult>> RecordCohortCertificate(
        long id, CertificateInput input, Caller caller, EnrolmentStore enrolments, CohortStore cohorts, TrainingRecordStore store, Catalogue catalogue,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await RecordableAsync(id, caller, enrolments, cohorts, cancellationToken) is not ({ } enrolment, { } cohort))
        {
            return ApiResults.NotFound("报名记录");
        }
        var errors = new ValidationErrors();
        // The enrolment is the address's; one named in the body as well must be the same.
        if (input.EnrolmentId is { } named && named != id)
        {
            errors.Add("enrolmentId", "应与地址中的报名编号一致（可不填）");
        }
        var draft = TrainingRules.Validate(input with { EnrolmentId = id }, catalogue, ChinaTime.Today(time), errors, cohort.StartDate);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.CreateCertificateAsync(enrolment.WorkerId, draft, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, "报名记录");
        }
        return TypedResults.Created($"/api/cohorts/{cohort.Id}/certificates", CertificateResponse.From((await store.CertificateAsync(result.Id, cancellationToken))!, catalogue));
    }

    public static async Task<Results<Ok<IReadOnlyList<CertificateResponse>>, ProblemHttpResult>> ListCohortCertificates(
        long id, Caller caller, CohortStore cohorts, TrainingRecordStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var cohort = await cohorts.GetAsync(id, cancellationToken);
        if (cohort is null || !caller.CanSeeEmployerData(cohort.EmployerId))
        {
            return ApiResults.NotFound("培训班期");
        }
        // As the results: offices see their own counties' trainees, rural revitalisation staff those of priority groups.
        var certificates = await store.CohortCertificatesAsync(id, caller.WorkerCounties, caller.OnlyPriorityGroupWorkers, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<CertificateResponse>>(certificates.Select(c => CertificateResponse.From(c, catalogue)).ToList());
    }

    public static async Task<Results<Created<CertificateResponse>, ValidationProblem, ProblemHttpResult>> RecordCertificate(
        long id, CertificateInput input, Caller caller, WorkerStore workers, EnrolmentStore enrolments, TrainingRecordStore store, Catalogue catalogue,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var worker = await WorkerEndpoints.VisibleAsync(id, caller, workers, cancellationToken);
        if (worker is null || !caller.CanWriteWorker(worker.CountyCode))
        {
            return ApiResults.NotFound("劳动者");
        }
        // A certificate named as gained in one of the worker's cohorts keeps the cohort rule too (another worker's enrolment is refused on writing).
        var enrolment = input.EnrolmentId is > 0 ? await enrolments.GetAsync(input.EnrolmentId.Value, cancellationToken) : null;
        var errors = new ValidationErrors();
        var draft = TrainingRules.Validate(input, catalogue, ChinaTime.Today(time), errors, enrolment?.WorkerId == id ? enrolment.CohortStart : null);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.CreateCertificateAsync(id, draft, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, "劳动者");
        }
        return TypedResults.Created($"/api/workers/{id}/certificates", CertificateResponse.From((await store.CertificateAsync(result.Id, cancellationToken))!, catalogue));
    }

    /// <summary>The enrolment and its cohort when the caller records for that cohort; nothing (answered as 404) otherwise.</summary>
    private static async Task<(Enrolment? Enrolment, Cohort? Cohort)> RecordableAsync(long enrolmentId, Caller caller, EnrolmentStore enrolments, CohortStore cohorts,
        CancellationToken cancellationToken)
    {
        if (await enrolments.GetAsync(enrolmentId, cancellationToken) is not { } enrolment
            || await cohorts.GetAsync(enrolment.CohortId, cancellationToken) is not { } cohort
            || !caller.CanRecordTraining(cohort.EmployerId))
        {
            return (null, null);
        }
        return (enrolment, cohort);
    }

    public static async Task<Results<Ok<IReadOnlyList<CertificateResponse>>, ProblemHttpResult>> ListCertificates(
        long id, Caller caller, WorkerStore workers, TrainingRecordStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        if (await WorkerEndpoints.VisibleAsync(id, caller, workers, cancellationToken) is null)
        {
            return ApiResults.NotFound("劳动者");
        }
        return TypedResults.Ok<IReadOnlyList<CertificateResponse>>((await store.CertificatesOfAsync(id, cancellationToken)).Select(c => CertificateResponse.From(c, catalogue)).ToList());
    }
}
