using System.Globalization;
using System.Text;
using Matching.Domain.Catalogues;

namespace Matching.Domain.Tests.Catalogues;

/// <summary>Broken catalogues built in memory: each problem must be reported, in words naming the file or the entry.</summary>
public class CatalogueValidationTests
{
    /// <summary>
    /// The smallest catalogue the parser accepts: Guizhou with 9 prefectures and 88 counties, one partner city and
    /// 120 trades. Tests break one thing in it.
    /// </summary>
    private static Dictionary<string, string> ValidFiles()
    {
        var divisions = new StringBuilder("code,name,level,parent_code\n520000,贵州省,province,\n");
        for (var p = 1; p <= 9; p++)
        {
            divisions.Append(CultureInfo.InvariantCulture, $"52{p:D2}00,市州{p},prefecture,520000\n");
        }
        for (var c = 0; c < 88; c++)
        {
            var prefecture = c % 9 + 1;
            divisions.Append(CultureInfo.InvariantCulture, $"52{prefecture:D2}{c / 9 + 1:D2},县{c},county,52{prefecture:D2}00\n");
        }
        divisions.Append("440000,广东省,province,\n440300,深圳市,prefecture,440000\n");

        var trades = new StringBuilder("id,name,family,brands,industries,special_operation,occupation_code,pinyin,related,notes\n");
        for (var t = 1; t <= 120; t++)
        {
            trades.Append(CultureInfo.InvariantCulture, $"T{t:D3},工种{t},general,贵州技工,energy,false,,gong zhong,,\n");
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["manifest.json"] = """
                {"version":"test.1","files":{"divisions":"divisions.csv","divisionHistory":"division-history.csv",
                "industries":"industries.csv","tradeFamilies":"trade-families.csv","trades":"trades.csv",
                "tradeSynonyms":"trade-synonyms.csv","skillLevels":"skill-levels.csv","certificateTypes":"certificate-types.csv",
                "priorityGroups":"priority-groups.csv","trainingTypes":"training-types.csv","educationLevels":"education-levels.csv"}}
                """,
            ["divisions.csv"] = divisions.ToString(),
            ["division-history.csv"] = "old_code,old_name,current_code\n522426,纳雍县(原毕节地区),520101\n",
            ["industries.csv"] = "id,name\nenergy,能源\n",
            ["trade-families.csv"] = "id,name\ngeneral,普工与通用岗位\n",
            ["trades.csv"] = trades.ToString(),
            ["trade-synonyms.csv"] = "term,trade_id,kind\n厂工,T001,colloquial\n",
            ["skill-levels.csv"] = "level,name,high_skilled\n1,学徒工,false\n2,初级工,false\n3,中级工,false\n4,高级工,true\n5,技师,true\n6,高级技师,true\n7,特级技师,true\n8,首席技师,true\n",
            ["certificate-types.csv"] = "id,name,description\nspecial-operation,特种作业操作证,应急管理部门颁发\n",
            ["priority-groups.csv"] = "id,name,description\nrural-woman,农村妇女,农村妇女劳动力\n",
            ["training-types.csv"] = "id,name,description\npre-job,岗前培训,上岗前的技能培训\n",
            ["education-levels.csv"] = "id,name\njunior,初中\n",
        };
    }

    private static Catalogue Parse(Dictionary<string, string> files) => CatalogueParser.Parse(name => files.GetValueOrDefault(name));

    private static IReadOnlyList<string> Problems(Dictionary<string, string> files) =>
        Assert.Throws<CatalogueException>(() => Parse(files)).Problems;

    [Fact]
    public void The_minimal_catalogue_is_accepted()
    {
        var catalogue = Parse(ValidFiles());
        Assert.Equal("test.1", catalogue.Version);
        Assert.Equal(88, catalogue.GuizhouCounties.Count);
        Assert.Equal(120, catalogue.Trades.Count);
    }

    [Fact]
    public void Missing_manifest_is_reported()
    {
        var files = ValidFiles();
        files.Remove("manifest.json");
        Assert.Contains(Problems(files), p => p.Contains("manifest.json", StringComparison.Ordinal) && p.Contains("不存在", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_file_is_reported_by_name()
    {
        var files = ValidFiles();
        files.Remove("trade-synonyms.csv");
        Assert.Contains("trade-synonyms.csv 不存在", Problems(files));
    }

    [Fact]
    public void File_left_out_of_the_manifest_is_reported()
    {
        var files = ValidFiles();
        files["manifest.json"] = files["manifest.json"].Replace("\"educationLevels\":\"education-levels.csv\"", "\"other\":\"x.csv\"", StringComparison.Ordinal);
        Assert.Contains(Problems(files), p => p.Contains("educationLevels", StringComparison.Ordinal));
    }

    [Fact]
    public void Broken_text_to_concept_patterns_are_reported_and_good_ones_are_read()
    {
        var files = ValidFiles();
        files["manifest.json"] = files["manifest.json"].Replace("\"educationLevels\"", "\"tradePhrases\":\"trade-phrases.csv\",\"educationLevels\"", StringComparison.Ordinal);
        files["trade-phrases.csv"] = "kind,words,objects,trades\nactivity,开|驾驶,货车,T001\nverb,修,维修工,\nalone,*,工|司机,\n";
        var rules = Parse(files).TradePhrases;
        Assert.Equal(3, rules.Count);
        Assert.Equal(["开", "驾驶"], rules[0].Words);
        Assert.Equal(PhraseKind.Verb, rules[1].Kind);
        Assert.Equal(PhraseKind.Alone, rules[2].Kind);
        Assert.Equal(["工", "司机"], rules[2].Objects);

        files["trade-phrases.csv"] = "kind,words,objects,trades\nactivity,开,货车,T999\nverb,修,,T001\nguess,修,,T001\nword,家具,厂,T001\nalone,*,*,\nalone,*,工,T001\n";
        var problems = Problems(files);
        Assert.Contains(problems, p => p.Contains("T999", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("词干规则的工种来自目录词语", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("未知类型 'guess'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("word 规则不带搭配词", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("alone 规则应列出具体词尾", StringComparison.Ordinal));
        Assert.Equal(2, problems.Count(p => p.Contains("词干规则的工种来自目录词语", StringComparison.Ordinal)));
    }

    [Fact]
    public void Wrong_header_is_reported_with_the_expected_header()
    {
        var files = ValidFiles();
        files["industries.csv"] = "code,name\nenergy,能源\n";
        Assert.Contains("industries.csv: 表头应为 id,name", Problems(files));
    }

    [Fact]
    public void Header_with_a_byte_order_mark_and_windows_line_ends_is_accepted()
    {
        var files = ValidFiles();
        files["industries.csv"] = "\uFEFFid,name\r\nenergy,能源\r\n";
        Assert.Single(Parse(files).Industries);
    }

    [Fact]
    public void Row_with_the_wrong_number_of_columns_is_reported_with_its_line()
    {
        var files = ValidFiles();
        files["industries.csv"] = "id,name\nenergy,能源,extra\n";
        Assert.Contains(Problems(files), p => p.Contains("industries.csv 第2行", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_trade_id_is_reported()
    {
        var files = ValidFiles();
        files["trades.csv"] += "T001,另一个工种,general,,,false,,ling wai,,\n";
        Assert.Contains("工种编号 重复: T001", Problems(files));
    }

    [Fact]
    public void Duplicate_division_code_is_reported()
    {
        var files = ValidFiles();
        files["divisions.csv"] += "440300,深圳,prefecture,440000\n";
        Assert.Contains("行政区划代码 重复: 440300", Problems(files));
    }

    [Fact]
    public void Synonym_pointing_at_an_unknown_trade_is_reported()
    {
        var files = ValidFiles();
        files["trade-synonyms.csv"] += "某工,T999,colloquial\n";
        Assert.Contains(Problems(files), p => p.Contains("某工", StringComparison.Ordinal) && p.Contains("T999", StringComparison.Ordinal));
    }

    [Fact]
    public void Synonym_of_an_unknown_kind_is_reported()
    {
        var files = ValidFiles();
        files["trade-synonyms.csv"] += "某工,T001,slang\n";
        Assert.Contains(Problems(files), p => p.Contains("slang", StringComparison.Ordinal));
    }

    [Fact]
    public void Trade_in_an_unknown_family_is_reported()
    {
        var files = ValidFiles();
        files["trades.csv"] += "T121,新工种,nowhere,,,false,,xin,,\n";
        Assert.Contains("工种 T121 的大类 nowhere 不存在", Problems(files));
    }

    [Fact]
    public void Trade_with_an_unknown_brand_industry_or_related_trade_is_reported()
    {
        var files = ValidFiles();
        files["trades.csv"] += "T121,新工种,general,黔X工匠,spaceflight,false,,xin,T777,\n";
        var problems = Problems(files);
        Assert.Contains(problems, p => p.Contains("黔X工匠", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("spaceflight", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("T777", StringComparison.Ordinal));
    }

    [Fact]
    public void Special_operation_flag_other_than_true_or_false_is_reported()
    {
        var files = ValidFiles();
        files["trades.csv"] += "T121,新工种,general,,,yes,,xin,,\n";
        Assert.Contains(Problems(files), p => p.Contains("T121", StringComparison.Ordinal) && p.Contains("'yes'", StringComparison.Ordinal));
    }

    [Fact]
    public void Wrong_county_count_is_reported_with_the_counts_found()
    {
        var files = ValidFiles();
        files["divisions.csv"] = string.Join('\n', files["divisions.csv"].Split('\n').Where(l => !l.StartsWith("520101,", StringComparison.Ordinal)));
        files["division-history.csv"] = "old_code,old_name,current_code\n";
        Assert.Contains("贵州应有9个市州、88个县级行政区，实际 9 个、87 个", Problems(files));
    }

    [Fact]
    public void County_whose_parent_does_not_exist_is_reported()
    {
        var files = ValidFiles();
        files["divisions.csv"] += "440305,南山区,county,449900\n";
        Assert.Contains(Problems(files), p => p.Contains("440305", StringComparison.Ordinal) && p.Contains("449900", StringComparison.Ordinal));
    }

    [Fact]
    public void Division_code_that_is_not_6_digits_is_reported()
    {
        var files = ValidFiles();
        files["divisions.csv"] += "44030,深圳?,prefecture,440000\n";
        Assert.Contains(Problems(files), p => p.Contains("44030", StringComparison.Ordinal) && p.Contains("6位", StringComparison.Ordinal));
    }

    [Fact]
    public void Historic_code_pointing_at_no_current_division_is_reported()
    {
        var files = ValidFiles();
        files["division-history.csv"] += "522201,铜仁市(原铜仁地区),520699\n";
        Assert.Contains(Problems(files), p => p.Contains("522201", StringComparison.Ordinal) && p.Contains("520699", StringComparison.Ordinal));
    }

    [Fact]
    public void Fewer_than_120_trades_is_reported()
    {
        var files = ValidFiles();
        files["trades.csv"] = string.Join('\n', files["trades.csv"].Split('\n').Where(l => !l.StartsWith("T120,", StringComparison.Ordinal)));
        Assert.Contains(Problems(files), p => p.Contains("120", StringComparison.Ordinal) && p.Contains("119", StringComparison.Ordinal));
    }

    [Fact]
    public void Skill_ladder_without_all_eight_levels_is_reported()
    {
        var files = ValidFiles();
        files["skill-levels.csv"] = files["skill-levels.csv"].Replace("8,首席技师,true\n", "", StringComparison.Ordinal);
        Assert.Contains(Problems(files), p => p.Contains("1至8级", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var files = ValidFiles();
        files.Remove("trade-synonyms.csv");
        files["industries.csv"] = "code,name\n";
        files["trades.csv"] += "T001,重复工种,general,,,false,,chong fu,,\n";
        var problems = Problems(files);
        Assert.Contains("trade-synonyms.csv 不存在", problems);
        Assert.Contains("industries.csv: 表头应为 id,name", problems);
        Assert.Contains("工种编号 重复: T001", problems);
    }
}
