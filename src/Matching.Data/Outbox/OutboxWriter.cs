using System.Data.Common;
using Dapper;

namespace Matching.Data.Outbox;

/// <summary>
/// Records that an entity changed, in the caller's transaction, so the search indexer picks it up even if the
/// process dies right after the commit.
/// </summary>
public static class OutboxWriter
{
    public const string Upsert = "upsert";
    public const string Delete = "delete";

    internal const string InsertSql = """
        INSERT INTO outbox (entity, entity_id, operation, created_at, attempts)
        VALUES (@Entity, @EntityId, @Operation, @CreatedAt, 0)
        """;

    public static Task EnqueueAsync(DbConnection connection, DbTransaction transaction, string entity, long entityId, string operation, DateTimeOffset now) =>
        connection.ExecuteAsync(InsertSql, new { Entity = entity, EntityId = entityId, Operation = operation, CreatedAt = now }, transaction);
}
