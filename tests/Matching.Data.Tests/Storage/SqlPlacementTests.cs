using System.Text.RegularExpressions;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// Where SQL may be written: only in the data layer (src/Matching.Data), and there as named constants, so that the
/// T-SQL parse test (<see cref="SqlServerSchemaTests"/>) collects every statement by reflection and the storage suite
/// runs the readers and stores that send them. A statement written anywhere else fails here.
/// </summary>
public sealed partial class SqlPlacementTests
{
    private static readonly string Source = Path.Combine(RepositoryRoot(), "src");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Matching.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Matching.sln) not found");
    }

    /// <summary>The C# files of a source folder, build output left out, with their lines (comment lines blanked).</summary>
    private static IEnumerable<(string File, int Line, string Text)> CodeLines(string folder) =>
        from file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
        let relative = Path.GetRelativePath(Source, file).Replace('\\', '/')
        where !relative.Contains("/obj/", StringComparison.Ordinal) && !relative.Contains("/bin/", StringComparison.Ordinal)
        from line in File.ReadLines(file).Select((text, index) => (Text: text, Number: index + 1))
        where !line.Text.TrimStart().StartsWith("//", StringComparison.Ordinal)
        select (relative, line.Number, line.Text);

    [Fact]
    public void No_SQL_is_written_outside_the_data_layer()
    {
        var outside = Directory.EnumerateDirectories(Source).Where(d => Path.GetFileName(d) != "Matching.Data").ToList();
        Assert.True(outside.Count >= 6, $"only {outside.Count} projects besides the data layer found under {Source}");
        var lines = outside.SelectMany(CodeLines).ToList();
        Assert.True(lines.Count > 10_000, $"only {lines.Count} lines of code read");
        var offending = lines.Where(l => Statement().IsMatch(l.Text) || l.Text.TrimStart().StartsWith("using Dapper", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.True(offending.Count == 0,
            "SQL outside src/Matching.Data (move it into a store or reader of the data layer, as a const beside the method that sends it):\n"
            + string.Join("\n", offending));
    }

    [Fact]
    public void The_pattern_finds_the_statements_the_data_layer_writes()
    {
        // The check above means something only if the pattern recognises SQL as this code base writes it.
        var data = CodeLines(Path.Combine(Source, "Matching.Data")).Count(l => Statement().IsMatch(l.Text));
        Assert.True(data > 300, $"the pattern matched only {data} lines of the data layer");
        Assert.Matches(Statement(), "    private const string Sql = \"UPDATE outbox SET processed_at = @Now WHERE id IN @Ids\";");
        Assert.Matches(Statement(), "        SELECT id, name FROM cohorts WHERE id = @Id");
        Assert.Matches(Statement(), "await connection.ExecuteAsync(\"DELETE FROM workers WHERE id = @Id\");");
        Assert.Matches(Statement(), "INSERT INTO notifications (kind) VALUES (@Kind)");
        Assert.DoesNotMatch(Statement(), "/// <summary>Selects the workers to update from the list.</summary>");
    }

    [Fact]
    public void The_data_layer_sends_no_statement_written_inline_so_the_parse_test_sees_each_one()
    {
        // A plain literal passed straight to Dapper is invisible to the reflection that collects constants; statements
        // composed at run time (interpolated, with the dialect's fragments) are checked as sent by the storage suite's
        // SQL Server dialect run. SQLite's own dialect (PRAGMA, sqlite_master) is SQLite's side of the seam.
        var inline = CodeLines(Path.Combine(Source, "Matching.Data"))
            .Where(l => !l.File.EndsWith("Storage/SqlDialect.cs", StringComparison.Ordinal) && InlineStatement().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.True(inline.Count == 0, "statements written inline (make each a const next to its method):\n" + string.Join("\n", inline));
        Assert.Matches(InlineStatement(), "return await connection.ExecuteScalarAsync<long>(\"SELECT id FROM x WHERE k = @Key\", new { Key = key });");
        Assert.Matches(InlineStatement(), "command.CommandText = \"DELETE FROM x\";");
        Assert.DoesNotMatch(InlineStatement(), "return await connection.ExecuteScalarAsync<long>(IdByKeySql, new { Key = key });");
    }

    // Upper-case keywords as the code base writes SQL; prose in comments and messages is not upper case.
    [GeneratedRegex(@"\b(SELECT\s+(\w|\*|\(|@)|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|MERGE\s+INTO\s|PRAGMA\s|ANALYZE\b|CREATE\s+(TABLE|INDEX|TRIGGER)\s|ALTER\s+TABLE\s|DROP\s+(TABLE|INDEX)\s)")]
    private static partial Regex Statement();

    [GeneratedRegex(@"((Query|Execute)\w*(<[^>]*>)?\(\s*(\w+\s*,\s*)?|CommandDefinition\(\s*|CommandText\s*=\s*)""\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|CREATE|ALTER|DROP)\b")]
    private static partial Regex InlineStatement();
}
