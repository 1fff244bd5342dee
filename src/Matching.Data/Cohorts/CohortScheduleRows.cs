using Dapper;
using Matching.Data.Outbox;
using Matching.Data.Storage;

namespace Matching.Data.Cohorts;

/// <summary>A cohort's state and the dates its scheduled steps fire on.</summary>
public sealed class CohortDates
{
    public long Id { get; init; }
    public string Status { get; init; } = "";
    public DateOnly EnrolmentDeadline { get; init; }
    public DateOnly StartDate { get; init; }
    public DateOnly EndDate { get; init; }
}

/// <summary>
/// What the cohort schedule reads to keep its triggers in line with the cohorts: the cohorts changed since its own
/// watermark in the outbox (every cohort not yet completed or cancelled on its first run), the watermark itself, and
/// one cohort's dates. The search indexer's progress through the outbox is not touched.
/// </summary>
public sealed class CohortScheduleRows(Database database)
{
    private const string WatermarkName = "cohort-schedule-outbox-id";

    private const string WatermarkSql = "SELECT value FROM scheduling_state WHERE name = @Name";
    private const string SetWatermarkSql = """
        UPDATE scheduling_state SET value = @Value, updated_at = @Now WHERE name = @Name;
        INSERT INTO scheduling_state (name, value, updated_at) SELECT @Name, @Value, @Now
        WHERE NOT EXISTS (SELECT 1 FROM scheduling_state /*UPDLOCK*/ WHERE name = @Name);
        """;
    private const string AllSql = "SELECT id FROM cohorts WHERE status NOT IN ('completed', 'cancelled')";
    private const string CohortSql = "SELECT id, status, enrolment_deadline, start_date, end_date FROM cohorts WHERE id = @Id";

    /// <summary>
    /// The cohorts to look at now, and the outbox id they go up to (the watermark to set once they are handled): those
    /// changed after the watermark, or every cohort still running when there is none yet.
    /// </summary>
    public async Task<(IReadOnlyList<long> CohortIds, long UpTo)> ChangedSinceWatermarkAsync(CancellationToken cancellationToken = default)
    {
        var outbox = new OutboxQueue(database);
        string? watermark;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            watermark = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(WatermarkSql, new { Name = WatermarkName }, cancellationToken: cancellationToken));
        }
        var upTo = await outbox.HighWaterMarkAsync(cancellationToken);
        if (watermark is not null)
        {
            return (await outbox.ChangedAsync(CohortStore.OutboxEntity, long.Parse(watermark, System.Globalization.CultureInfo.InvariantCulture), upTo, cancellationToken), upTo);
        }
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            return ((await connection.QueryAsync<long>(new CommandDefinition(AllSql, cancellationToken: cancellationToken))).AsList(), upTo);
        }
    }

    /// <summary>Records that the cohorts changed up to outbox id <paramref name="upTo"/> are scheduled.</summary>
    public async Task SetWatermarkAsync(long upTo, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(database.Dialect.Render(SetWatermarkSql),
            new { Name = WatermarkName, Value = upTo.ToString(System.Globalization.CultureInfo.InvariantCulture), Now = now });
    }

    /// <summary>The cohort's state and dates, or null when it no longer exists. Throws when a date cannot be read.</summary>
    public async Task<CohortDates?> DatesAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CohortDates>(new CommandDefinition(CohortSql, new { Id = cohortId }, cancellationToken: cancellationToken));
    }
}
