using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>
/// Every table of the service's database read as it is now: its row count and a SHA-256 of every row's every value
/// in rowid order, so any insert, update or delete anywhere shows as a difference. The scheduler's own bookkeeping
/// (Quartz's QRTZ_* tables) moves with time and is left out; the append-only audit log is compared separately
/// (refused requests are audited, which is a row added, never a row changed).
/// </summary>
public sealed record DatabaseSnapshot(IReadOnlyDictionary<string, (long Rows, string Hash)> Tables, long LastAuditId)
{
    public const string AuditTable = "audit_log";

    public static async Task<DatabaseSnapshot> TakeAsync(string databasePath)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'QRTZ%' AND name NOT LIKE 'sqlite_%' ORDER BY name")).ToList();
        var result = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        foreach (var table in tables.Where(t => t != AuditTable))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long rows = 0;
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? "\u2400" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                    hash.AppendData(Encoding.UTF8.GetBytes(value + "\u241F"));
                }
                hash.AppendData("\u241E"u8);
            }
            result[table] = (rows, Convert.ToHexString(hash.GetHashAndReset()));
        }
        var lastAudit = await connection.ExecuteScalarAsync<long>($"SELECT COALESCE(MAX(id), 0) FROM {AuditTable}");
        return new DatabaseSnapshot(result, lastAudit);
    }

    /// <summary>Tables whose rows differ from <paramref name="before"/>, e.g. "workers (4 → 5 rows)".</summary>
    public IReadOnlyList<string> ChangedSince(DatabaseSnapshot before) =>
        Tables.Keys.Union(before.Tables.Keys)
            .Where(t => !Tables.TryGetValue(t, out var now) || !before.Tables.TryGetValue(t, out var then) || now != then)
            .Select(t => $"{t} ({(before.Tables.TryGetValue(t, out var b) ? b.Rows : 0)} → {(Tables.TryGetValue(t, out var a) ? a.Rows : 0)} rows)")
            .ToList();

    /// <summary>Audit rows added since <paramref name="before"/> that record a success (a change that happened).</summary>
    public static async Task<IReadOnlyList<string>> SuccessfulAuditsSinceAsync(string databasePath, DatabaseSnapshot before)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return (await connection.QueryAsync<string>(
            $"SELECT action || ' ' || COALESCE(resource_id, '') FROM {AuditTable} WHERE id > @After AND outcome = 'success' AND action NOT LIKE '%.read' AND action NOT LIKE '%.review' AND action <> 'worker.lookup'",
            new { After = before.LastAuditId })).ToList();
    }
}
