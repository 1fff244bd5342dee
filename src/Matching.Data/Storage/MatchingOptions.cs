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

    /// <summary>Connection string; defaults to <c>matching.db</c> in the data folder for SQLite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Base64 of the 32-byte key that encrypts and hashes ID numbers and phones. When empty, a key is generated
    /// once into <c>keys/data.key</c> in the data folder (embedded default only; never commit it).
    /// </summary>
    public string? DataKey { get; set; }

    /// <summary>Folder of the catalogue CSV files; found next to the program or in the repository when empty.</summary>
    public string? CataloguesDirectory { get; set; }

    /// <summary>Workers in the demo data set seeded when the database is empty; 0 disables seeding.</summary>
    public int DemoWorkers { get; set; } = 20_000;

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}
