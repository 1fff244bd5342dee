using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Matching.Data.Tests.Storage;

/// <summary>Microsoft's T-SQL parser (SQL Server 2025 grammar), no server needed.</summary>
public static partial class TSql
{
    /// <summary>The parse errors of a batch, each with its line and column; empty when the batch is valid T-SQL.</summary>
    public static IReadOnlyList<string> Errors(string batch)
    {
        using var reader = new StringReader(batch);
        new TSql170Parser(initialQuotedIdentifiers: true).Parse(reader, out var errors);
        return errors.Select(e => $"({e.Line},{e.Column}) {e.Message}").ToList();
    }

    /// <summary>The batches of a script, split on GO lines as sqlcmd and DbUp split them.</summary>
    public static IReadOnlyList<string> Batches(string script) =>
        GoLine().Split(script).Where(b => b.Trim().Length > 0).ToList();

    /// <summary>
    /// The statement as Dapper sends it: a list parameter after IN (<c>IN @Ids</c>) becomes one parameter per value
    /// (<c>IN (@Ids1,@Ids2)</c>), which is what reaches the server.
    /// </summary>
    public static string WithListsExpanded(string sql) => ListParameter().Replace(sql, "IN (@${name}1,@${name}2)");

    [GeneratedRegex(@"^\s*GO\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex GoLine();

    [GeneratedRegex(@"\bIN\s+@(?<name>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex ListParameter();
}
