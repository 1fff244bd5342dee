using Matching.Domain.Access;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Matching.Api.Access;

/// <summary>
/// States the authorisation of every operation in the OpenAPI document: the bearer scheme, and which roles may call
/// it (as text and as the <c>x-roles</c> extension), from the endpoint's <see cref="AllowedRoles"/>.
/// </summary>
public static class OpenApiSecurity
{
    public const string SchemeName = "Bearer";

    public static void Configure(OpenApiOptions openApi)
    {
        openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "JWT；本机默认可用 `dotnet run --project src/Matching.Cli -- token --role R --scope S` 获取",
            };
            return Task.CompletedTask;
        });
        openApi.AddOperationTransformer((operation, context, _) =>
        {
            var roles = context.Description.ActionDescriptor.EndpointMetadata.OfType<AllowedRoles>().LastOrDefault();
            if (roles is null)
            {
                operation.Description = (operation.Description + "\n\n权限：无需登录").Trim();
                return Task.CompletedTask;
            }
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
            operation.Description = (operation.Description + "\n\n权限（角色）：" + string.Join("、", roles.Roles.Select(r => $"{Roles.NameOf(r)} ({r})"))).Trim();
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-roles"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray(roles.Roles.Select(r => (System.Text.Json.Nodes.JsonNode?)r).ToArray()));
            return Task.CompletedTask;
        });
    }
}
