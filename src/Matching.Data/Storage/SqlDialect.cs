using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Matching.Data.Storage;

/// <summary>
/// Every difference between the SQL of SQLite and of SQL Server lives here. Stores write their SQL in the common
/// subset and append these fragments, so a second engine does not touch the stores.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>Folder of embedded migration scripts, e.g. <c>Migrations.Sqlite</c>.</summary>
    public abstract string MigrationsFolder { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>Appended after an INSERT to return the new row's id.</summary>
    public abstract string SelectInsertedId { get; }

    /// <summary>Appended after ORDER BY; takes <c>@Skip</c> and <c>@Take</c>.</summary>
    public abstract string Page { get; }

    /// <summary>
    /// Written after a table (or its alias) that a write transaction reads before it writes what depends on the read
    /// (check-then-insert, version check, seat count). Rendered by <see cref="Render"/>: SQL Server takes an update lock
    /// held to the end of the transaction, so a second writer waits instead of deadlocking or reading stale state;
    /// SQLite needs nothing (its write transaction already holds the only write lock). A comment, so it is harmless
    /// unrendered.
    /// </summary>
    public const string LockForWrite = "/*UPDLOCK*/";

    /// <summary>What <see cref="LockForWrite"/> becomes on this engine.</summary>
    public abstract string WriteLockHint { get; }

    /// <summary>The statement as this engine runs it: every <see cref="LockForWrite"/> replaced by the engine's hint.</summary>
    public string Render(string sql) => sql.Contains(LockForWrite, StringComparison.Ordinal)
        ? sql.Replace(LockForWrite, WriteLockHint, StringComparison.Ordinal)
        : sql;

    /// <summary>
    /// Statements around inserts that give the id explicitly (demo history, copying a database with its keys): SQL Server
    /// refuses them on an identity column unless switched on for the session; SQLite takes them as they are.
    /// </summary>
    public virtual (string? Before, string? After) ExplicitIds(string table) => (null, null);

    /// <summary>Whether the exception is a unique-constraint violation.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Whether the exception is a foreign-key violation (a row still referenced, or a reference to nothing).</summary>
    public abstract bool IsForeignKeyViolation(Exception exception);

    /// <summary>
    /// Every foreign key of the schema, read from the database itself: columns <c>ChildTable</c>, <c>ChildColumn</c>,
    /// <c>ParentTable</c>, <c>OnDelete</c> (NO ACTION, RESTRICT, CASCADE, SET NULL…).
    /// </summary>
    public abstract string ForeignKeysSql { get; }

    /// <summary>
    /// How many rows this connection has changed so far (a running count), so a transaction can tell whether it wrote
    /// anything; null on an engine without such a counter (the audit row is then written for every committed write).
    /// </summary>
    public virtual string? ChangesSql => null;

    /// <summary>Statements run on every newly opened connection.</summary>
    public virtual string? OnOpen => null;

    /// <summary>
    /// The checkpoint a background task runs (copying the write-ahead log into the database file without waiting for
    /// anyone), and what a connection is told so its commits leave that to it; null where the engine does it itself.
    /// </summary>
    public virtual string? CheckpointSql => null;

    public virtual string? DeferCheckpointsSql => null;

    /// <summary>
    /// Drops the table's secondary indexes before a bulk load into an empty table and returns the statements that
    /// recreate them. Engines without a cheap way to do so return none and keep their indexes.
    /// </summary>
    public virtual Task<IReadOnlyList<string>> DropSecondaryIndexesAsync(DbConnection connection, string table) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Settings for one connection's bulk load (e.g. defer checkpoints) and their undoing afterwards.</summary>
    public virtual Task BeginBulkLoadAsync(DbConnection connection) => Task.CompletedTask;

    public virtual Task EndBulkLoadAsync(DbConnection connection) => Task.CompletedTask;

    /// <summary>
    /// Settings for one connection's large write transaction (an import of thousands of rows into big indexes), and
    /// the statement that puts them back before the connection returns to the pool; null where nothing is needed.
    /// </summary>
    public virtual string? LargeWriteSettings => null;

    public virtual string? LargeWriteReset => null;

    /// <summary>
    /// Refreshes the query planner's statistics after the data changed in bulk (start-up, a seed, an import). Null where
    /// the engine keeps them itself (SQL Server's automatic statistics).
    /// </summary>
    public virtual string? RefreshStatisticsSql => null;

    /// <summary>
    /// Inserts rows in order inside the connection's open transaction, the columns' values given by
    /// <paramref name="value"/> (row, column index): here one prepared statement a row, its parameters bound by name.
    /// </summary>
    public virtual async Task InsertRowsAsync<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns,
        IReadOnlyList<T> rows, Func<T, int, object?> value, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
        var parameters = columns.Select((_, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        await PrepareAsync(command, cancellationToken);
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = value(row, i) ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Prepares a command run many times with different values (bulk loads), where the engine benefits.</summary>
    public virtual Task PrepareAsync(DbCommand command, CancellationToken cancellationToken) => command.PrepareAsync(cancellationToken);

    /// <summary>The user tables of the database (not the migration journal), for copying and verifying a whole database.</summary>
    public abstract Task<IReadOnlyList<string>> TablesAsync(DbConnection connection);

    /// <summary>Pairs (table, table it references) of the foreign keys between user tables.</summary>
    public async Task<IReadOnlyList<(string Table, string References)>> ForeignKeysAsync(DbConnection connection) =>
        (await connection.QueryAsync<ForeignKey>(ForeignKeysSql)).Where(k => k.ChildTable != k.ParentTable)
            .Select(k => (k.ChildTable, k.ParentTable)).Distinct().ToList();

    /// <summary>The table's columns in order.</summary>
    public abstract Task<IReadOnlyList<string>> ColumnsAsync(DbConnection connection, string table);

    /// <summary>A table or column name quoted for this engine (names come from the schema, never from users).</summary>
    public abstract string Quote(string name);

    /// <summary>Whether the table's key is generated by the engine (and so needs <see cref="ExplicitIds"/> to copy keys).</summary>
    public virtual Task<bool> HasIdentityAsync(DbConnection connection, string table) => Task.FromResult(false);

    /// <summary>A value read from another engine, as this engine's stores write it (a copy keeps the same meaning).</summary>
    public virtual object Stored(object value) => value;

    public async Task CreateIndexesAsync(DbConnection connection, IReadOnlyList<string> createStatements)
    {
        foreach (var statement in createStatements)
        {
            await connection.ExecuteAsync(statement, commandTimeout: 3600);
        }
    }
}

public sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string MigrationsFolder => "Migrations.Sqlite";

    public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public override string SelectInsertedId => "; SELECT last_insert_rowid();";

    public override string Page => " LIMIT @Take OFFSET @Skip";

    public override string WriteLockHint => "";

    // SQLITE_CONSTRAINT_UNIQUE = 2067, SQLITE_CONSTRAINT_PRIMARYKEY = 1555, SQLITE_CONSTRAINT_FOREIGNKEY = 787.
    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

    public override bool IsForeignKeyViolation(Exception exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 787 };

    public override string ForeignKeysSql => """
        SELECT m.name AS ChildTable, f."from" AS ChildColumn, f."table" AS ParentTable, f.on_delete AS OnDelete
        FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
        WHERE m.type = 'table'
        ORDER BY m.name, f.id, f.seq
        """;

    public override string ChangesSql => "SELECT total_changes()";

    // WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing. Reads map the
    // database file (up to 1 GB) instead of copying its pages into each connection's own 2 MB cache, which every commit
    // of another connection empties.
    public override string OnOpen => "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 1073741824;";

    // Returns (busy, frames in the log, frames copied). PASSIVE neither waits for nor blocks readers and writers.
    public override string CheckpointSql => "PRAGMA wal_checkpoint(PASSIVE)";

    // SQLite itself checkpoints in the commit that takes the log past 1,000 pages: an import of 10,000 workers into a
    // million then waited 0.8-1.7 s for it. With the checkpoint in the background, SQLite's own is kept only as a backstop
    // at 1 GB of log, for a process whose checkpointer has stopped.
    public override string DeferCheckpointsSql => " PRAGMA wal_autocheckpoint = 262144;";

    /// <summary>Rows per statement of <see cref="InsertRowsAsync"/>: far below SQLite's limit of 32,766 parameters.</summary>
    private const int RowsPerInsert = 64;

    /// <summary>
    /// SQLite runs a statement's set-up (a cursor on every index, the triggers' programs) at each execution: 10,000
    /// workers cost about 60 µs each one statement apiece, mostly that. Here 64 rows go to one statement instead, their
    /// values bound by position through SQLite's own interface, since Microsoft.Data.Sqlite binds each parameter by
    /// looking its name up in the statement's list (a cost growing with the square of the parameters).
    /// </summary>
    public override Task InsertRowsAsync<T>(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns,
        IReadOnlyList<T> rows, Func<T, int, object?> value, CancellationToken cancellationToken)
    {
        var db = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("the connection is not open");
        var row = $"({string.Join(", ", Enumerable.Repeat("?", columns.Count))})";
        string Sql(int count) => $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {string.Join(", ", Enumerable.Repeat(row, count))}";
        SQLitePCL.sqlite3_stmt? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += RowsPerInsert)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(RowsPerInsert, rows.Count - start);
                using var partial = count < RowsPerInsert ? Prepare(db, Sql(count)) : null;
                var statement = partial ?? (full ??= Prepare(db, Sql(RowsPerInsert)));
                var position = 1;
                for (var r = start; r < start + count; r++)
                {
                    for (var c = 0; c < columns.Count; c++)
                    {
                        Check(db, Bind(statement, position++, value(rows[r], c)));
                    }
                }
                Check(db, SQLitePCL.raw.sqlite3_step(statement), SQLitePCL.raw.SQLITE_DONE);
                Check(db, SQLitePCL.raw.sqlite3_reset(statement));
            }
        }
        finally
        {
            full?.Dispose();
        }
        return Task.CompletedTask;
    }

    private static SQLitePCL.sqlite3_stmt Prepare(SQLitePCL.sqlite3 db, string sql)
    {
        Check(db, SQLitePCL.raw.sqlite3_prepare_v2(db, sql, out var statement));
        return statement;
    }

    private static int Bind(SQLitePCL.sqlite3_stmt statement, int position, object? value) => value switch
    {
        null or DBNull => SQLitePCL.raw.sqlite3_bind_null(statement, position),
        string text => SQLitePCL.raw.sqlite3_bind_text(statement, position, text),
        byte[] bytes => SQLitePCL.raw.sqlite3_bind_blob(statement, position, bytes),
        int number => SQLitePCL.raw.sqlite3_bind_int64(statement, position, number),
        long number => SQLitePCL.raw.sqlite3_bind_int64(statement, position, number),
        _ => throw new ArgumentException($"no positional binding for {value.GetType().Name}", nameof(value)),
    };

    private static void Check(SQLitePCL.sqlite3 db, int code, int expected = SQLitePCL.raw.SQLITE_OK)
    {
        if (code != expected)
        {
            SqliteException.ThrowExceptionForRC(code, db);
        }
    }

    // 256 MB of page cache instead of 2 MB (the default), given back afterwards.
    public override string LargeWriteSettings => "PRAGMA cache_size = -262144;";

    public override string LargeWriteReset => "PRAGMA cache_size = -2000;";

    // Checkpointing the WAL into the database once at the end instead of every ~4 MB halves the writes of a big load.
    public override Task BeginBulkLoadAsync(DbConnection connection) => connection.ExecuteAsync("PRAGMA wal_autocheckpoint = 0;");

    public override Task EndBulkLoadAsync(DbConnection connection) =>
        connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 1000; " + RefreshStatisticsSql, commandTimeout: 3600);

    // SQLite keeps no statistics of its own: without them it guesses join orders, e.g. it read every upcoming cohort to
    // find one opening's intakes (40 ms at a million workers instead of 0.1 ms). A sampled ANALYZE (at most 1,000 rows an
    // index) takes about 0.1 s on a 1 GB database.
    public override string RefreshStatisticsSql => "PRAGMA analysis_limit = 1000; ANALYZE;";

    private const string IndexesSql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = @Table AND sql IS NOT NULL";
    private const string TablesSql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'SchemaVersions' ORDER BY name";
    private const string ColumnsSql = "SELECT name FROM pragma_table_info(@Table) ORDER BY cid";

    public override async Task<IReadOnlyList<string>> TablesAsync(DbConnection connection) => (await connection.QueryAsync<string>(TablesSql)).AsList();


    public override async Task<IReadOnlyList<string>> ColumnsAsync(DbConnection connection, string table) =>
        (await connection.QueryAsync<string>(ColumnsSql, new { Table = table })).AsList();

    public override string Quote(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    // Dates as 'yyyy-MM-dd', instants as UTC text, flags as 0/1: what the type handlers and the stores write here.
    public override object Stored(object value) => value switch
    {
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset d => DatabaseCopy.StoredInstant(d),
        bool b => b ? 1L : 0L,
        _ => value,
    };

    public override async Task<IReadOnlyList<string>> DropSecondaryIndexesAsync(DbConnection connection, string table)
    {
        var indexes = (await connection.QueryAsync<(string Name, string Sql)>(IndexesSql, new { Table = table })).ToList();
        foreach (var index in indexes)
        {
            // Names come from the schema itself, not from user input.
            await connection.ExecuteAsync($"DROP INDEX \"{index.Name}\"");
        }
        return indexes.Select(i => i.Sql).ToList();
    }
}

/// <summary>
/// SQL Server (Microsoft.Data.SqlClient): production storage. Write transactions are SERIALIZABLE (as on SQLite) and the
/// reads they write on take update locks (<see cref="SqlDialect.LockForWrite"/>), so concurrent writers queue on the
/// row they both need instead of deadlocking; readers outside transactions use read-committed snapshot (set when the
/// database is created) and never wait for writers.
/// </summary>
public class SqlServerDialect : SqlDialect
{
    public static readonly SqlServerDialect Instance = new();

    public override string MigrationsFolder => "Migrations.SqlServer";

    public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

    public override string SelectInsertedId => "; SELECT CAST(SCOPE_IDENTITY() AS bigint);";

    public override string Page => " OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY";

    public override string WriteLockHint => "WITH (UPDLOCK, HOLDLOCK)";

    public override (string? Before, string? After) ExplicitIds(string table) =>
        ($"SET IDENTITY_INSERT {Quote(table)} ON;", $"SET IDENTITY_INSERT {Quote(table)} OFF;");

    // 2627: unique constraint, 2601: unique index; 547: foreign key (or check) constraint.
    public override bool IsUniqueViolation(Exception exception) => exception is SqlException { Number: 2627 or 2601 };

    public override bool IsForeignKeyViolation(Exception exception) => exception is SqlException { Number: 547 };

    // SqlClient reuses the plan of a parameterised statement without Prepare, which would ask for every parameter's size.
    public override Task PrepareAsync(DbCommand command, CancellationToken cancellationToken) => Task.CompletedTask;

    private const string TablesSql = """
        SELECT t.name FROM sys.tables t WHERE t.is_ms_shipped = 0 AND t.name <> 'SchemaVersions' ORDER BY t.name
        """;
    public override string ForeignKeysSql => """
        SELECT OBJECT_NAME(f.parent_object_id) AS ChildTable, COL_NAME(fc.parent_object_id, fc.parent_column_id) AS ChildColumn,
               OBJECT_NAME(f.referenced_object_id) AS ParentTable, REPLACE(f.delete_referential_action_desc, '_', ' ') AS OnDelete
        FROM sys.foreign_keys f JOIN sys.foreign_key_columns fc ON fc.constraint_object_id = f.object_id
        ORDER BY OBJECT_NAME(f.parent_object_id), f.object_id, fc.constraint_column_id
        """;
    private const string ColumnsSql = "SELECT c.name FROM sys.columns c WHERE c.object_id = OBJECT_ID(@Table) ORDER BY c.column_id";

    public override async Task<IReadOnlyList<string>> TablesAsync(DbConnection connection) => (await connection.QueryAsync<string>(TablesSql)).AsList();


    public override async Task<IReadOnlyList<string>> ColumnsAsync(DbConnection connection, string table) =>
        (await connection.QueryAsync<string>(ColumnsSql, new { Table = table })).AsList();

    public override string Quote(string name) => $"[{name.Replace("]", "]]", StringComparison.Ordinal)}]";

    private const string HasIdentitySql = "SELECT COALESCE(OBJECTPROPERTY(OBJECT_ID(@Table), 'TableHasIdentity'), 0)";

    public override async Task<bool> HasIdentityAsync(DbConnection connection, string table) =>
        await connection.ExecuteScalarAsync<int>(HasIdentitySql, new { Table = table }) == 1;
}
