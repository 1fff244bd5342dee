using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Api.Workers;
using Matching.Data.Openings;
using Matching.Data.Outbox;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Search;
using Matching.Search.Indexing;
using Matching.Search.Recall;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matching.Api.Search;

/// <summary>Query of the worker search; codes may repeat (<c>?countyCode=a&amp;countyCode=b</c>).</summary>
public sealed record WorkerSearchQuery(
    string? Q,
    string[]? PrefectureCode,
    string[]? CountyCode,
    string[]? FamilyId,
    string[]? TradeId,
    int? MinLevel,
    string[]? PriorityGroup,
    string[]? Destination,
    DateOnly? AvailableBy,
    string? Sort,
    int? Page,
    int? PageSize);

public sealed record OpeningSearchQuery(
    string? Q,
    string[]? ProvinceCode,
    string[]? CityCode,
    string[]? FamilyId,
    string[]? TradeId,
    int? MaxMinLevel,
    string? Status,
    string? Sort,
    int? Page,
    int? PageSize);

/// <summary>A facet value with its Chinese name and how many matches hold it.</summary>
public sealed record FacetCount(string Value, string Label, long Count);

public sealed record WorkerHit(long Id, double Score, WorkerResponse Worker);

public sealed record OpeningHit(long Id, double Score, Opening Opening);

/// <summary>A trade offered when the search text named none (您是不是要找).</summary>
public sealed record TradeHint(string TradeId, string Name);

/// <summary>
/// A page of search results with the total and facet counts over every match. <see cref="DidYouMean"/>: when the text
/// maps to no trade, the trades whose words look or sound closest to it (empty otherwise, or when none is close).
/// </summary>
public sealed record SearchPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total, IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Facets,
    IReadOnlyList<TradeHint>? DidYouMean = null);

public sealed record RecallHit(long Id, double Score);

public sealed record CandidateRecallResponse(long OpeningId, CandidateCriteria Criteria, int Count, IReadOnlyList<RecallHit> Workers);

public sealed record OpeningRecallResponse(long WorkerId, OpeningCriteriaResponse Criteria, int Count, IReadOnlyList<RecallHit> Openings);

/// <summary>
/// The worker's side of recall: what of the worker the eligibility rule reads (no certificate details). The worker's age
/// is not shown: beside the age today it would narrow the birth date, and with it the masked ID number.
/// </summary>
public sealed record OpeningCriteriaResponse(IReadOnlyList<RecallTrade> Trades, DateOnly AvailableFrom, IReadOnlyList<string> Destinations,
    IReadOnlyList<string> TrainingIntentions, bool InActivePlacement);

public sealed record RecallTrade(string TradeId, string FamilyId, int Level);

public sealed record RecallQuery(string? Widen, int? Limit);

public sealed record SuggestQuery(string? Q, int? Limit);

public sealed record ConsistencyQuery(int? Sample);

/// <summary>
/// Search (检索) over workers and openings, recall (召回) lists for matching, trade typeahead, and the index's
/// administration under <c>/api/search/admin</c> (one group, so access control can restrict it in one place).
/// </summary>
public static class SearchEndpoints
{
    /// <summary>Longest free text accepted: a sentence from a job advert, not a whole advert.</summary>
    public const int MaxQueryLength = 100;

    /// <summary>Deepest result reachable by paging (as Elasticsearch's max_result_window).</summary>
    public const int MaxResultWindow = 10_000;

    public static RouteGroupBuilder MapSearch(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Search");
        // Enterprises find candidates through the match endpoints of their own openings, masked; not by searching workers.
        group.MapGet("/search/workers", SearchWorkers).WithName("SearchWorkers").WithSummary("检索劳动者（自由文本 + 筛选 + 分面统计；仅本辖区）")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin);
        group.MapGet("/search/openings", SearchOpenings).WithName("SearchOpenings").WithSummary("检索岗位（自由文本 + 筛选 + 分面统计）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/search/trades/suggest", SuggestTrades).WithName("SuggestTrades").WithSummary("工种输入提示（俗称、繁体、拼音首字母）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions);
        group.MapGet("/match/openings/{id:long}/candidates-recall", CandidatesRecall).WithName("CandidatesRecall").WithSummary("岗位的候选劳动者召回（仅硬性条件过滤；仅本辖区劳动者）")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.Enterprise, Roles.Admin);
        group.MapGet("/match/workers/{id:long}/openings-recall", OpeningsRecall).WithName("OpeningsRecall").WithSummary("劳动者可匹配岗位召回（仅硬性条件过滤）")
            .RequireRoles(Roles.CountyOffice, Roles.PrefectureOffice, Roles.RuralRevitalisation, Roles.Admin);

        var admin = group.MapGroup("/search/admin").WithTags("Search administration").RequireRoles(Roles.Admin);
        admin.MapPost("/reindex", StartReindex).WithName("StartReindex").WithSummary("从数据库重建检索索引（后台进行）");
        admin.MapGet("/reindex", ReindexStatusOf).WithName("ReindexStatus").WithSummary("重建索引进度");
        admin.MapGet("/consistency", CheckConsistency).WithName("CheckIndexConsistency").WithSummary("索引与数据库一致性检查（数量与抽样）");
        admin.MapGet("/outbox", OutboxStatusOf).WithName("OutboxStatus").WithSummary("待同步到索引的变更");
        return group;
    }

    /// <summary>
    /// The caller's search scope, applied inside the query: an office's counties, an enterprise's employer (openings),
    /// rural revitalisation staff's priority groups.
    /// </summary>
    public static SearchScope CallerScope(HttpContext context) =>
        context.Items[AccessSetup.CallerItem] is Caller caller
            ? new SearchScope(caller.WorkerCounties, caller.LinkedEmployer, caller.OnlyPriorityGroupWorkers)
            : throw new InvalidOperationException("search endpoints require an authenticated caller");

    public static async Task<Results<Ok<SearchPage<WorkerHit>>, ValidationProblem>> SearchWorkers(
        [AsParameters] WorkerSearchQuery query, SearchComponents search, WorkerStore workers, Catalogue catalogue, TimeProvider time,
        HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        var text = CheckPaging(errors, paging, search, query.Q);
        CheckCodes(errors, "prefectureCode", query.PrefectureCode, c => catalogue.IsPrefecture(c) && c.StartsWith("52", StringComparison.Ordinal), "不是贵州省的市州代码");
        CheckCodes(errors, "countyCode", query.CountyCode, catalogue.IsGuizhouCounty, "不是贵州省的县级行政区划代码");
        CheckCodes(errors, "familyId", query.FamilyId, catalogue.TradeFamiliesById.ContainsKey, "未知的工种大类");
        CheckCodes(errors, "tradeId", query.TradeId, catalogue.TradesById.ContainsKey, "未知的工种编号");
        CheckCodes(errors, "priorityGroup", query.PriorityGroup, catalogue.PriorityGroupsById.ContainsKey, "未知的重点群体类别");
        CheckCodes(errors, "destination", query.Destination,
            c => c == Matching.Search.Documents.WorkerDocument.AnyDestination || catalogue.DestinationProvinces.Any(p => p.Code == c), "不是协作省份代码（或 any 表示不限）");
        if (query.MinLevel is < 1 or > 8)
        {
            errors.Add("minLevel", "应在1至8之间");
        }
        var sort = query.Sort switch
        {
            null or "relevance" => WorkerSort.Relevance,
            "availableFrom" => WorkerSort.AvailableFrom,
            "expectedWage" => WorkerSort.ExpectedWage,
            "id" => WorkerSort.Id,
            _ => Invalid(errors, "sort", "应为 relevance、availableFrom、expectedWage 或 id", WorkerSort.Relevance),
        };
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await search.Index.SearchWorkersAsync(new WorkerSearch(text, query.PrefectureCode, query.CountyCode, query.FamilyId,
            query.TradeId, query.MinLevel, query.PriorityGroup, query.Destination, query.AvailableBy, sort,
            (paging.PageNumber - 1) * paging.Size, paging.Size), CallerScope(context), cancellationToken);
        var today = ChinaTime.Today(time);
        var items = new List<WorkerHit>(result.Hits.Count);
        foreach (var hit in result.Hits)
        {
            // SQL is the source of truth: a worker deleted since the last index update is left out, not shown stale.
            if (await workers.GetAsync(hit.Id, cancellationToken) is { } worker)
            {
                items.Add(new WorkerHit(hit.Id, hit.Score, WorkerResponse.From(worker, catalogue, today)));
            }
        }
        return TypedResults.Ok(new SearchPage<WorkerHit>(items, paging.PageNumber, paging.Size, result.Total, Labelled(result.Facets, catalogue), Hints(search, catalogue, text)));
    }

    public static async Task<Results<Ok<SearchPage<OpeningHit>>, ValidationProblem>> SearchOpenings(
        [AsParameters] OpeningSearchQuery query, SearchComponents search, OpeningStore openings, Catalogue catalogue,
        HttpContext context, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var paging = new Paging(query.Page, query.PageSize);
        var text = CheckPaging(errors, paging, search, query.Q);
        CheckCodes(errors, "provinceCode", query.ProvinceCode, c => catalogue.DestinationProvinces.Any(p => p.Code == c), "不是协作省份代码");
        CheckCodes(errors, "cityCode", query.CityCode, c => catalogue.IsPrefecture(c) && !c.StartsWith("52", StringComparison.Ordinal), "不是协作省份的地级市代码");
        CheckCodes(errors, "familyId", query.FamilyId, catalogue.TradeFamiliesById.ContainsKey, "未知的工种大类");
        CheckCodes(errors, "tradeId", query.TradeId, catalogue.TradesById.ContainsKey, "未知的工种编号");
        if (query.MaxMinLevel is < 1 or > 8)
        {
            errors.Add("maxMinLevel", "应在1至8之间");
        }
        var status = query.Status switch
        {
            null or "open" => "open",
            "closed" => "closed",
            "all" => null,
            _ => Invalid<string?>(errors, "status", "应为 open、closed 或 all", null),
        };
        var sort = query.Sort switch
        {
            null or "relevance" => OpeningSort.Relevance,
            "wageMax" => OpeningSort.WageMax,
            "nextCohort" => OpeningSort.NextCohort,
            "id" => OpeningSort.Id,
            _ => Invalid(errors, "sort", "应为 relevance、wageMax、nextCohort 或 id", OpeningSort.Relevance),
        };
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var result = await search.Index.SearchOpeningsAsync(new OpeningSearch(text, query.ProvinceCode, query.CityCode, query.FamilyId,
            query.TradeId, query.MaxMinLevel, status, sort, (paging.PageNumber - 1) * paging.Size, paging.Size), CallerScope(context), cancellationToken);
        var items = new List<OpeningHit>(result.Hits.Count);
        foreach (var hit in result.Hits)
        {
            if (await openings.GetAsync(hit.Id, cancellationToken) is { } opening)
            {
                items.Add(new OpeningHit(hit.Id, hit.Score, opening));
            }
        }
        return TypedResults.Ok(new SearchPage<OpeningHit>(items, paging.PageNumber, paging.Size, result.Total, Labelled(result.Facets, catalogue), Hints(search, catalogue, text)));
    }

    public static Results<Ok<IReadOnlyList<TradeSuggestion>>, ValidationProblem> SuggestTrades([AsParameters] SuggestQuery query, TradeSuggester suggester)
    {
        var errors = new ValidationErrors();
        var q = Check.Text(errors, "q", query.Q, TradeSuggester.MaxLength, required: true);
        if (query.Limit is < 1 or > 20)
        {
            errors.Add("limit", "应在1至20之间");
        }
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(suggester.Suggest(q!, query.Limit ?? 10));
    }

    public static async Task<Results<Ok<CandidateRecallResponse>, ValidationProblem, ProblemHttpResult>> CandidatesRecall(
        long id, [AsParameters] RecallQuery query, Caller caller, RecallService recall, OpeningStore openings, HttpContext context, CancellationToken cancellationToken)
    {
        if (await openings.GetAsync(id, cancellationToken) is not { } opening || !caller.CanSeeEmployerData(opening.EmployerId))
        {
            return ApiResults.NotFound("岗位");
        }
        var errors = new ValidationErrors();
        var (widen, limit) = CheckRecall(errors, query);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        // The rule admits the trade family (工种大类); widen=trade narrows to the opening's own trade.
        var result = await recall.CandidatesForOpeningAsync(id, CallerScope(context), sameTradeOnly: !widen, limit, cancellationToken);
        if (result is null)
        {
            return ApiResults.NotFound("岗位");
        }
        return TypedResults.Ok(new CandidateRecallResponse(id, result.Criteria, result.Workers.Count, result.Workers.Select(h => new RecallHit(h.Id, h.Score)).ToList()));
    }

    public static async Task<Results<Ok<OpeningRecallResponse>, ValidationProblem, ProblemHttpResult>> OpeningsRecall(
        long id, [AsParameters] RecallQuery query, Caller caller, RecallService recall, WorkerStore workers, Catalogue catalogue, HttpContext context, CancellationToken cancellationToken)
    {
        if (await workers.GetAsync(id, cancellationToken) is not { } worker || !caller.CanSeeWorker(worker.CountyCode, worker.PriorityGroups, linkedToCallersEmployer: false))
        {
            return ApiResults.NotFound("劳动者");
        }
        var errors = new ValidationErrors();
        var (widen, limit) = CheckRecall(errors, query);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        if (!widen)
        {
            return ApiResults.Invalid("widen", "劳动者的岗位召回按资格规则（同工种大类），不能只限同工种");
        }
        var result = await recall.OpeningsForWorkerAsync(id, CallerScope(context), limit, cancellationToken);
        if (result is null)
        {
            return ApiResults.NotFound("劳动者");
        }
        var w = result.Criteria.Worker;
        var criteria = new OpeningCriteriaResponse(
            w.Trades.Select(t => new RecallTrade(t.TradeId, catalogue.TradesById.TryGetValue(t.TradeId, out var trade) ? trade.FamilyId : "", t.Level)).ToList(),
            w.AvailableFrom, w.Destinations, w.TrainingIntentions, w.InActivePlacement);
        return TypedResults.Ok(new OpeningRecallResponse(id, criteria, result.Openings.Count, result.Openings.Select(h => new RecallHit(h.Id, h.Score)).ToList()));
    }

    public static Results<Accepted<ReindexStatus>, ProblemHttpResult> StartReindex(SearchComponents search, ILoggerFactory logging)
    {
        var logger = logging.CreateLogger("Matching.Search.Reindex");
        if (!search.Reindexer.TryStart(new Progress<string>(line => logger.LogInformation("{Progress}", line))))
        {
            return TypedResults.Problem(title: "已有重建索引任务在运行，请稍后查看进度", statusCode: StatusCodes.Status409Conflict);
        }
        return TypedResults.Accepted("/api/search/admin/reindex", search.Reindexer.Status);
    }

    public static Ok<ReindexStatus> ReindexStatusOf(SearchComponents search) => TypedResults.Ok(search.Reindexer.Status);

    public static async Task<Results<Ok<ConsistencyReport>, ValidationProblem>> CheckConsistency(
        [AsParameters] ConsistencyQuery query, SearchComponents search, CancellationToken cancellationToken)
    {
        if (query.Sample is < 1 or > 5000)
        {
            return ApiResults.Invalid("sample", "抽样数应在1至5000之间");
        }
        return TypedResults.Ok(await search.Consistency.RunAsync(query.Sample ?? 200, cancellationToken));
    }

    public static async Task<Ok<OutboxStatus>> OutboxStatusOf(SearchComponents search, CancellationToken cancellationToken) =>
        TypedResults.Ok(await search.Outbox.StatusAsync(cancellationToken));

    /// <summary>
    /// The free text, checked: bounded, no control characters, and something searchable in it. It is analysed into
    /// words and never parsed as query syntax, so operators in it are just characters.
    /// </summary>
    private static string? CheckPaging(ValidationErrors errors, Paging paging, SearchComponents search, string? q)
    {
        paging.Validate(errors);
        if ((long)paging.PageNumber * paging.Size > MaxResultWindow)
        {
            errors.Add("page", $"只能翻阅前{MaxResultWindow}条结果，请增加筛选条件缩小范围");
        }
        if (q is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(q))
        {
            errors.Add("q", "搜索内容不能为空白；不按文字检索时请省略 q");
            return null;
        }
        var text = Check.Text(errors, "q", q, MaxQueryLength);
        if (text is null)
        {
            return null;
        }
        var analyzed = search.Analyzer.AnalyzeQuery(text);
        if (analyzed.Tokens.Count == 0 && analyzed.Concepts.Count == 0)
        {
            errors.Add("q", "搜索内容中没有可检索的词，请输入工种、技能、地名等关键词");
            return null;
        }
        return text;
    }

    private static IReadOnlyList<TradeHint> Hints(SearchComponents search, Catalogue catalogue, string? text) =>
        text is null ? [] : search.Analyzer.DidYouMean(text).Select(id => new TradeHint(id, catalogue.TradesById[id].Name)).ToList();

    private static void CheckCodes(ValidationErrors errors, string field, string[]? codes, Func<string, bool> known, string message)
    {
        if (codes is null)
        {
            return;
        }
        if (codes.Length > 50)
        {
            errors.Add(field, "最多50项");
            return;
        }
        for (var i = 0; i < codes.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(codes[i]) || !known(codes[i]))
            {
                errors.Add(codes.Length == 1 ? field : $"{field}[{i}]", message);
            }
        }
    }

    private static (bool Widen, int Limit) CheckRecall(ValidationErrors errors, RecallQuery query)
    {
        var widen = query.Widen switch
        {
            "trade" => false,
            null or "family" => true,
            _ => Invalid(errors, "widen", "应为 trade（同工种）或 family（同工种大类）", false),
        };
        if (query.Limit is < 1 or > RecallService.MaxLimit)
        {
            errors.Add("limit", $"应在1至{RecallService.MaxLimit}之间");
        }
        return (widen, query.Limit ?? RecallService.DefaultLimit);
    }

    private static T Invalid<T>(ValidationErrors errors, string field, string message, T fallback)
    {
        errors.Add(field, message);
        return fallback;
    }

    private static Dictionary<string, IReadOnlyList<FacetCount>> Labelled(IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> facets, Catalogue catalogue) =>
        facets.ToDictionary(f => f.Key, f => (IReadOnlyList<FacetCount>)f.Value.Select(v => new FacetCount(v.Value, Label(f.Key, v.Value, catalogue), v.Count)).ToList());

    private static string Label(string facet, string value, Catalogue catalogue) => facet switch
    {
        Facets.Trade => catalogue.TradesById.TryGetValue(value, out var trade) ? trade.Name : value,
        Facets.Family => catalogue.TradeFamiliesById.TryGetValue(value, out var family) ? family.Name : value,
        Facets.Level => int.TryParse(value, out var level) && catalogue.SkillLevelsByLevel.TryGetValue(level, out var l) ? l.Name : value,
        Facets.PriorityGroup => catalogue.PriorityGroupsById.TryGetValue(value, out var group) ? group.Name : value,
        Facets.Destination when value == Matching.Search.Documents.WorkerDocument.AnyDestination => "不限",
        _ => catalogue.NameOf(value),
    };
}
