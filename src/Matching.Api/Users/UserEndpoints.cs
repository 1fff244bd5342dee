using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Data.Access;
using Matching.Data.Employers;
using Matching.Data.Institutions;
using Matching.Data.Storage;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Users;

/// <summary>
/// A user: a login name (the token's subject), a role and its scope (county codes, a prefecture code or an employer id),
/// whether it administers the accounts of its employer or area, and optionally a first password (password rule applies).
/// </summary>
public sealed record UserInput(string? Name, string? Role, IReadOnlyList<string?>? Scopes, bool? Active, bool? ManagesAccounts = null, string? Password = null);

public sealed record UserListQuery(int? Page, int? PageSize, string? Role);

public sealed record PasswordInput(string? Password);

/// <summary>
/// Users and their scopes, with delegated administration (分级授权): the provincial admin manages every account; an
/// account administrator (manages-accounts flag) of an enterprise manages that enterprise's accounts, of a training
/// institution that institution's accounts, of a county or prefecture office the office accounts whose counties all
/// lie in its own area and the accounts of the training institutions located there. Everything is audited.
/// </summary>
public static class UserEndpoints
{
    private const string What = "用户";
    private static readonly string[] Administrators = [Roles.Admin, Roles.CountyOffice, Roles.PrefectureOffice, Roles.Enterprise, Roles.TrainingInstitution];

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/users").WithTags("Users").RequireRoles(Administrators);
        group.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("用户列表（本人管理范围内的账号）");
        group.MapGet("/{id:long}", GetUser).WithName("GetUser").WithSummary("查看用户");
        group.MapPost("/", CreateUser).WithName("CreateUser").WithSummary("新建用户（角色与范围；可设初始密码）").Audited("user.create", "user");
        group.MapPut("/{id:long}", UpdateUser).WithName("UpdateUser").WithSummary("修改用户的角色、范围、管理权限或停用").Audited("user.update", "user");
        group.MapPut("/{id:long}/password", SetPassword).WithName("SetUserPassword").WithSummary("设置或重置用户密码（该用户其他会话随即失效）")
            .Audited("user.password", "user");
        group.MapPost("/{id:long}/unlock", Unlock).WithName("UnlockUser").WithSummary("解除账号锁定").Audited("user.unlock", "user");
        return group;
    }

    public static async Task<Results<Ok<PagedList<User>>, ValidationProblem, ProblemHttpResult>> ListUsers(
        [AsParameters] UserListQuery query, Caller caller, UserStore store, Catalogue catalogue, InstitutionStore institutions, CancellationToken cancellationToken)
    {
        var area = await AreaAsync(caller, catalogue, institutions, cancellationToken);
        if (area.IsEmpty)
        {
            return NotAnAdministrator();
        }
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        paging.Validate(errors);
        if (query.Role is { } role && !Roles.All.Contains(role)) errors.Add("role", "未知角色");
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await store.ListAsync(query.Role, area, paging.PageNumber, paging.Size, cancellationToken));
    }

    public static async Task<Results<Ok<User>, ProblemHttpResult>> GetUser(long id, Caller caller, UserStore store, Catalogue catalogue, InstitutionStore institutions, HttpContext context,
        CancellationToken cancellationToken)
    {
        var area = await AreaAsync(caller, catalogue, institutions, cancellationToken);
        if (area.IsEmpty)
        {
            return NotAnAdministrator();
        }
        return await WriteResponses.GetAsync(id, What, Managed(area, store), context, cancellationToken);
    }

    public static async Task<Results<Created<User>, ValidationProblem, ProblemHttpResult>> CreateUser(
        UserInput input, Caller caller, UserStore store, EmployerStore employers, InstitutionStore institutions, Catalogue catalogue, AccountService accounts,
        HttpContext context, CancellationToken cancellationToken)
    {
        var area = await AreaAsync(caller, catalogue, institutions, cancellationToken);
        if (area.IsEmpty)
        {
            return NotAnAdministrator();
        }
        var errors = new ValidationErrors();
        var draft = await ValidateAsync(input, catalogue, employers, institutions, errors, cancellationToken);
        if (input.Password is not null)
        {
            PasswordPolicy.Check(errors, "password", input.Password, input.Name?.Trim());
        }
        if (draft is null || !errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (!area.Admits(draft.Role, draft.Scopes))
        {
            return ApiResults.Forbidden(OutsideArea(area));
        }
        var result = await store.CreateAsync(draft with { CreatedBy = caller.UserId }, cancellationToken);
        if (result.Status == WriteStatus.Ok && input.Password is not null)
        {
            await accounts.SetPasswordAsync((await store.GetAsync(result.Id, cancellationToken))!, input.Password, cancellationToken);
        }
        return await WriteResponses.CreatedAsync(result, What, "/api/users", store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<Ok<User>, ValidationProblem, ProblemHttpResult>> UpdateUser(
        long id, UserInput input, Caller caller, UserStore store, EmployerStore employers, InstitutionStore institutions, Catalogue catalogue, CallerResolver callers,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (!Versioning.TryReadIfMatch(context.Request, out var expectedVersion))
        {
            return ApiResults.BadIfMatch();
        }
        var area = await AreaAsync(caller, catalogue, institutions, cancellationToken);
        if (area.IsEmpty)
        {
            return NotAnAdministrator();
        }
        if (await Managed(area, store)(id, cancellationToken) is not { } existing)
        {
            return ApiResults.NotFound(What);
        }
        if (existing.Id == caller.UserId)
        {
            return ApiResults.Forbidden("不能修改自己的角色、范围或状态，请由上级账号管理员修改");
        }
        var errors = new ValidationErrors();
        var draft = await ValidateAsync(input, catalogue, employers, institutions, errors, cancellationToken);
        if (input.Password is not null)
        {
            errors.Add("password", "请用 PUT /api/users/{id}/password 设置密码");
        }
        if (draft is null || !errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (!area.Admits(draft.Role, draft.Scopes))
        {
            return ApiResults.Forbidden(OutsideArea(area));
        }
        var result = await store.UpdateAsync(id, draft, expectedVersion, cancellationToken);
        callers.Forget(existing.Name);
        return await WriteResponses.OkAsync(result, What, store.GetAsync, context, cancellationToken);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetPassword(
        long id, PasswordInput input, Caller caller, UserStore store, Catalogue catalogue, InstitutionStore institutions, AccountService accounts,
        CancellationToken cancellationToken)
    {
        var area = await AreaAsync(caller, catalogue, institutions, cancellationToken);
        if (area.IsEmpty)
        {
            return NotAnAdministrator();
        }
        if (await Managed(area, store)(id, cancellationToken) is not { } user)
        {
            return ApiResults.NotFound(What);
        }
        var errors = await accounts.SetPasswordAsync(user, input.Password, cancellationToken);
        return errors.IsValid ? TypedResults.NoContent() : ApiResults.Invalid(errors);
    }

    public static async Task<Results<Ok<User>, ProblemHttpResult>> Unlock(
        long id, Caller caller, UserStore store, Catalogue catalogue, InstitutionStore institutions, CancellationToken cancellationToken)
    {
        var area = await AreaAsync(caller, catalogue, institutions, cancellationToken);
        if (area.IsEmpty)
        {
            return NotAnAdministrator();
        }
        if (await Managed(area, store)(id, cancellationToken) is null)
        {
            return ApiResults.NotFound(What);
        }
        var result = await store.UnlockAsync(id, cancellationToken);
        return result.Status == WriteStatus.Ok ? TypedResults.Ok((await store.GetAsync(id, cancellationToken))!) : ApiResults.Refused(result, What);
    }

    /// <summary>
    /// The area the caller administers (<see cref="AccountArea.Of"/>), with the training institutions located in an
    /// office's counties and whole prefectures, whose accounts it administers too.
    /// </summary>
    public static async Task<AccountArea> AreaAsync(Caller caller, Catalogue catalogue, InstitutionStore institutions, CancellationToken cancellationToken)
    {
        var area = AccountArea.Of(caller, catalogue);
        if (area.IsEmpty || area.InstitutionDivisions.Count == 0)
        {
            return area;
        }
        var located = await institutions.IdsInAsync(area.InstitutionDivisions, cancellationToken);
        return area with { Institutions = [.. located.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture))] };
    }

    /// <summary>
    /// <see cref="Validate"/>, and an enterprise's employer or an institution must exist: a user is never created for
    /// an employer, institution, county or prefecture that does not exist.
    /// </summary>
    public static async Task<UserDraft?> ValidateAsync(UserInput input, Catalogue catalogue, EmployerStore employers, InstitutionStore institutions, ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        var draft = Validate(input, catalogue, errors);
        if (draft is { Role: Roles.Enterprise } && (!long.TryParse(draft.Scopes[0], out var employerId) || await employers.GetAsync(employerId, cancellationToken) is null))
        {
            errors.Add("scopes", "协作企业不存在");
            return null;
        }
        if (draft is { Role: Roles.TrainingInstitution }
            && (!long.TryParse(draft.Scopes[0], out var institutionId) || await institutions.GetAsync(institutionId, cancellationToken) is null))
        {
            errors.Add("scopes", "培训机构不存在");
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
        if (input.ManagesAccounts == true && role is Roles.RuralRevitalisation)
        {
            errors.Add("managesAccounts", "乡村振兴部门的账号由省级管理员管理");
        }
        return errors.IsValid ? new UserDraft(name!, role, scopes, input.Active ?? true) { ManagesAccounts = input.ManagesAccounts ?? false } : null;
    }

    /// <summary>A reader that returns the account only when it lies in the administrator's area (others read as not found).</summary>
    private static Func<long, CancellationToken, Task<User?>> Managed(AccountArea area, UserStore store) =>
        async (id, cancellationToken) => await store.GetAsync(id, cancellationToken) is { } user && area.Admits(user.Role, user.Scopes) ? user : null;

    private static ProblemHttpResult NotAnAdministrator() => ApiResults.Forbidden("本账号不是账号管理员");

    private static string OutsideArea(AccountArea area) => area switch
    {
        { EmployerId: not null } => "只能为本企业创建或修改协作企业账号",
        { Counties.Count: 0 } => "只能为本机构创建或修改培训机构账号",
        _ => "只能为本辖区创建或修改县级、市州人社部门账号（市州账号须整个市州在本辖区内），或本辖区培训机构的账号",
    };
}
