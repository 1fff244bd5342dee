using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Access;

/// <summary>One line of the audit log: who did what to which resource, when, and how it ended. Never personal data.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    long? UserId,
    string? UserName,
    string? Role,
    string Action,
    string ResourceType,
    string? ResourceId,
    string Outcome,
    int StatusCode);

public sealed record AuditFilter(long? UserId = null, string? Action = null, string? ResourceType = null, string? ResourceId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Outcome = null);

/// <summary>The append-only audit log (the table refuses UPDATE and DELETE by trigger).</summary>
public sealed class AuditLog(Database database, TimeProvider time)
{
    private const string InsertSql = """
        INSERT INTO audit_log (at, user_id, user_name, role, action, resource_type, resource_id, outcome, status_code)
        VALUES (@At, @UserId, @UserName, @Role, @Action, @ResourceType, @ResourceId, @Outcome, @StatusCode)
        """;
    private const string Select = "SELECT id, at, user_id, user_name, role, action, resource_type, resource_id, outcome, status_code FROM audit_log";

    public async Task AppendAsync(long? userId, string? userName, string? role, string action, string resourceType, string? resourceId, string outcome, int statusCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(InsertSql, new
        {
            At = time.GetUtcNow(), UserId = userId, UserName = userName, Role = role, Action = action, ResourceType = resourceType,
            ResourceId = resourceId, Outcome = outcome, StatusCode = statusCode,
        });
    }

    /// <summary>The audit row of a change, written inside the change's own transaction (see <see cref="AuditScope"/>).</summary>
    internal static Task AppendAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, PendingAudit audit, string? resourceId) =>
        connection.ExecuteAsync(InsertSql, new
        {
            audit.At, audit.UserId, audit.UserName, audit.Role, audit.Action, audit.ResourceType, ResourceId = resourceId,
            Outcome = "success", StatusCode = audit.SuccessStatus,
        }, tx);

    public async Task<PagedList<AuditEntry>> ListAsync(AuditFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("user_id = @UserId", "UserId", filter.UserId)
            .Add("action = @Action", "Action", filter.Action)
            .Add("resource_type = @ResourceType", "ResourceType", filter.ResourceType)
            .Add("resource_id = @ResourceId", "ResourceId", filter.ResourceId)
            .Add("at >= @From", "From", filter.From)
            .Add("at <= @To", "To", filter.To)
            .Add("outcome = @Outcome", "Outcome", filter.Outcome);
        var (rows, total) = await query.RunAsync<AuditRow>(database, "audit_log", Select, page, pageSize, cancellationToken);
        return new PagedList<AuditEntry>(rows.Select(r => new AuditEntry(r.Id, r.At, r.UserId, r.UserName, r.Role, r.Action, r.ResourceType,
            r.ResourceId, r.Outcome, (int)r.StatusCode)).ToList(), page, pageSize, total);
    }

    private sealed class AuditRow
    {
        public long Id { get; init; }
        public DateTimeOffset At { get; init; }
        public long? UserId { get; init; }
        public string? UserName { get; init; }
        public string? Role { get; init; }
        public string Action { get; init; } = "";
        public string ResourceType { get; init; } = "";
        public string? ResourceId { get; init; }
        public string Outcome { get; init; } = "";
        public long StatusCode { get; init; }
    }
}

/// <summary>
/// The audit row an audited request will write when it changes something: who, what, on which resource, when. While
/// one is pending (<see cref="AuditScope"/>), the first write transaction that changes rows appends it before its
/// commit, so a change is never kept without its audit row (nor an audit row written for a change that rolled back).
/// </summary>
public sealed class PendingAudit(long? userId, string? userName, string? role, string action, string resourceType, string? resourceId, int successStatus, DateTimeOffset at)
{
    public long? UserId { get; } = userId;
    public string? UserName { get; } = userName;
    public string? Role { get; } = role;
    public string Action { get; } = action;
    public string ResourceType { get; } = resourceType;
    public string? ResourceId { get; } = resourceId;
    public int SuccessStatus { get; } = successStatus;
    public DateTimeOffset At { get; } = at;

    /// <summary>Set once a committed transaction carried the row; the request then writes no second one.</summary>
    public bool Written { get; internal set; }
}

/// <summary>The audit row pending for the current request (flows with its async calls).</summary>
public static class AuditScope
{
    private static readonly AsyncLocal<PendingAudit?> Pending = new();

    public static PendingAudit? Current => Pending.Value;

    /// <summary>Makes <paramref name="audit"/> pending until the returned scope is disposed.</summary>
    public static IDisposable Begin(PendingAudit audit)
    {
        var previous = Pending.Value;
        Pending.Value = audit;
        return new Restore(previous);
    }

    private sealed class Restore(PendingAudit? previous) : IDisposable
    {
        public void Dispose() => Pending.Value = previous;
    }
}
