using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Matching.Data.Storage;

/// <summary>A table copied and verified: rows on both sides and the checksum they share.</summary>
public sealed record TableCopy(string Table, long Rows, string Checksum);

/// <summary>
/// Copies every table of one database into another, empty one of the same schema (a county moving from the embedded
/// SQLite file to SQL Server): the same keys, the same bytes of personal data (still encrypted with the same data
/// key, which the target service must be given), tables in foreign-key order. Afterwards each table is read back on
/// both sides and compared by row count and an order-free checksum of its rows (values in one canonical text form, so
/// that SQLite's text dates and SQL Server's date types compare equal). Stop the service while it runs.
/// </summary>
public static class DatabaseCopy
{
    private const int BatchRows = 2_000;

    public static async Task<IReadOnlyList<TableCopy>> CopyAsync(Database source, Database target, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var from = await source.OpenAsync(cancellationToken);
        await using var to = await target.OpenAsync(cancellationToken);
        var tables = await source.Dialect.TablesAsync(from);
        var targetTables = (await target.Dialect.TablesAsync(to)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = tables.Where(t => !targetTables.Contains(t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"目标库缺少表 {string.Join(", ", missing)}：目标库应由同一版本的服务迁移（先启动一次服务，或检查迁移脚本）");
        }
        foreach (var table in targetTables)
        {
            var rows = await to.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {target.Dialect.Quote(table)}");
            if (rows > 0)
            {
                throw new InvalidOperationException($"目标库表 {table} 已有 {rows} 行：migrate-data 只写入刚迁移的空库，不合并数据");
            }
        }

        var ordered = InForeignKeyOrder(tables, await source.Dialect.ForeignKeysAsync(from));
        foreach (var table in ordered)
        {
            var columns = await source.Dialect.ColumnsAsync(from, table);
            var targetColumns = (await target.Dialect.ColumnsAsync(to, table)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (columns.FirstOrDefault(c => !targetColumns.Contains(c)) is { } column)
            {
                throw new InvalidOperationException($"目标库表 {table} 没有列 {column}：两库的迁移版本不一致");
            }
            var copied = await CopyTableAsync(source, from, target, to, table, columns, cancellationToken);
            progress?.Report($"{table}: 已复制 {copied:N0} 行");
        }

        return await VerifyAsync(source, target, progress, cancellationToken);
    }

    /// <summary>Compares every table of the source with the target by row count and checksum; throws on the first difference.</summary>
    public static async Task<IReadOnlyList<TableCopy>> VerifyAsync(Database source, Database target, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var from = await source.OpenAsync(cancellationToken);
        await using var to = await target.OpenAsync(cancellationToken);
        var report = new List<TableCopy>();
        foreach (var table in await source.Dialect.TablesAsync(from))
        {
            var columns = await source.Dialect.ColumnsAsync(from, table);
            var (sourceRows, sourceSum) = await ChecksumAsync(source.Dialect, from, table, columns, cancellationToken);
            var (targetRows, targetSum) = await ChecksumAsync(target.Dialect, to, table, columns, cancellationToken);
            if (sourceRows != targetRows || sourceSum != targetSum)
            {
                throw new InvalidOperationException($"校验失败：表 {table} 源库 {sourceRows} 行 ({sourceSum})，目标库 {targetRows} 行 ({targetSum})");
            }
            report.Add(new TableCopy(table, sourceRows, sourceSum));
            progress?.Report($"{table}: 校验一致，{sourceRows:N0} 行，校验和 {sourceSum}");
        }
        return report;
    }

    /// <summary>Tables ordered so that each comes after the tables it references.</summary>
    public static IReadOnlyList<string> InForeignKeyOrder(IReadOnlyList<string> tables, IReadOnlyList<(string Table, string References)> foreignKeys)
    {
        var ordered = new List<string>();
        var placed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var remaining = tables.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(t => foreignKeys.Where(f => f.Table.Equals(t, StringComparison.OrdinalIgnoreCase))
                .All(f => placed.Contains(f.References) || !tables.Contains(f.References, StringComparer.OrdinalIgnoreCase))).ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException($"外键成环，无法排序：{string.Join(", ", remaining)}");
            }
            foreach (var table in ready)
            {
                ordered.Add(table);
                placed.Add(table);
                remaining.Remove(table);
            }
        }
        return ordered;
    }

    private static async Task<long> CopyTableAsync(Database source, DbConnection from, Database target, DbConnection to, string table, IReadOnlyList<string> columns,
        CancellationToken cancellationToken)
    {
        var quotedColumns = string.Join(", ", columns.Select(source.Dialect.Quote));
        await using var read = from.CreateCommand();
        read.CommandText = $"SELECT {quotedColumns} FROM {source.Dialect.Quote(table)}";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);

        var (explicitOn, explicitOff) = await target.Dialect.HasIdentityAsync(to, table) ? target.Dialect.ExplicitIds(table) : (null, null);
        await using var insert = to.CreateCommand();
        insert.CommandText = $"INSERT INTO {target.Dialect.Quote(table)} ({string.Join(", ", columns.Select(target.Dialect.Quote))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
        var parameters = columns.Select((_, i) =>
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            insert.Parameters.Add(parameter);
            return parameter;
        }).ToArray();

        long copied = 0;
        var more = await reader.ReadAsync(cancellationToken);
        while (more)
        {
            await using var tx = await to.BeginTransactionAsync(cancellationToken);
            insert.Transaction = tx;
            if (explicitOn is not null)
            {
                await to.ExecuteAsync(explicitOn, transaction: tx);
            }
            var inBatch = 0;
            if (copied == 0)
            {
                // Binary columns say so once: a NULL sent untyped would reach SQL Server as text and be refused there.
                for (var i = 0; i < parameters.Length; i++)
                {
                    if (reader.GetFieldType(i) == typeof(byte[]))
                    {
                        parameters[i].DbType = System.Data.DbType.Binary;
                    }
                }
            }
            while (more && inBatch < BatchRows)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = target.Dialect.Stored(reader.GetValue(i));
                }
                await insert.ExecuteNonQueryAsync(cancellationToken);
                inBatch++;
                more = await reader.ReadAsync(cancellationToken);
            }
            if (explicitOff is not null)
            {
                await to.ExecuteAsync(explicitOff, transaction: tx);
            }
            await tx.CommitAsync(cancellationToken);
            copied += inBatch;
        }
        return copied;
    }

    private static async Task<(long Rows, string Checksum)> ChecksumAsync(SqlDialect dialect, DbConnection connection, string table, IReadOnlyList<string> columns,
        CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand();
        read.CommandText = $"SELECT {string.Join(", ", columns.Select(dialect.Quote))} FROM {dialect.Quote(table)}";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        long rows = 0;
        UInt128 sum = 0;
        var text = new StringBuilder();
        while (await reader.ReadAsync(cancellationToken))
        {
            text.Clear();
            for (var i = 0; i < columns.Count; i++)
            {
                text.Append(Canonical(reader.GetValue(i))).Append('\u001f');
            }
            // Rows in any order: the sum of their hashes does not depend on it, and a changed, lost or doubled row changes it.
            sum += BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
            rows++;
        }
        return (rows, sum.ToString("x32", CultureInfo.InvariantCulture));
    }

    /// <summary>One text form for a value read from either engine (dates, instants, flags and numbers alike).</summary>
    public static string Canonical(object? value) => value switch
    {
        null or DBNull => "\u2205",
        string s => "s:" + s,
        byte[] bytes => "b:" + Convert.ToBase64String(bytes),
        bool b => b ? "n:1" : "n:0",
        DateTime d => "s:" + d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset d => "s:" + StoredInstant(d),
        double or float or decimal => "n:" + Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        IConvertible number => "n:" + number.ToString(CultureInfo.InvariantCulture),
        _ => "?:" + value,
    };

    /// <summary>An instant as the stores write it on SQLite.</summary>
    public static string StoredInstant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
