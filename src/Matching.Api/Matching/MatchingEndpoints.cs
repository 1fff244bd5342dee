using Matching.Api.Infrastructure;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Ranking;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Recall;
using Matching.Ranking.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Matching;

public sealed record MatchQuery(int? Top);

/// <summary>
/// Matching (人岗匹配): recall, then re-ranking by the predicted chance that a placement lasts six months, with the
/// priority-group policy weight and reasons in Chinese. Configuration under <c>Matching:Ranking</c>.
/// </summary>
public static class MatchingEndpoints
{
    /// <summary>The recall (SQL until the search engine's recall is plugged in), the model provider and the ranker.</summary>
    public static IServiceCollection AddMatchingRanking(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RankingOptions.Section).Get<RankingOptions>() ?? new RankingOptions();
        services.AddSingleton(options);
        services.AddSingleton(sp => new ProfileReader(sp.GetRequiredService<Database>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FeatureBuilder(sp.GetRequiredService<Catalogue>()));
        services.AddSingleton<ICandidateRecall>(sp => new SqlCandidateRecall(sp.GetRequiredService<Database>(), sp.GetRequiredService<Catalogue>(),
            sp.GetRequiredService<ProfileReader>(), sp.GetRequiredService<TimeProvider>()));
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
            .WithSummary("为岗位推荐劳动者（按预测6个月留存率排序，附理由）");
        group.MapGet("/workers/{id:long}/openings", OpeningsForWorker).WithName("MatchOpeningsForWorker")
            .WithSummary("为劳动者推荐岗位（按预测6个月留存率排序，附理由）");
        return group;
    }

    public static async Task<Results<Ok<CandidateList>, ValidationProblem, ProblemHttpResult>> CandidatesForOpening(
        long id, [AsParameters] MatchQuery query, MatchRanker ranker, RankingOptions options, RetentionModelProvider models, CancellationToken cancellationToken)
    {
        if (CheckTop(query.Top, options) is { } invalid)
        {
            return invalid;
        }
        var (list, refusal) = await ranker.CandidatesForOpeningAsync(id, query.Top ?? options.DefaultTop, cancellationToken);
        return refusal switch
        {
            RankingRefusal.NotFound => ApiResults.NotFound("岗位"),
            RankingRefusal.NoModel => NoModel(models),
            _ => TypedResults.Ok(list!),
        };
    }

    public static async Task<Results<Ok<OpeningList>, ValidationProblem, ProblemHttpResult>> OpeningsForWorker(
        long id, [AsParameters] MatchQuery query, MatchRanker ranker, RankingOptions options, RetentionModelProvider models, CancellationToken cancellationToken)
    {
        if (CheckTop(query.Top, options) is { } invalid)
        {
            return invalid;
        }
        var (list, refusal) = await ranker.OpeningsForWorkerAsync(id, query.Top ?? options.DefaultTop, cancellationToken);
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
