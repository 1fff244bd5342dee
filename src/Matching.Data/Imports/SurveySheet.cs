using System.IO.Compression;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Matching.Data.Imports;

/// <summary>One column of the survey sheet (摸排表): its field, the header written in the template and the other headers real sheets use.</summary>
public sealed record SurveyColumn(string Field, string Header, IReadOnlyList<string> Aliases, bool Stored = true);

/// <summary>The columns of the labour-force survey sheet, matched by header name in any order.</summary>
public static class SurveyColumns
{
    public const string HouseholdNumber = "householdNumber";
    public const string Township = "township";
    public const string Village = "village";
    public const string Group = "group";
    public const string RealName = "realName";
    public const string Gender = "gender";
    public const string Ethnicity = "ethnicity";
    public const string IdNumber = "idNumber";
    public const string BirthDate = "birthDate";
    public const string Phone = "phone";
    public const string County = "countyCode";
    public const string HouseholdType = "householdType";
    public const string Education = "education";
    public const string EmploymentStatus = "employmentStatus";
    public const string Trades = "trades";
    public const string Levels = "levels";
    public const string PriorityGroups = "priorityGroups";
    public const string Destinations = "preferredDestinations";
    public const string TrainingIntentions = "trainingIntentions";
    public const string ExpectedWage = "expectedMonthlyWage";
    public const string AvailableFrom = "availableFrom";
    public const string Notes = "notes";

    public static readonly IReadOnlyList<SurveyColumn> All =
    [
        new(HouseholdNumber, "户编号", ["户号", "家庭编号", "农户编号"]),
        new(County, "县（市、区）", ["县", "县区", "县市区", "所属县", "户籍所在县", "县区代码"]),
        new(Township, "乡镇（街道）", ["乡镇", "乡（镇）", "镇", "乡镇街道"]),
        new(Village, "村（社区）", ["村", "行政村", "村社区"]),
        new(Group, "组", ["村民组", "组别"]),
        new(RealName, "姓名", []),
        new(Gender, "性别", []),
        new(Ethnicity, "民族", [], Stored: false),
        new(IdNumber, "身份证号码", ["身份证号", "公民身份号码", "身份证", "身份证件号码"]),
        new(BirthDate, "出生日期", ["出生年月", "出生年月日"]),
        new(Phone, "联系电话", ["手机号码", "手机号", "电话", "联系方式"]),
        new(HouseholdType, "户类型", ["家庭类型", "农户类型", "户属性"]),
        new(Education, "文化程度", ["学历"]),
        new(EmploymentStatus, "当前就业状态", ["就业状态", "目前就业状态", "就业情况"]),
        new(Trades, "掌握工种", ["工种", "技能工种", "掌握技能", "技能特长"]),
        new(Levels, "技能等级", ["等级", "工种等级"]),
        new(PriorityGroups, "重点群体类别", ["重点群体", "人员类别"]),
        new(Destinations, "意向务工地", ["外出务工意愿地", "意向就业地", "期望务工地点", "务工意向地"]),
        new(TrainingIntentions, "培训意愿", ["培训需求", "意向培训", "培训意向"]),
        new(ExpectedWage, "期望月薪（元）", ["期望月薪", "期望月工资", "期望工资", "期望月收入"]),
        new(AvailableFrom, "可到岗日期", ["可外出时间", "可到岗时间", "可务工时间"]),
        new(Notes, "备注", []),
    ];

    private static readonly Dictionary<string, SurveyColumn> ByHeader = All
        .SelectMany(c => c.Aliases.Append(c.Header).Select(h => (Key: Normalize(h), Column: c)))
        .DistinctBy(x => x.Key)
        .ToDictionary(x => x.Key, x => x.Column, StringComparer.Ordinal);

    public static SurveyColumn? Match(string? header) => header is null ? null : ByHeader.GetValueOrDefault(Normalize(header));

    public static SurveyColumn ByField(string field) => All.First(c => c.Field == field);

    /// <summary>A header as compared: full-width folded, spaces, required marks (*) and a trailing note in brackets removed.</summary>
    public static string Normalize(string header)
    {
        var text = SurveySheetReader.Fold(header);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c) && c is not '*' and not '＊' and not '\u200b')
            {
                builder.Append(c);
            }
        }
        var normalized = builder.ToString();
        // "期望月薪(元)" and "期望月薪" are the same column; "县(市、区)" keeps its bracket only as a whole alias.
        var bracket = normalized.IndexOf('(', StringComparison.Ordinal);
        return bracket > 0 && normalized.EndsWith(')') && !ByHeaderHasWhole(normalized) ? normalized[..bracket] : normalized;
    }

    private static bool ByHeaderHasWhole(string normalized) => normalized is "县(市、区)" or "乡镇(街道)" or "村(社区)" or "乡(镇)";
}

/// <summary>A data row of a survey sheet: where it is and its values by field (as the cells held them).</summary>
public sealed record SurveyRow(string Sheet, int RowNumber, IReadOnlyDictionary<string, object?> Values);

/// <summary>What reading the workbook found: how many data rows (each handed on as it was read), the sheets with their headers, the columns ignored.</summary>
public sealed record SurveyWorkbook(int RowCount, IReadOnlyList<(string Sheet, int HeaderRow, IReadOnlyDictionary<string, string> Headers)> Sheets,
    IReadOnlyList<string> IgnoredColumns);

/// <summary>
/// Reads survey sheets with MiniExcel: every sheet whose header (in its first rows; merged header cells filled) has
/// at least 姓名 and 身份证号码 is read — one sheet per village is usual — and others (instructions, lists) are skipped.
/// Columns are matched by header, in any order; unknown columns are listed as ignored; empty rows are skipped.
/// </summary>
public static class SurveySheetReader
{
    public const int MaxRows = 50_000;
    public const int MaxColumns = 200;
    private const int HeaderSearchRows = 10;

    /// <summary>
    /// Reads the workbook, handing each data row to <paramref name="onRow"/> as soon as it is read (so the rows can be
    /// checked and written while the rest is still being read): what was found, or why the workbook is refused
    /// (Chinese). A refusal can come after rows were handed on (too many rows, a damaged sheet further on): the caller
    /// keeps nothing of them then.
    /// </summary>
    public static (SurveyWorkbook? Workbook, string? Refusal) Read(byte[] content, Action<SurveyRow> onRow)
    {
        // Filling merged cells costs MiniExcel a second pass over each sheet: only asked for when a sheet has merges.
        var configuration = new OpenXmlConfiguration { FillMergedCells = HasMergedCells(content), EnableSharedStringCache = false };
        using var stream = new MemoryStream(content, writable: false);
        List<string> sheetNames;
        try
        {
            sheetNames = MiniExcel.GetSheetNames(stream);
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or InvalidOperationException or IOException)
        {
            return (null, "无法读取工作簿：文件不是有效的 Excel .xlsx 文件");
        }
        var rowCount = 0;
        var sheets = new List<(string, int, IReadOnlyDictionary<string, string>)>();
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var sheet in sheetNames.Where(n => !SurveyWorkbooks.TemplateOnlySheets.Contains(n)))
            {
                stream.Position = 0;
                Dictionary<string, SurveyColumn>? columns = null;
                var headers = new Dictionary<string, string>(StringComparer.Ordinal);
                var headerRow = 0;
                var rowNumber = 0;
                using var enumerator = MiniExcel.Query(stream, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX, configuration: configuration)
                    .Cast<IDictionary<string, object?>>().GetEnumerator();
                // The header is the best-matching of the first rows: under a merged title, or the lower row of a two-row merged header.
                var head = new List<IDictionary<string, object?>>();
                while (head.Count < HeaderSearchRows && enumerator.MoveNext())
                {
                    head.Add(enumerator.Current);
                }
                var (index, found) = BestHeader(head);
                if (found is null)
                {
                    continue;
                }
                columns = found;
                headerRow = index + 1;
                foreach (var (letter, column) in found)
                {
                    headers[column.Field] = Text(head[index][letter]) ?? column.Header;
                    if (!column.Stored)
                    {
                        ignored.Add(column.Header);
                    }
                }
                foreach (var (letter, value) in head[index])
                {
                    if (!found.ContainsKey(letter) && Text(value) is { } unknown)
                    {
                        ignored.Add(unknown);
                    }
                }
                IEnumerable<IDictionary<string, object?>> Rest()
                {
                    foreach (var row in head.Skip(index + 1))
                    {
                        yield return row;
                    }
                    while (enumerator.MoveNext())
                    {
                        yield return enumerator.Current;
                    }
                }
                rowNumber = headerRow;
                foreach (var cells in Rest())
                {
                    rowNumber++;
                    if (cells.Count > MaxColumns)
                    {
                        return (null, $"工作表“{sheet}”超过 {MaxColumns} 列上限");
                    }
                    var values = new Dictionary<string, object?>(StringComparer.Ordinal);
                    var empty = true;
                    foreach (var (letter, column) in columns)
                    {
                        if (column.Stored && cells.TryGetValue(letter, out var value) && value is not null && (value is not string s || !string.IsNullOrWhiteSpace(s)))
                        {
                            values[column.Field] = value;
                            empty = false;
                        }
                    }
                    if (empty)
                    {
                        continue;
                    }
                    if (rowCount >= MaxRows)
                    {
                        return (null, $"数据超过 {MaxRows:N0} 行上限，请拆分后分批导入");
                    }
                    rowCount++;
                    onRow(new SurveyRow(sheet, rowNumber, values));
                }
                if (columns is not null)
                {
                    sheets.Add((sheet, headerRow, headers));
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or InvalidOperationException or IOException or FormatException or InvalidCastException)
        {
            return (null, "读取工作簿时出错：文件内容已损坏或格式不受支持");
        }
        if (sheets.Count == 0)
        {
            return (null, "没有找到摸排表的表头：前10行中应有“姓名”和“身份证号码”等列名（可下载导入模板对照）");
        }
        return (new SurveyWorkbook(rowCount, sheets, [.. ignored]), null);
    }

    /// <summary>
    /// Whether any worksheet of the (guarded) file may hold merged cells: its XML mentions <c>mergeCell</c>. A false
    /// positive only costs time; a sheet not in UTF-8 is taken as possibly merged.
    /// </summary>
    internal static bool HasMergedCells(byte[] content)
    {
        ReadOnlySpan<byte> marker = "mergeCell"u8;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            var buffer = new byte[1 << 16];
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.OrdinalIgnoreCase)))
            {
                using var sheet = entry.Open();
                var carry = 0;
                var first = true;
                int read;
                while ((read = sheet.Read(buffer, carry, buffer.Length - carry)) > 0)
                {
                    var span = buffer.AsSpan(0, carry + read);
                    if ((first && span.Length >= 2 && (span[0] == 0xFF || span[0] == 0xFE)) || span.IndexOf(marker) >= 0)
                    {
                        return true;
                    }
                    first = false;
                    carry = Math.Min(marker.Length - 1, span.Length);
                    span[^carry..].CopyTo(buffer);
                }
            }
            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    /// <summary>The row (0-based) among <paramref name="head"/> that matches most columns and has 姓名 and 身份证号码; null when none.</summary>
    internal static (int Index, Dictionary<string, SurveyColumn>? Columns) BestHeader(IReadOnlyList<IDictionary<string, object?>> head)
    {
        var best = (Index: -1, Columns: (Dictionary<string, SurveyColumn>?)null);
        for (var i = 0; i < head.Count; i++)
        {
            var found = HeaderOf(head[i]);
            if (found.ContainsValue(SurveyColumns.ByField(SurveyColumns.RealName)) && found.ContainsValue(SurveyColumns.ByField(SurveyColumns.IdNumber))
                && found.Count > (best.Columns?.Count ?? 0))
            {
                best = (i, found);
            }
        }
        return best;
    }

    private static Dictionary<string, SurveyColumn> HeaderOf(IDictionary<string, object?> cells)
    {
        var found = new Dictionary<string, SurveyColumn>(StringComparer.Ordinal);
        foreach (var (letter, value) in cells)
        {
            if (SurveyColumns.Match(Text(value)) is { } column && !found.ContainsValue(column))
            {
                found[letter] = column;
            }
        }
        return found;
    }

    /// <summary>
    /// Text folded to NFKC (full-width digits, letters and spaces to half-width). Most cells are plain ASCII or common
    /// Chinese characters, which NFKC leaves as they are: those are returned without asking ICU, which costs more than
    /// reading the cell (every cell of a sheet passes here, most several times).
    /// </summary>
    public static string Fold(string text)
    {
        foreach (var c in text)
        {
            // ASCII, CJK unified ideographs and the ideographic comma and full stop have no compatibility mapping and
            // never combine; anything else (full-width forms, ideographic space, combining marks…) goes through NFKC.
            if (c >= 0x80 && c is not (>= '\u4E00' and <= '\u9FFF') and not '、' and not '。')
            {
                try
                {
                    return text.Normalize(NormalizationForm.FormKC);
                }
                catch (ArgumentException)
                {
                    // Not valid Unicode (a lone surrogate, a noncharacter): kept as typed, for the rules to refuse.
                    return text;
                }
            }
        }
        return text;
    }

    /// <summary>A cell as text: strings folded to half-width (NFKC: full-width digits and letters) and trimmed; numbers without exponent where exact.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => Fold(s).Trim() is { Length: > 0 } t ? t : null,
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => d.ToString("0", CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "是" : "否",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

/// <summary>Turns the cells of a row into the values the worker input expects, reporting what cannot be read.</summary>
public static partial class SurveyCells
{
    /// <summary>An ID number Excel turned into a number: 5.22422E+17 as text, or a number cell (its last digits are gone).</summary>
    public static bool IsNumericIdNumber(object? value) => value is double or decimal or long or int
        || (value is string s && ScientificPattern().IsMatch(SurveySheetReader.Fold(s).Trim()));

    /// <summary>Digits, letters and X of an ID number or phone, with every kind of space removed.</summary>
    public static string? Compact(object? value) =>
        SurveySheetReader.Text(value) is { } text ? WhiteSpace().Replace(text, "").ToUpperInvariant() : null;

    /// <summary>
    /// A date from an Excel date cell, an Excel serial number, or text: 2024/1/5, 2024.01.05, 20240105, 2024年1月5日, 2024-1-5.
    /// </summary>
    public static DateOnly? Date(object? value, out bool unreadable)
    {
        unreadable = false;
        switch (value)
        {
            case null:
                return null;
            case DateTime dt:
                return DateOnly.FromDateTime(dt);
            case double serial when serial is >= 1 and < 2_958_466 && serial < 100_000:
                return DateOnly.FromDateTime(DateTime.FromOADate(Math.Floor(serial)));
        }
        var text = SurveySheetReader.Text(value);
        if (text is null)
        {
            return null;
        }
        var match = DatePattern().Match(text);
        if (match.Success
            && int.TryParse(match.Groups["y"].Value, CultureInfo.InvariantCulture, out var y)
            && int.TryParse(match.Groups["m"].Value, CultureInfo.InvariantCulture, out var m)
            && int.TryParse(match.Groups["d"].Value, CultureInfo.InvariantCulture, out var d)
            && y is >= 1900 and <= 2200 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m))
        {
            return new DateOnly(y, m, d);
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number is >= 1 and < 100_000)
        {
            return DateOnly.FromDateTime(DateTime.FromOADate(Math.Floor(number)));
        }
        unreadable = true;
        return null;
    }

    /// <summary>A whole number of yuan from a number cell or text such as "5000元" or "5000-6000" (the first figure).</summary>
    public static int? Money(object? value, out bool unreadable)
    {
        unreadable = false;
        if (value is double d)
        {
            return d is >= int.MinValue and <= int.MaxValue ? (int)Math.Round(d) : null;
        }
        var text = SurveySheetReader.Text(value);
        if (text is null)
        {
            return null;
        }
        var match = FirstNumber().Match(text);
        if (match.Success && int.TryParse(match.Value, CultureInfo.InvariantCulture, out var amount))
        {
            return text.Contains('万', StringComparison.Ordinal) ? amount * 10_000 : amount;
        }
        unreadable = true;
        return null;
    }

    /// <summary>The items of a cell listing several values: 焊工、电工 / 广东,浙江 / 焊工；电工.</summary>
    public static IReadOnlyList<string> Items(object? value) =>
        SurveySheetReader.Text(value) is { } text
            ? text.Split(['、', ',', '，', ';', '；', '/', '|', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    [GeneratedRegex(@"^\d(\.\d+)?[eE]\+?\d+$")]
    private static partial Regex ScientificPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"^(?<y>\d{4})(?:[/.\-年]\s*(?<m>\d{1,2})[/.\-月]\s*(?<d>\d{1,2})日?|(?<m>\d{2})(?<d>\d{2}))$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\d+")]
    private static partial Regex FirstNumber();
}
