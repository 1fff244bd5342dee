using Dapper;

namespace Matching.Data.Storage;

/// <summary>
/// Builds the WHERE clause of a list from optional filters (each clause fixed text, each value a parameter) and
/// runs the count and the page.
/// </summary>
public sealed class ListQuery
{
    private readonly List<string> _clauses = [];

    public DynamicParameters Parameters { get; } = new();

    /// <summary>Adds <paramref name="clause"/> with its parameter when the value is present.</summary>
    public ListQuery Add<T>(string clause, string parameter, T? value)
    {
        if (value is not null && (value is not string s || s.Length > 0))
        {
            _clauses.Add(clause);
            Parameters.Add(parameter, value);
        }
        return this;
    }

    /// <summary>Adds a fixed clause (no parameter) when the condition holds.</summary>
    public ListQuery When(bool condition, string clause)
    {
        if (condition)
        {
            _clauses.Add(clause);
        }
        return this;
    }

    /// <summary>Adds a '|code|' containment test on a multi-valued column (see <see cref="Codes"/>).</summary>
    public ListQuery Contains(string column, string parameter, string? code) =>
        Add($"{column} LIKE @{parameter} ESCAPE '\\'", parameter, code is null ? null : Codes.ContainsPattern(code));

    public string Where => _clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _clauses);

    /// <summary>
    /// Every matching row in id order, read one at a time from the open connection (not buffered): an export of a whole
    /// list never holds it in memory. <paramref name="orderBy"/> names the id column when the select joins tables.
    /// </summary>
    public IEnumerable<TRow> Stream<TRow>(System.Data.Common.DbConnection connection, string select, string orderBy = "id") =>
        connection.Query<TRow>($"{select}{Where} ORDER BY {orderBy}", Parameters, buffered: false, commandTimeout: 600);

    /// <summary>Counts and reads one page, ordered by id (newest first when <paramref name="descending"/>). <paramref name="select"/> is <c>SELECT cols FROM table</c>.</summary>
    public async Task<(IReadOnlyList<TRow> Rows, long Total)> RunAsync<TRow>(Database database, string table, string select, int page, int pageSize, CancellationToken cancellationToken,
        bool descending = false)
    {
        Parameters.Add("Skip", (page - 1) * pageSize);
        Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}{Where}", Parameters);
        var rows = await connection.QueryAsync<TRow>($"{select}{Where} ORDER BY id{(descending ? " DESC" : "")}{database.Dialect.Page}", Parameters);
        return (rows.AsList(), total);
    }
}
