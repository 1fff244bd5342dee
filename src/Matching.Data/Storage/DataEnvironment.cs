using Matching.Data.Catalogues;
using Matching.Data.Privacy;
using Matching.Domain.Catalogues;

namespace Matching.Data.Storage;

/// <summary>
/// What the service and the command line share at start: the data folder, the catalogues, the migrated database
/// and the personal-data protector.
/// </summary>
public sealed class DataEnvironment : IDisposable
{
    private DataEnvironment(MatchingOptions options, Catalogue catalogue, Database database, PersonalDataProtector protector, IReadOnlyList<string> appliedMigrations)
    {
        Options = options;
        Catalogue = catalogue;
        Database = database;
        Protector = protector;
        AppliedMigrations = appliedMigrations;
    }

    public MatchingOptions Options { get; }
    public Catalogue Catalogue { get; }
    public Database Database { get; }
    public PersonalDataProtector Protector { get; }
    public IReadOnlyList<string> AppliedMigrations { get; }

    /// <summary>Creates the data folder, loads and validates the catalogues, migrates the database.</summary>
    public static DataEnvironment Open(MatchingOptions options, TimeProvider time)
    {
        var dataDirectory = options.FullDataDirectory;
        Directory.CreateDirectory(dataDirectory);
        var catalogue = CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(options.CataloguesDirectory));

        if (options.IsSqlServer && string.IsNullOrWhiteSpace(options.DataKey))
        {
            // Every replica must encrypt and hash with the same key; a key generated per data folder would not be.
            throw new InvalidOperationException("Matching:StorageProvider=sqlserver 需要配置 Matching:DataKey（各实例共用同一数据密钥，从密钥管理或文件提供），不会自动生成");
        }
        var database = options.IsSqlServer
            ? Database.SqlServer(options.ConnectionString)
            : options.StorageProvider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)
                ? new Database(SqliteDialect.Instance, options.ConnectionString ?? Migrator.SqliteConnectionString(dataDirectory), options.CheckpointInBackground)
                : throw new InvalidOperationException($"Matching:StorageProvider '{options.StorageProvider}' 不受支持；可用值: sqlite, sqlserver");
        var applied = Migrator.Apply(database);
        database.RefreshStatisticsAsync().GetAwaiter().GetResult();
        CatalogueFiles.RecordVersionAsync(database, catalogue, time.GetUtcNow()).GetAwaiter().GetResult();
        var protector = new PersonalDataProtector(DataKeys.Load(options.DataKey, dataDirectory));
        return new DataEnvironment(options, catalogue, database, protector, applied);
    }

    /// <summary>The same environment over the same database reached through another dialect (tests of a dialect's statements).</summary>
    internal DataEnvironment WithDatabase(SqlDialect dialect) =>
        new(Options, Catalogue, new Database(dialect, Database.ConnectionString, Database.CheckpointsInBackground), Protector, AppliedMigrations);

    public void Dispose() => Protector.Dispose();
}
