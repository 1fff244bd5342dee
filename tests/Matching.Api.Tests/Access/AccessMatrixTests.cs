using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matching.Domain.Access;
using Matching.Domain.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Api.Tests.Access;

/// <summary>
/// Every /api route, for every role, against objects inside and outside the caller's scope: the status a user would
/// get. Allowed calls are made harmless where possible (an empty body stops at validation: 400; a stale If-Match stops
/// at the version check: 412), so reaching those statuses proves the caller passed every access rule. The table is
/// written from the product's rules (README "Roles, scopes and tokens"), not read from the code.
/// </summary>
public sealed class AccessMatrixTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    private const string CO = Roles.CountyOffice;
    private const string PO = Roles.PrefectureOffice;
    private const string EN = Roles.Enterprise;
    private const string RR = Roles.RuralRevitalisation;
    private const string AD = Roles.Admin;
    private const string TI = Roles.TrainingInstitution;

    /// <summary>Every role of the product: a role added later is swept here too (and fails until the table says what it gets).</summary>
    private static readonly IReadOnlyList<string> AllRoles = Roles.All;

    /// <summary>One call: a route (method + pattern as the app declares it), a concrete URL, a body, an If-Match.</summary>
    private sealed record Call(string Method, string Pattern, string Url, object? Body = null, string? IfMatch = null, string Label = "")
    {
        public override string ToString() => $"{Method} {Url} {Label}";
    }

    private static int Ok => 200;

    /// <summary>Which of the fixture's workers each role may see (README: offices their counties, enterprises linked workers, rural staff priority groups).</summary>
    private bool WorkerVisible(string role, long worker) => role switch
    {
        CO or PO => worker == world.WorkerA,
        EN => worker == world.WorkerA || worker == world.WorkerD,
        RR => worker == world.WorkerA || worker == world.WorkerB,
        _ => true,
    };

    private bool PlacementVisible(string role, long placement) => role switch
    {
        CO or PO or EN => placement == world.PlacementA,
        _ => true,
    };

    private static int Allow(string role, string[] roles, int status) => roles.Contains(role) ? status : 403;

    /// <summary>A route for every role but training institutions (the staff of the cooperation): institutions get 403.</summary>
    private static Func<string, int> Staff(Func<string, int> expected) => role => role == TI ? 403 : expected(role);

    /// <summary>The whole table: each call with the status expected for each role.</summary>
    private IEnumerable<(Call Call, Func<string, int> Expected)> Table()
    {
        long[] workers = [world.WorkerA, world.WorkerB, world.WorkerC, world.WorkerD];
        var noBody = new { };

        // Workers
        yield return (new Call("GET", "/api/workers/", "/api/workers"), Staff(_ => Ok));
        foreach (var w in workers)
        {
            yield return (new Call("GET", "/api/workers/{id:long}", $"/api/workers/{w}"), Staff(role => WorkerVisible(role, w) ? Ok : 404));
            yield return (new Call("PUT", "/api/workers/{id:long}", $"/api/workers/{w}", noBody), role => Allow(role, [CO], w == world.WorkerA ? 400 : 404));
            yield return (new Call("DELETE", "/api/workers/{id:long}", $"/api/workers/{w}", IfMatch: "\"999\""), role => Allow(role, [CO], w == world.WorkerA ? 412 : 404));
            yield return (new Call("POST", "/api/workers/{id:long}/reveal", $"/api/workers/{w}/reveal"),
                role => role switch { CO => w == world.WorkerA ? Ok : 404, AD => Ok, _ => 403 });
        }
        yield return (new Call("POST", "/api/workers/", "/api/workers", NewWorker(AccessFixture.CountyA), Label: "own county"), role => Allow(role, [CO], 201));
        yield return (new Call("POST", "/api/workers/", "/api/workers", NewWorker(AccessFixture.CountyB), Label: "other county"), _ => 403);
        yield return (new Call("POST", "/api/workers/lookup", "/api/workers/lookup", new { idNumber = world.IdNumberA }, Label: "own"), role => Allow(role, [CO, PO, AD], Ok));
        yield return (new Call("POST", "/api/workers/lookup", "/api/workers/lookup", new { idNumber = world.IdNumberB }, Label: "foreign"),
            role => role == AD ? Ok : Allow(role, [CO, PO, AD], 404));

        // Employers
        yield return (new Call("GET", "/api/employers/", "/api/employers"), Staff(_ => Ok));
        yield return (new Call("POST", "/api/employers/", "/api/employers", noBody), role => Allow(role, [AD], 400));
        foreach (var e in new[] { world.Employer1, world.Employer2 })
        {
            var own = e == world.Employer1;
            yield return (new Call("GET", "/api/employers/{id:long}", $"/api/employers/{e}"), Staff(role => role == EN && !own ? 404 : Ok));
            yield return (new Call("PUT", "/api/employers/{id:long}", $"/api/employers/{e}", noBody), role => role switch { EN => own ? 400 : 404, AD => 400, _ => 403 });
            yield return (new Call("DELETE", "/api/employers/{id:long}", $"/api/employers/{e}", IfMatch: "\"999\""), role => Allow(role, [AD], 412));
        }

        // Bases, openings, cohorts: enterprises see and change their own; everyone else reads all and changes none. A training
        // institution reads the cohorts it delivers (cohort 1), no bases or openings.
        foreach (var (resource, first, second) in new[] { ("bases", world.Base1, world.Base2), ("openings", world.Opening1, world.Opening2), ("cohorts", world.Cohort1, world.Cohort2) })
        {
            var institutionReads = resource == "cohorts";
            yield return (new Call("GET", $"/api/{resource}/", $"/api/{resource}"), role => role == TI && !institutionReads ? 403 : Ok);
            yield return (new Call("POST", $"/api/{resource}/", $"/api/{resource}", noBody), role => Allow(role, [EN], 400));
            foreach (var id in new[] { first, second })
            {
                var own = id == first;
                yield return (new Call("GET", $"/api/{resource}/{{id:long}}", $"/api/{resource}/{id}"),
                    role => role == TI && !institutionReads ? 403 : role is EN or TI && !own ? 404 : Ok);
                yield return (new Call("PUT", $"/api/{resource}/{{id:long}}", $"/api/{resource}/{id}", noBody), role => Allow(role, [EN], own ? 400 : 404));
                yield return (new Call("DELETE", $"/api/{resource}/{{id:long}}", $"/api/{resource}/{id}", IfMatch: "\"999\""), role => Allow(role, [EN], own ? 412 : 404));
            }
        }

        // Cancelling a cohort: admins any, the enterprise its own; both cohorts are cancelled already, so it is refused (409)
        // once every access rule passed.
        foreach (var cancelled in new[] { world.CancelledCohort1, world.CancelledCohort2 })
        {
            yield return (new Call("POST", "/api/cohorts/{id:long}/cancel", $"/api/cohorts/{cancelled}/cancel"),
                role => role switch { AD => 409, EN => cancelled == world.CancelledCohort1 ? 409 : 404, _ => 403 });
        }

        // Placements: offices for their counties' workers, enterprises for their own, rural staff for priority groups.
        yield return (new Call("GET", "/api/placements/", "/api/placements"), Staff(_ => Ok));
        yield return (new Call("POST", "/api/placements/", "/api/placements", noBody), role => Allow(role, [CO, EN], 400));
        foreach (var p in new[] { world.PlacementA, world.PlacementB })
        {
            var own = p == world.PlacementA;
            yield return (new Call("GET", "/api/placements/{id:long}", $"/api/placements/{p}"), Staff(role => PlacementVisible(role, p) ? Ok : 404));
            yield return (new Call("PUT", "/api/placements/{id:long}/follow-ups/{month:int}", $"/api/placements/{p}/follow-ups/6", noBody),
                role => Allow(role, [CO, EN], own ? 400 : 404));
            yield return (new Call("DELETE", "/api/placements/{id:long}", $"/api/placements/{p}", IfMatch: "\"999\""), role => Allow(role, [CO, EN], own ? 412 : 404));
        }

        // Leaving a placement (登记离岗): who records placements; an empty body stops at validation.
        foreach (var p in new[] { world.PlacementA, world.PlacementB })
        {
            yield return (new Call("POST", "/api/placements/{id:long}/leave", $"/api/placements/{p}/leave", noBody),
                role => Allow(role, [CO, EN], p == world.PlacementA ? 400 : 404));
        }

        // Due and overdue follow-ups: a list for everyone within their scope; per-county counts for offices, rural staff and admins.
        yield return (new Call("GET", "/api/follow-ups/", "/api/follow-ups"), Staff(_ => Ok));
        yield return (new Call("GET", "/api/follow-ups/counties", "/api/follow-ups/counties"), role => Allow(role, [CO, PO, RR, AD], Ok));

        // Job-loss alerts (防返贫就业预警): offices, rural staff and admins read those of their region; the county office and
        // rural staff handle them (a stale If-Match stops at the version check; an empty resolution at validation).
        yield return (new Call("GET", "/api/alerts/", "/api/alerts"), role => Allow(role, [CO, PO, RR, AD], Ok));
        yield return (new Call("GET", "/api/alerts/summary", "/api/alerts/summary"), role => Allow(role, [CO, PO, RR, AD], Ok));
        foreach (var a in new[] { world.AlertA, world.AlertB })
        {
            var own = a == world.AlertA;
            yield return (new Call("GET", "/api/alerts/{id:long}", $"/api/alerts/{a}"), role => Allow(role, [CO, PO, RR, AD], own || role is RR or AD ? Ok : 404));
            yield return (new Call("POST", "/api/alerts/{id:long}/acknowledge", $"/api/alerts/{a}/acknowledge", IfMatch: "\"999\""),
                role => Allow(role, [CO, RR], own || role == RR ? 412 : 404));
            yield return (new Call("POST", "/api/alerts/{id:long}/resolve", $"/api/alerts/{a}/resolve", noBody),
                role => Allow(role, [CO, RR], own || role == RR ? 400 : 404));
        }

        // Survey-sheet imports: county offices upload (an empty body stops at the content-type check); jobs are their owner's.
        yield return (new Call("POST", "/api/imports/workers", "/api/imports/workers", Label: "no file"), role => Allow(role, [CO], 400));
        yield return (new Call("GET", "/api/imports/workers/template", "/api/imports/workers/template"), role => Allow(role, [CO, PO, RR, AD], Ok));
        foreach (var view in new[] { "", "/rejections", "/result" })
        {
            yield return (new Call("GET", "/api/imports/{id:long}" + view, "/api/imports/999999" + view), role => Allow(role, [CO, AD], 404));
        }

        // Exports: every role but training institutions exports what its lists show.
        foreach (var list in new[] { "workers", "enrolments", "placements", "follow-ups" })
        {
            yield return (new Call("GET", $"/api/exports/{list}", $"/api/exports/{list}"), Staff(_ => Ok));
        }

        // Generating (again) a report: admins; an unknown kind stops at validation.
        yield return (new Call("POST", "/api/reports/{kind}/{period}", "/api/reports/weekly/2026"), role => Allow(role, [AD], 400));

        // The caller's own inbox (every role, training institutions included).
        yield return (new Call("GET", "/api/notifications/", "/api/notifications"), _ => Ok);
        yield return (new Call("POST", "/api/notifications/{id:long}/read", "/api/notifications/999999/read"), _ => 404);
        yield return (new Call("POST", "/api/notifications/read-all", "/api/notifications/read-all"), _ => 204);

        // Catalogues: every role reads them (training institutions included: trades, certificate types for their records).
        foreach (var path in new[] { "", "/divisions", "/trades", "/trade-synonyms", "/trade-families", "/industries", "/brands", "/skill-levels",
            "/certificate-types", "/priority-groups", "/training-types", "/education-levels", "/certificate-recognition", "/subsidy-rules" })
        {
            yield return (new Call("GET", "/api/catalogues" + (path.Length == 0 ? "/" : path), "/api/catalogues" + path), _ => Ok);
        }
        yield return (new Call("GET", "/api/catalogues/trades/{id}", "/api/catalogues/trades/T007"), _ => Ok);

        // Enrolments: county offices enrol their own workers and record their answers; reads follow the worker and cohort scopes.
        foreach (var cohort in new[] { world.Cohort1, world.Cohort2 })
        {
            yield return (new Call("POST", "/api/cohorts/{id:long}/enrolments/", $"/api/cohorts/{cohort}/enrolments", noBody), role => Allow(role, [CO], 400));
            yield return (new Call("GET", "/api/cohorts/{id:long}/enrolments/", $"/api/cohorts/{cohort}/enrolments"), role => role is EN or TI && cohort != world.Cohort1 ? 404 : Ok);
        }
        yield return (new Call("GET", "/api/enrolments/", "/api/enrolments"), _ => Ok);
        yield return (new Call("GET", "/api/enrolments/{id:long}", $"/api/enrolments/{world.EnrolmentA}"), _ => Ok);
        yield return (new Call("GET", "/api/enrolments/{id:long}", $"/api/enrolments/{world.EnrolmentD}"), role => role is EN or TI or AD ? Ok : 404);
        yield return (new Call("GET", "/api/enrolments/{id:long}", $"/api/enrolments/{world.EnrolmentDeclined}", Label: "cohort 2"), role => role is EN or TI ? 404 : Ok);
        foreach (var answer in new[] { "accept", "decline", "withdraw" })
        {
            // A declined offer cannot be answered again (409): reaching that refusal proves every access rule passed.
            yield return (new Call("POST", $"/api/enrolments/{{id:long}}/{answer}", $"/api/enrolments/{world.EnrolmentDeclined}/{answer}"), role => Allow(role, [CO], 409));
            yield return (new Call("POST", $"/api/enrolments/{{id:long}}/{answer}", $"/api/enrolments/{world.EnrolmentD}/{answer}"), role => Allow(role, [CO], 404));
        }

        // Dispatch rounds (月调度): offices within their counties, admins anywhere.
        yield return (new Call("GET", "/api/dispatch-rounds/", "/api/dispatch-rounds"), role => Allow(role, [CO, PO, AD], Ok));
        yield return (new Call("POST", "/api/dispatch-rounds/", "/api/dispatch-rounds", new { countyCode = AccessFixture.CountyA }, Label: "own county"), role => Allow(role, [CO, PO, AD], 201));
        yield return (new Call("POST", "/api/dispatch-rounds/", "/api/dispatch-rounds", new { countyCode = AccessFixture.CountyB }, Label: "other county"), role => role == AD ? 201 : Allow(role, [CO, PO, AD], 400));
        foreach (var round in new[] { world.RoundA, world.RoundB })
        {
            var own = round == world.RoundA;
            foreach (var view in new[] { "", "/cohorts", "/counties" })
            {
                yield return (new Call("GET", "/api/dispatch-rounds/{id:long}" + view, $"/api/dispatch-rounds/{round}{view}"), role => Allow(role, [CO, PO, AD], own || role == AD ? Ok : 404));
            }
            // Both rounds are committed already: a second commit is refused (409) by whoever may see the round.
            yield return (new Call("POST", "/api/dispatch-rounds/{id:long}/commit", $"/api/dispatch-rounds/{round}/commit"), role => Allow(role, [CO, PO, AD], own || role == AD ? 409 : 404));
        }

        // Stored summary reports: offices, rural revitalisation staff and admins; not enterprises.
        yield return (new Call("GET", "/api/reports/", "/api/reports"), role => role is EN or TI ? 403 : Ok);
        yield return (new Call("GET", "/api/reports/{id:long}/download", "/api/reports/999999/download"), role => role is EN or TI ? 403 : 404);

        // Search and recall: offices and rural staff search workers within their scope; enterprises recall only for their own openings.
        yield return (new Call("GET", "/api/search/workers", "/api/search/workers?q=装配"), role => Allow(role, [CO, PO, RR, AD], Ok));
        yield return (new Call("GET", "/api/search/openings", "/api/search/openings?q=装配"), Staff(_ => Ok));
        yield return (new Call("GET", "/api/search/trades/suggest", "/api/search/trades/suggest?q=焊"), Staff(_ => Ok));
        foreach (var opening in new[] { world.Opening1, world.Opening2 })
        {
            yield return (new Call("GET", "/api/match/openings/{id:long}/candidates-recall", $"/api/match/openings/{opening}/candidates-recall"),
                role => Allow(role, [CO, PO, EN, AD], role == EN && opening != world.Opening1 ? 404 : Ok));
        }
        foreach (var w in workers)
        {
            yield return (new Call("GET", "/api/match/workers/{id:long}/openings-recall", $"/api/match/workers/{w}/openings-recall"),
                role => Allow(role, [CO, PO, RR, AD], WorkerVisible(role, w) ? Ok : 404));
        }
        // Ranked matches: the opening's candidates for offices and its own enterprise; a worker's openings for who may see the worker.
        // The shipped model serves them (200) once every access rule passed.
        foreach (var opening in new[] { world.Opening1, world.Opening2 })
        {
            yield return (new Call("GET", "/api/match/openings/{id:long}/candidates", $"/api/match/openings/{opening}/candidates"),
                role => Allow(role, [CO, PO, EN, AD], role == EN && opening != world.Opening1 ? 404 : Ok));
        }
        foreach (var w in workers)
        {
            yield return (new Call("GET", "/api/match/workers/{id:long}/openings", $"/api/match/workers/{w}/openings"),
                role => Allow(role, [CO, PO, RR, AD], WorkerVisible(role, w) ? Ok : 404));
        }
        yield return (new Call("POST", "/api/search/admin/reindex", "/api/search/admin/reindex"), role => Allow(role, [AD], 202));
        yield return (new Call("GET", "/api/search/admin/reindex", "/api/search/admin/reindex"), role => Allow(role, [AD], Ok));
        yield return (new Call("GET", "/api/search/admin/consistency", "/api/search/admin/consistency"), role => Allow(role, [AD], Ok));
        yield return (new Call("GET", "/api/search/admin/outbox", "/api/search/admin/outbox"), role => Allow(role, [AD], Ok));

        // Institutions: every role reads the list (a training institution only its own profile); admins register them; teachers
        // are read by offices, admins, the institution's own enterprise and the institution itself, registered by admins, that
        // enterprise and the institution. Cohort teaching teams: read as the cohort, set by its enterprise.
        yield return (new Call("GET", "/api/institutions/", "/api/institutions"), _ => Ok);
        yield return (new Call("POST", "/api/institutions/", "/api/institutions", noBody), role => Allow(role, [AD], 400));
        foreach (var institution in new[] { world.Institution1, world.Institution2 })
        {
            var linked = institution == world.Institution1;
            yield return (new Call("GET", "/api/institutions/{id:long}", $"/api/institutions/{institution}"), role => role == TI && !linked ? 404 : Ok);
            yield return (new Call("PUT", "/api/institutions/{id:long}", $"/api/institutions/{institution}", noBody), role => Allow(role, [AD], 400));
            yield return (new Call("GET", "/api/institutions/{id:long}/teachers", $"/api/institutions/{institution}/teachers"),
                role => role switch { RR => 403, EN or TI => linked ? Ok : 404, _ => Ok });
            yield return (new Call("POST", "/api/institutions/{id:long}/teachers", $"/api/institutions/{institution}/teachers", noBody),
                role => role switch { AD => 400, EN or TI => linked ? 400 : 404, _ => 403 });
        }
        foreach (var cohort in new[] { world.Cohort1, world.Cohort2 })
        {
            var own = cohort == world.Cohort1;
            yield return (new Call("GET", "/api/cohorts/{id:long}/teachers/", $"/api/cohorts/{cohort}/teachers"), role => role is EN or TI && !own ? 404 : Ok);
            yield return (new Call("PUT", "/api/cohorts/{id:long}/teachers/", $"/api/cohorts/{cohort}/teachers", noBody), role => Allow(role, [EN], own ? 400 : 404));
            // Results: the cohort's own enterprise and the institution delivering it record them (cohort 1 has not started: 400);
            // reads follow the cohort and worker scopes.
            yield return (new Call("POST", "/api/cohorts/{id:long}/results", $"/api/cohorts/{cohort}/results", noBody), role => Allow(role, [EN, TI], own ? 400 : 404));
            yield return (new Call("GET", "/api/cohorts/{id:long}/results", $"/api/cohorts/{cohort}/results"), role => role is EN or TI && !own ? 404 : Ok);
            yield return (new Call("GET", "/api/cohorts/{id:long}/certificates", $"/api/cohorts/{cohort}/certificates"), role => role is EN or TI && !own ? 404 : Ok);
        }
        yield return (new Call("PUT", "/api/enrolments/{id:long}/result", $"/api/enrolments/{world.EnrolmentA}/result", noBody), role => Allow(role, [EN, TI], 400));
        yield return (new Call("PUT", "/api/enrolments/{id:long}/result", $"/api/enrolments/{world.EnrolmentDeclined}/result", noBody), role => Allow(role, [EN, TI], 404));
        // Certificates gained in a cohort: recorded by who records its results.
        yield return (new Call("POST", "/api/enrolments/{id:long}/certificates", $"/api/enrolments/{world.EnrolmentA}/certificates", noBody), role => Allow(role, [EN, TI], 400));
        yield return (new Call("POST", "/api/enrolments/{id:long}/certificates", $"/api/enrolments/{world.EnrolmentDeclined}/certificates", noBody), role => Allow(role, [EN, TI], 404));
        yield return (new Call("GET", "/api/enrolments/{id:long}/result", $"/api/enrolments/{world.EnrolmentA}/result"), _ => Ok);
        yield return (new Call("GET", "/api/enrolments/{id:long}/result", $"/api/enrolments/{world.EnrolmentD}/result"), _ => 404);
        // A certificate gained in a cohort, by who records its results, naming the enrolment: worker A's in cohort 1 reaches
        // validation (400), worker A's (declined) in cohort 2 is not theirs (404).
        yield return (new Call("POST", "/api/workers/{id:long}/certificates", $"/api/workers/{world.WorkerA}/certificates", new { enrolmentId = world.EnrolmentA }, Label: "cohort 1"),
            role => Allow(role, [CO, EN, TI], 400));
        yield return (new Call("POST", "/api/workers/{id:long}/certificates", $"/api/workers/{world.WorkerA}/certificates", new { enrolmentId = world.EnrolmentDeclined }, Label: "cohort 2"),
            role => role switch { CO => 400, EN or TI => 404, _ => 403 });
        foreach (var w in workers)
        {
            // Certificates are recorded by the worker's county office, or by who records a cohort's results for an enrolment in it
            // (none named: 400 before any look-up); the worker's record, certificates and status follow the worker's visibility.
            yield return (new Call("POST", "/api/workers/{id:long}/certificates", $"/api/workers/{w}/certificates", noBody),
                role => role switch { CO => w == world.WorkerA ? 400 : 404, EN or TI => 400, _ => 403 });
            yield return (new Call("GET", "/api/workers/{id:long}/certificates", $"/api/workers/{w}/certificates"), Staff(role => WorkerVisible(role, w) ? Ok : 404));
            yield return (new Call("GET", "/api/workers/{id:long}/record/", $"/api/workers/{w}/record"), Staff(role => WorkerVisible(role, w) ? Ok : 404));
            yield return (new Call("GET", "/api/workers/{id:long}/record/export", $"/api/workers/{w}/record/export"), Staff(role => WorkerVisible(role, w) ? Ok : 404));
            yield return (new Call("PUT", "/api/workers/{id:long}/social-security-card", $"/api/workers/{w}/social-security-card", noBody),
                role => Allow(role, [CO], w == world.WorkerA ? 400 : 404));
            yield return (new Call("PUT", "/api/workers/{id:long}/vital-status", $"/api/workers/{w}/vital-status", noBody),
                role => Allow(role, [CO], w == world.WorkerA ? 400 : 404));
        }

        // Subsidy claims: offices of the worker's county (prefecture offices read) and admins; the county office decides. Both claims
        // are blocked by their findings, so approving is refused (409) after every access rule passed.
        yield return (new Call("GET", "/api/subsidy-claims/", "/api/subsidy-claims"), role => Allow(role, [CO, PO, AD], Ok));
        yield return (new Call("GET", "/api/exports/subsidy-claims", "/api/exports/subsidy-claims"), role => Allow(role, [CO, PO, AD], Ok));
        yield return (new Call("POST", "/api/subsidy-claims/", "/api/subsidy-claims", noBody), role => Allow(role, [CO], 400));
        foreach (var claim in new[] { world.ClaimA, world.ClaimB })
        {
            var own = claim == world.ClaimA;
            yield return (new Call("GET", "/api/subsidy-claims/{id:long}", $"/api/subsidy-claims/{claim}"), role => Allow(role, [CO, PO, AD], own || role == AD ? Ok : 404));
            yield return (new Call("POST", "/api/subsidy-claims/{id:long}/check", $"/api/subsidy-claims/{claim}/check"), role => Allow(role, [CO], own ? Ok : 404));
            yield return (new Call("POST", "/api/subsidy-claims/{id:long}/approve", $"/api/subsidy-claims/{claim}/approve", noBody), role => Allow(role, [CO], own ? 409 : 404));
            yield return (new Call("POST", "/api/subsidy-claims/{id:long}/reject", $"/api/subsidy-claims/{claim}/reject", noBody), role => Allow(role, [CO], own ? 400 : 404));
        }
        // Nothing is approved in this world: a payment file is refused (409) after every access rule passed.
        yield return (new Call("POST", "/api/subsidy-claims/payment-file", "/api/subsidy-claims/payment-file", noBody), role => Allow(role, [CO, AD], 409));
        yield return (new Call("POST", "/api/subsidy-claims/checks", "/api/subsidy-claims/checks", new { year = 1999 }), role => Allow(role, [AD], 400));

        // Targets and their progress: offices, rural revitalisation staff and admins; not enterprises.
        yield return (new Call("GET", "/api/targets/", "/api/targets"), role => role is EN or TI ? 403 : Ok);
        yield return (new Call("GET", "/api/targets/progress", "/api/targets/progress"), role => role is EN or TI ? 403 : Ok);

        // Users and the audit log: admins only.
        yield return (new Call("GET", "/api/users/", "/api/users"), role => Allow(role, [AD], Ok));
        yield return (new Call("GET", "/api/users/{id:long}", "/api/users/1"), role => Allow(role, [AD], Ok));
        yield return (new Call("POST", "/api/users/", "/api/users", noBody), role => Allow(role, [AD], 400));
        yield return (new Call("PUT", "/api/users/{id:long}", "/api/users/1", noBody), role => Allow(role, [AD], 400));
        yield return (new Call("GET", "/api/audit/", "/api/audit"), role => Allow(role, [AD], Ok));
        // Delegated administration: offices, enterprises and training institutions reach the handler, which refuses accounts that are not
        // account administrators (403); this world's users are not (AccountApiTests covers those who are).
        yield return (new Call("PUT", "/api/users/{id:long}/password", "/api/users/1/password", noBody), role => Allow(role, [AD], 400));
        yield return (new Call("POST", "/api/users/{id:long}/unlock", "/api/users/1/unlock"), role => Allow(role, [AD], Ok));

        // Sign-in for scripts (no token needed: an empty body stops at validation) and one's own password.
        yield return (new Call("POST", "/api/auth/token", "/api/auth/token", noBody), _ => 400);
        yield return (new Call("POST", "/api/auth/password", "/api/auth/password", noBody), _ => 400);

        // Dashboard figures and retention, counted inside the caller's scope (an enterprise: the retention of its own placements).
        yield return (new Call("GET", "/api/statistics/overview", "/api/statistics/overview"), role => Allow(role, [CO, PO, RR, AD], Ok));
        yield return (new Call("GET", "/api/statistics/retention", "/api/statistics/retention?priorityGroupsOnly=true"), Staff(_ => Ok));

        // What background work could not handle (unschedulable cohorts, set-aside index changes): admins only.
        yield return (new Call("GET", "/api/problems/", "/api/problems"), role => Allow(role, [AD], Ok));
    }

    /// <summary>Routes anyone may call without a token (the token endpoint itself).</summary>
    private static readonly string[] AnonymousRoutes = ["/api/auth/token"];

    private static int _sequence;

    private static object NewWorker(string county) => new
    {
        realName = "新登记",
        idNumber = ResidentIdNumber.Compose(county, new DateOnly(1992, 5, 5), Interlocked.Increment(ref _sequence) * 2 + 1),
        phone = "15012345678",
        countyCode = county,
        education = "junior",
        trades = new[] { new { tradeId = "T001", level = 1 } },
        expectedMonthlyWage = 4500,
        availableFrom = "2026-12-01",
    };

    [Fact]
    public async Task Every_route_for_every_role_in_and_out_of_scope_gets_the_status_the_rules_say()
    {
        var failures = new List<string>();
        foreach (var (call, expected) in Table())
        {
            foreach (var role in AllRoles)
            {
                var status = await SendAsync(world.Client(role), call);
                // Starting a rebuild while the start-up rebuild still runs is refused (409) after every access rule passed.
                var alsoFine = expected(role) == 202 && status == 409;
                if (status != expected(role) && !alsoFine)
                {
                    failures.Add($"{role,-20} {call}: expected {expected(role)}, got {status}");
                }
            }
        }
        Assert.True(failures.Count == 0, "Access matrix mismatches:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_route_without_a_token_is_401_problem_details_saying_the_token_is_missing()
    {
        foreach (var (call, _) in Table().DistinctBy(c => c.Call.Method + c.Call.Pattern).Where(c => !AnonymousRoutes.Contains(c.Call.Pattern)))
        {
            using var request = Request(call);
            using var response = await world.Client(null).SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{call}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("未携带令牌", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_matrix_covers_every_api_route_the_service_exposes()
    {
        var routes = world.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {Normalise(e.RoutePattern.RawText!)}"))
            .ToHashSet();
        var covered = Table().Select(c => $"{c.Call.Method} {Normalise(c.Call.Pattern)}").ToHashSet();
        Assert.Empty(routes.Except(covered));
    }

    private static string Normalise(string pattern) => pattern.TrimEnd('/');

    private static HttpRequestMessage Request(Call call)
    {
        var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Url);
        if (call.Body is not null)
        {
            request.Content = JsonContent.Create(call.Body, call.Body.GetType());
        }
        if (call.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", call.IfMatch);
        }
        return request;
    }

    private static async Task<int> SendAsync(HttpClient client, Call call)
    {
        using var request = Request(call);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }
}
