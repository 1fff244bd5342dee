using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Alerts;

/// <summary>A cohort still taking enrolments that a worker who lost their job could join, with its seats left and the trades it teaches.</summary>
public sealed class CohortWithSeats
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string TrainingType { get; init; } = "";
    public DateOnly StartDate { get; init; }
    public long SeatsLeft { get; init; }
    public string Trades { get; init; } = "";

    public IReadOnlyList<string> TradeIds => Codes.Split(Trades);
}

/// <summary>What a re-match suggestion reads besides the ranker: the worker's trades, and the cohorts planned or open whose deadline has not passed.</summary>
public sealed class RematchCohorts(Database database)
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

    /// <summary>The trades the worker is registered with (none for a worker who does not exist).</summary>
    public async Task<IReadOnlyList<string>> WorkerTradesAsync(long workerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Codes.Split(await connection.ExecuteScalarAsync<string?>(new CommandDefinition(WorkerTradesSql, new { Id = workerId }, cancellationToken: cancellationToken)));
    }

    /// <summary>Cohorts planned or open whose enrolment deadline is <paramref name="today"/> or later, by start and id, with a free seat.</summary>
    public async Task<IReadOnlyList<CohortWithSeats>> WithSeatsAsync(DateOnly today, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<CohortWithSeats>(new CommandDefinition(CohortsSql, new { Today = today }, cancellationToken: cancellationToken)))
            .Where(c => c.SeatsLeft > 0).ToList();
    }
}
