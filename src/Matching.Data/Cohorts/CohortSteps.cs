using System.Data.Common;
using Dapper;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Domain.Cohorts;
using Matching.Domain.Matching;

namespace Matching.Data.Cohorts;

/// <summary>A cohort as its lifecycle steps read it: state, size rule, dates, trades, where it trains and how many accepted.</summary>
public sealed class CohortStepRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Status { get; set; } = "";
    public long MinSize { get; init; }
    public DateOnly EnrolmentDeadline { get; init; }
    public DateOnly StartDate { get; init; }
    public DateOnly EndDate { get; init; }
    public string Trades { get; init; } = "";
    public long EmployerId { get; init; }
    public string CityCode { get; init; } = "";
    public long Accepted { get; init; }

    public CohortProgress Progress => new(EnrolmentDeadline, StartDate, EndDate, (int)Accepted, (int)MinSize);
}

/// <summary>A worker as a re-offer reads them: the stored row (no name, ID number or phone) and the seats that bind their dates.</summary>
public sealed record ReOfferWorker(StoredWorkerRow Row, IReadOnlyList<HeldEnrolment> Held);

/// <summary>
/// The reads and writes of a cohort's lifecycle steps (deadline, reminder, start, end, a person's cancel), each inside
/// the caller's write transaction so that a step reads the state it acts on.
/// </summary>
public static class CohortSteps
{
    private const string CohortSql = """
        SELECT c.id, c.name, c.status, c.min_size, c.enrolment_deadline, c.start_date, c.end_date, c.trades, c.employer_id, b.city_code,
            (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = c.id AND e.status = 'accepted') AS accepted
        FROM cohorts c JOIN training_bases b ON b.id = c.base_id WHERE c.id = @Id
        """;
    private const string StatusSql = "SELECT status FROM cohorts WHERE id = @Id";
    private const string SetStatusSql = "UPDATE cohorts SET status = @Status, updated_at = @Now, version = version + 1 WHERE id = @Id AND status = @From";
    private const string ActiveEnrolmentsSql = """
        SELECT id, worker_id, status FROM enrolments WHERE cohort_id = @Id AND status IN ('accepted', 'offered', 'waitlisted')
        ORDER BY CASE status WHEN 'accepted' THEN 0 WHEN 'offered' THEN 1 ELSE 2 END, updated_at, id
        """;
    private const string CancelEnrolmentsSql = """
        UPDATE enrolments SET status = 'cancelled', note = @Note, updated_at = @Now
        WHERE cohort_id = @Id AND status IN ('accepted', 'offered', 'waitlisted')
        """;
    private const string WorkerSql = $"""
        SELECT id, county_code, birth_date, trades_json, certificates_json, priority_groups, destinations, expected_wage, available_from,
            training_intentions, {StoredWorkerRow.InActivePlacementColumn}
        FROM workers WHERE id = @Id
        """;
    private const string HeldSql = """
        SELECT c.id AS cohort_id, c.name AS cohort_name, c.start_date, c.end_date
        FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
        WHERE e.worker_id = @Id AND e.status IN ('offered', 'accepted', 'waitlisted') AND c.status NOT IN ('completed', 'cancelled')
        """;
    private const string RemindSql = """
        INSERT INTO notifications (kind, cohort_id, worker_id, enrolment_id, message, created_at, attempts)
        SELECT @Kind, e.cohort_id, e.worker_id, e.id, @Message, @Now, 0
        FROM enrolments e
        WHERE e.cohort_id = @Id AND e.status IN ('offered', 'accepted')
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.kind = @Kind AND n.cohort_id = e.cohort_id AND n.worker_id = e.worker_id)
        """;

    /// <summary>The cohort with its accepted count, or null.</summary>
    public static Task<CohortStepRow?> CohortAsync(DbConnection connection, DbTransaction tx, long cohortId) =>
        connection.QuerySingleOrDefaultAsync<CohortStepRow?>(CohortSql, new { Id = cohortId }, tx);

    /// <summary>The cohort's status, or null when it does not exist.</summary>
    public static Task<string?> StatusAsync(DbConnection connection, DbTransaction tx, long cohortId) =>
        connection.ExecuteScalarAsync<string?>(StatusSql, new { Id = cohortId }, tx);

    /// <summary>
    /// Moves the cohort from its current status to <paramref name="to"/> (only if still in the status read) and queues it
    /// for the index and the schedule; <paramref name="cohort"/> then holds the new status.
    /// </summary>
    public static async Task SetStatusAsync(DbConnection connection, DbTransaction tx, CohortStepRow cohort, string to, DateTimeOffset now)
    {
        await connection.ExecuteAsync(SetStatusSql, new { cohort.Id, From = cohort.Status, Status = to, Now = now }, tx);
        await OutboxWriter.EnqueueAsync(connection, tx, CohortStore.OutboxEntity, cohort.Id, OutboxWriter.Upsert, now);
        cohort.Status = to;
    }

    /// <summary>
    /// Cancels every seat held in the cohort (accepted, offered, waitlisted) with the reason, and returns the workers who
    /// held them, accepted first, then offered, then waitlisted, each by when it last changed.
    /// </summary>
    public static async Task<IReadOnlyList<long>> CancelEnrolmentsAsync(DbConnection connection, DbTransaction tx, long cohortId, string note, DateTimeOffset now)
    {
        var enrolled = (await connection.QueryAsync<(long Id, long WorkerId, string Status)>(ActiveEnrolmentsSql, new { Id = cohortId }, tx)).ToList();
        await connection.ExecuteAsync(CancelEnrolmentsSql, new { Id = cohortId, Note = note, Now = now }, tx);
        return enrolled.Select(e => e.WorkerId).ToList();
    }

    /// <summary>The worker and the seats that bind their dates, or null when the worker no longer exists.</summary>
    public static async Task<ReOfferWorker?> WorkerAsync(DbConnection connection, DbTransaction tx, long workerId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<StoredWorkerRow>(WorkerSql, new { Id = workerId }, tx);
        if (row is null)
        {
            return null;
        }
        var held = (await connection.QueryAsync<HeldEnrolment>(HeldSql, new { Id = workerId }, tx)).ToList();
        return new ReOfferWorker(row, held);
    }

    /// <summary>A reminder of <paramref name="kind"/> for each worker holding a seat who has none yet; returns how many were written.</summary>
    public static Task<int> RemindAsync(DbConnection connection, DbTransaction tx, long cohortId, string kind, string message, DateTimeOffset now) =>
        connection.ExecuteAsync(RemindSql, new { Kind = kind, Message = message, Now = now, Id = cohortId }, tx);
}
