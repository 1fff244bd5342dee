using Matching.Domain.Bases;
using Matching.Domain.Catalogues;
using Matching.Domain.Employers;
using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Rules;

public class EmployerRulesTests
{
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;

    private static EmployerInput Valid() => new(
        Name: "福州华创电子科技有限公司",
        CreditCode: "91350100M000100Y43",
        CityCode: "350100",
        Industries: ["digital", "equipment"],
        ContactName: "林经理",
        ContactPhone: "0591-87654321",
        Address: "福州市鼓楼区工业路1号");

    private static (EmployerDraft? Draft, ValidationErrors Errors) Validate(EmployerInput input)
    {
        var errors = new ValidationErrors();
        return (EmployerRules.Validate(input, Catalogue, errors), errors);
    }

    private static void RefusedOn(string field, EmployerInput input)
    {
        var (draft, errors) = Validate(input);
        Refusal.OnlyOn(field, draft, errors);
    }

    [Fact]
    public void A_complete_employer_is_accepted_with_its_province()
    {
        var (draft, errors) = Validate(Valid() with { CreditCode = "91350100m000100y43" });
        Refusal.Accepted(draft, errors);
        Assert.Equal("350000", draft!.ProvinceCode);
        Assert.Equal("91350100M000100Y43", draft.CreditCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("91350100M000100Y44")]
    [InlineData("91350100M000100I43")]
    [InlineData("91350100M000100Y4")]
    public void Invalid_credit_code_is_refused_on_creditCode(string? code)
    {
        RefusedOn("creditCode", Valid() with { CreditCode = code });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("359900")]
    [InlineData("350000")] // a province, not a city
    [InlineData("520102")] // a county
    public void City_must_be_a_known_prefecture_city(string? city)
    {
        RefusedOn("cityCode", Valid() with { CityCode = city });
    }

    [Fact]
    public void Unknown_industry_is_refused_on_its_index()
    {
        RefusedOn("industries[1]", Valid() with { Industries = ["digital", "spaceflight"] });
    }

    [Fact]
    public void Contact_phone_with_letters_is_refused()
    {
        RefusedOn("contactPhone", Valid() with { ContactPhone = "0591-CALL-ME" });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("A")]
    [InlineData("华创\u0000电子")]
    public void Name_is_required_without_control_characters(string? name)
    {
        RefusedOn("name", Valid() with { Name = name });
    }

    [Fact]
    public void Over_long_texts_are_refused()
    {
        RefusedOn("name", Valid() with { Name = new string('华', 101) });
        RefusedOn("address", Valid() with { Address = new string('路', 201) });
        RefusedOn("contactName", Valid() with { ContactName = new string('林', 31) });
    }
}

public class TrainingBaseRulesTests
{
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;

    private static TrainingBaseInput Valid() => new(
        EmployerId: 7,
        Name: "福州华创东西部协作实训基地",
        Kind: "enterprise",
        CityCode: "350100",
        Address: "福州市职教园3号",
        Trades: ["T035", "T029"],
        TrainingTypes: ["pre-job", "on-the-job"]);

    private static void RefusedOn(string field, TrainingBaseInput input)
    {
        var errors = new ValidationErrors();
        Refusal.OnlyOn(field, TrainingBaseRules.Validate(input, Catalogue, errors), errors);
    }

    [Fact]
    public void A_complete_base_is_accepted_and_kind_defaults_to_enterprise()
    {
        var errors = new ValidationErrors();
        var draft = TrainingBaseRules.Validate(Valid() with { Kind = null }, Catalogue, errors);
        Refusal.Accepted(draft, errors);
        Assert.Equal("enterprise", draft!.Kind);
        Assert.Equal("350000", draft.ProvinceCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void Employer_is_required(long? employerId)
    {
        RefusedOn("employerId", Valid() with { EmployerId = employerId });
    }

    [Fact]
    public void Unknown_kind_is_refused()
    {
        RefusedOn("kind", Valid() with { Kind = "factory" });
    }

    [Fact]
    public void Unknown_city_is_refused()
    {
        RefusedOn("cityCode", Valid() with { CityCode = "359900" });
    }

    [Fact]
    public void Trades_are_required_and_must_exist()
    {
        RefusedOn("trades", Valid() with { Trades = [] });
        RefusedOn("trades[1]", Valid() with { Trades = ["T035", "T999"] });
        RefusedOn("trades[1]", Valid() with { Trades = ["T035", "T035"] });
    }

    [Fact]
    public void Training_types_are_required_and_must_exist()
    {
        RefusedOn("trainingTypes", Valid() with { TrainingTypes = null });
        RefusedOn("trainingTypes[0]", Valid() with { TrainingTypes = ["night-school"] });
    }

    [Fact]
    public void Name_is_required_and_bounded()
    {
        RefusedOn("name", Valid() with { Name = null });
        RefusedOn("name", Valid() with { Name = new string('基', 101) });
        RefusedOn("name", Valid() with { Name = "基地\u0001" + "一" });
    }
}
