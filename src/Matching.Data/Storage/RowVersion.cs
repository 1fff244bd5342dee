using System.Data.Common;
using Dapper;

namespace Matching.Data.Storage;

/// <summary>Optimistic concurrency: every row has a version; an update or delete names the one it read (If-Match).</summary>
internal static class RowVersion
{
    /// <summary>
    /// Reads the row's version with <paramref name="versionSql"/> (<c>SELECT version FROM t /*UPDLOCK*/ WHERE id = @Id</c>: the row stays locked for the update that follows on SQL Server). Returns the
    /// version, or the refusal: not found, or a different version than expected.
    /// </summary>
    public static async Task<(int Version, WriteResult? Refusal)> CheckAsync(SqlDialect dialect, DbConnection connection, DbTransaction tx, string versionSql, long id, int? expectedVersion)
    {
        var version = await connection.ExecuteScalarAsync<int?>(dialect.Render(versionSql), new { Id = id }, tx);
        if (version is null)
        {
            return (0, WriteResult.NotFound);
        }
        if (expectedVersion is not null && expectedVersion != version)
        {
            return (version.Value, WriteResult.PreconditionFailed(version.Value));
        }
        return (version.Value, null);
    }
}
