using Matching.Api.Access;
using Matching.Api.Alerts;
using Matching.Data.Alerts;
using Matching.Domain.Alerts;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Microsoft.AspNetCore.Components;

namespace Matching.Api.Web;

/// <summary>
/// A page of the web application: the request it renders, the signed-in caller (resolved from the users table as for
/// API calls) and the services it calls. Pages call the API's handlers with this caller and read their outcome.
/// </summary>
public abstract class WebPage : ComponentBase
{
    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = default!;

    protected Caller Caller => HttpContext.Items[AccessSetup.CallerItem] as Caller
        ?? throw new InvalidOperationException("page requires a signed-in caller");

    protected Catalogue Catalogue => Service<Catalogue>();

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected bool IsPost => HttpMethods.IsPost(HttpContext.Request.Method);

    /// <summary>The posted form of this request (read already by the framework for the form's handler).</summary>
    protected FormData Form => new(HttpContext.Request.HasFormContentType ? HttpContext.Request.Form : null);

    protected T Service<T>() where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>
    /// Starts one of a page's independent reads on its own thread. SQLite's async calls run synchronously, so reads
    /// awaited one after another add up; started together, a dashboard's province-wide counts overlap on two cores.
    /// Each read opens its own connection; resolve services before starting (the request's scope is not shared work).
    /// </summary>
    protected static Task<IResult> Started<TResult>(Func<Task<TResult>> read) where TResult : IResult => Task.Run(async () => (IResult)await read());

    /// <summary>The open job-loss alerts the caller may see (the count both overview pages show), started like <see cref="Started"/>.</summary>
    protected Task<long> StartedOpenAlertCount()
    {
        var (caller, store, catalogue, aborted) = (Caller, Service<JobLossAlertStore>(), Catalogue, Aborted);
        var open = new AlertListQuery(null, null, JobLossAlertRules.Open, null, null, null, null, null, null);
        return Task.Run(async () => Api.Read<AlertSummary>(await AlertEndpoints.Summary(open, caller, store, catalogue, aborted))
            .Value?.ByStatus.GetValueOrDefault(JobLossAlertRules.Open) ?? 0);
    }

    /// <summary>The HTTP status of the page (404 when the thing is not there or not visible, as the API answers).</summary>
    protected void SetStatus(int status) => HttpContext.Response.StatusCode = status;

    /// <summary>
    /// Answers 404 with the not-found page naming <paramref name="what"/> (劳动者, 岗位…): the same page whether the
    /// thing does not exist or is outside the caller's scope, as the API answers.
    /// </summary>
    protected void NotFound(string what)
    {
        HttpContext.Items[Components.Pages.NotFoundPage.WhatItem] = what;
        Navigation.NotFound();
    }

    /// <summary>Runs an API handler as an audited call under the API's action name (as its route does), and reads its outcome.</summary>
    protected async Task<ApiOutcome<T>> AuditedAsync<T>(string action, string resourceType, long? resourceId, Func<Task<IResult>> call) where T : class
    {
        var result = await AuditEndpointExtensions.RunAsync(HttpContext, action, resourceType,
            resourceId?.ToString(System.Globalization.CultureInfo.InvariantCulture), async () => await call());
        return Api.Read<T>((IResult)result!);
    }

    /// <summary>Sends the browser to <paramref name="url"/> after a successful post, so a reload does not post again.</summary>
    protected void RedirectTo(string url) => Navigation.NavigateTo(url);

    /// <summary>Sets If-Match on this request, so the API's handler checks the version the form was filled from.</summary>
    protected void IfMatch(int? version)
    {
        if (version is { } v)
        {
            HttpContext.Request.Headers.IfMatch = Infrastructure.Versioning.ETag(v);
        }
    }

    protected bool Is(params string[] roles) => roles.Contains(Caller.Role);

    /// <summary>A query value as given, or null when blank (a GET form sends its empty fields as <c>name=</c>).</summary>
    protected static string? Present(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    protected static string[]? Present(string[]? values) => values?.Select(Present).OfType<string>().ToArray() is { Length: > 0 } kept ? kept : null;
}
