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

    public Database(SqlDialect dialect, string connectionString)
    {
        Dialect = dialect;
        ConnectionString = connectionString;
    }

    public SqlDialect Dialect { get; }

    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (Dialect.OnOpen is { } pragma)
        {
            await connection.ExecuteAsync(pragma);
        }
        return connection;
    }

    public DbConnection Open()
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        connection.Open();
        if (Dialect.OnOpen is { } pragma)
        {
            connection.Execute(pragma);
        }
        return connection;
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
