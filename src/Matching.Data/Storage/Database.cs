using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;
using Matching.Data.Access;

namespace Matching.Data.Storage;

/// <summary>The application database: a dialect and a connection string. Opens connections ready to use.</summary>
public sealed class Database
{
    static Database() => DapperTypeHandlers.Register();

    public Database(SqlDialect dialect, string connectionString, bool checkpointsInBackground = false)
    {
        Dialect = dialect;
        ConnectionString = connectionString;
        CheckpointsInBackground = checkpointsInBackground && dialect.CheckpointSql is not null;
        _onOpen = CheckpointsInBackground ? dialect.OnOpen + dialect.DeferCheckpointsSql : dialect.OnOpen;
    }

    public SqlDialect Dialect { get; }

    /// <summary>
    /// Whether commits leave copying the write-ahead log into the database file to <see cref="CheckpointAsync"/>, which
    /// the service runs in the background, so that no request waits for it (SQLite).
    /// </summary>
    public bool CheckpointsInBackground { get; }

    private readonly string? _onOpen;

    /// <summary>
    /// Copies into the database file what committed transactions left in the write-ahead log, without waiting for
    /// readers or writers: the pages copied, or null where the engine checkpoints by itself (SQL Server).
    /// </summary>
    public async Task<int?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        if (Dialect.CheckpointSql is not { } checkpoint)
        {
            return null;
        }
        await using var connection = await OpenAsync(cancellationToken);
        var (_, _, copied) = await connection.QuerySingleAsync<(long Busy, long Logged, long Copied)>(checkpoint);
        return (int)copied;
    }

    /// <summary>
    /// A SQL Server database, checked reachable now: a service that cannot reach its database stops at start with the
    /// reason instead of failing every request (the password is never part of the message).
    /// </summary>
    public static Database SqlServer(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("Matching:StorageProvider=sqlserver 需要 Matching:ConnectionString（例如 Server=db;Database=matching;User Id=…;Password=…;TrustServerCertificate=true）");
        }
        Microsoft.Data.SqlClient.SqlConnectionStringBuilder parsed;
        try
        {
            parsed = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"Matching:ConnectionString 不是有效的 SQL Server 连接字符串：{exception.Message}");
        }
        if (string.IsNullOrWhiteSpace(parsed.InitialCatalog))
        {
            throw new InvalidOperationException("Matching:ConnectionString 须指明数据库（Database=… 或 Initial Catalog=…）");
        }
        var master = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(connectionString) { InitialCatalog = "master", Pooling = false };
        try
        {
            using var probe = new Microsoft.Data.SqlClient.SqlConnection(master.ConnectionString);
            probe.Open();
        }
        catch (Microsoft.Data.SqlClient.SqlException exception)
        {
            throw new InvalidOperationException(
                $"无法连接 SQL Server {parsed.DataSource}（Matching:ConnectionString，连接超时 {parsed.ConnectTimeout} 秒）：{exception.Message}", exception);
        }
        return new Database(SqlServerDialect.Instance, connectionString);
    }

    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (_onOpen is { } pragma)
        {
            await connection.ExecuteAsync(pragma);
        }
        return connection;
    }

    public DbConnection Open()
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        connection.Open();
        if (_onOpen is { } pragma)
        {
            connection.Execute(pragma);
        }
        return connection;
    }

    // A table every migrated database has and start-up fills: it answers only once the schema is there.
    private const string ProbeSql = "SELECT COUNT(*) FROM catalogue_versions";

    /// <summary>Throws unless the database answers a query on its schema (the readiness check).</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(ProbeSql, cancellationToken: cancellationToken));
    }

    /// <summary>Refreshes the planner's statistics where the engine needs it (<see cref="SqlDialect.RefreshStatisticsSql"/>).</summary>
    public async Task RefreshStatisticsAsync(CancellationToken cancellationToken = default)
    {
        if (Dialect.RefreshStatisticsSql is { } sql)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(sql, commandTimeout: 600, cancellationToken: cancellationToken));
        }
    }

    /// <summary>
    /// Runs the work in one transaction; commits when it returns, rolls back when it throws. When an audited request
    /// is pending (<see cref="AuditScope"/>) and the work changed rows, its audit row is written in the same
    /// transaction, so the change and its audit commit or vanish together.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        var audit = AuditScope.Current is { Written: false } pending ? pending : null;
        var changesBefore = audit is null ? 0 : await ChangesAsync(connection, transaction);
        var result = await work(connection, transaction);
        var audited = false;
        if (audit is not null && !audit.Written && (Dialect.ChangesSql is null || await ChangesAsync(connection, transaction) != changesBefore))
        {
            var createdId = result is WriteResult { Status: WriteStatus.Ok, Id: > 0 } written ? written.Id.ToString(CultureInfo.InvariantCulture) : null;
            await AuditLog.AppendAsync(connection, transaction, audit, audit.ResourceId ?? createdId);
            audited = true;
        }
        await transaction.CommitAsync(cancellationToken);
        if (audited)
        {
            audit!.Written = true;
        }
        return result;
    }

    /// <summary>The connection's running count of changed rows (0 on an engine without one, which audits every write).</summary>
    private async Task<long> ChangesAsync(DbConnection connection, DbTransaction transaction) =>
        Dialect.ChangesSql is { } sql ? await connection.ExecuteScalarAsync<long>(sql, transaction: transaction) : 0;
}
