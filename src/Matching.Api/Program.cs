using System.Text.Json;
using System.Text.Json.Serialization;
using Matching.Api.Access;
using Matching.Api.Alerts;
using Matching.Api.FollowUps;
using Matching.Api.Imports;
using Matching.Api.Notifications;
using Matching.Api.Audit;
using Matching.Api.Auth;
using Matching.Api.Bases;
using Matching.Api.Catalogues;
using Matching.Api.Cohorts;
using Matching.Api.DispatchRounds;
using Matching.Api.Enrolments;
using Matching.Api.Exports;
using Matching.Api.Employers;
using Matching.Api.Health;
using Matching.Api.Institutions;
using Matching.Api.Infrastructure;
using Matching.Api.Match;
using Matching.Api.Openings;
using Matching.Api.Placements;
using Matching.Api.Records;
using Matching.Api.Reports;
using Matching.Api.Scheduling;
using Matching.Api.Subsidies;
using Matching.Api.Targets;
using Matching.Api.Training;
using Matching.Api.Users;
using Matching.Api.Web;
using Matching.Data.Access;
using Matching.Api.Search;
using Matching.Api.Statistics;
using Matching.Api.Workers;
using Matching.Data.Bases;
using Matching.Data.Cohorts;
using Matching.Data.Demo;
using Matching.Data.Enrolments;
using Matching.Data.Imports;
using Matching.Data.Institutions;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Placements;
using Matching.Data.Reports;
using Matching.Data.Statistics;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Data.Training;
using Matching.Data.Workers;
using Matching.Allocation;
using Matching.Ranking.Dispatch;
using Matching.Scheduling;
using Matching.Scheduling.Alerts;
using Matching.Scheduling.Notifications;
using Microsoft.AspNetCore.Authorization;
using Matching.Search;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

const long MaxRequestBodyBytes = 1024 * 1024;
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

// Secrets as files (container secrets: /run/secrets/Matching__DataKey …), read as configuration when the folder is named.
if (builder.Configuration["Matching:SecretsDirectory"] is { Length: > 0 } secrets)
{
    builder.Configuration.AddKeyPerFile(secrets, optional: false);
}
var options = builder.Configuration.GetSection(MatchingOptions.Section).Get<MatchingOptions>() ?? new MatchingOptions();
// The service copies SQLite's write-ahead log into the database file in the background (CheckpointService), not in commits.
options.CheckpointInBackground = true;
var time = TimeProvider.System;
builder.Services.AddSingleton(time);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(services => DataEnvironment.Open(options, services.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton(services => services.GetRequiredService<DataEnvironment>().Catalogue);
builder.Services.AddSingleton(services => services.GetRequiredService<DataEnvironment>().Database);
builder.Services.AddSingleton(services => services.GetRequiredService<DataEnvironment>().Protector);
builder.Services.AddHostedService<CheckpointService>();
builder.Services.AddSingleton<WorkerStore>();
builder.Services.AddSingleton<EmployerStore>();
builder.Services.AddSingleton<TrainingBaseStore>();
builder.Services.AddSingleton<OpeningStore>();
builder.Services.AddSingleton<CohortStore>();
builder.Services.AddSingleton<PlacementStore>();
builder.Services.AddSingleton<EnrolmentStore>();
builder.Services.AddSingleton<ReportStore>();
builder.Services.AddSingleton<StatisticsStore>();
// Training records, institutions and teachers, subsidy claims, targets (issue 11).
builder.Services.AddSingleton<InstitutionStore>();
builder.Services.AddSingleton<TrainingRecordStore>();
builder.Services.AddSingleton<TrainingHistoryStore>();
builder.Services.AddSingleton<TargetCountStore>();
builder.Services.AddSingleton<SubsidyClaimStore>();
builder.Services.AddMatchingSearch(builder.Configuration.GetSection(MatchingOptions.Section).Get<SearchOptions>() ?? new SearchOptions());
builder.Services.AddMatchingRanking(builder.Configuration);
// The scheduling seams served by search and ranking: dispatch pairs scored by the model, the nightly index check,
// the weekly retrain. Registered before scheduling, whose stand-ins only fill seams nobody filled.
builder.Services.AddSingleton<ICandidatePairSource, ModelCandidatePairSource>();
builder.Services.AddSingleton<IIndexConsistencyCheck, SearchIndexConsistencyCheck>();
builder.Services.AddSingleton<IRankingModelTrainer, RankingModelTrainer>();
// Staff notifications (inbox, webhook), follow-up reminders and job-loss alerts with re-match suggestions (issue 12).
builder.Services.AddSingleton<IRematchAdvisor, RankerRematchAdvisor>();
builder.Services.AddMatchingNotifications(builder.Configuration);
// Excel import of survey sheets as background jobs (issue 12).
builder.Services.AddSingleton<ImportJobStore>();
builder.Services.AddSingleton<ImportProgress>();
builder.Services.AddSingleton<ImportSignal>();
builder.Services.AddSingleton<WorkerImporter>();
builder.Services.AddHostedService<ImportJobRunner>();
// Quartz with its job store in the same database file (issue 6); Matching:Scheduling:Enabled=false leaves it off.
if (builder.Configuration.GetValue("Matching:Scheduling:Enabled", true))
{
    builder.Services.AddMatchingScheduling(options.ConnectionString ?? Migrator.SqliteConnectionString(options.FullDataDirectory), options.StorageProvider);
}
else
{
    builder.Services.AddMatchingDispatch();
}

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    // A misspelt field is an error, not silently dropped data.
    json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    // Numbers are JSON numbers ("6000" is refused), and a field sent twice (in any letter case) is refused, not last-wins.
    json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
    json.SerializerOptions.AllowDuplicateProperties = false;
});
builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
{
    context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
    ProblemTitles.Localize(context.ProblemDetails);
    context.ProblemDetails.Extensions.Remove("exception");
    // Status-code-only responses (no route, wrong method…) get a Chinese title too.
    context.ProblemDetails.Title = context.ProblemDetails.Status switch
    {
        404 when context.ProblemDetails.Title is null or "Not Found" => "资源不存在",
        405 => "不支持该请求方法",
        415 => "请求体应为 application/json",
        _ => context.ProblemDetails.Title,
    };
});
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.AddAccess(options);
builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
builder.Services.AddOpenApi(openApi =>
{
    openApi.AddDocumentTransformer((document, _, _) =>
    {
        document.Info.Title = "东西部劳务协作匹配引擎 API (East–West Labour Cooperation Matching Engine)";
        document.Info.Description = "Workers, partner employers, training bases, openings, cohorts and placements for Guizhou's east–west labour cooperation.";
        return Task.CompletedTask;
    });
    OpenApiSecurity.Configure(openApi);
});
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
    .AddCheck<BackgroundWorkHealthCheck>("background", tags: ["ready"]);
builder.Services.AddWebApp();
// Each role's first page rendered once after start, so the first visitor does not wait for the process's first render.
if (builder.Configuration.GetValue(WebWarmUp.Setting, false))
{
    builder.Services.AddSingleton<WebWarmUp>();
    builder.Services.AddHostedService(services => services.GetRequiredService<WebWarmUp>());
}

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<SecurityHeaders>();
app.UseMiddleware<RequestSizeLimit>(MaxRequestBodyBytes);
app.UseStaticFiles();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseAntiforgery();
app.UseMiddleware<IdempotencyMiddleware>();

var environment = app.Services.GetRequiredService<DataEnvironment>();
await SeedDemoDataAsync(app, environment, options);
// Demo accounts (one per role, known password) only beside demo data in Development, never in production.
var demoAccounts = app.Environment.IsDevelopment() && options.DemoWorkers > 0;
if (demoAccounts)
{
    await DemoAccounts.EnsureAsync(app.Services.GetRequiredService<UserStore>(), app.Services.GetRequiredService<Matching.Data.Institutions.InstitutionStore>());
    // The last quarter's and year's summaries, so the demo has reports to download before the scheduler writes any.
    var summaries = app.Services.GetRequiredService<Matching.Scheduling.Reports.SummaryReports>();
    await summaries.WriteAsync(ReportKinds.Quarterly);
    await summaries.WriteAsync(ReportKinds.Annual);
}

app.MapOpenApi();
app.MapScalarApiReference("/api-reference", scalar => scalar
    .WithTitle("东西部劳务协作匹配引擎 API")
    .DisableDefaultFonts());
app.MapHealth();
app.MapCatalogues();
app.MapWorkers();
app.MapEmployers();
app.MapTrainingBases();
app.MapOpenings();
app.MapCohorts();
app.MapPlacements();
app.MapEnrolments();
app.MapDispatchRounds();
app.MapReports();
app.MapUsers();
app.MapAudit();
app.MapSearch();
app.MapMatching();
app.MapAlerts();
app.MapNotifications();
app.MapFollowUps();
app.MapImports();
app.MapExports();
app.MapAuth();
app.MapStatistics();
app.MapWebApp();
app.MapInstitutions();
app.MapTraining();
app.MapSubsidyClaims();
app.MapTargets();
app.MapLifelongRecords();
app.MapWorkerStatus();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    foreach (var address in addresses)
    {
        app.Logger.LogInformation("API reference (接口文档): {Url}/api-reference  OpenAPI: {Url}/openapi/v1.json", address, address);
        if (demoAccounts)
        {
            DemoAccounts.Log(app.Logger, address);
        }
    }
    app.Logger.LogInformation("Tokens on the embedded default (获取令牌): dotnet run --project src/Matching.Cli -- token --role county_office --scope 520502 " +
        "(roles: county_office, prefecture_office, enterprise, rural_revitalisation, admin, training_institution; add --Matching:DataDirectory=... if not ./data)");
});

app.Run();

static async Task SeedDemoDataAsync(WebApplication app, DataEnvironment environment, MatchingOptions options)
{
    app.Logger.LogInformation("Data folder {DataDirectory}; catalogues version {Version}; migrations applied now: {Count}",
        options.FullDataDirectory, environment.Catalogue.Version, environment.AppliedMigrations.Count);
    var seeder = new DemoSeeder(environment, app.Services.GetRequiredService<TimeProvider>());
    if (options.DemoWorkers <= 0 || !await seeder.IsEmptyAsync())
    {
        return;
    }
    app.Logger.LogInformation("Empty database: seeding the demo data set with {Workers} workers", options.DemoWorkers);
    var started = app.Services.GetRequiredService<TimeProvider>().GetTimestamp();
    var (employers, workers) = await seeder.SeedAsync(options.DemoWorkers, new Progress<string>(line => app.Logger.LogInformation("{Progress}", line)));
    app.Logger.LogInformation("Demo data ready: {Employers} employers, {Workers} workers in {Elapsed:F1} s",
        employers, workers, app.Services.GetRequiredService<TimeProvider>().GetElapsedTime(started).TotalSeconds);
}

/// <summary>The entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
