using Dapper;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Matching.Data.Storage;

/// <summary>Applies the embedded migration scripts of the dialect, each once, in name order (DbUp journal).</summary>
public static class Migrator
{
    public static IReadOnlyList<string> Apply(Database database)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.{database.Dialect.MigrationsFolder}.";
        return database.Dialect switch
        {
            SqliteDialect => Run(DeployChanges.To.SqliteDatabase(database.ConnectionString), assembly, prefix),
            SqlServerDialect => ApplySqlServer(database.ConnectionString, assembly, prefix),
            _ => throw new NotSupportedException($"no migration runner for {database.Dialect.GetType().Name}"),
        };
    }

    private static IReadOnlyList<string> Run(UpgradeEngineBuilder builder, System.Reflection.Assembly assembly, string prefix)
    {
        var result = builder
            .WithScriptsEmbeddedInAssembly(assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"数据库迁移失败 ({result.ErrorScript?.Name}): {result.Error.Message}", result.Error);
        }
        return result.Scripts.Select(s => s.Name[prefix.Length..]).ToList();
    }

    // Several API replicas start at once against one server: an application lock on the server makes one of them
    // create and migrate the database while the others wait, then find nothing left to apply.
    private const string AcquireSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = 'matching-migrations', @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 600000;
        SELECT @result;
        """;
    private const string ReleaseSql = "EXEC sp_releaseapplock @Resource = 'matching-migrations', @LockOwner = 'Session';";
    private const string DatabaseExistsSql = "SELECT COUNT(*) FROM sys.databases WHERE name = @Name";

    private static IReadOnlyList<string> ApplySqlServer(string connectionString, System.Reflection.Assembly assembly, string prefix)
    {
        var target = new SqlConnectionStringBuilder(connectionString);
        var databaseName = target.InitialCatalog;
        var server = new SqlConnectionStringBuilder(connectionString) { InitialCatalog = "master", Pooling = false };
        using var master = new SqlConnection(server.ConnectionString);
        master.Open();
        if (master.ExecuteScalar<int>(AcquireSql, commandTimeout: 660) < 0)
        {
            throw new InvalidOperationException("等待其他实例完成数据库迁移超时（sp_getapplock matching-migrations）");
        }
        try
        {
            if (master.ExecuteScalar<int>(DatabaseExistsSql, new { Name = databaseName }) == 0)
            {
                // Readers see the last committed version of a row instead of waiting for writers (read-committed
                // snapshot), as WAL readers do on SQLite. Set at creation, while nobody else is connected.
                var quoted = SqlServerDialect.Instance.Quote(databaseName);
                master.Execute($"CREATE DATABASE {quoted}", commandTimeout: 600);
                master.Execute($"ALTER DATABASE {quoted} SET READ_COMMITTED_SNAPSHOT ON", commandTimeout: 600);
            }
            return Run(DeployChanges.To.SqlDatabase(connectionString), assembly, prefix);
        }
        finally
        {
            master.Execute(ReleaseSql);
        }
    }

    /// <summary>SQLite connection string for a file in the data folder, WAL journal set once on the file.</summary>
    public static string SqliteConnectionString(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "matching.db"),
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        };
        using (var connection = new SqliteConnection(builder.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            command.ExecuteNonQuery();
        }
        return builder.ConnectionString;
    }
}
