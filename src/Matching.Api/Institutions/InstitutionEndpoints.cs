using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Cohorts;
using Matching.Data.Institutions;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Institutions;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Institutions;

/// <summary>An institution with the Chinese names of its ownership and kind.</summary>
public sealed record InstitutionResponse(
    long Id,
    string Name,
    string Ownership,
    string OwnershipName,
    string Kind,
    string KindName,
    string CreditCode,
    string DivisionCode,
    string DivisionName,
    string ProvinceCode,
    long? EmployerId,
    IReadOnlyList<string> Trades,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned
{
    public static InstitutionResponse From(Institution i, Catalogue catalogue) => new(i.Id, i.Name, i.Ownership, InstitutionOwnership.NameOf(i.Ownership), i.Kind,
        InstitutionKinds.NameOf(i.Kind), i.CreditCode, i.DivisionCode, catalogue.NameOf(i.DivisionCode), i.ProvinceCode, i.EmployerId, i.Trades, i.Active,
        i.CreatedAt, i.UpdatedAt, i.Version);
}

public sealed record InstitutionListQuery(int? Page, int? PageSize, string? Ownership, string? Kind, long? EmployerId, string? ProvinceCode);

public sealed record TeacherListQuery(int? Year);

/// <summary>
/// Designated training institutions (定点培训机构) and their teachers (专职/兼职教师) per year; who teaches a cohort. The
/// rules of item 9 (a private institution's full-time teachers at least one third; a part-time teacher at no more
/// than three institutions a year) are enforced when a teacher is registered or assigned and when a cohort opens.
/// </summary>
public static class InstitutionEndpoints
{
    private const string What = "培训机构";
    private static readonly string[] TeacherReaders = [Roles.Admin, Roles.CountyOffice, Roles.PrefectureOffice, Roles.Enterprise, Roles.TrainingInstitution];

    public static RouteGroupBuilder MapInstitutions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/institutions").WithTags("Institutions");
        group.MapGet("/", ListInstitutions).WithName("ListInstitutions").WithSummary("定点培训机构列表（培训机构：本机构）")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapGet("/{id:long}", GetInstitution).WithName("GetInstitution").WithSummary("查看培训机构（培训机构：本机构）")
            .RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        group.MapPost("/", CreateInstitution).WithName("CreateInstitution").WithSummary("登记定点培训机构（管理员）")
            .RequireRoles(Roles.Admin).Audited("institution.create", "institution");
        group.MapPut("/{id:long}", UpdateInstitution).WithName("UpdateInstitution").WithSummary("修改培训机构（管理员，可用 If-Match）")
            .RequireRoles(Roles.Admin).Audited("institution.update", "institution");
        group.MapGet("/{id:long}/teachers", ListTeachers).WithName("ListTeachers").WithSummary("培训机构某年度的教师及专职比例")
            .RequireRoles(TeacherReaders).Audited("institution.teachers.read", "institution");
        group.MapPost("/{id:long}/teachers", RegisterTeacher).WithName("RegisterTeacher").WithSummary("登记教师本年度任职（专职/兼职；检查1/3与3家规定）")
            .RequireRoles(Roles.Admin, Roles.Enterprise, Roles.TrainingInstitution).Audited("institution.teacher.register", "institution");

        var cohorts = routes.MapGroup("/api/cohorts/{id:long}/teachers").WithTags("Institutions");
        cohorts.MapGet("/", GetCohortTeaching).WithName("GetCohortTeaching").WithSummary("班期的承训机构与授课教师").RequireRoles(RoleEndpointExtensions.AllWithInstitutions);
        cohorts.MapPut("/", AssignCohortTeaching).WithName("AssignCohortTeaching").WithSummary("指定班期的承训机构与授课教师（本企业班期）")
            .RequireRoles(Roles.Enterprise).Audited("cohort.teachers.assign", "cohort");
        return group;
    }

    public static async Task<Results<Ok<PagedList<InstitutionResponse>>, ValidationProblem>> ListInstitutions(
        [AsParameters] InstitutionListQuery query, Caller caller, InstitutionStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.Ownership is { } ownership && !InstitutionOwnership.All.Contains(ownership)) errors.Add("ownership", "应为 public 或 private");
        if (query.Kind is { } kind && !InstitutionKinds.All.Contains(kind)) errors.Add("kind", "应为 " + string.Join("、", InstitutionKinds.All));
        if (query.ProvinceCode is { } province && !Catalogue.IsProvinceLevelCode(province)) errors.Add("provinceCode", "不是省级行政区划代码");
        if (query.EmployerId is <= 0) errors.Add("employerId", "企业编号无效");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        // A training institution's list holds its own profile only: a condition of the query.
        var page = await store.ListAsync(new InstitutionFilter(query.Ownership, query.Kind, query.EmployerId, query.ProvinceCode, caller.LinkedInstitution),
            paging.PageNumber, paging.Size, cancellationToken);
        return TypedResults.Ok(new PagedList<InstitutionResponse>(page.Items.Select(i => InstitutionResponse.From(i, catalogue)).ToList(), page.Page, page.PageSize, page.Total));
    }

    public static async Task<Results<Ok<InstitutionResponse>, ProblemHttpResult>> GetInstitution(
        long id, Caller caller, InstitutionStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken) =>
        await WriteResponses.GetAsync(id, What, async (i, token) => caller.CanSeeInstitution(i) && await store.GetAsync(i, token) is { } row
            ? InstitutionResponse.From(row, catalogue) : null, context, cancellationToken);

    public static async Task<Results<Created<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> CreateInstitution(
        InstitutionInput input, InstitutionStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = InstitutionRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/institutions",
            async (i, token) => await store.GetAsync(i, token) is { } row ? InstitutionResponse.From(row, catalogue) : null, context, cancellationToken);
    }

    public static async Task<Results<Ok<InstitutionResponse>, ValidationProblem, ProblemHttpResult>> UpdateInstitution(
        long id, InstitutionInput input, InstitutionStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = InstitutionRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.OkAsync(await store.UpdateAsync(id, draft, expectedVersion, cancellationToken), What,
            async (i, token) => await store.GetAsync(i, token) is { } row ? InstitutionResponse.From(row, catalogue) : null, context, cancellationToken);
    }

    public static async Task<Results<Ok<InstitutionTeachers>, ValidationProblem, ProblemHttpResult>> ListTeachers(
        long id, [AsParameters] TeacherListQuery query, Caller caller, InstitutionStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var institution = await store.GetAsync(id, cancellationToken);
        if (institution is null || !caller.CanSeeTeachers(institution.Id, institution.EmployerId))
        {
            return ApiResults.NotFound(What);
        }
        var today = ChinaTime.Today(time);
        if (query.Year is { } y && (y < today.Year - 10 || y > today.Year + 1))
        {
            return ApiResults.Invalid("year", $"年度应在{today.Year - 10}至{today.Year + 1}之间");
        }
        return TypedResults.Ok((await store.TeachersAsync(id, query.Year ?? today.Year, cancellationToken))!);
    }

    public static async Task<Results<Created<TeacherEngagement>, ValidationProblem, ProblemHttpResult>> RegisterTeacher(
        long id, TeacherInput input, Caller caller, InstitutionStore store, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var institution = await store.GetAsync(id, cancellationToken);
        if (institution is null || !caller.CanSeeTeachers(institution.Id, institution.EmployerId))
        {
            return ApiResults.NotFound(What);
        }
        if (!caller.CanWriteTeachers(institution.Id, institution.EmployerId))
        {
            return ApiResults.Forbidden("只能为本企业或本机构登记教师");
        }
        var errors = new ValidationErrors();
        var draft = InstitutionRules.Validate(input, catalogue, ChinaTime.Today(time), errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.RegisterTeacherAsync(id, draft, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, What);
        }
        return TypedResults.Created($"/api/institutions/{id}/teachers?year={draft.Year}", (await store.EngagementAsync(result.Id, cancellationToken))!);
    }

    public static async Task<Results<Ok<CohortTeaching>, ProblemHttpResult>> GetCohortTeaching(
        long id, Caller caller, CohortStore cohorts, InstitutionStore store, CancellationToken cancellationToken)
    {
        var cohort = await cohorts.GetAsync(id, cancellationToken);
        if (cohort is null || !caller.CanSeeCohort(cohort.EmployerId, cohort.InstitutionId))
        {
            return ApiResults.NotFound("培训班期");
        }
        return TypedResults.Ok((await store.CohortTeachingAsync(id, cancellationToken))!);
    }

    public static async Task<Results<Ok<CohortTeaching>, ValidationProblem, ProblemHttpResult>> AssignCohortTeaching(
        long id, CohortTeachingInput input, Caller caller, CohortStore cohorts, InstitutionStore store, CancellationToken cancellationToken)
    {
        var cohort = await Scope.Writable(caller, id, cohorts.GetAsync, c => c.EmployerId, cancellationToken);
        if (cohort is null)
        {
            return ApiResults.NotFound("培训班期");
        }
        var errors = new ValidationErrors();
        if (input.InstitutionId is null or <= 0)
        {
            errors.Add("institutionId", "必填");
        }
        var teachers = Check.List(errors, "teacherIds", input.TeacherIds, 50, required: true);
        if (teachers.Any(t => t <= 0) || teachers.Distinct().Count() != teachers.Count)
        {
            errors.Add("teacherIds", "教师编号无效或重复");
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await store.AssignCohortAsync(id, input.InstitutionId!.Value, teachers, cancellationToken);
        if (result.Status != WriteStatus.Ok)
        {
            return ApiResults.Refused(result, "培训班期");
        }
        return TypedResults.Ok((await store.CohortTeachingAsync(id, cancellationToken))!);
    }
}
