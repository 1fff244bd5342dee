using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Api.Search;
using Matching.Data.Openings;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Ranking;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Recall;
using Matching.Ranking.Serving;
using Matching.Search.Recall;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Match;

public sealed record MatchQuery(int? Top);

/// <summary>
/// Matching (人岗匹配): recall, then re-ranking by the predicted chance that a placement lasts six months, with the
/// priority-group policy weight and reasons in Chinese. Configuration under <c>Matching:Ranking</c>.
/// </summary>
public static class MatchingEndpoints
{
    /// <summary>The recall (the search engine's, or SQL when so configured), the model provider and the ranker.</summary>
    public static IServiceCollection AddMatchingRanking(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RankingOptions.Section).Get<RankingOptions>() ?? new RankingOptions();
        services.AddSingleton(options);
        services.AddSingleton(sp => new ProfileReader(sp.GetRequiredService<Database>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FeatureBuilder(sp.GetRequiredService<Catalogue>()));
        services.AddSingleton<ICandidateRecall>(sp => options.Recall.Equals("sql", StringComparison.OrdinalIgnoreCase)
            ? new SqlCandidateRecall(sp.GetRequiredService<Database>(), sp.GetRequiredService<Catalogue>(), sp.GetRequiredService<ProfileReader>(),
                sp.GetRequiredService<TimeProvider>())
            : new SearchCandidateRecall(sp.GetRequiredService<RecallService>()));
        services.AddSingleton(sp => new RetentionModelProvider(ModelLocation.Resolve(options.ModelDirectory), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(options.ModelCheckSeconds)));
        services.AddSingleton(sp => new HistoryCache(sp.GetRequiredService<Database>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(options.HistoryRefreshSeconds)));
        services.AddSingleton(sp => new CohortFinder(sp.GetRequiredService<Database>(), sp.GetRequiredService<Catalogue>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MatchRanker>();
        return services;
    }

    public static RouteGroupBuilder MapMatching(this IEndpointRouteBuilder routes)
    {
        var models = routes.ServiceProvider.GetRequiredService<RetentionModelProvider>();
        var logger = routes.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MatchingEndpoints));
        // Load at start, so the first request does not pay for it and a missing model shows in the log.
        if (models.Current is { } model)
        {
            logger.LogInformation("Ranking model {Version} loaded from {Directory}", model.Version, models.Directory);
        }
        else
        {
            logger.LogWarning("No ranking model: {Reason}", models.LastError);
        }

        var group = routes.MapGroup("/api/match").WithTags("Matching");
        group.MapGet("/openings/{id:long}/candidates", CandidatesForOpening).WithName("MatchCandidatesForOpening")
            .WithSummary("为岗位推荐劳动者（按预测6个月留存率排序，附理由；县只见本县劳动者，企业只见本企业岗位且不含重点群体信息）")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.Enterprise, Roles.Admin);
        group.MapGet("/workers/{id:long}/openings", OpeningsForWorker).WithName("MatchOpeningsForWorker")
            .WithSummary("为劳动者推荐岗位（按预测6个月留存率排序，附理由）")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin);
        return group;
    }

    public static async Task<Results<Ok<CandidateList>, ValidationProblem, ProblemHttpResult>> CandidatesForOpening(
        long id, [AsParameters] MatchQuery query, Caller caller, MatchRanker ranker, RankingOptions options, RetentionModelProvider models,
        OpeningStore openings, HttpContext context, CancellationToken cancellationToken)
    {
        if (CheckTop(query.Top, options) is { } invalid)
        {
            return invalid;
        }
        if (await openings.GetAsync(id, cancellationToken) is not { } opening || !caller.CanSeeEmployerData(opening.EmployerId))
        {
            return ApiResults.NotFound("岗位");
        }
        // Enterprises get a ranking built without priority groups (重点群体): nothing in it can tell a member apart.
        var (list, refusal) = await ranker.CandidatesForOpeningAsync(id, query.Top ?? options.DefaultTop, SearchEndpoints.CallerScope(context),
            withPriorityGroups: caller.LinkedEmployer is null, cancellationToken);
        return refusal switch
        {
            RankingRefusal.NotFound => ApiResults.NotFound("岗位"),
            RankingRefusal.NoModel => NoModel(models),
            _ => TypedResults.Ok(list!),
        };
    }

    public static async Task<Results<Ok<OpeningList>, ValidationProblem, ProblemHttpResult>> OpeningsForWorker(
        long id, [AsParameters] MatchQuery query, Caller caller, MatchRanker ranker, RankingOptions options, RetentionModelProvider models,
        WorkerStore workers, HttpContext context, CancellationToken cancellationToken)
    {
        if (CheckTop(query.Top, options) is { } invalid)
        {
            return invalid;
        }
        if (await workers.GetAsync(id, cancellationToken) is not { } worker || !caller.CanSeeWorker(worker.CountyCode, worker.PriorityGroups, linkedToCallersEmployer: false))
        {
            return ApiResults.NotFound("劳动者");
        }
        var (list, refusal) = await ranker.OpeningsForWorkerAsync(id, query.Top ?? options.DefaultTop, SearchEndpoints.CallerScope(context), cancellationToken);
        return refusal switch
        {
            RankingRefusal.NotFound => ApiResults.NotFound("劳动者"),
            RankingRefusal.NoModel => NoModel(models),
            _ => TypedResults.Ok(list!),
        };
    }

    private static ValidationProblem? CheckTop(int? top, RankingOptions options)
    {
        if (top is null || (top >= 1 && top <= options.MaxTop))
        {
            return null;
        }
        var errors = new ValidationErrors();
        errors.Add("top", $"返回条数应在1至{options.MaxTop}之间");
        return ApiResults.Invalid(errors);
    }

    private static ProblemHttpResult NoModel(RetentionModelProvider models) =>
        TypedResults.Problem(title: "排序模型暂不可用", detail: models.LastError ?? "尚无排序模型，请先运行 train", statusCode: StatusCodes.Status503ServiceUnavailable);
}
