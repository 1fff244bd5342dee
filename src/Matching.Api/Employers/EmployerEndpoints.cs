using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Employers;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Employers;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Employers;

public sealed record EmployerListQuery(int? Page, int? PageSize, string? ProvinceCode, string? CityCode, string? Industry, string? Name);

/// <summary>Partner enterprises (协作企业) in Guangdong, Zhejiang, Fujian and Jiangsu.</summary>
public static class EmployerEndpoints
{
    public static RouteGroupBuilder MapEmployers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/employers").WithTags("Employers");
        group.MapGet("/", ListEmployers).WithName("ListEmployers").WithSummary("协作企业列表（企业只见本企业）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/{id:long}", GetEmployer).WithName("GetEmployer").WithSummary("查看协作企业")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapPost("/", CreateEmployer).WithName("CreateEmployer").WithSummary("登记协作企业")
            .RequireRoles(Roles.Admin).Audited("employer.create", "employer");
        group.MapPut("/{id:long}", UpdateEmployer).WithName("UpdateEmployer").WithSummary("修改协作企业（本企业或管理员）")
            .RequireRoles(Roles.Enterprise, Roles.Admin).Audited("employer.update", "employer");
        group.MapDelete("/{id:long}", DeleteEmployer).WithName("DeleteEmployer").WithSummary("删除协作企业（无基地和安置记录时）")
            .RequireRoles(Roles.Admin).Audited("employer.delete", "employer");
        return group;
    }

    public static async Task<Results<Ok<PagedList<Employer>>, ValidationProblem>> ListEmployers(
        [AsParameters] EmployerListQuery query, Caller caller, EmployerStore store, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.ProvinceCode is { } province && !catalogue.DivisionsByCode.TryGetValue(province, out _)) errors.Add("provinceCode", "未知的省份代码");
        if (query.CityCode is { } city && !catalogue.IsPrefecture(city)) errors.Add("cityCode", "不是已知的地级市（州）代码");
        if (query.Industry is { } industry && !catalogue.IndustriesById.ContainsKey(industry)) errors.Add("industry", "未知的产业编号");
        var name = Check.Text(errors, "name", query.Name, 100);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(new EmployerFilter(query.ProvinceCode, query.CityCode, query.Industry, name, caller.LinkedEmployer),
            paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<Ok<Employer>, ProblemHttpResult>> GetEmployer(long id, Caller caller, EmployerStore store, HttpContext context, CancellationToken cancellationToken) =>
        caller.CanSeeEmployerData(id) ? await WriteResponses.GetAsync(id, What, store.GetAsync, context, cancellationToken) : ApiResults.NotFound(What);

    public static async Task<Results<Created<Employer>, ValidationProblem, ProblemHttpResult>> CreateEmployer(
        EmployerInput input, EmployerStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = EmployerRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/employers", store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<Employer>, ValidationProblem, ProblemHttpResult>> UpdateEmployer(
        long id, EmployerInput input, Caller caller, EmployerStore store, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        if (!caller.IsAdmin && !caller.CanWriteEmployerData(id))
        {
            return ApiResults.NotFound(What);
        }
        var errors = new ValidationErrors();
        var draft = EmployerRules.Validate(input, catalogue, errors);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.OkAsync(await store.UpdateAsync(id, draft, expectedVersion, cancellationToken), What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteEmployer(
        long id, EmployerStore store, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        return WriteResponses.Deleted(await store.DeleteAsync(id, expectedVersion, cancellationToken), What);
    }

    private const string What = "协作企业";
}
