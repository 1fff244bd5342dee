using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Employers;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Users;

/// <summary>A user: a login name (the token's subject), a role and its scope (county codes, a prefecture code or an employer id).</summary>
public sealed record UserInput(string? Name, string? Role, IReadOnlyList<string?>? Scopes, bool? Active);

public sealed record UserListQuery(int? Page, int? PageSize, string? Role);

/// <summary>Users and their scopes, managed by admins only.</summary>
public static class UserEndpoints
{
    private const string What = "用户";

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/users").WithTags("Users").RequireRoles(Roles.Admin);
        group.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("用户列表");
        group.MapGet("/{id:long}", GetUser).WithName("GetUser").WithSummary("查看用户");
        group.MapPost("/", CreateUser).WithName("CreateUser").WithSummary("新建用户（角色与范围）").Audited("user.create", "user");
        group.MapPut("/{id:long}", UpdateUser).WithName("UpdateUser").WithSummary("修改用户的角色、范围或停用").Audited("user.update", "user");
        return group;
    }

    public static async Task<Results<Ok<PagedList<User>>, ValidationProblem>> ListUsers([AsParameters] UserListQuery query, UserStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.Role is { } role && !Roles.All.Contains(role)) errors.Add("role", "未知角色");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(query.Role, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static Task<Results<Ok<User>, ProblemHttpResult>> GetUser(long id, UserStore store, HttpContext context, CancellationToken cancellationToken) =>
        WriteResponses.GetAsync(id, What, store.GetAsync, context, cancellationToken);

    public static async Task<Results<Created<User>, ValidationProblem, ProblemHttpResult>> CreateUser(
        UserInput input, UserStore store, EmployerStore employers, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var draft = await ValidateAsync(input, catalogue, employers, errors, cancellationToken);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.CreatedAsync(await store.CreateAsync(draft, cancellationToken), What, "/api/users", store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<User>, ValidationProblem, ProblemHttpResult>> UpdateUser(
        long id, UserInput input, UserStore store, EmployerStore employers, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var errors = new ValidationErrors();
        var draft = await ValidateAsync(input, catalogue, employers, errors, cancellationToken);
        if (draft is null)
        {
            return ApiResults.Invalid(errors);
        }
        return await WriteResponses.OkAsync(await store.UpdateAsync(id, draft, expectedVersion, cancellationToken), What, store.GetAsync, context, cancellationToken);
    }

    /// <summary>
    /// <see cref="Validate"/>, and an enterprise's employer must exist: a user is never created for an employer, county
    /// or prefecture that does not exist.
    /// </summary>
    public static async Task<UserDraft?> ValidateAsync(UserInput input, Catalogue catalogue, EmployerStore employers, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var draft = Validate(input, catalogue, errors);
        if (draft is { Role: Roles.Enterprise } && (!long.TryParse(draft.Scopes[0], out var employerId) || await employers.GetAsync(employerId, cancellationToken) is null))
        {
            errors.Add("scopes", "协作企业不存在");
            return null;
        }
        return draft;
    }

    /// <summary>Name, role and a scope that exists for that role (checked against the catalogue).</summary>
    public static UserDraft? Validate(UserInput input, Catalogue catalogue, ValidationErrors errors)
    {
        var name = Check.Text(errors, "name", input.Name, 100, required: true, minLength: 2);
        var given = Check.List(errors, "scopes", input.Scopes, 20);
        var scopes = new List<string>();
        for (var i = 0; i < given.Count; i++)
        {
            var scope = given[i]?.Trim() ?? "";
            // County and prefecture codes and employer ids are digits, whatever the role turns out to be.
            if (scope.Length > 18 || !scope.All(char.IsAsciiDigit))
            {
                errors.Add($"scopes[{i}]", "范围应为行政区划代码或企业编号（数字）");
            }
            else if (scope.Length > 0)
            {
                scopes.Add(scope);
            }
        }
        var role = input.Role?.Trim();
        if (string.IsNullOrEmpty(role) || !Roles.All.Contains(role))
        {
            errors.Add("role", $"应为 {string.Join("、", Roles.All)} 之一");
            return null;
        }
        if (!errors.IsValid)
        {
            return null;
        }
        if (Caller.Resolve(0, name ?? "", role, scopes, catalogue, out var scopeError) is null)
        {
            errors.Add("scopes", scopeError!);
        }
        return errors.IsValid ? new UserDraft(name!, role, scopes, input.Active ?? true) : null;
    }
}
