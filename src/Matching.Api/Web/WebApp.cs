using Matching.Api.Access;
using Matching.Api.Imports;
using Matching.Api.Records;
using Matching.Api.Reports;
using Matching.Api.Subsidies;
using Matching.Api.Search;
using Matching.Data.Imports;
using Matching.Data.Placements;
using Matching.Data.Reports;
using Matching.Data.Subsidies;
using Matching.Data.Training;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Scheduling.Reports;
using Matching.Search.Recall;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Web;

/// <summary>
/// The web application (Simplified Chinese, server-rendered Blazor components, no interactivity runtime): its pages at
/// the site root, sign-out, and the few non-page endpoints its pages use (trade typeahead, report download). Each of
/// those calls the API's handler for the same thing with the signed-in caller, so a page applies exactly the API's rules.
/// </summary>
public static class WebApp
{
    public static IServiceCollection AddWebApp(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "matching.antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    public static void MapWebApp(this WebApplication app)
    {
        app.MapRazorComponents<Components.App>();

        var web = app.MapGroup("/app").RequireAuthorization(WebSession.Policy).ExcludeFromDescription();
        // Typeahead for the trade fields (colloquial, traditional and pinyin-initial input), the API's handler as is.
        web.MapGet("/trades/suggest", (string? q, TradeSuggester suggester) =>
            SearchEndpoints.SuggestTrades(new SuggestQuery(q, 8), suggester));
        web.MapGet("/reports/{id:long}/download", async (long id, Caller caller, ReportStore reports, SummaryReports summaries, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (!context.IsInRole(WebRoles.ReportReaders))
            {
                return Results.Forbid();
            }
            var result = await ReportEndpoints.DownloadReport(id, caller, reports, summaries, catalogue, cancellationToken);
            await AuditEndpointExtensions.RecordAsync(context, "report.download", "report", id.ToString(System.Globalization.CultureInfo.InvariantCulture), result);
            return result.Result;
        });

        web.MapGet("/imports/template", (HttpContext context, Catalogue catalogue) =>
            context.IsInRole(WebRoles.ImportTemplate) ? (IResult)ImportEndpoints.Template(catalogue) : Results.Forbid());
        web.MapGet("/imports/{id:long}/result", async (long id, Caller caller, ImportJobStore jobs, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (!context.IsInRole(WebRoles.ImportReaders))
            {
                return Results.Forbid();
            }
            var result = await ImportEndpoints.Result(id, caller, jobs, cancellationToken);
            await AuditEndpointExtensions.RecordAsync(context, "import.result", "import", id.ToString(System.Globalization.CultureInfo.InvariantCulture), result);
            return result.Result;
        });

        web.MapGet("/workers/{id:long}/record/export", async (long id, string? format, Caller caller, WorkerStore workers, TrainingHistoryStore trainings,
            TrainingRecordStore records, PlacementStore placements, SubsidyClaimStore claims, Catalogue catalogue,
            Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (!context.IsInRole(WebRoles.WorkerReaders))
            {
                return Results.Forbid();
            }
            var result = await LifelongRecordEndpoints.ExportRecord(id, new RecordExportQuery(format), caller, workers, trainings, records, placements, claims, catalogue,
                json, cancellationToken);
            await AuditEndpointExtensions.RecordAsync(context, "worker.record.export", "worker", id.ToString(System.Globalization.CultureInfo.InvariantCulture), result);
            return result.Result;
        });

        // The payment file is a form post (it marks the claims paid), so it carries the antiforgery token.
        web.MapPost("/subsidy-claims/payment-file", async (Caller caller, SubsidyClaimStore store, Catalogue catalogue, HttpContext context, IAntiforgery antiforgery,
            CancellationToken cancellationToken) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }
            if (!context.IsInRole(WebRoles.SubsidyExporters))
            {
                return Results.Forbid();
            }
            var result = await SubsidyClaimEndpoints.ExportPayments(new Domain.Subsidies.PaymentFileInput(null), caller, store, catalogue, cancellationToken);
            await AuditEndpointExtensions.RecordAsync(context, "subsidy-claim.payment-file", "subsidy-claim", null, result);
            // Nothing approved to pay: back to the list, which says so.
            return result.Result is FileContentHttpResult ? result.Result : Results.Redirect("/subsidies?exported=none");
        });

        // Sign-out is a form post (with its antiforgery token), so another site cannot sign a clerk out.
        app.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }
            if (context.User.Identity?.IsAuthenticated == true)
            {
                await context.SignOutAsync(WebSession.Scheme);
                await AuditEndpointExtensions.RecordAsync(context, "auth.sign-out", "user", null, TypedResults.NoContent());
            }
            return Results.Redirect(WebSession.SignInPath + "?signedOut=1");
        }).ExcludeFromDescription();
    }

    /// <summary>Whether the signed-in caller's role is one of the comma-separated <paramref name="roles"/>.</summary>
    public static bool IsInRole(this HttpContext context, string roles) =>
        context.Items[AccessSetup.CallerItem] is Domain.Access.Caller caller && roles.Split(',').Contains(caller.Role);
}
