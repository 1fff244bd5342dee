using System.Net.Http.Json;
using System.Text.Json;
using Matching.Api.Tests.Infrastructure;
using Matching.Api.Web;
using Matching.Domain.Access;

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
        { nameof(WebRoles.FollowUpReaders), "get", "/api/follow-ups" },
        { nameof(WebRoles.All), "get", "/api/notifications" },
        { nameof(WebRoles.All), "post", "/api/auth/password" },
        { nameof(WebRoles.Staff), "get", "/api/employers" },
        { nameof(WebRoles.CohortReaders), "get", "/api/cohorts" },
        { nameof(WebRoles.CohortReaders), "get", "/api/cohorts/{id}" },
        { nameof(WebRoles.OpeningReaders), "get", "/api/openings" },
        { nameof(WebRoles.OpeningReaders), "get", "/api/openings/{id}" },
        { nameof(WebRoles.PlacementReaders), "get", "/api/placements" },
        { nameof(WebRoles.PlacementReaders), "get", "/api/placements/{id}" },
        { nameof(WebRoles.WorkerReaders), "get", "/api/workers/{id}" },
        { nameof(WebRoles.WorkerReaders), "get", "/api/workers/{id}/record/export" },
        { nameof(WebRoles.TargetReaders), "get", "/api/targets/progress" },
        { nameof(WebRoles.Admin), "post", "/api/search/admin/reindex" },
        { nameof(WebRoles.SubsidyExporters), "post", "/api/subsidy-claims/payment-file" },
    };

    [Fact]
    public void The_pages_for_every_role_name_every_role_and_the_staff_pages_every_role_but_training_institutions()
    {
        Assert.Equal(Roles.All.Order(), WebRoles.All.Split(',').Order());
        Assert.Equal(Roles.AllButInstitutions.Order(), WebRoles.Staff.Split(',').Order());
    }

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
