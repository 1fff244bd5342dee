using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Matching.Data.Storage;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// What can be checked of the SQL Server storage without a server: every migration has its T-SQL counterpart, every
/// script and every statement of the data layer is valid T-SQL (Microsoft's parser), and a service pointed at a server
/// that does not answer stops at once with the reason.
/// </summary>
public partial class SqlServerSchemaTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Assembly DataAssembly = typeof(Database).Assembly;

    private static IReadOnlyDictionary<string, string> Scripts(SqlDialect dialect)
    {
        var prefix = $"{DataAssembly.GetName().Name}.{dialect.MigrationsFolder}.";
        return DataAssembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[prefix.Length..], n =>
            {
                using var reader = new StreamReader(DataAssembly.GetManifestResourceStream(n)!);
                return reader.ReadToEnd();
            });
    }

    [Fact]
    public void Every_SQLite_migration_has_its_SQL_Server_counterpart_of_the_same_name()
    {
        var sqlite = Scripts(SqliteDialect.Instance).Keys.Order(StringComparer.Ordinal).ToList();
        var sqlServer = Scripts(SqlServerDialect.Instance).Keys.ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(sqlite);
        var missing = sqlite.Where(name => !sqlServer.Contains(name)).ToList();
        Assert.True(missing.Count == 0,
            $"SQLite migrations without a T-SQL counterpart in Migrations/SqlServer: {string.Join(", ", missing)} (port each one; DbUp runs them in name order)");
    }

    [Fact]
    public void Every_SQL_Server_migration_batch_is_valid_T_SQL()
    {
        var batches = 0;
        foreach (var (name, script) in Scripts(SqlServerDialect.Instance))
        {
            foreach (var batch in TSql.Batches(script))
            {
                batches++;
                var errors = TSql.Errors(batch);
                Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors)}\n{batch}");
            }
        }
        output.WriteLine($"{batches} migration batches parsed as T-SQL");
        Assert.True(batches >= 10, $"only {batches} batches found");
    }

    [Fact]
    public void The_T_SQL_parser_refuses_SQLite_only_syntax()
    {
        // The checks above and below mean something only if the parser refuses what SQL Server would refuse.
        Assert.NotEmpty(TSql.Errors("SELECT id FROM workers ORDER BY id LIMIT @Take OFFSET @Skip"));
        Assert.NotEmpty(TSql.Errors("SELECT id FROM workers WHERE id IN @Ids"));
        Assert.NotEmpty(TSql.Errors("INSERT INTO x (a) VALUES (@A) ON CONFLICT DO NOTHING"));
        Assert.Empty(TSql.Errors(TSql.WithListsExpanded("SELECT id FROM workers WHERE id IN @Ids ORDER BY id" + SqlServerDialect.Instance.Page)));
    }

    /// <summary>
    /// Every SQL constant of the data layer (stores, readers beside them, the dialect's own metadata queries), as the
    /// SQL Server dialect renders it and Dapper sends it, plus the variants the stores build by appending the dialect's
    /// fragments (inserted id, paging). SQLite's own dialect constants (PRAGMA, sqlite_master) are SQLite's side of the
    /// seam and are left out. A new constant is found by reflection, so it cannot be missed; statements composed at run
    /// time are checked as they are sent by the storage suite's SQL Server dialect run (TranslatedSqlServerStorageBehaviour).
    /// </summary>
    [Fact]
    public void Every_SQL_constant_of_the_data_layer_is_valid_T_SQL_under_the_SQL_Server_dialect()
    {
        var dialect = SqlServerDialect.Instance;
        var checkedStatements = 0;
        var failures = new List<string>();
        foreach (var (owner, name, sql) in SqlConstants())
        {
            var rendered = TSql.WithListsExpanded(dialect.Render(sql));
            var variants = new List<string> { rendered };
            if (rendered.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
            {
                variants.Add(rendered + dialect.SelectInsertedId);
                var (on, off) = dialect.ExplicitIds("t");
                variants.Add(on + rendered + ";" + off);
            }
            if (OrderByAtEnd().IsMatch(rendered))
            {
                variants.Add(rendered + dialect.Page);
            }
            foreach (var variant in variants)
            {
                checkedStatements++;
                if (TSql.Errors(variant) is { Count: > 0 } errors)
                {
                    failures.Add($"{owner}.{name}: {string.Join("; ", errors)}\n{variant}");
                }
            }
        }
        output.WriteLine($"{SqlConstants().Count()} SQL constants, {checkedStatements} statements with their dialect variants, parsed as T-SQL");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(checkedStatements >= 150, $"only {checkedStatements} statements found");
    }

    /// <summary>(declaring type, field, text) of every string constant of the data assembly that is a SQL statement.</summary>
    public static IEnumerable<(string Owner, string Name, string Sql)> SqlConstants() =>
        from type in DataAssembly.GetTypes()
        where type != typeof(SqliteDialect)
        from field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
        where field.IsLiteral && field.FieldType == typeof(string)
        let text = (string)field.GetRawConstantValue()!
        where Statement().IsMatch(text)
        select (type.FullName!, field.Name, text);

    [GeneratedRegex(@"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s|MERGE\s|EXEC\s|DECLARE\s|CREATE\s|ALTER\s|DROP\s|SET\s+\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex Statement();

    [GeneratedRegex(@"ORDER BY [\w., ]+(DESC|ASC)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderByAtEnd();

    [Fact]
    public void A_service_pointed_at_a_SQL_Server_that_does_not_answer_stops_at_start_with_the_reason()
    {
        // A port nobody listens on: bound for a moment to get a free number, then closed again.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        const string Password = "Not-To-Be-Echoed-42";
        using var folder = new TempFolder();
        var options = new MatchingOptions
        {
            DataDirectory = folder.Path,
            StorageProvider = "sqlserver",
            ConnectionString = $"Server=127.0.0.1,{port};Database=matching;User Id=sa;Password={Password};Connect Timeout=3;TrustServerCertificate=true",
            DataKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<InvalidOperationException>(() => DataEnvironment.Open(options, new FixedClock()));
        clock.Stop();
        Assert.Contains("无法连接 SQL Server", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1,{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        // Within the configured connect timeout and its retry, not a hang: the process ends instead of serving errors.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(null, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "Matching:ConnectionString")]
    [InlineData("Server=db;Database=matching;User Id=app;Password=x", null, "Matching:DataKey")]
    [InlineData("Server=db;User Id=app;Password=x;Connect Timeout=1", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "Database=")]
    public void SQL_Server_without_what_it_needs_is_refused_at_start_naming_the_setting(string? connectionString, string? dataKey, string named)
    {
        using var folder = new TempFolder();
        var options = new MatchingOptions { DataDirectory = folder.Path, StorageProvider = "sqlserver", ConnectionString = connectionString, DataKey = dataKey };
        var error = Assert.ThrowsAny<InvalidOperationException>(() => DataEnvironment.Open(options, new FixedClock()));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        // No key was generated into the folder for a database that several replicas share.
        Assert.False(File.Exists(Path.Combine(folder.Path, "keys", Privacy.DataKeys.FileName)));
    }
}
