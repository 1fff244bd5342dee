using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;

namespace Matching.Data.Storage;

/// <summary>Applies the embedded migration scripts of the dialect, each once, in name order (DbUp journal).</summary>
public static class Migrator
{
    public static IReadOnlyList<string> Apply(Database database)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.{database.Dialect.MigrationsFolder}.";
        UpgradeEngineBuilder builder = database.Dialect switch
        {
            SqliteDialect => DeployChanges.To.SqliteDatabase(database.ConnectionString),
            _ => throw new NotSupportedException($"no migration runner for {database.Dialect.GetType().Name}"),
        };
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
