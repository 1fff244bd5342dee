using Matching.Domain.Catalogues;
using Matching.Domain.Identity;

namespace Matching.Domain.Access;

/// <summary>The roles of the product and what their scope means.</summary>
public static class Roles
{
    /// <summary>县人社局/就业局: scope is one or more county codes.</summary>
    public const string CountyOffice = "county_office";

    /// <summary>市州人社局: scope is a prefecture code, i.e. all its counties.</summary>
    public const string PrefectureOffice = "prefecture_office";

    /// <summary>协作企业: scope is one employer id and its bases.</summary>
    public const string Enterprise = "enterprise";

    /// <summary>乡村振兴部门: priority-group workers, their placements, job-loss alerts and reports of its region (a county, a prefecture or the province).</summary>
    public const string RuralRevitalisation = "rural_revitalisation";

    /// <summary>省级管理员: catalogues, users, models, audit.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// 培训机构 (定点培训机构): scope is one institution id. It sees its own profile and teachers, the cohorts it delivers
    /// and their trainees as an enterprise sees candidates (no ID number, priority groups or household data), and
    /// records those trainees' attendance, completion, assessment and certificates.
    /// </summary>
    public const string TrainingInstitution = "training_institution";

    public static readonly IReadOnlyList<string> All = [CountyOffice, PrefectureOffice, Enterprise, RuralRevitalisation, Admin, TrainingInstitution];

    /// <summary>
    /// Every role but training institutions: the staff of the cooperation (offices, enterprises, rural revitalisation,
    /// admins). Routes open to "everyone" name this list, so a training institution reaches a route only where it is
    /// named explicitly.
    /// </summary>
    public static readonly IReadOnlyList<string> AllButInstitutions = [CountyOffice, PrefectureOffice, Enterprise, RuralRevitalisation, Admin];

    public static string NameOf(string role) => role switch
    {
        CountyOffice => "县级人社部门",
        PrefectureOffice => "市州人社部门",
        Enterprise => "协作企业",
        RuralRevitalisation => "乡村振兴部门",
        Admin => "管理员",
        TrainingInstitution => "培训机构",
        _ => role,
    };
}

/// <summary>
/// Who is calling and what they may reach: the user's role and scope as stored in the database, resolved against
/// the catalogue (a prefecture office's scope becomes its counties). Every object-level and property-level rule of
/// the product is a method here, so endpoints and queries ask one place.
/// </summary>
public sealed record Caller(long UserId, string Name, string Role, IReadOnlyList<string> CountyCodes, long? EmployerId, long? InstitutionId = null)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>An account administrator (账号管理员) of its employer or area; see <see cref="AccountArea"/>. Admins always are.</summary>
    public bool ManagesAccounts { get; init; }

    /// <summary>Roles that see workers of a region (county or prefecture offices).</summary>
    public bool IsLabourOffice => Role is Roles.CountyOffice or Roles.PrefectureOffice;

    /// <summary>
    /// The counties whose workers the caller may list, or null for every county (admin, province-wide rural
    /// revitalisation staff). Enterprises and training institutions see no county-wide lists: every list they reach is
    /// confined by <see cref="LinkedEmployer"/> or <see cref="LinkedInstitution"/> instead.
    /// </summary>
    public IReadOnlyList<string>? WorkerCounties => Role switch
    {
        Roles.CountyOffice or Roles.PrefectureOffice => CountyCodes,
        Roles.RuralRevitalisation when CountyCodes.Count > 0 => CountyCodes,
        _ => null,
    };

    /// <summary>Whether the county lies in the caller's region (offices and rural revitalisation staff; admins everywhere).</summary>
    public bool InRegion(string countyCode) => Role switch
    {
        Roles.Admin => true,
        Roles.CountyOffice or Roles.PrefectureOffice or Roles.RuralRevitalisation => WorkerCounties is not { } counties || counties.Contains(countyCode),
        _ => false,
    };

    /// <summary>Job-loss alerts (防返贫就业预警): offices, rural revitalisation staff and admins, within their region.</summary>
    public bool CanSeeAlert(string countyCode) => Role != Roles.Enterprise && InRegion(countyCode);

    /// <summary>Alerts are acknowledged and resolved by the worker's county office or rural revitalisation staff of the region.</summary>
    public bool CanHandleAlert(string countyCode) => Role is Roles.CountyOffice or Roles.RuralRevitalisation && InRegion(countyCode);

    /// <summary>Rural revitalisation staff see only workers in priority groups (重点群体).</summary>
    public bool OnlyPriorityGroupWorkers => Role == Roles.RuralRevitalisation;

    /// <summary>Whether a worker of this county and these groups is visible (enterprises: see <see cref="LinkedEmployer"/>).</summary>
    public bool CanSeeWorker(string countyCode, IReadOnlyList<string> priorityGroups, bool linkedToCallersEmployer) => Role switch
    {
        Roles.Admin => true,
        Roles.CountyOffice or Roles.PrefectureOffice => CountyCodes.Contains(countyCode),
        Roles.RuralRevitalisation => priorityGroups.Count > 0 && InRegion(countyCode),
        Roles.Enterprise => linkedToCallersEmployer,
        _ => false,
    };

    /// <summary>Only county offices register and change workers, and only in their own counties.</summary>
    public bool CanWriteWorker(string countyCode) => Role == Roles.CountyOffice && CountyCodes.Contains(countyCode);

    /// <summary>Only the worker's own county office and admins may reveal the full ID number (audited).</summary>
    public bool CanRevealWorker(string countyCode) => IsAdmin || (Role == Roles.CountyOffice && CountyCodes.Contains(countyCode));

    /// <summary>
    /// Employers, bases, openings and cohorts: enterprises see their own; offices, rural staff and admins see all;
    /// training institutions none (their cohorts: <see cref="CanSeeCohort"/>).
    /// </summary>
    public bool CanSeeEmployerData(long employerId) => Role switch
    {
        Roles.Enterprise => EmployerId == employerId,
        Roles.TrainingInstitution => false,
        _ => true,
    };

    /// <summary>A cohort: its enterprise, the institution that delivers it, and offices, rural staff and admins.</summary>
    public bool CanSeeCohort(long cohortEmployerId, long? cohortInstitutionId) => Role switch
    {
        Roles.TrainingInstitution => cohortInstitutionId is { } institution && InstitutionId == institution,
        _ => CanSeeEmployerData(cohortEmployerId),
    };

    /// <summary>
    /// Who may record a cohort's results (考勤、结业、考核, and certificates gained in it): the enterprise that runs the
    /// cohort at its base, and the training institution that delivers it. The one rule every handler and page asks.
    /// </summary>
    public bool CanRecordResults(long cohortEmployerId, long? cohortInstitutionId) => Role switch
    {
        Roles.Enterprise => EmployerId == cohortEmployerId,
        Roles.TrainingInstitution => cohortInstitutionId is { } institution && InstitutionId == institution,
        _ => false,
    };

    /// <summary>
    /// A trainee of a cohort (an enrolment and its result): the cohort's enterprise and delivering institution see
    /// every trainee of it; offices, rural staff and admins the workers they may see.
    /// </summary>
    public bool CanSeeTrainee(string workerCounty, IReadOnlyList<string> workerGroups, long cohortEmployerId, long? cohortInstitutionId) => Role switch
    {
        Roles.Enterprise or Roles.TrainingInstitution => CanSeeCohort(cohortEmployerId, cohortInstitutionId),
        _ => CanSeeWorker(workerCounty, workerGroups, false),
    };

    /// <summary>The institution whose records a training institution is confined to; null for other roles.</summary>
    public long? LinkedInstitution => Role == Roles.TrainingInstitution ? InstitutionId : null;

    /// <summary>An institution's profile: a training institution sees its own only; every other role the whole list.</summary>
    public bool CanSeeInstitution(long institutionId) => Role != Roles.TrainingInstitution || InstitutionId == institutionId;

    /// <summary>
    /// Roles outside the public service that meet workers only through a cohort or a placement with them (enterprises,
    /// training institutions): they see a masked name until the worker accepted the seat, and their reads of clear
    /// names are audited.
    /// </summary>
    public bool IsPartner => Role is Roles.Enterprise or Roles.TrainingInstitution;

    /// <summary>Only the owning enterprise changes its employer record, bases, openings and cohort capacity.</summary>
    public bool CanWriteEmployerData(long employerId) => Role == Roles.Enterprise && EmployerId == employerId;

    /// <summary>The employer whose records an enterprise is confined to; null for other roles.</summary>
    public long? LinkedEmployer => Role == Roles.Enterprise ? EmployerId : null;

    /// <summary>Placements: county offices for their workers, enterprises for their own employer, rural staff for priority groups.</summary>
    public bool CanSeePlacement(string workerCounty, IReadOnlyList<string> workerGroups, long employerId) => Role switch
    {
        Roles.Admin => true,
        Roles.CountyOffice or Roles.PrefectureOffice => CountyCodes.Contains(workerCounty),
        Roles.RuralRevitalisation => workerGroups.Count > 0 && InRegion(workerCounty),
        Roles.Enterprise => EmployerId == employerId,
        _ => false,
    };

    /// <summary>Placements and their follow-ups are recorded by the worker's county office or the employing enterprise.</summary>
    public bool CanWritePlacement(string workerCounty, long employerId) =>
        (Role == Roles.CountyOffice && CountyCodes.Contains(workerCounty)) || (Role == Roles.Enterprise && EmployerId == employerId);

    /// <summary>Designated training institutions (定点培训机构) are registered and changed by admins; every role reads the list, a training institution only its own.</summary>
    public bool CanWriteInstitutions => IsAdmin;

    /// <summary>An institution's teachers (real names): admins, labour offices, the enterprise whose base the institution is, and the institution itself.</summary>
    public bool CanSeeTeachers(long institutionId, long? institutionEmployerId) =>
        IsAdmin || IsLabourOffice || CanWriteTeachers(institutionId, institutionEmployerId);

    /// <summary>Teachers are registered by admins, by the enterprise whose base the institution is, or by the institution itself.</summary>
    public bool CanWriteTeachers(long institutionId, long? institutionEmployerId) =>
        IsAdmin || (Role == Roles.Enterprise && institutionEmployerId is not null && institutionEmployerId == EmployerId)
        || (Role == Roles.TrainingInstitution && InstitutionId == institutionId);

    /// <summary>Subsidy claims (补贴申领): the worker's county and prefecture offices and admins read them.</summary>
    public bool CanSeeClaim(string workerCounty) => IsAdmin || (IsLabourOffice && CountyCodes.Contains(workerCounty));

    /// <summary>Only the worker's county office creates, checks, approves or rejects a claim.</summary>
    public bool CanDecideClaim(string workerCounty) => Role == Roles.CountyOffice && CountyCodes.Contains(workerCounty);

    /// <summary>Resolves a stored scope ("520502|520521", "520500", "12") into counties or an employer, checking it exists.</summary>
    public static Caller? Resolve(long userId, string name, string role, IReadOnlyList<string> scopes, Catalogue catalogue, out string? error)
    {
        error = null;
        switch (role)
        {
            case Roles.CountyOffice:
                if (scopes.Count == 0 || scopes.Any(s => !catalogue.IsGuizhouCounty(s)))
                {
                    error = "县级人社部门的范围应为一个或多个贵州县级行政区划代码";
                    return null;
                }
                return new Caller(userId, name, role, scopes.Distinct().ToList(), null);
            case Roles.PrefectureOffice:
                if (scopes.Count != 1 || !catalogue.IsPrefecture(scopes[0]) || !scopes[0].StartsWith("52", StringComparison.Ordinal))
                {
                    error = "市州人社部门的范围应为一个贵州市州代码";
                    return null;
                }
                return new Caller(userId, name, role,
                    catalogue.GuizhouCounties.Where(c => c.ParentCode == scopes[0]).Select(c => c.Code).ToList(), null);
            case Roles.Enterprise:
                if (scopes.Count != 1 || !long.TryParse(scopes[0], out var employerId) || employerId <= 0)
                {
                    error = "协作企业的范围应为一个企业编号";
                    return null;
                }
                return new Caller(userId, name, role, [], employerId);
            case Roles.RuralRevitalisation:
                // Like the offices: county codes, one prefecture, or the province (520000 or no scope).
                if (scopes.Count == 0 || (scopes.Count == 1 && scopes[0] == Catalogue.GuizhouProvinceCode))
                {
                    return new Caller(userId, name, role, [], null);
                }
                if (scopes.Count == 1 && catalogue.IsPrefecture(scopes[0]) && scopes[0].StartsWith("52", StringComparison.Ordinal))
                {
                    return new Caller(userId, name, role, catalogue.GuizhouCounties.Where(c => c.ParentCode == scopes[0]).Select(c => c.Code).ToList(), null);
                }
                if (scopes.All(catalogue.IsGuizhouCounty))
                {
                    return new Caller(userId, name, role, scopes.Distinct().ToList(), null);
                }
                error = "乡村振兴部门的范围应为全省（520000 或不填）、一个贵州市州代码，或一个或多个贵州县级行政区划代码";
                return null;
            case Roles.Admin:
                return new Caller(userId, name, role, [], null);
            case Roles.TrainingInstitution:
                if (scopes.Count != 1 || !long.TryParse(scopes[0], out var institutionId) || institutionId <= 0)
                {
                    error = "培训机构的范围应为一个培训机构编号";
                    return null;
                }
                return new Caller(userId, name, role, [], null, institutionId);
            default:
                error = $"未知角色，可用角色: {string.Join(", ", Roles.All)}";
                return null;
        }
    }

    /// <summary>How a worker's name shows to this caller: enterprises and training institutions see 王** until the worker accepted the seat.</summary>
    public string ShowName(string realName, bool acceptedCallersOffer) =>
        IsPartner && !acceptedCallersOffer ? Masking.Name(realName) : realName;
}
