namespace Matching.Data.Storage;

/// <summary>
/// The <c>Matching</c> configuration section (appsettings, <c>Matching__…</c> environment variables, command line).
/// </summary>
public sealed class MatchingOptions
{
    public const string Section = "Matching";

    /// <summary>Folder for the SQLite file, the search index, keys and reports. Created at start.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary><c>sqlite</c> (embedded default) or <c>sqlserver</c>.</summary>
    public string StorageProvider { get; set; } = "sqlite";

    /// <summary>Whether the storage is SQL Server (several API replicas may share it).</summary>
    public bool IsSqlServer => StorageProvider.Equals("sqlserver", StringComparison.OrdinalIgnoreCase);

    /// <summary>Connection string; defaults to <c>matching.db</c> in the data folder for SQLite; required for SQL Server.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Base64 of the 32-byte key that encrypts and hashes ID numbers and phones. When empty, a key is generated
    /// once into <c>keys/data.key</c> in the data folder (embedded default only; never commit it).
    /// </summary>
    public string? DataKey { get; set; }

    /// <summary>Folder of the catalogue CSV files; found next to the program or in the repository when empty.</summary>
    public string? CataloguesDirectory { get; set; }

    /// <summary>
    /// Whether the process copies SQLite's write-ahead log into the database file in the background
    /// (<see cref="Database.CheckpointAsync"/> every second) instead of in whichever commit crosses 4 MB of log. The
    /// service sets it, as it runs the checkpointer; the command line keeps SQLite's own.
    /// </summary>
    public bool CheckpointInBackground { get; set; }

    /// <summary>Workers in the demo data set seeded when the database is empty; 0 disables seeding.</summary>
    public int DemoWorkers { get; set; } = 20_000;

    /// <summary>
    /// The data folder as an absolute path. A relative path is taken from the repository root when the program runs
    /// inside a checkout (the folder holding <c>Matching.sln</c> above the working directory), so the service — which
    /// <c>dotnet run</c> starts in its project folder — and the command line share one <c>./data</c>; elsewhere from
    /// the working directory.
    /// </summary>
    public string FullDataDirectory => Path.IsPathRooted(DataDirectory)
        ? Path.GetFullPath(DataDirectory)
        : Path.GetFullPath(Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), DataDirectory));

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Matching.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
