using System.Xml.Linq;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Matching.Api.Tests.Imports;

/// <summary>
/// Real .xlsx files for the import tests, written with MiniExcel as a township clerk's Excel would leave them; what
/// MiniExcel does not write (merged cells, formulas) is added to its sheet XML here, in tests only.
/// </summary>
public static class XlsxFiles
{
    /// <summary>A workbook of sheets, each a list of rows written as they are (no header row added): cell values by position.</summary>
    public static byte[] Sheets(params (string Name, IReadOnlyList<object?[]> Rows)[] sheets)
    {
        var book = new Dictionary<string, object>();
        foreach (var (name, rows) in sheets)
        {
            var width = rows.Max(r => r.Length);
            book[name] = rows.Select(r => Enumerable.Range(0, width).ToDictionary(Letter, i => i < r.Length ? r[i] : null)).ToList();
        }
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, book, printHeader: false, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration { AutoFilter = false, FreezeRowCount = 0 });
        return stream.ToArray();
    }

    /// <summary>Column letter of a 0-based index (0 → A, 26 → AA).</summary>
    public static string Letter(int index) => index < 26 ? ((char)('A' + index)).ToString() : Letter(index / 26 - 1) + (char)('A' + index % 26);

    /// <summary>Adds merged ranges (e.g. "A1:F1") to the sheet at <paramref name="sheetIndex"/> (1-based as in the file).</summary>
    public static byte[] WithMergedCells(byte[] xlsx, int sheetIndex, params string[] ranges) =>
        EditSheet(xlsx, sheetIndex, xml =>
        {
            // MiniExcel writes the sheet with the "x:" prefix; the added elements must be in the same namespace.
            var x = xml.Contains("</x:sheetData>", StringComparison.Ordinal) ? "x:" : "";
            return xml.Replace($"</{x}sheetData>",
                $"</{x}sheetData><{x}mergeCells count=\"{ranges.Length}\">{string.Concat(ranges.Select(r => $"<{x}mergeCell ref=\"{r}\"/>"))}</{x}mergeCells>", StringComparison.Ordinal);
        });

    /// <summary>Gives the cell (e.g. "S3") a formula; its cached value stays what it was, as Excel saves it.</summary>
    public static byte[] WithFormula(byte[] xlsx, int sheetIndex, string cell, string formula) =>
        EditSheet(xlsx, sheetIndex, xml =>
        {
            var pattern = new Regex($"(<x:c r=\"{cell}\"[^>]*>|<c r=\"{cell}\"[^>]*>)(<x:v>|<v>)");
            Assert.Matches(pattern, xml);
            return pattern.Replace(xml, m => m.Groups[1].Value + (m.Groups[2].Value.StartsWith("<x:", StringComparison.Ordinal) ? $"<x:f>{formula}</x:f>" : $"<f>{formula}</f>") + m.Groups[2].Value, 1);
        });

    /// <summary>The XML of the sheet at <paramref name="sheetIndex"/> (1-based as in the file).</summary>
    public static XDocument SheetXml(byte[] xlsx, int sheetIndex)
    {
        using var zip = new ZipArchive(new MemoryStream(xlsx), ZipArchiveMode.Read);
        using var stream = zip.GetEntry($"xl/worksheets/sheet{sheetIndex}.xml")!.Open();
        return XDocument.Load(stream);
    }

    private static byte[] EditSheet(byte[] xlsx, int sheetIndex, Func<string, string> edit)
    {
        var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(xlsx), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
                var content = reader.ReadToEnd();
                if (entry.FullName == $"xl/worksheets/sheet{sheetIndex}.xml")
                {
                    content = edit(content);
                }
                using var writer = new StreamWriter(target.CreateEntry(entry.FullName).Open(), new UTF8Encoding(false));
                writer.Write(content);
            }
        }
        return output.ToArray();
    }

    /// <summary>A zip whose one entry declares and holds <paramref name="bytes"/> of zeros: a few hundred KB compressed.</summary>
    public static byte[] ZipBomb(long bytes)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("xl/workbook.xml").Open().Dispose();
            using var stream = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.Length)
            {
                stream.Write(zeros);
            }
        }
        return output.ToArray();
    }

    /// <summary>A zip that is not a workbook.</summary>
    public static byte[] PlainZip()
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("not a spreadsheet");
        }
        return output.ToArray();
    }

    /// <summary>The first bytes of an OLE compound file, as Excel writes a password-protected workbook (or an old .xls).</summary>
    public static byte[] Encrypted() => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[4096]];

    /// <summary>The values of every row of a sheet of a workbook, by column letter.</summary>
    public static List<IDictionary<string, object?>> Read(byte[] xlsx, string sheet)
    {
        using var stream = new MemoryStream(xlsx);
        return MiniExcel.Query(stream, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
    }

    public static List<string> SheetNames(byte[] xlsx)
    {
        using var stream = new MemoryStream(xlsx);
        return MiniExcel.GetSheetNames(stream);
    }
}
