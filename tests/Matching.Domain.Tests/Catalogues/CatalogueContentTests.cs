using Matching.Domain.Catalogues;

namespace Matching.Domain.Tests.Catalogues;

/// <summary>What the shipped catalogues (seeds/catalogues) must hold, checked against known facts.</summary>
public class CatalogueContentTests
{
    private readonly Catalogue _catalogue = RepoCatalogue.Instance;

    [Fact]
    public void Guizhou_has_its_9_prefectures_with_their_real_codes()
    {
        var prefectures = _catalogue.Divisions
            .Where(d => d.Level == DivisionLevel.Prefecture && d.ParentCode == Catalogue.GuizhouProvinceCode)
            .Select(d => d.Code).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["520100", "520200", "520300", "520400", "520500", "520600", "522300", "522600", "522700"],
            prefectures);
        Assert.Equal("贵阳市", _catalogue.NameOf("520100"));
        Assert.Equal("黔东南苗族侗族自治州", _catalogue.NameOf("522600"));
    }

    [Fact]
    public void Guizhou_has_88_counties_spread_over_its_prefectures_as_in_the_2023_codes()
    {
        Assert.Equal(88, _catalogue.GuizhouCounties.Count);
        var perPrefecture = _catalogue.GuizhouCounties.GroupBy(c => c.ParentCode!).ToDictionary(g => g.Key, g => g.Count());
        var expected = new Dictionary<string, int>
        {
            ["520100"] = 10, ["520200"] = 4, ["520300"] = 14, ["520400"] = 6, ["520500"] = 8,
            ["520600"] = 10, ["522300"] = 8, ["522600"] = 16, ["522700"] = 12,
        };
        Assert.Equal(expected.OrderBy(e => e.Key), perPrefecture.OrderBy(e => e.Key));
        Assert.True(_catalogue.IsGuizhouCounty("520102"));   // 南明区
        Assert.True(_catalogue.IsGuizhouCounty("520525"));   // 纳雍县
        Assert.False(_catalogue.IsGuizhouCounty("520100"));  // a prefecture, not a county
        Assert.False(_catalogue.IsGuizhouCounty("522426"));  // retired code of 纳雍县
    }

    [Fact]
    public void The_four_partner_provinces_come_with_all_their_prefecture_cities()
    {
        Assert.Equal(["320000", "330000", "350000", "440000"], _catalogue.DestinationProvinces.Select(p => p.Code).Order(StringComparer.Ordinal));
        int Cities(string province) => _catalogue.Divisions.Count(d => d.Level == DivisionLevel.Prefecture && d.ParentCode == province);
        Assert.Equal(21, Cities("440000"));  // 广东
        Assert.Equal(11, Cities("330000"));  // 浙江
        Assert.Equal(9, Cities("350000"));   // 福建
        Assert.Equal(13, Cities("320000"));  // 江苏
        Assert.Equal("深圳市", _catalogue.NameOf("440300"));
        Assert.Equal("东莞市", _catalogue.NameOf("441900"));
        Assert.Equal("厦门市", _catalogue.NameOf("350200"));
        Assert.Equal("苏州市", _catalogue.NameOf("320500"));
        Assert.True(_catalogue.IsDestination("440000"));
        Assert.True(_catalogue.IsDestination("330200"));
        Assert.False(_catalogue.IsDestination("520100"));
        Assert.False(_catalogue.IsDestination("110000"));
        Assert.Equal("440000", _catalogue.ProvinceOf("441900"));
    }

    [Fact]
    public void Retired_codes_of_the_former_Bijie_and_Tongren_prefectures_point_at_current_counties()
    {
        Assert.True(_catalogue.HistoryByOldCode.TryGetValue("522426", out var nayong));
        Assert.Equal("520525", nayong!.CurrentCode);
        Assert.True(_catalogue.HistoryByOldCode.ContainsKey("522201"));
        Assert.All(_catalogue.DivisionHistory, h => Assert.True(_catalogue.DivisionsByCode.ContainsKey(h.CurrentCode), h.OldCode));
        Assert.True(_catalogue.IsKnownIdAreaCode("522426"));
        Assert.False(_catalogue.IsKnownIdAreaCode("529999"));
    }

    [Fact]
    public void At_least_120_trades_with_unique_ids_and_names()
    {
        Assert.True(_catalogue.Trades.Count >= 120, $"{_catalogue.Trades.Count} trades");
        Assert.Equal(_catalogue.Trades.Count, _catalogue.Trades.Select(t => t.Id).Distinct().Count());
        Assert.Equal(_catalogue.Trades.Count, _catalogue.Trades.Select(t => t.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("焊工")]
    [InlineData("电工")]
    [InlineData("中式烹调师")]
    [InlineData("家政服务员")]
    [InlineData("育婴员")]
    [InlineData("养老护理员")]
    [InlineData("叉车司机")]
    [InlineData("快递员")]
    [InlineData("数据标注员")]
    public void Trades_the_policy_names_are_in_the_catalogue(string name)
    {
        Assert.Contains(_catalogue.Trades, t => t.Name == name);
    }

    [Fact]
    public void At_least_300_synonyms_including_traditional_characters_and_miswritings()
    {
        Assert.True(_catalogue.TradeSynonyms.Count >= 300, $"{_catalogue.TradeSynonyms.Count} synonyms");
        Assert.Contains(_catalogue.TradeSynonyms, s => s.Kind == SynonymKind.Colloquial);
        Assert.Contains(_catalogue.TradeSynonyms, s => s.Kind == SynonymKind.Traditional);
        Assert.Contains(_catalogue.TradeSynonyms, s => s.Kind == SynonymKind.Miswriting);
        Assert.All(_catalogue.TradeSynonyms, s => Assert.True(_catalogue.TradesById.ContainsKey(s.TradeId), s.Term));
    }

    [Theory]
    [InlineData("月嫂", "母婴护理员")]
    [InlineData("保姆", "家政服务员")]
    [InlineData("叉车工", "叉车司机")]
    [InlineData("电焊工", "焊工")]
    [InlineData("普工", "普工")]
    [InlineData("電工", "电工")]
    [InlineData("廚師", "中式烹调师")]
    [InlineData("厨师", "中式烹调师")]
    public void Everyday_words_resolve_to_the_right_trade(string term, string tradeName)
    {
        // A word is either a trade's own name or a synonym of one.
        var trade = _catalogue.Trades.SingleOrDefault(t => t.Name == term)
            ?? _catalogue.TradesById[_catalogue.TradeSynonyms.Single(s => s.Term == term).TradeId];
        Assert.Equal(tradeName, trade.Name);
    }

    [Fact]
    public void All_11_key_industries_and_all_4_brand_programmes_are_used_by_trades()
    {
        Assert.Equal(
            ["baijiu", "batteries", "chemicals", "digital", "eldercare", "energy", "equipment", "food", "logistics", "materials", "tcm"],
            _catalogue.Industries.Select(i => i.Id).Order(StringComparer.Ordinal));
        foreach (var industry in _catalogue.Industries)
        {
            Assert.Contains(_catalogue.Trades, t => t.Industries.Contains(industry.Id));
        }
        Assert.Equal(["贵州技工", "黔菜师傅", "黔灵家政", "黔旅工匠"], BrandProgrammes.All);
        foreach (var brand in BrandProgrammes.All)
        {
            Assert.Contains(_catalogue.Trades, t => t.Brands.Contains(brand));
        }
    }

    [Fact]
    public void Electricians_welders_and_work_at_height_are_special_operations_and_forklift_driving_is_not()
    {
        Trade Named(string name) => _catalogue.Trades.Single(t => t.Name == name);
        Assert.True(Named("电工").SpecialOperation);
        Assert.True(Named("焊工").SpecialOperation);
        Assert.Contains(_catalogue.Trades, t => t.Name.StartsWith("高处作业", StringComparison.Ordinal) && t.SpecialOperation);
        Assert.All(_catalogue.Trades.Where(t => t.FamilyId == "welding"), t => Assert.True(t.SpecialOperation, t.Name));
        // 叉车 needs a special-equipment (特种设备) certificate, which is not the 特种作业操作证.
        Assert.False(Named("叉车司机").SpecialOperation);
        Assert.False(Named("普工").SpecialOperation);
    }

    [Fact]
    public void Skill_levels_are_the_new_eight_level_ladder_with_high_skilled_from_senior_worker_up()
    {
        Assert.Equal(
            ["学徒工", "初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师"],
            _catalogue.SkillLevels.OrderBy(l => l.Level).Select(l => l.Name));
        Assert.Equal(Enumerable.Range(1, 8), _catalogue.SkillLevels.Select(l => l.Level).Order());
        Assert.All(_catalogue.SkillLevels, l => Assert.Equal(l.Level >= 4, l.HighSkilled));
    }

    [Fact]
    public void Certificates_priority_groups_and_training_types_are_those_of_the_policy()
    {
        Assert.Contains("special-operation", _catalogue.CertificateTypesById.Keys);
        Assert.Equal("特种作业操作证", _catalogue.CertificateTypesById["special-operation"].Name);
        Assert.Equal(["apprenticeship", "job-transfer", "on-the-job", "pre-job"], _catalogue.TrainingTypes.Select(t => t.Id).Order(StringComparer.Ordinal));
        var groupNames = _catalogue.PriorityGroups.Select(g => g.Name).ToList();
        foreach (var name in new[] { "高校毕业生", "易地搬迁未就业劳动力", "脱贫家庭劳动力", "监测帮扶对象", "就业困难人员", "农村妇女" })
        {
            Assert.Contains(name, groupNames);
        }
    }

    [Fact]
    public void The_catalogue_carries_its_version()
    {
        Assert.False(string.IsNullOrWhiteSpace(_catalogue.Version));
    }
}
