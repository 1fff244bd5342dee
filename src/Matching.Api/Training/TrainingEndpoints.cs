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
/// What happened in a cohort: attendance (考勤), completion (结业) and assessment (考核/鉴定) per enrolment, entered one
/// at a time or imported as a batch by whoever may record the cohort's results (<see cref="Caller.CanRecordResults"/>:
/// the enterprise whose base runs it, the training institution that delivers it); certificates (证书) gained, recorded
/// by the worker's county office, or for an enrolment by who records that cohort's results. A certificate raises the
/// worker's level in its trade.
/// </summary>
public static class TrainingEndpoints
{
    /// <summary>The roles <see cref="Caller.CanRecordResults"/> may admit; the handlers ask the rule for the cohort.</summary>
    public static readonly string[] ResultRecorders = [Roles.Enterprise, Roles.TrainingInstitution];

    public static RouteGroupBuilder MapTraining(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Training");
        group.MapPut("/enrolments/{id:long}/result", RecordResult).WithName("RecordTrainingResult").WithSummary("登记学员考勤、结业与考核结果（本企业/本机构承训的班期）")
            .RequireRoles(ResultRecorders).Audited("training.result", "enrolment");
        group.MapGet("/enrolments/{id:long}/result", GetResult).WithName("GetTrainingResult").WithSummary("查看学员培训结果")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/cohorts/{id:long}/results", ImportResults).WithName("ImportTrainingResults").WithSummary("批量导入班期学员的考勤、结业与考核结果（全部成功或全部不改）")
            .RequireRoles(ResultRecorders).Audited("training.results.import", "cohort");
        group.MapGet("/cohorts/{id:long}/results", ListResults).WithName("ListTrainingResults").WithSummary("班期学员的培训结果（本企业/本辖区）")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/enrolments/{id:long}/certificates", RecordCohortCertificate).WithName("RecordCohortCertificate")
            .WithSummary("登记学员在本企业/本机构班期取得的证书（发证日期不早于开班；提升该工种技能等级）")
            .RequireRoles(ResultRecorders).Audited("training.certificate", "enrolment");
        group.MapGet("/cohorts/{id:long}/certificates", ListCohortCertificates).WithName("ListCohortCertificates").WithSummary("班期学员在本班期取得的证书（本企业/本机构/本辖区）")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/workers/{id:long}/certificates", RecordCertificate).WithName("RecordCertificate")
            .WithSummary("登记劳动者取得的证书（本县；或本企业/本机构班期学员，须填报名编号；提升该工种技能等级）")
            .RequireRoles([Roles.CountyOffice, .. ResultRecorders]).Audited("certificate.create", "worker");
        group.MapGet("/workers/{id:long}/certificates", ListCertificates).WithName("ListCertificates").WithSummary("劳动者已登记的证书")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
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
        var visible = enrolment is not null
            && caller.CanSeeTrainee(enrolment.WorkerCounty, enrolment.WorkerPriorityGroups, enrolment.EmployerId, enrolment.InstitutionId);
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
        if (cohort is null || !caller.CanRecordResults(cohort.EmployerId, cohort.InstitutionId))
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
        if (cohort is null || !caller.CanSeeCohort(cohort.EmployerId, cohort.InstitutionId))
        {
            return ApiResults.NotFound("培训班期");
        }
        // The cohort's enterprise and institution see all its trainees (no county filter); offices see the results of their own counties' trainees, rural revitalisation staff those of priority groups: filtered in the query.
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
        if (cohort is null || !caller.CanSeeCohort(cohort.EmployerId, cohort.InstitutionId))
        {
            return ApiResults.NotFound("培训班期");
        }
        // As the results: offices see their own counties' trainees, rural revitalisation staff those of priority groups.
        var certificates = await store.CohortCertificatesAsync(id, caller.WorkerCounties, caller.OnlyPriorityGroupWorkers, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<CertificateResponse>>(certificates.Select(c => CertificateResponse.From(c, catalogue)).ToList());
    }

    /// <summary>
    /// The worker's county office records any certificate of its worker; the enterprise or institution recording a
    /// cohort's results records one gained in that cohort, naming the enrolment (its trainee's, in its cohort).
    /// </summary>
    public static async Task<Results<Created<CertificateResponse>, ValidationProblem, ProblemHttpResult>> RecordCertificate(
        long id, CertificateInput input, Caller caller, WorkerStore workers, EnrolmentStore enrolments, TrainingRecordStore store, Catalogue catalogue,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (caller.Role != Roles.CountyOffice && input.EnrolmentId is null or <= 0)
        {
            // Said before anything is looked up, so it tells nothing about the worker.
            return ApiResults.Invalid("enrolmentId", "请填写该证书所属的报名编号（本企业或本机构班期的学员）");
        }
        // The enrolment named, read once: it admits a recorder of that cohort's results, and a certificate named as gained
        // in one of the worker's cohorts keeps the cohort rule too (another worker's enrolment is refused on writing).
        var enrolment = input.EnrolmentId is > 0 ? await enrolments.GetAsync(input.EnrolmentId.Value, cancellationToken) : null;
        var allowed = caller.Role == Roles.CountyOffice
            ? await WorkerEndpoints.VisibleAsync(id, caller, workers, cancellationToken) is { } worker && caller.CanWriteWorker(worker.CountyCode)
            : enrolment is not null && enrolment.WorkerId == id && caller.CanRecordResults(enrolment.EmployerId, enrolment.InstitutionId);
        if (!allowed)
        {
            return ApiResults.NotFound("劳动者");
        }
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
            || !caller.CanRecordResults(cohort.EmployerId, cohort.InstitutionId))
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
