using System.Net.Http.Json;
using System.Text.Json;
using Matching.Api.Tests.Infrastructure;
using Matching.Api.Web;

namespace Matching.Api.Tests.Access;

/// <summary>
/// The web application's pages open for the same roles as the API routes they call (the pages call those routes'
/// handlers): each page role list is proven equal to its route's declared roles, so neither can drift alone.
/// </summary>
public sealed class WebRolesTests(ApiFixture world) : IClassFixture<ApiFixture>
{
    public static TheoryData<string, string, string> Pages => new()
    {
        { nameof(WebRoles.Overview), "get", "/api/statistics/overview" },
        { nameof(WebRoles.WorkerSearch), "get", "/api/search/workers" },
        { nameof(WebRoles.Candidates), "get", "/api/match/openings/{id}/candidates" },
        { nameof(WebRoles.Dispatch), "post", "/api/dispatch-rounds" },
        { nameof(WebRoles.ReportReaders), "get", "/api/reports" },
        { nameof(WebRoles.AccountAdministrators), "get", "/api/users" },
        { nameof(WebRoles.Admin), "get", "/api/audit" },
        { nameof(WebRoles.ImportUploaders), "post", "/api/imports/workers" },
        { nameof(WebRoles.ImportReaders), "get", "/api/imports/{id}" },
        { nameof(WebRoles.ImportTemplate), "get", "/api/imports/workers/template" },
        { nameof(WebRoles.SubsidyReaders), "get", "/api/subsidy-claims" },
        { nameof(WebRoles.AlertReaders), "get", "/api/alerts" },
        { nameof(WebRoles.All), "get", "/api/follow-ups" },
        { nameof(WebRoles.All), "get", "/api/notifications" },
        { nameof(WebRoles.TargetReaders), "get", "/api/targets/progress" },
        { nameof(WebRoles.Admin), "post", "/api/search/admin/reindex" },
        { nameof(WebRoles.SubsidyExporters), "post", "/api/subsidy-claims/payment-file" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_opens_for_exactly_the_roles_of_the_api_route_it_calls(string pageRoles, string method, string route)
    {
        var document = await world.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var path = document.GetProperty("paths").EnumerateObject().Single(p => p.Name.TrimEnd('/') == route || p.Name == route + "/").Value;
        var apiRoles = path.GetProperty(method).GetProperty("x-roles").EnumerateArray().Select(r => r.GetString()!).Order().ToList();
        var webRoles = ((string)typeof(WebRoles).GetField(pageRoles)!.GetRawConstantValue()!).Split(',').Order().ToList();
        Assert.Equal(apiRoles, webRoles);
    }
}
