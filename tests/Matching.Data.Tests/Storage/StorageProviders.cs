using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Matching.Data.Storage;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// A storage engine the behavioural suite runs on: a fresh, migrated database for one test class, or the reason the
/// engine is not available here.
/// </summary>
public abstract class StorageProvider : IDisposable
{
    private DataFixture? _data;

    /// <summary>Why the suite cannot run on this engine here, or null.</summary>
    public abstract string? SkipReason { get; }

    /// <summary>The fixture over the database, opened on first use (never for a skipped engine).</summary>
    public DataFixture Data => _data ??= Open();

    protected abstract DataFixture Open();

    protected virtual void Close()
    {
    }

    public void Dispose()
    {
        _data?.Dispose();
        Close();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The embedded default: a SQLite file in a temp folder.</summary>
public sealed class SqliteStorage : StorageProvider
{
    public override string? SkipReason => null;

    protected override DataFixture Open() => new();
}

/// <summary>
/// A real SQL Server named by <c>SQLSERVER_CONNECTION</c> (e.g. <c>Server=localhost;User Id=sa;Password=…;
/// TrustServerCertificate=true</c>): each test class gets its own database, created by the migrations and dropped
/// afterwards. Without the variable the suite reports every test as skipped with that reason.
/// </summary>
public sealed class SqlServerStorage : StorageProvider
{
    public static readonly string? Connection = System.Environment.GetEnvironmentVariable("SQLSERVER_CONNECTION");

    public const string NotSetReason = "SQLSERVER_CONNECTION 未设置：没有可用的 SQL Server，SQL Server 存储测试跳过（SQLite 已运行同一套测试；T-SQL 语法由 ScriptDom 检查）";

    private readonly string _databaseName = "matching_test_" + Guid.NewGuid().ToString("N")[..12];

    public override string? SkipReason => string.IsNullOrWhiteSpace(Connection) ? NotSetReason : null;

    /// <summary>The connection string of a database of this name on the server of <c>SQLSERVER_CONNECTION</c>.</summary>
    public static string ConnectionTo(string databaseName) =>
        new SqlConnectionStringBuilder(Connection) { InitialCatalog = databaseName }.ConnectionString;

    protected override DataFixture Open() => new((folder, time) => DataEnvironment.Open(new MatchingOptions
    {
        DataDirectory = folder.Path,
        StorageProvider = "sqlserver",
        ConnectionString = ConnectionTo(_databaseName),
        DataKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    }, time));

    protected override void Close()
    {
        if (SkipReason is null)
        {
            Drop(_databaseName);
        }
    }

    /// <summary>Drops a test database, closing whatever the pool still holds open on it.</summary>
    public static void Drop(string databaseName)
    {
        SqlConnection.ClearAllPools();
        using var master = new SqlConnection(ConnectionTo("master"));
        master.Open();
        var quoted = SqlServerDialect.Instance.Quote(databaseName);
        master.Execute($"IF DB_ID(@Name) IS NOT NULL BEGIN ALTER DATABASE {quoted} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE {quoted}; END",
            new { Name = databaseName });
    }
}

/// <summary>
/// The SQL Server dialect without a server: every statement the stores build under <see cref="SqlServerDialect"/> is
/// parsed by Microsoft's T-SQL parser as it is sent (a syntax error fails the test that sent it), then run on SQLite
/// after swapping the dialect's fragments back (<see cref="Translation"/>), so that the suite's assertions still hold.
/// The statements seen are kept in <see cref="Seen"/>; set <c>MATCHING_TSQL_RECORD</c> to a file name to write them out.
/// </summary>
public sealed partial class TranslatedSqlServerStorage : StorageProvider
{
    public static readonly ConcurrentDictionary<string, int> Seen = new(StringComparer.Ordinal);

    public override string? SkipReason => null;

    protected override DataFixture Open() => new(
        (folder, time) => folder.Track(DataEnvironment.Open(new MatchingOptions { DataDirectory = folder.Path }, time)),
        environment => new Database(new RecordingDialect(), environment.Database.ConnectionString));

    protected override void Close()
    {
        if (System.Environment.GetEnvironmentVariable("MATCHING_TSQL_RECORD") is { Length: > 0 } file)
        {
            File.WriteAllLines(file, Seen.Keys.Order(StringComparer.Ordinal).Select(s => s.ReplaceLineEndings(" ")));
        }
    }

    /// <summary>T-SQL back to SQLite: each fragment of the SQL Server dialect replaced by the SQLite dialect's.</summary>
    public static string Translation(string tsql)
    {
        var sqlServer = SqlServerDialect.Instance;
        var sqlite = SqliteDialect.Instance;
        var text = tsql
            .Replace(sqlServer.SelectInsertedId, sqlite.SelectInsertedId, StringComparison.Ordinal)
            .Replace(sqlServer.Page, sqlite.Page, StringComparison.Ordinal)
            .Replace(sqlServer.WriteLockHint, sqlite.WriteLockHint, StringComparison.Ordinal)
            .Replace(sqlServer.ForeignKeysSql, sqlite.ForeignKeysSql, StringComparison.Ordinal);
        return ExplicitIds().Replace(text, "");
    }

    [GeneratedRegex(@"SET IDENTITY_INSERT \[\w+\] (ON|OFF);")]
    private static partial Regex ExplicitIds();

    private sealed class RecordingDialect : SqlServerDialect
    {
        public override DbConnection CreateConnection(string connectionString) => new TranslatingConnection(new SqliteConnection(connectionString));

        // SQL Server sends nothing on open; SQLite's pragmas are run by the connection below, unrecorded.
        public override string? OnOpen => null;

        public override bool IsUniqueViolation(Exception exception) => SqliteDialect.Instance.IsUniqueViolation(exception);

        public override bool IsForeignKeyViolation(Exception exception) => SqliteDialect.Instance.IsForeignKeyViolation(exception);
    }

    private static string Sent(string tsql)
    {
        if (!Seen.ContainsKey(tsql))
        {
            var errors = TSql.Errors(tsql);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"T-SQL 语法错误（SQL Server 方言下发送的语句）：{string.Join("; ", errors)}\n{tsql}");
            }
        }
        Seen.AddOrUpdate(tsql, 1, (_, n) => n + 1);
        return Translation(tsql);
    }

    /// <summary>A SQLite connection whose commands record and check their T-SQL text before running its translation.</summary>
    private sealed class TranslatingConnection(SqliteConnection inner) : DbConnection
    {
        [AllowNull]
        public override string ConnectionString { get => inner.ConnectionString; set => inner.ConnectionString = value; }

        public override string Database => inner.Database;

        public override string DataSource => inner.DataSource;

        public override string ServerVersion => inner.ServerVersion;

        public override ConnectionState State => inner.State;

        public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

        public override void Close() => inner.Close();

        public override void Open()
        {
            inner.Open();
            using var pragmas = inner.CreateCommand();
            pragmas.CommandText = SqliteDialect.Instance.OnOpen;
            pragmas.ExecuteNonQuery();
        }

        public override Task OpenAsync(CancellationToken cancellationToken)
        {
            Open();
            return Task.CompletedTask;
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new Transaction(this, inner.BeginTransaction(isolationLevel));

        protected override DbCommand CreateDbCommand() => new Command(this, inner.CreateCommand());

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class Transaction(DbConnection connection, SqliteTransaction inner) : DbTransaction
    {
        public SqliteTransaction Inner => inner;

        public override IsolationLevel IsolationLevel => inner.IsolationLevel;

        protected override DbConnection DbConnection => connection;

        public override void Commit() => inner.Commit();

        public override void Rollback() => inner.Rollback();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class Command(DbConnection connection, SqliteCommand inner) : DbCommand
    {
        private DbConnection? _connection = connection;
        private Transaction? _transaction;

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }

        public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }

        protected override DbConnection? DbConnection { get => _connection; set => _connection = value; }

        protected override DbParameterCollection DbParameterCollection => inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set
            {
                _transaction = (Transaction?)value;
                inner.Transaction = _transaction?.Inner;
            }
        }

        public override void Cancel() => inner.Cancel();

        protected override DbParameter CreateDbParameter() => inner.CreateParameter();

        private SqliteCommand Ready()
        {
            inner.CommandText = Sent(CommandText);
            return inner;
        }

        public override int ExecuteNonQuery() => Ready().ExecuteNonQuery();

        public override object? ExecuteScalar() => Ready().ExecuteScalar();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Ready().ExecuteReader(behavior);

        public override void Prepare() => Ready().Prepare();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
