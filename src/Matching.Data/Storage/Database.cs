using System.Data;
using System.Data.Common;
using Dapper;

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

    /// <summary>Runs the work in one transaction; commits when it returns, rolls back when it throws.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
