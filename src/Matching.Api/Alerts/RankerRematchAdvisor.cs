using Matching.Data.Alerts;
using Matching.Data.Storage;
using Matching.Domain.Validation;
using Matching.Ranking.Serving;
using Matching.Scheduling.Alerts;

namespace Matching.Api.Alerts;

/// <summary>
/// Re-match suggestions for a worker who lost their job: the top openings from the ranker (the same ranking as
/// <c>GET /api/match/workers/{id}/openings</c>) and open cohorts with free seats, those teaching one of the worker's
/// trades first.
/// </summary>
public sealed class RankerRematchAdvisor(MatchRanker ranker, Database database, AlertOptions options, TimeProvider time) : IRematchAdvisor
{
    private readonly RematchCohorts _cohorts = new(database);

    public async Task<AlertSuggestions> SuggestAsync(long workerId, CancellationToken cancellationToken)
    {
        var (list, refusal) = await ranker.OpeningsForWorkerAsync(workerId, options.SuggestedOpenings, null, cancellationToken);
        var openings = list?.Openings.Select(o => new SuggestedOpening(o.OpeningId, o.Title, o.EmployerId, o.TradeName, o.CityName, o.WageMin, o.WageMax,
            Math.Round(o.Match.Score, 4))).ToList() ?? [];
        var trades = await _cohorts.WorkerTradesAsync(workerId, cancellationToken);
        var cohorts = (await _cohorts.WithSeatsAsync(ChinaTime.Today(time), cancellationToken))
            .OrderByDescending(c => c.TradeIds.Any(trades.Contains))
            .Take(options.SuggestedCohorts)
            .Select(c => new SuggestedCohort(c.Id, c.Name, c.TrainingType, c.StartDate, (int)c.SeatsLeft))
            .ToList();
        var note = refusal == RankingRefusal.NoModel ? "排序模型未加载，未推荐岗位" : openings.Count == 0 ? "暂无符合条件的岗位" : null;
        return new AlertSuggestions(openings, cohorts, note);
    }
}
