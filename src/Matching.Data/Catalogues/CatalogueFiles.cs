using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;

namespace Matching.Data.Catalogues;

/// <summary>Reads the catalogue files from disk and records the loaded version in the database.</summary>
public static class CatalogueFiles
{
    /// <summary>The configured folder, else <c>catalogues/</c> next to the program (copied there at build).</summary>
    public static string ResolveDirectory(string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? Path.GetFullPath(configured) : Path.Combine(AppContext.BaseDirectory, "catalogues");

    public static Catalogue Load(string directory)
    {
        if (!File.Exists(Path.Combine(directory, "manifest.json")))
        {
            throw new CatalogueException([$"目录文件夹 {directory} 中没有 manifest.json（可用 Matching:CataloguesDirectory 指定）"]);
        }
        return CatalogueParser.Parse(name =>
        {
            var path = Path.Combine(directory, name);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        });
    }

    private const string UpsertVersionSql = """
        UPDATE catalogue_versions SET version = @Version, loaded_at = @LoadedAt WHERE catalogue = @Catalogue;
        INSERT INTO catalogue_versions (catalogue, version, loaded_at)
        SELECT @Catalogue, @Version, @LoadedAt WHERE NOT EXISTS (SELECT 1 FROM catalogue_versions /*UPDLOCK*/ WHERE catalogue = @Catalogue);
        """;

    /// <summary>Records which catalogue version this database was last started with.</summary>
    public static async Task RecordVersionAsync(Database database, Catalogue catalogue, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(database.Dialect.Render(UpsertVersionSql), new { Catalogue = "reference", catalogue.Version, LoadedAt = now });
    }
}
