using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Workers;

namespace Matching.Data.Imports;

/// <summary>A problem with one cell of a row: the field (its column) and the reason in Chinese.</summary>
public sealed record CellProblem(string Field, string Reason);

/// <summary>
/// A survey row → <see cref="WorkerInput"/>, the same input the API takes, so the same rules (<see cref="WorkerRules"/>)
/// judge it. Names are turned into codes here (工种 and their colloquial names, 文化程度, 重点群体, 意向务工地, 培训意愿,
/// 县); what cannot be read is reported against its column instead of guessed.
/// </summary>
public sealed class SurveyRowConverter
{
    private readonly Catalogue _catalogue;
    private readonly Dictionary<string, string> _trades;
    private readonly Dictionary<string, string> _counties;
    private readonly Dictionary<string, string> _destinations;

    public SurveyRowConverter(Catalogue catalogue)
    {
        _catalogue = catalogue;
        _trades = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var synonym in catalogue.TradeSynonyms)
        {
            _trades.TryAdd(synonym.Term, synonym.TradeId);
        }
        foreach (var trade in catalogue.Trades)
        {
            _trades[trade.Name] = trade.Id;
            _trades[trade.Id] = trade.Id;
        }
        _counties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var county in catalogue.GuizhouCounties)
        {
            _counties[county.Code] = county.Code;
            _counties.TryAdd(county.Name, county.Code);
        }
        _destinations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var division in catalogue.Divisions.Where(d => catalogue.IsDestination(d.Code)))
        {
            _destinations[division.Code] = division.Code;
            _destinations.TryAdd(division.Name, division.Code);
            var shortName = division.Name.TrimEnd('省', '市');
            if (shortName.Length >= 2)
            {
                _destinations.TryAdd(shortName, division.Code);
            }
        }
    }

    public WorkerInput Convert(SurveyRow row, string? defaultCounty, List<CellProblem> problems)
    {
        var v = row.Values;
        object? Cell(string field) => v.GetValueOrDefault(field);
        string? Text(string field) => SurveySheetReader.Text(Cell(field));

        string? idNumber = null;
        if (SurveyCells.IsNumericIdNumber(Cell(SurveyColumns.IdNumber)))
        {
            problems.Add(new CellProblem(SurveyColumns.IdNumber,
                "身份证号码在表格中被存成了数字（显示为 5.22E+17 之类），后几位已丢失：请把该列设置为“文本”格式后重新录入"));
        }
        else
        {
            idNumber = SurveyCells.Compact(Cell(SurveyColumns.IdNumber));
        }

        Gender? gender = Text(SurveyColumns.Gender) switch
        {
            null => null,
            "男" or "男性" or "male" => Gender.Male,
            "女" or "女性" or "female" => Gender.Female,
            _ => Unreadable(problems, SurveyColumns.Gender, "性别应为“男”或“女”"),
        };
        var birthDate = SurveyCells.Date(Cell(SurveyColumns.BirthDate), out var badBirth);
        if (badBirth)
        {
            problems.Add(new CellProblem(SurveyColumns.BirthDate, "无法识别的日期，可写作 2024-01-05、2024/1/5、2024.01.05、20240105 或 2024年1月5日"));
        }
        var availableFrom = SurveyCells.Date(Cell(SurveyColumns.AvailableFrom), out var badAvailable);
        if (badAvailable)
        {
            problems.Add(new CellProblem(SurveyColumns.AvailableFrom, "无法识别的日期，可写作 2024-01-05、2024/1/5、2024.01.05、20240105 或 2024年1月5日"));
        }
        var wage = SurveyCells.Money(Cell(SurveyColumns.ExpectedWage), out var badWage);
        if (badWage)
        {
            problems.Add(new CellProblem(SurveyColumns.ExpectedWage, "期望月薪应为数字（元）"));
        }

        var county = Text(SurveyColumns.County) is { } countyText
            ? _counties.GetValueOrDefault(countyText) ?? Unreadable<string>(problems, SurveyColumns.County, "不是贵州省的县（市、区）名称或代码")
            : defaultCounty;

        var tradeIds = new List<string>();
        foreach (var name in SurveyCells.Items(Cell(SurveyColumns.Trades)))
        {
            if (_trades.TryGetValue(name, out var id))
            {
                tradeIds.Add(id);
            }
            else
            {
                problems.Add(new CellProblem(SurveyColumns.Trades, $"未知的工种“{Clip(name)}”，请使用工种目录中的名称"));
            }
        }
        var levels = SurveyCells.Items(Cell(SurveyColumns.Levels)).Select(l => Level(l) ?? Unreadable<int?>(problems, SurveyColumns.Levels,
            "技能等级应为 1–8 或等级名称（学徒工、初级工、中级工、高级工、技师、高级技师、特级技师、首席技师，或五级至一级）")).ToList();
        var trades = tradeIds.Distinct().Select((id, i) => new WorkerTradeInput(id, levels.Count == 0 ? null : levels[Math.Min(i, levels.Count - 1)])).ToList();

        var notes = Text(SurveyColumns.Notes);
        var address = string.Concat(Text(SurveyColumns.Township), Text(SurveyColumns.Village), Text(SurveyColumns.Group));
        if (address.Length > 0)
        {
            notes = $"住址：{address}" + (notes is null ? "" : $"；{notes}");
        }

        return new WorkerInput(
            Text(SurveyColumns.RealName)?.Replace(" ", "", StringComparison.Ordinal),
            idNumber,
            gender,
            birthDate,
            SurveyCells.Compact(Cell(SurveyColumns.Phone)),
            county,
            Code(Text(SurveyColumns.Education), _catalogue.EducationLevels.Select(e => (e.Id, e.Name))),
            trades,
            null,
            SurveyCells.Items(Cell(SurveyColumns.PriorityGroups)).Where(g => g is not ("无" or "否"))
                .Select(g => Code(g, _catalogue.PriorityGroups.Select(p => (p.Id, p.Name)))).ToList(),
            SurveyCells.Items(Cell(SurveyColumns.Destinations)).Select(d => _destinations.GetValueOrDefault(d) ?? d).ToList(),
            wage,
            availableFrom,
            SurveyCells.Items(Cell(SurveyColumns.TrainingIntentions)).Where(t => t is not ("无" or "否"))
                .Select(t => Code(t, _catalogue.TrainingTypes.Select(p => (p.Id, p.Name)))).ToList(),
            notes,
            Text(SurveyColumns.HouseholdNumber),
            Text(SurveyColumns.HouseholdType),
            Text(SurveyColumns.EmploymentStatus));
    }

    private int? Level(string text)
    {
        if (int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }
        // National vocational qualification grades: 五级 = 初级工 … 一级 = 高级技师.
        var grade = text.TrimEnd('级', '/') switch { "五" => 2, "四" => 3, "三" => 4, "二" => 5, "一" => 6, _ => 0 };
        if (grade > 0 && text.EndsWith('级'))
        {
            return grade;
        }
        return _catalogue.SkillLevels.FirstOrDefault(l => l.Name == text)?.Level;
    }

    private static string? Code(string? text, IEnumerable<(string Id, string Name)> codes)
    {
        if (text is null)
        {
            return null;
        }
        foreach (var (id, name) in codes)
        {
            if (id == text || name == text)
            {
                return id;
            }
        }
        // Unknown: passed on, so the rules say what is wrong in the same words as the API.
        return text;
    }

    private static string Clip(string text) => text.Length > 20 ? text[..20] + "…" : text;

    private static Gender? Unreadable(List<CellProblem> problems, string field, string reason)
    {
        problems.Add(new CellProblem(field, reason));
        return null;
    }

    private static T? Unreadable<T>(List<CellProblem> problems, string field, string reason)
    {
        problems.Add(new CellProblem(field, reason));
        return default;
    }
}
