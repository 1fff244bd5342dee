using Matching.Domain.Access;

namespace Matching.Api.Web;

/// <summary>
/// Which roles open which pages (comma-separated, for <c>[Authorize(Roles = …)]</c>): the same role lists as the API
/// routes the pages call. Object-level rules (whose workers, which employer) are the API handlers' own.
/// </summary>
public static class WebRoles
{
    /// <summary>Every role, training institutions included (one's own inbox and account).</summary>
    public const string All = $"{Staff},{Roles.TrainingInstitution}";

    /// <summary>Every role but training institutions (<see cref="Roles.AllButInstitutions"/>): what "everyone" reads.</summary>
    public const string Staff = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.Enterprise},{Roles.RuralRevitalisation},{Roles.Admin}";

    /// <summary>Cohorts (GET /api/cohorts): every role; a training institution sees the cohorts it delivers.</summary>
    public const string CohortReaders = All;

    /// <summary>Openings and their candidates' pages (GET /api/openings).</summary>
    public const string OpeningReaders = Staff;

    /// <summary>Placements (GET /api/placements).</summary>
    public const string PlacementReaders = Staff;

    /// <summary>Due and overdue follow-ups (GET /api/follow-ups).</summary>
    public const string FollowUpReaders = Staff;

    /// <summary>A worker's page (GET /api/workers/{id}).</summary>
    public const string WorkerReaders = Staff;

    /// <summary>Roles with a region's overview (dashboard): offices, rural revitalisation, admins.</summary>
    public const string Overview = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.RuralRevitalisation},{Roles.Admin}";

    /// <summary>The worker register and search (GET /api/search/workers).</summary>
    public const string WorkerSearch = Overview;

    /// <summary>Ranked candidates of an opening (GET /api/match/openings/{id}/candidates).</summary>
    public const string Candidates = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.Enterprise},{Roles.Admin}";

    /// <summary>Dispatch rounds (/api/dispatch-rounds).</summary>
    public const string Dispatch = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.Admin}";

    /// <summary>Stored reports (/api/reports).</summary>
    public const string ReportReaders = Overview;

    /// <summary>Account administration (/api/users); the handlers refuse accounts without the manages-accounts flag.</summary>
    public const string AccountAdministrators = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.Enterprise},{Roles.Admin},{Roles.TrainingInstitution}";

    /// <summary>Uploading a survey sheet (POST /api/imports/workers).</summary>
    public const string ImportUploaders = Roles.CountyOffice;

    /// <summary>An import job's progress and rejected rows (GET /api/imports/{id}); the handler shows a job to its uploader and admins only.</summary>
    public const string ImportReaders = $"{Roles.CountyOffice},{Roles.Admin}";

    /// <summary>The blank survey sheet (GET /api/imports/workers/template).</summary>
    public const string ImportTemplate = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.RuralRevitalisation},{Roles.Admin}";

    /// <summary>Subsidy claims (GET /api/subsidy-claims); deciding is the worker's county office's (the handlers check it).</summary>
    public const string SubsidyReaders = $"{Roles.CountyOffice},{Roles.PrefectureOffice},{Roles.Admin}";

    /// <summary>The payment file of approved claims (POST /api/subsidy-claims/payment-file).</summary>
    public const string SubsidyExporters = $"{Roles.CountyOffice},{Roles.Admin}";

    /// <summary>Job-loss alerts (GET /api/alerts); acknowledging and resolving is for county offices and rural revitalisation in their region (the handlers check it).</summary>
    public const string AlertReaders = Overview;

    /// <summary>Targets progress (GET /api/targets/progress).</summary>
    public const string TargetReaders = Overview;

    public const string Admin = Roles.Admin;

    /// <summary>A role's main page, where the root address and a sign-in without a return address lead.</summary>
    public static string FirstPage(string role) => role switch
    {
        Roles.Enterprise => "/enterprise",
        Roles.TrainingInstitution => "/institution",
        Roles.RuralRevitalisation => "/rural",
        _ => "/dashboard",
    };

    public const string CountyOffice = Roles.CountyOffice;

    public const string Enterprise = Roles.Enterprise;

    public const string Rural = Roles.RuralRevitalisation;

    /// <summary>A training institution's landing page (its cohorts, GET /api/cohorts as the institution).</summary>
    public const string Institution = Roles.TrainingInstitution;
}
