using System.Globalization;
using System.Text.Json;
using Matching.Domain.Training;

namespace Matching.Domain.Catalogues;

/// <summary>Raised when the catalogue files are missing, malformed or inconsistent; lists every problem found.</summary>
public sealed class CatalogueException(IReadOnlyList<string> problems)
    : Exception("目录数据无效 (catalogue invalid):\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Parses and validates the catalogue CSV files named by <c>manifest.json</c>. The caller supplies the file
/// contents, so this stays free of I/O.
/// </summary>
public static class CatalogueParser
{
    private sealed record Manifest(string Version, Dictionary<string, string> Files);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static Catalogue Parse(Func<string, string?> readFile)
    {
        var problems = new List<string>();
        var manifestText = readFile("manifest.json") ?? throw new CatalogueException(["manifest.json 不存在"]);
        var manifest = JsonSerializer.Deserialize<Manifest>(manifestText, JsonOptions)
            ?? throw new CatalogueException(["manifest.json 为空"]);
        if (string.IsNullOrWhiteSpace(manifest.Version))
        {
            problems.Add("manifest.json 缺少 version");
        }

        List<string[]> Rows(string key, params string[] header)
        {
            if (!manifest.Files.TryGetValue(key, out var file))
            {
                problems.Add($"manifest.json 未列出 {key}");
                return [];
            }
            var text = readFile(file);
            if (text is null)
            {
                problems.Add($"{file} 不存在");
                return [];
            }
            var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n')
                .Where(l => l.Length > 0).ToList();
            if (lines.Count == 0 || lines[0].TrimStart('\uFEFF') != string.Join(',', header))
            {
                problems.Add($"{file}: 表头应为 {string.Join(',', header)}");
                return [];
            }
            var rows = new List<string[]>();
            for (var i = 1; i < lines.Count; i++)
            {
                var cells = lines[i].Split(',');
                if (cells.Length != header.Length)
                {
                    problems.Add($"{file} 第{i + 1}行: 应有 {header.Length} 列，实际 {cells.Length} 列");
                    continue;
                }
                rows.Add(cells.Select(c => c.Trim()).ToArray());
            }
            return rows;
        }

        static IReadOnlyList<string> List(string cell) =>
            cell.Length == 0 ? [] : cell.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        bool Bool(string cell, string where)
        {
            if (cell is "true") return true;
            if (cell is "false") return false;
            problems.Add($"{where}: 应为 true 或 false，实际 '{cell}'");
            return false;
        }

        var divisions = Rows("divisions", "code", "name", "level", "parent_code").Select(r => new Division(
            r[0], r[1],
            r[2] switch
            {
                "province" => DivisionLevel.Province,
                "prefecture" => DivisionLevel.Prefecture,
                "county" => DivisionLevel.County,
                _ => Fail(DivisionLevel.County, $"divisions {r[0]}: 未知级别 '{r[2]}'"),
            },
            r[3].Length == 0 ? null : r[3])).ToList();
        var history = Rows("divisionHistory", "old_code", "old_name", "current_code")
            .Select(r => new HistoricDivision(r[0], r[1], r[2])).ToList();
        var industries = Rows("industries", "id", "name").Select(r => new Industry(r[0], r[1])).ToList();
        var families = Rows("tradeFamilies", "id", "name").Select(r => new TradeFamily(r[0], r[1])).ToList();
        var trades = Rows("trades", "id", "name", "family", "brands", "industries", "special_operation", "occupation_code", "pinyin", "related", "notes")
            .Select(r => new Trade(r[0], r[1], r[2], List(r[3]), List(r[4]), Bool(r[5], $"trades {r[0]}"),
                r[6].Length == 0 ? null : r[6], r[7], List(r[8]), r[9].Length == 0 ? null : r[9])).ToList();
        var synonyms = Rows("tradeSynonyms", "term", "trade_id", "kind").Select(r => new TradeSynonym(r[0], r[1],
            r[2] switch
            {
                "colloquial" => SynonymKind.Colloquial,
                "traditional" => SynonymKind.Traditional,
                "miswriting" => SynonymKind.Miswriting,
                _ => Fail(SynonymKind.Colloquial, $"trade-synonyms '{r[0]}': 未知类型 '{r[2]}'"),
            })).ToList();
        // Optional: an older catalogue without text-to-concept patterns still loads.
        var phrases = !manifest.Files.ContainsKey("tradePhrases") ? [] : Rows("tradePhrases", "kind", "words", "objects", "trades").Select(r => new TradePhraseRule(
            r[0] switch
            {
                "activity" => PhraseKind.Activity,
                "workplace" => PhraseKind.Workplace,
                "word" => PhraseKind.Word,
                "verb" => PhraseKind.Verb,
                "place" => PhraseKind.Place,
                "agent" => PhraseKind.Agent,
                "alone" => PhraseKind.Alone,
                _ => Fail(PhraseKind.Word, $"trade-phrases '{r[1]}': 未知类型 '{r[0]}'"),
            },
            List(r[1]), List(r[2]), List(r[3]))).ToList();
        var levels = Rows("skillLevels", "level", "name", "high_skilled").Select(r => new SkillLevel(
            int.TryParse(r[0], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : Fail(0, $"skill-levels: 等级 '{r[0]}' 不是数字"),
            r[1], Bool(r[2], $"skill-levels {r[0]}"))).ToList();
        var certificateTypes = Rows("certificateTypes", "id", "name", "description").Select(r => new CertificateType(r[0], r[1], r[2])).ToList();
        var groups = Rows("priorityGroups", "id", "name", "description").Select(r => new PriorityGroup(r[0], r[1], r[2])).ToList();
        var trainingTypes = Rows("trainingTypes", "id", "name", "description").Select(r => new TrainingType(r[0], r[1], r[2])).ToList();
        var education = Rows("educationLevels", "id", "name").Select(r => new EducationLevel(r[0], r[1])).ToList();

        T Fail<T>(T fallback, string problem)
        {
            problems.Add(problem);
            return fallback;
        }

        CheckConsistency(problems, divisions, history, industries, families, trades, synonyms, levels);
        CheckPhrases(problems, phrases, trades.Select(t => t.Id).ToHashSet(StringComparer.Ordinal));
        var divisionCodes = divisions.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        var policy = TrainingPolicyParser.Parse(manifest.Files.ContainsKey, Rows, new TrainingPolicyParser.References(
            certificateTypes.Select(c => c.Id).ToHashSet(StringComparer.Ordinal), trainingTypes.Select(t => t.Id).ToHashSet(StringComparer.Ordinal),
            groups.Select(g => g.Id).ToHashSet(StringComparer.Ordinal), Catalogue.IsProvinceLevelCode,
            code => divisionCodes.Contains(code) && code.StartsWith("52", StringComparison.Ordinal)), problems);
        if (problems.Count > 0)
        {
            throw new CatalogueException(problems);
        }
        return new Catalogue(manifest.Version, divisions, history, industries, families, trades, synonyms, levels,
            certificateTypes, groups, trainingTypes, education, policy, phrases);
    }

    private static void CheckPhrases(List<string> problems, List<TradePhraseRule> phrases, HashSet<string> tradeIds)
    {
        foreach (var rule in phrases)
        {
            var where = $"trade-phrases '{string.Join('|', rule.Words)}'";
            if (rule.Words.Count == 0 || rule.Words.Any(w => w.Length > 12))
            {
                problems.Add($"{where}: 词语不能为空，每个不超过12个字");
            }
            var stemKind = rule.Kind is PhraseKind.Verb or PhraseKind.Place or PhraseKind.Agent or PhraseKind.Alone;
            if (stemKind != (rule.TradeIds.Count == 0))
            {
                problems.Add(stemKind ? $"{where}: 词干规则的工种来自目录词语，不应列出工种" : $"{where}: 应列出至少一个工种");
            }
            if (stemKind && rule.Objects.Count == 0)
            {
                problems.Add($"{where}: 词干规则应列出词尾（或 *）");
            }
            if (rule.Kind == PhraseKind.Alone && rule.Objects.Contains("*"))
            {
                problems.Add($"{where}: alone 规则应列出具体词尾（不能用 *）");
            }
            if (rule.Kind == PhraseKind.Word && rule.Objects.Count > 0)
            {
                problems.Add($"{where}: word 规则不带搭配词");
            }
            foreach (var id in rule.TradeIds.Where(id => !tradeIds.Contains(id)))
            {
                problems.Add($"{where}: 工种 {id} 不存在");
            }
        }
    }

    private static void CheckConsistency(
        List<string> problems,
        List<Division> divisions,
        List<HistoricDivision> history,
        List<Industry> industries,
        List<TradeFamily> families,
        List<Trade> trades,
        List<TradeSynonym> synonyms,
        List<SkillLevel> levels)
    {
        void Unique<T>(IEnumerable<T> items, Func<T, string> key, string what)
        {
            foreach (var dup in items.GroupBy(key).Where(g => g.Count() > 1))
            {
                problems.Add($"{what} 重复: {dup.Key}");
            }
        }

        Unique(divisions, d => d.Code, "行政区划代码");
        Unique(trades, t => t.Id, "工种编号");
        Unique(trades, t => t.Name, "工种名称");
        Unique(synonyms, s => s.Term, "同义词");
        Unique(industries, i => i.Id, "产业编号");
        Unique(families, f => f.Id, "工种大类编号");

        var codes = divisions.Select(d => d.Code).ToHashSet();
        foreach (var d in divisions)
        {
            if (d.Code.Length != 6 || !d.Code.All(char.IsAsciiDigit))
                problems.Add($"行政区划代码应为6位数字: {d.Code}");
            if (d.Level != DivisionLevel.Province && (d.ParentCode is null || !codes.Contains(d.ParentCode)))
                problems.Add($"行政区划 {d.Code} 的上级 {d.ParentCode} 不存在");
        }
        foreach (var h in history.Where(h => !codes.Contains(h.CurrentCode)))
            problems.Add($"历史区划 {h.OldCode} 指向不存在的代码 {h.CurrentCode}");

        var guizhouCounties = divisions.Count(d => d.Level == DivisionLevel.County && d.Code.StartsWith("52", StringComparison.Ordinal));
        var guizhouPrefectures = divisions.Count(d => d.Level == DivisionLevel.Prefecture && d.Code.StartsWith("52", StringComparison.Ordinal));
        if (guizhouPrefectures != 9 || guizhouCounties != 88)
            problems.Add($"贵州应有9个市州、88个县级行政区，实际 {guizhouPrefectures} 个、{guizhouCounties} 个");

        var familyIds = families.Select(f => f.Id).ToHashSet();
        var industryIds = industries.Select(i => i.Id).ToHashSet();
        var tradeIds = trades.Select(t => t.Id).ToHashSet();
        var tradeNames = trades.Select(t => t.Name).ToHashSet();
        foreach (var t in trades)
        {
            if (!familyIds.Contains(t.FamilyId)) problems.Add($"工种 {t.Id} 的大类 {t.FamilyId} 不存在");
            foreach (var b in t.Brands.Where(b => !BrandProgrammes.All.Contains(b))) problems.Add($"工种 {t.Id} 的品牌工程 {b} 不存在");
            foreach (var i in t.Industries.Where(i => !industryIds.Contains(i))) problems.Add($"工种 {t.Id} 的产业 {i} 不存在");
            foreach (var r in t.Related.Where(r => !tradeIds.Contains(r))) problems.Add($"工种 {t.Id} 的相关工种 {r} 不存在");
        }
        if (trades.Count < 120) problems.Add($"工种目录至少应有120个工种，实际 {trades.Count} 个");
        foreach (var s in synonyms)
        {
            if (!tradeIds.Contains(s.TradeId)) problems.Add($"同义词 {s.Term} 指向不存在的工种 {s.TradeId}");
            if (tradeNames.Contains(s.Term)) problems.Add($"同义词 {s.Term} 与工种名称重复");
        }
        var expectedLevels = Enumerable.Range(1, 8).ToList();
        if (!levels.Select(l => l.Level).Order().SequenceEqual(expectedLevels))
            problems.Add("技能等级应为1至8级 (新八级工)");
    }
}
