using System.Data.Common;
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

    /// <summary>Statements run on every newly opened connection.</summary>
    public virtual string? OnOpen => null;
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

    // WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of failing.
    public override string OnOpen => "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
}
