using System.IO.Compression;

namespace Matching.Data.Imports;

/// <summary>
/// Checks an uploaded file before any parser reads it: it must be an .xlsx (a zip holding a workbook), not a
/// password-protected workbook (Excel encrypts those into an OLE compound file), and not a zip bomb — the sizes the
/// zip's central directory declares are capped, in total and per sheet, and so is the number of cells they could hold.
/// </summary>
public static class SpreadsheetGuard
{
    public const long MaxFileBytes = 20L * 1024 * 1024;
    public const long MaxUncompressedBytes = 200L * 1024 * 1024;
    public const int MaxEntries = 1000;

    /// <summary>The smallest a cell takes in sheet XML (<c>&lt;c r="A1"&gt;&lt;v&gt;1&lt;/v&gt;&lt;/c&gt;</c>): bounds how many cells a sheet of that size can hold.</summary>
    public const int MinBytesPerCell = 16;

    public const long MaxCells = 3_000_000;

    /// <summary>A ratio of declared to compressed size beyond which an entry is taken for a bomb (real sheets compress about 10×).</summary>
    public const double MaxCompressionRatio = 250;

    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] CompoundFileMagic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>Why the file is refused (Chinese), or null when it may be read.</summary>
    public static string? Check(byte[] content)
    {
        if (content.Length == 0)
        {
            return "文件为空";
        }
        if (content.Length > MaxFileBytes)
        {
            return $"文件超过 {MaxFileBytes / 1024 / 1024} MB 上限";
        }
        if (content.AsSpan().StartsWith(CompoundFileMagic))
        {
            return "文件设置了打开密码（已加密），或是旧版 .xls 格式：请取消密码并另存为 Excel 工作簿（.xlsx）后再上传";
        }
        if (!content.AsSpan().StartsWith(ZipMagic))
        {
            return "不是 Excel 工作簿（.xlsx）文件，请用 Excel 或 WPS 另存为 .xlsx 后再上传";
        }
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count > MaxEntries)
            {
                return $"文件内部条目过多（超过 {MaxEntries} 个），不像正常的 Excel 工作簿，已拒绝";
            }
            long total = 0;
            long sheetBytes = 0;
            var hasWorkbook = false;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (entry.FullName.Equals("xl/workbook.xml", StringComparison.OrdinalIgnoreCase))
                {
                    hasWorkbook = true;
                }
                if (entry.FullName.StartsWith("xl/worksheets/", StringComparison.OrdinalIgnoreCase) || entry.FullName.Equals("xl/sharedStrings.xml", StringComparison.OrdinalIgnoreCase))
                {
                    sheetBytes += entry.Length;
                }
                if (entry.Length > 1024 * 1024 && entry.CompressedLength > 0 && (double)entry.Length / entry.CompressedLength > MaxCompressionRatio)
                {
                    return "文件解压后体积异常（疑似压缩炸弹），已拒绝";
                }
            }
            if (!hasWorkbook)
            {
                return "压缩包中没有 Excel 工作簿内容，不是 .xlsx 文件";
            }
            if (total > MaxUncompressedBytes)
            {
                return $"文件解压后超过 {MaxUncompressedBytes / 1024 / 1024} MB 上限（疑似压缩炸弹），已拒绝";
            }
            if (sheetBytes / MinBytesPerCell > MaxCells)
            {
                return $"表格单元格数量可能超过 {MaxCells:N0} 个上限，请拆分后分批导入";
            }
            return null;
        }
        catch (InvalidDataException)
        {
            return "文件已损坏，无法作为 Excel 工作簿打开";
        }
    }
}
