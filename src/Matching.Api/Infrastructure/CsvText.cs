namespace Matching.Api.Infrastructure;

/// <summary>Cells of the CSV files the service hands out (payment files, record exports), opened in spreadsheets.</summary>
public static class CsvText
{
    /// <summary>A CSV cell: quoted when it holds a comma, quote or line break; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.</summary>
    public static string Cell(string text)
    {
        var safe = text.Length > 0 && text[0] is '=' or '+' or '-' or '@' ? "'" + text : text;
        return safe.Contains(',', StringComparison.Ordinal) || safe.Contains('"', StringComparison.Ordinal) || safe.Contains('\n', StringComparison.Ordinal)
            ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : safe;
    }
}
