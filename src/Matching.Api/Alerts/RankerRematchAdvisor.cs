using Dapper;
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
    private const string WorkerTradesSql = "SELECT trade_ids FROM workers WHERE id = @Id";
    private const string CohortsSql = """
        SELECT c.id, c.name, c.training_type, c.start_date,
            c.capacity - (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status IN ('offered', 'accepted')) AS seats_left,
            c.trades
        FROM cohorts c
        WHERE c.status IN ('planned', 'open') AND c.enrolment_deadline >= @Today
        ORDER BY c.start_date, c.id
        """;

    public async Task<AlertSuggestions> SuggestAsync(long workerId, CancellationToken cancellationToken)
    {
        var (list, refusal) = await ranker.OpeningsForWorkerAsync(workerId, options.SuggestedOpenings, null, cancellationToken);
        var openings = list?.Openings.Select(o => new SuggestedOpening(o.OpeningId, o.Title, o.EmployerId, o.TradeName, o.CityName, o.WageMin, o.WageMax,
            Math.Round(o.Match.Score, 4))).ToList() ?? [];
        await using var connection = await database.OpenAsync(cancellationToken);
        var trades = Codes.Split(await connection.ExecuteScalarAsync<string?>(WorkerTradesSql, new { Id = workerId }));
        var cohorts = (await connection.QueryAsync<(long Id, string Name, string TrainingType, DateOnly StartDate, long SeatsLeft, string Trades)>(
                CohortsSql, new { Today = ChinaTime.Today(time) }))
            .Where(c => c.SeatsLeft > 0)
            .OrderByDescending(c => Codes.Split(c.Trades).Any(trades.Contains))
            .Take(options.SuggestedCohorts)
            .Select(c => new SuggestedCohort(c.Id, c.Name, c.TrainingType, c.StartDate, (int)c.SeatsLeft))
            .ToList();
        var note = refusal == RankingRefusal.NoModel ? "排序模型未加载，未推荐岗位" : openings.Count == 0 ? "暂无符合条件的岗位" : null;
        return new AlertSuggestions(openings, cohorts, note);
    }
}
