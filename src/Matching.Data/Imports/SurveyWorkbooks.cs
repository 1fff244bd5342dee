using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Workers;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Matching.Data.Imports;

/// <summary>The workbooks of the import: the blank template and the uploaded sheet returned with an error column.</summary>
public static class SurveyWorkbooks
{
    public const string DataSheet = "劳动力摸排表";
    public const string ExampleSheet = "填写示例";
    public const string InstructionsSheet = "填写说明";
    public const string ChoicesSheet = "可选值";
    public const string ErrorColumn = "错误说明（导入结果）";

    /// <summary>Sheets of the template that are never imported, even when left in the uploaded file.</summary>
    public static readonly IReadOnlySet<string> TemplateOnlySheets = new HashSet<string>(StringComparer.Ordinal) { ExampleSheet, InstructionsSheet, ChoicesSheet };

    /// <summary>
    /// The template: the data sheet with the Chinese headers real survey sheets carry, an example sheet with one filled
    /// row, an instructions sheet and a sheet of the allowed values of each coded column.
    /// </summary>
    public static byte[] Template(Catalogue catalogue)
    {
        var headers = SurveyColumns.All.Select(c => c.Header).ToList();
        var blank = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            blank[header] = null;
        }
        var example = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["户编号"] = "5205020010010001",
            ["县（市、区）"] = "七星关区",
            ["乡镇（街道）"] = "撒拉溪镇",
            ["村（社区）"] = "龙场村",
            ["组"] = "三组",
            ["姓名"] = "王小明",
            ["性别"] = "男",
            ["民族"] = "彝族",
            ["身份证号码"] = ResidentIdNumber.Compose("520502", new DateOnly(1992, 3, 8), 123),
            ["出生日期"] = "1992-03-08",
            ["联系电话"] = "13812345678",
            ["户类型"] = "脱贫户",
            ["文化程度"] = "初中",
            ["当前就业状态"] = "未就业",
            ["掌握工种"] = "焊工、电工",
            ["技能等级"] = "中级工、初级工",
            ["重点群体类别"] = "脱贫家庭劳动力",
            ["意向务工地"] = "广东、宁波",
            ["培训意愿"] = "岗前培训",
            ["期望月薪（元）"] = 5500,
            ["可到岗日期"] = "2026-09-01",
            ["备注"] = "希望与同村老乡一起外出务工",
        };
        string[] instructions =
        [
            "一户一表或一村一表均可：每个工作表第一行（或前几行合并表头下方）为列名，列的顺序可以调整，多余的列会被忽略（导入结果中列出）。",
            "必填：姓名、身份证号码、联系电话、文化程度、掌握工种、技能等级、期望月薪、可到岗日期；县（市、区）在只负责一个县时可不填。",
            "身份证号码一列请先设置为“文本”格式再录入：按数字录入时 Excel 会显示为 5.22E+17 并丢失后三位，这样的行会被拒绝。",
            "日期可写作 2024-01-05、2024/1/5、2024.01.05、20240105 或 2024年1月5日，也可使用 Excel 日期格式。",
            "多个工种、意向务工地、培训意愿之间用顿号（、）或逗号分隔；技能等级与工种一一对应，只写一个等级时适用于所有工种。",
            "户类型、当前就业状态、文化程度等请从“可选值”工作表中选填；户类型为脱贫户、监测户、易地搬迁户的，自动计入相应重点群体。",
            "同一身份证号码已在本县登记的，可选择更新该劳动者或仅报告；已在其他县登记的只报告，不显示对方信息。",
            $"每个文件最多 {SurveySheetReader.MaxRows:N0} 行数据、{SpreadsheetGuard.MaxFileBytes / 1024 / 1024} MB；设置了打开密码的文件请先取消密码。",
            "“填写示例”“填写说明”“可选值”三个工作表不会被导入，可保留也可删除。",
        ];
        var choices = new List<Dictionary<string, object?>>
        {
            Choice("性别", ["男", "女"]),
            Choice("户类型", HouseholdTypes.All.Select(t => t.Name)),
            Choice("当前就业状态", EmploymentStatuses.All.Select(t => t.Name)),
            Choice("文化程度", catalogue.EducationLevels.Select(e => e.Name)),
            Choice("技能等级", catalogue.SkillLevels.OrderBy(l => l.Level).Select(l => $"{l.Level} {l.Name}")),
            Choice("重点群体类别", catalogue.PriorityGroups.Select(p => p.Name)),
            Choice("培训意愿", catalogue.TrainingTypes.Select(t => t.Name)),
            Choice("意向务工地", catalogue.DestinationProvinces.Select(p => p.Name).Append("或以上省份的地级市，如 东莞、宁波、泉州、苏州")),
            Choice("掌握工种", ["工种目录中的名称或常用叫法，如 焊工、电工、育婴员（月嫂）、叉车司机"]),
        };
        var sheets = new Dictionary<string, object>
        {
            [DataSheet] = new[] { blank },
            [ExampleSheet] = new[] { example },
            [InstructionsSheet] = instructions.Select((text, i) => new Dictionary<string, object?> { ["序号"] = i + 1, ["填写说明"] = text }).ToArray(),
            [ChoicesSheet] = choices,
        };
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration { AutoFilter = false });
        return WithDropDowns(stream, headers, DropDowns(catalogue));
    }

    /// <summary>The coded columns short enough for an in-cell drop-down list (Excel caps a list at 255 characters).</summary>
    public static IReadOnlyList<(string Header, IReadOnlyList<string> Values)> DropDowns(Catalogue catalogue) =>
    [
        ("性别", ["男", "女"]),
        ("户类型", [.. HouseholdTypes.All.Select(t => t.Name)]),
        ("当前就业状态", [.. EmploymentStatuses.All.Select(t => t.Name)]),
        ("文化程度", [.. catalogue.EducationLevels.Select(e => e.Name)]),
    ];

    /// <summary>
    /// Adds list drop-downs (数据验证) to the data sheet's coded columns for every row a file may hold. MiniExcel cannot
    /// write data validation, so the Open XML SDK adds it to the workbook MiniExcel wrote.
    /// </summary>
    private static byte[] WithDropDowns(MemoryStream workbook, IReadOnlyList<string> headers, IReadOnlyList<(string Header, IReadOnlyList<string> Values)> lists)
    {
        workbook.Position = 0;
        using (var document = SpreadsheetDocument.Open(workbook, isEditable: true))
        {
            var part = document.WorkbookPart!;
            var sheet = part.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == DataSheet);
            var worksheet = ((WorksheetPart)part.GetPartById(sheet.Id!)).Worksheet;
            var validations = new DataValidations();
            foreach (var (header, values) in lists)
            {
                var column = ColumnLetter(headers.ToList().IndexOf(header));
                validations.Append(new DataValidation(new Formula1($"\"{string.Join(",", values)}\""))
                {
                    Type = DataValidationValues.List,
                    AllowBlank = true,
                    ShowErrorMessage = true,
                    ErrorTitle = header,
                    Error = $"请从下拉列表中选择：{string.Join("、", values)}",
                    SequenceOfReferences = new ListValue<StringValue> { InnerText = $"{column}2:{column}{SurveySheetReader.MaxRows + 1}" },
                });
            }
            validations.Count = (uint)lists.Count;
            // The schema orders a worksheet's children: data validations go before hyperlinks, margins, page setup and the rest.
            var next = worksheet.ChildElements.FirstOrDefault(e => e is Hyperlinks or PrintOptions or PageMargins or PageSetup or HeaderFooter
                or RowBreaks or ColumnBreaks or CustomProperties or CellWatches or IgnoredErrors or Drawing or LegacyDrawing or LegacyDrawingHeaderFooter
                or Picture or OleObjects or Controls or WebPublishItems or TableParts or WorksheetExtensionList);
            if (next is null)
            {
                worksheet.Append(validations);
            }
            else
            {
                worksheet.InsertBefore(validations, next);
            }
            worksheet.Save();
        }
        return workbook.ToArray();
    }

    private static string ColumnLetter(int index) => index < 26 ? ((char)('A' + index)).ToString() : ColumnLetter(index / 26 - 1) + (char)('A' + index % 26);

    private static Dictionary<string, object?> Choice(string column, IEnumerable<string> values) =>
        new() { ["列"] = column, ["可选值"] = string.Join("、", values) };

    /// <summary>
    /// The uploaded workbook's data sheets as they were (values; merged header cells filled), each with an error column
    /// after the last: the reasons of every rejected or reported row, against its row.
    /// </summary>
    public static byte[] WithErrors(byte[] original, IReadOnlyList<ImportRejection> rejections)
    {
        var bySheetRow = rejections.GroupBy(r => (r.Sheet, r.RowNumber))
            .ToDictionary(g => g.Key, g => string.Join("；", g.Select(r => $"{r.Column}：{r.Reason}")));
        var configuration = new OpenXmlConfiguration { FillMergedCells = true, EnableSharedStringCache = false };
        using var input = new MemoryStream(original, writable: false);
        var sheets = new Dictionary<string, object>();
        foreach (var sheet in MiniExcel.GetSheetNames(input).Where(n => !TemplateOnlySheets.Contains(n)))
        {
            input.Position = 0;
            var rows = MiniExcel.Query(input, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX, configuration: configuration)
                .Cast<IDictionary<string, object?>>().ToList();
            var letters = rows.SelectMany(r => r.Keys).Distinct().OrderBy(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).ToList();
            var headerRow = SurveySheetReader.BestHeader([.. rows.Take(10)]).Index + 1;
            var output = new List<Dictionary<string, object?>>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var line = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var letter in letters)
                {
                    line[letter] = rows[i].TryGetValue(letter, out var value) ? value : null;
                }
                line["~error"] = i + 1 == headerRow ? ErrorColumn : bySheetRow.GetValueOrDefault((sheet, i + 1));
                output.Add(line);
            }
            sheets[sheet] = output;
        }
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets, printHeader: false, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration { AutoFilter = false, FreezeRowCount = 0 });
        return stream.ToArray();
    }
}
