using Matching.Domain.Catalogues;
using Matching.Domain.Openings;
using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Rules;

public class OpeningRulesTests
{
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;

    /// <summary>An assembly-line opening (普工 T001, not a special operation).</summary>
    private static OpeningInput Valid() => new(
        BaseId: 3,
        Title: "电子厂普工",
        TradeId: "T001",
        MinLevel: 1,
        MaxLevel: 3,
        Headcount: 50,
        WageMin: 4500,
        WageMax: 6500,
        Accommodation: true,
        Meals: true,
        RequiredCertificates: [],
        AgeMin: 18,
        AgeMax: 45,
        TrainingType: "pre-job",
        Requirements: "吃苦耐劳\n服从安排",
        Status: "open");

    private static (OpeningDraft? Draft, ValidationErrors Errors) Validate(OpeningInput input)
    {
        var errors = new ValidationErrors();
        return (OpeningRules.Validate(input, Catalogue, errors), errors);
    }

    private static void RefusedOn(string field, OpeningInput input)
    {
        var (draft, errors) = Validate(input);
        Refusal.OnlyOn(field, draft, errors);
    }

    [Fact]
    public void A_complete_opening_is_accepted()
    {
        var (draft, errors) = Validate(Valid());
        Refusal.Accepted(draft, errors);
        Assert.Equal(3, draft!.MaxLevel);
    }

    [Fact]
    public void Levels_ages_and_status_have_defaults_when_left_out()
    {
        var (draft, errors) = Validate(Valid() with { MinLevel = null, MaxLevel = null, AgeMin = null, AgeMax = null, Status = null, TrainingType = null });
        Refusal.Accepted(draft, errors);
        Assert.Equal((1, 8), (draft!.MinLevel, draft.MaxLevel));
        Assert.Equal((16, 55), (draft.AgeMin, draft.AgeMax));
        Assert.Equal("open", draft.Status);
        Assert.Null(draft.TrainingType);
    }

    [Fact]
    public void Base_is_required()
    {
        RefusedOn("baseId", Valid() with { BaseId = null });
        RefusedOn("baseId", Valid() with { BaseId = 0 });
    }

    [Fact]
    public void Unknown_trade_is_refused()
    {
        RefusedOn("tradeId", Valid() with { TradeId = "T999" });
        RefusedOn("tradeId", Valid() with { TradeId = null });
    }

    [Fact]
    public void Minimum_level_above_maximum_level_is_refused_on_maxLevel()
    {
        RefusedOn("maxLevel", Valid() with { MinLevel = 4, MaxLevel = 3 });
    }

    [Fact]
    public void Levels_off_the_ladder_are_refused()
    {
        RefusedOn("minLevel", Valid() with { MinLevel = 0 });
        RefusedOn("maxLevel", Valid() with { MaxLevel = 9 });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_001)]
    public void Headcount_must_be_positive_and_bounded(int headcount)
    {
        RefusedOn("headcount", Valid() with { Headcount = headcount });
    }

    [Fact]
    public void Wage_minimum_above_maximum_is_refused_on_wageMax()
    {
        RefusedOn("wageMax", Valid() with { WageMin = 7000, WageMax = 6000 });
    }

    [Fact]
    public void Wages_out_of_range_are_refused()
    {
        RefusedOn("wageMin", Valid() with { WageMin = 999 });
        RefusedOn("wageMax", Valid() with { WageMax = 100_001 });
        RefusedOn("wageMin", Valid() with { WageMin = null });
    }

    [Fact]
    public void Age_minimum_above_maximum_is_refused_on_ageMax()
    {
        RefusedOn("ageMax", Valid() with { AgeMin = 40, AgeMax = 30 });
    }

    [Fact]
    public void Ages_outside_working_age_are_refused()
    {
        RefusedOn("ageMin", Valid() with { AgeMin = 15 });
        RefusedOn("ageMax", Valid() with { AgeMax = 66 });
    }

    [Theory]
    [InlineData("T035")] // 电工
    [InlineData("T029")] // 焊工
    [InlineData("T058")] // 高处作业人员
    public void Special_operation_opening_without_the_operation_certificate_is_refused(string tradeId)
    {
        RefusedOn("requiredCertificates", Valid() with { TradeId = tradeId, RequiredCertificates = [] });
        RefusedOn("requiredCertificates", Valid() with { TradeId = tradeId, RequiredCertificates = ["skill-level"] });
        var (draft, errors) = Validate(Valid() with { TradeId = tradeId, RequiredCertificates = ["special-operation"] });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Unknown_certificate_type_is_refused_on_its_index()
    {
        RefusedOn("requiredCertificates[0]", Valid() with { RequiredCertificates = ["driving-licence"] });
    }

    [Fact]
    public void Unknown_training_type_and_status_are_refused()
    {
        RefusedOn("trainingType", Valid() with { TrainingType = "night-school" });
        RefusedOn("status", Valid() with { Status = "paused" });
    }

    [Fact]
    public void Title_and_requirements_are_bounded_and_free_of_control_characters()
    {
        RefusedOn("title", Valid() with { Title = null });
        RefusedOn("title", Valid() with { Title = new string('岗', 101) });
        RefusedOn("title", Valid() with { Title = "普工\n急招" });
        RefusedOn("requirements", Valid() with { Requirements = new string('要', 2001) });
        RefusedOn("requirements", Valid() with { Requirements = "要求\u0000" + "吃苦" });
    }
}
