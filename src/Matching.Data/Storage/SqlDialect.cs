using System.Data.Common;
using Dapper;
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
    /// Drops the table's secondary indexes before a bulk load into an empty table and returns the statements that
    /// recreate them. Engines without a cheap way to do so return none and keep their indexes.
    /// </summary>
    public virtual Task<IReadOnlyList<string>> DropSecondaryIndexesAsync(DbConnection connection, string table) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Settings for one connection's bulk load (e.g. defer checkpoints) and their undoing afterwards.</summary>
    public virtual Task BeginBulkLoadAsync(DbConnection connection) => Task.CompletedTask;

    public virtual Task EndBulkLoadAsync(DbConnection connection) => Task.CompletedTask;

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

    // WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing.
    public override string OnOpen => "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";

    // Checkpointing the WAL into the database once at the end instead of every ~4 MB halves the writes of a big load.
    public override Task BeginBulkLoadAsync(DbConnection connection) => connection.ExecuteAsync("PRAGMA wal_autocheckpoint = 0;");

    public override Task EndBulkLoadAsync(DbConnection connection) =>
        connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 1000;", commandTimeout: 3600);

    private const string IndexesSql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = @Table AND sql IS NOT NULL";

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
