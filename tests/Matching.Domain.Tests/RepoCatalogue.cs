using Matching.Domain.Catalogues;

namespace Matching.Domain.Tests;

/// <summary>The real catalogues in the repository's seeds/catalogues folder, loaded once for all tests.</summary>
public static class RepoCatalogue
{
    /// <summary>seeds/catalogues of the repository: found by walking up from the test binaries to the folder holding Matching.sln.</summary>
    public static string Folder { get; } = FindFolder();

    private static readonly Lazy<Catalogue> Loaded = new(() => CatalogueParser.Parse(name =>
    {
        var path = Path.Combine(Folder, name);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }));

    public static Catalogue Instance => Loaded.Value;

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Matching.sln")))
            {
                return Path.Combine(dir.FullName, "seeds", "catalogues");
            }
        }
        throw new DirectoryNotFoundException($"Matching.sln not found above {AppContext.BaseDirectory}");
    }
}
