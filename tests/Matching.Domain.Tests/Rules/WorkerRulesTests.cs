using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Domain.Tests.Rules;

public class WorkerRulesTests
{
    private static readonly DateOnly Today = new(2026, 3, 15);
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;

    /// <summary>A man born 7 March 1990 in 南明区 (520102), 36 on <see cref="Today"/>.</summary>
    private static readonly string IdNumber = StandardIds.Id("520102", new DateOnly(1990, 3, 7), 123);

    private static WorkerInput Valid() => new(
        RealName: "王小明",
        IdNumber: IdNumber,
        Gender: Gender.Male,
        BirthDate: new DateOnly(1990, 3, 7),
        Phone: "13812345678",
        CountyCode: "520102",
        Education: "junior",
        Trades: [new WorkerTradeInput("T035", 3), new WorkerTradeInput("T029", 2)],
        Certificates: [new WorkerCertificateInput("special-operation", "T035", null, new DateOnly(2024, 1, 10), new DateOnly(2030, 1, 10))],
        PriorityGroups: ["poverty-lifted"],
        PreferredDestinations: ["440000", "440300", "330200"],
        ExpectedMonthlyWage: 6000,
        AvailableFrom: Today.AddDays(10),
        TrainingIntentions: ["pre-job"],
        Notes: "希望包吃包住\n愿意服从调剂");

    private static (WorkerDraft? Draft, ValidationErrors Errors) Validate(WorkerInput input)
    {
        var errors = new ValidationErrors();
        var draft = WorkerRules.Validate(input, Catalogue, Today, errors);
        return (draft, errors);
    }

    private static void RefusedOn(string field, WorkerInput input)
    {
        var (draft, errors) = Validate(input);
        Refusal.On(field, draft, errors);
    }

    [Fact]
    public void A_complete_registration_is_accepted_and_normalised()
    {
        var (draft, errors) = Validate(Valid() with { RealName = " 王小明 ", IdNumber = " " + IdNumber.ToLowerInvariant() + " ", Phone = "+86 138-1234-5678" });
        Refusal.Accepted(draft, errors);
        Assert.Equal("王小明", draft!.RealName);
        Assert.Equal(IdNumber, draft.IdNumber);
        Assert.Equal("13812345678", draft.Phone);
        Assert.Equal("520100", draft.PrefectureCode);
        Assert.Equal(["440000", "440300", "330200"], draft.PreferredDestinations);
        Assert.Equal([new WorkerTrade("T035", 3), new WorkerTrade("T029", 2)], draft.Trades);
    }

    [Fact]
    public void Gender_and_birth_date_may_be_left_out_and_are_taken_from_the_id_number()
    {
        var id = StandardIds.Id("520102", new DateOnly(1995, 8, 20), 246);
        var (draft, errors) = Validate(Valid() with { IdNumber = id, Gender = null, BirthDate = null });
        Refusal.Accepted(draft, errors);
        Assert.Equal(Gender.Female, draft!.Gender);
        Assert.Equal(new DateOnly(1995, 8, 20), draft.BirthDate);
    }

    [Fact]
    public void The_draft_does_not_show_the_id_number_or_phone_when_printed()
    {
        var (draft, _) = Validate(Valid());
        var text = draft!.ToString();
        Assert.DoesNotContain(IdNumber, text, StringComparison.Ordinal);
        Assert.DoesNotContain("13812345678", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_check_character_is_refused_on_idNumber()
    {
        var wrong = IdNumber[..17] + (IdNumber[17] == '0' ? '1' : '0');
        RefusedOn("idNumber", Valid() with { IdNumber = wrong });
    }

    [Fact]
    public void Missing_id_number_is_refused_on_idNumber()
    {
        RefusedOn("idNumber", Valid() with { IdNumber = null });
    }

    [Theory]
    [InlineData("529999")] // no such Guizhou division
    [InlineData("520199")] // no such county in 贵阳
    [InlineData("000000")]
    [InlineData("990101")] // no such province
    [InlineData("449901")] // partner province, no such prefecture
    [InlineData("510000")] // a province itself, not an issuing area
    public void Unknown_area_code_is_refused_on_idNumber(string area)
    {
        RefusedOn("idNumber", Valid() with { IdNumber = StandardIds.Id(area, new DateOnly(1990, 3, 7), 123) });
    }

    [Theory]
    [InlineData("510105")] // 成都市青羊区: married into a Guizhou household, ID issued in Sichuan
    [InlineData("530102")] // 昆明市五华区
    public void Id_number_issued_in_another_province_is_accepted_when_the_province_exists(string area)
    {
        var id = StandardIds.Id(area, new DateOnly(1990, 3, 7), 124);
        var (draft, errors) = Validate(Valid() with { IdNumber = id, Gender = null, BirthDate = null });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Historic_code_of_the_former_Bijie_prefecture_is_accepted()
    {
        // 522426: 纳雍县 of the former 毕节地区, still printed on ID cards issued before 2011; today 520525.
        var id = StandardIds.Id("522426", new DateOnly(1981, 11, 5), 565);
        var (draft, errors) = Validate(Valid() with { IdNumber = id, Gender = Gender.Male, BirthDate = new DateOnly(1981, 11, 5), CountyCode = "520525" });
        Refusal.Accepted(draft, errors);
        Assert.Equal("520500", draft!.PrefectureCode);
    }

    [Fact]
    public void Id_number_issued_in_a_partner_province_is_accepted()
    {
        var id = StandardIds.Id("440305", new DateOnly(1992, 6, 1), 101);
        var (draft, errors) = Validate(Valid() with { IdNumber = id, BirthDate = null });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Gender_inconsistent_with_the_id_number_is_refused_on_gender()
    {
        var (draft, errors) = Validate(Valid() with { Gender = Gender.Female });
        Refusal.OnlyOn("gender", draft, errors);
    }

    [Fact]
    public void Birth_date_inconsistent_with_the_id_number_is_refused_on_birthDate()
    {
        var (draft, errors) = Validate(Valid() with { BirthDate = new DateOnly(1990, 7, 3) });
        Refusal.OnlyOn("birthDate", draft, errors);
    }

    [Fact]
    public void Birth_date_after_today_is_refused_on_idNumber()
    {
        RefusedOn("idNumber", Valid() with { IdNumber = StandardIds.Id("520102", Today.AddDays(1), 123), BirthDate = null });
    }

    [Theory]
    [InlineData(2010, 3, 16, false)] // 15, turns 16 tomorrow
    [InlineData(2010, 3, 15, true)]  // 16 today
    [InlineData(1960, 3, 16, true)]  // 65, turns 66 tomorrow
    [InlineData(1960, 3, 15, false)] // 66 today
    [InlineData(1949, 12, 31, false)]
    public void Age_must_be_between_16_and_65(int year, int month, int day, bool accepted)
    {
        var birth = new DateOnly(year, month, day);
        var (draft, errors) = Validate(Valid() with { IdNumber = StandardIds.Id("520102", birth, 123), BirthDate = birth });
        if (accepted)
        {
            Refusal.Accepted(draft, errors);
        }
        else
        {
            Refusal.OnlyOn("idNumber", draft, errors);
            Assert.Contains("16", errors.ToDictionary()["idNumber"][0], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("529999")]
    [InlineData("520100")] // 贵阳市 is a prefecture, not a county
    [InlineData("522426")] // retired code: households are registered under the current one
    [InlineData("440305")] // a county outside Guizhou
    public void County_must_be_a_current_Guizhou_county(string? county)
    {
        RefusedOn("countyCode", Valid() with { CountyCode = county });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1381234567")]
    [InlineData("23812345678")]
    [InlineData("12812345678")]
    [InlineData("138123456789")]
    [InlineData("1381234567a")]
    public void Phone_must_be_an_11_digit_mobile_number(string? phone)
    {
        RefusedOn("phone", Valid() with { Phone = phone });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("doctorate")]
    public void Education_must_be_a_catalogue_level(string? education)
    {
        RefusedOn("education", Valid() with { Education = education });
    }

    [Fact]
    public void At_least_one_trade_is_required()
    {
        RefusedOn("trades", Valid() with { Trades = [] });
        RefusedOn("trades", Valid() with { Trades = null });
    }

    [Fact]
    public void More_than_10_trades_are_refused()
    {
        RefusedOn("trades", Valid() with { Trades = Catalogue.Trades.Take(11).Select(t => new WorkerTradeInput(t.Id, 1)).ToList() });
    }

    [Fact]
    public void Unknown_trade_is_refused_on_its_index()
    {
        RefusedOn("trades[1].tradeId", Valid() with { Trades = [new WorkerTradeInput("T035", 3), new WorkerTradeInput("T999", 2)] });
    }

    [Fact]
    public void Same_trade_twice_is_refused_on_the_second()
    {
        RefusedOn("trades[1].tradeId", Valid() with { Trades = [new WorkerTradeInput("T035", 3), new WorkerTradeInput("T035", 2)] });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(null)]
    public void Trade_level_must_be_on_the_eight_level_ladder(int? level)
    {
        var (draft, errors) = Validate(Valid() with { Trades = [new WorkerTradeInput("T035", level)] });
        Refusal.OnlyOn("trades[0].level", draft, errors);
    }

    [Fact]
    public void Unknown_certificate_type_is_refused()
    {
        RefusedOn("certificates[0].type", Valid() with { Certificates = [new WorkerCertificateInput("driving-licence", null, null, null, null)] });
    }

    [Fact]
    public void Special_operation_certificate_must_name_its_trade()
    {
        RefusedOn("certificates[0].tradeId", Valid() with { Certificates = [new WorkerCertificateInput("special-operation", null, null, new DateOnly(2024, 1, 1), null)] });
    }

    [Fact]
    public void Certificate_for_an_unknown_trade_is_refused()
    {
        RefusedOn("certificates[0].tradeId", Valid() with { Certificates = [new WorkerCertificateInput("skill-level", "T999", 3, null, null)] });
    }

    [Fact]
    public void Certificate_level_off_the_ladder_is_refused()
    {
        RefusedOn("certificates[0].level", Valid() with { Certificates = [new WorkerCertificateInput("skill-level", "T035", 9, null, null)] });
    }

    [Fact]
    public void Certificate_issued_after_today_is_refused()
    {
        RefusedOn("certificates[0].issuedOn", Valid() with { Certificates = [new WorkerCertificateInput("skill-level", "T035", 3, Today.AddDays(1), null)] });
    }

    [Fact]
    public void Certificate_expiring_before_it_was_issued_is_refused()
    {
        RefusedOn("certificates[0].expiresOn", Valid() with { Certificates = [new WorkerCertificateInput("skill-level", "T035", 3, new DateOnly(2024, 5, 1), new DateOnly(2024, 4, 30))] });
        RefusedOn("certificates[0].expiresOn", Valid() with { Certificates = [new WorkerCertificateInput("skill-level", "T035", 3, new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 1))] });
    }

    [Fact]
    public void Unknown_priority_group_is_refused_on_its_index()
    {
        RefusedOn("priorityGroups[1]", Valid() with { PriorityGroups = ["poverty-lifted", "veteran"] });
    }

    [Theory]
    [InlineData("520100")] // a Guizhou city is not a destination
    [InlineData("110000")] // 北京 is not a partner province
    [InlineData("440305")] // a county, not a city
    [InlineData("")]
    [InlineData(null)]
    public void Destination_must_be_a_partner_province_or_one_of_its_cities(string? code)
    {
        var (draft, errors) = Validate(Valid() with { PreferredDestinations = ["440000", code, "330000"] });
        Refusal.OnlyOn("preferredDestinations[1]", draft, errors);
    }

    [Fact]
    public void Same_destination_twice_is_refused_on_the_second()
    {
        RefusedOn("preferredDestinations[2]", Valid() with { PreferredDestinations = ["440000", "330000", "440000"] });
    }

    [Fact]
    public void Unknown_training_intention_is_refused()
    {
        RefusedOn("trainingIntentions[0]", Valid() with { TrainingIntentions = ["evening-school"] });
    }

    [Theory]
    [InlineData(999, false)]
    [InlineData(1000, true)]
    [InlineData(100_000, true)]
    [InlineData(100_001, false)]
    [InlineData(-6000, false)]
    [InlineData(null, false)]
    public void Expected_wage_must_be_between_1000_and_100000(int? wage, bool accepted)
    {
        var (draft, errors) = Validate(Valid() with { ExpectedMonthlyWage = wage });
        if (accepted)
        {
            Refusal.Accepted(draft, errors);
        }
        else
        {
            Refusal.OnlyOn("expectedMonthlyWage", draft, errors);
        }
    }

    [Fact]
    public void Available_from_is_required_and_within_reason()
    {
        RefusedOn("availableFrom", Valid() with { AvailableFrom = null });
        RefusedOn("availableFrom", Valid() with { AvailableFrom = Today.AddYears(2).AddDays(1) });
        RefusedOn("availableFrom", Valid() with { AvailableFrom = Today.AddYears(-5).AddDays(-1) });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("王")]
    [InlineData("王\u0000明")]
    [InlineData("王\u001b明")]
    [InlineData("王明\u0085华")]
    [InlineData("王1明")]
    [InlineData("<script>")]
    public void Real_name_must_be_letters_of_reasonable_length_without_control_characters(string? name)
    {
        RefusedOn("realName", Valid() with { RealName = name });
    }

    [Fact]
    public void Over_long_name_is_refused_and_a_name_with_a_middle_dot_is_accepted()
    {
        RefusedOn("realName", Valid() with { RealName = new string('王', 31) });
        var (draft, errors) = Validate(Valid() with { RealName = "阿依古丽·买买提" });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Notes_keep_line_breaks_but_refuse_other_control_characters_and_excess_length()
    {
        RefusedOn("notes", Valid() with { Notes = "有驾照\u0007C1" });
        RefusedOn("notes", Valid() with { Notes = new string('好', 2001) });
        var (draft, errors) = Validate(Valid() with { Notes = new string('好', 2000) });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Every_problem_is_reported_together_and_none_repeats_the_id_number()
    {
        var wrong = IdNumber[..17] + (IdNumber[17] == '0' ? '1' : '0');
        var (draft, errors) = Validate(new WorkerInput(null, wrong, null, null, "123", "999999", null, null, null, null, null, 10, null, null, null));
        Assert.Null(draft);
        var all = errors.ToDictionary();
        Assert.Equal(
            ["availableFrom", "countyCode", "education", "expectedMonthlyWage", "idNumber", "phone", "realName", "trades"],
            all.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(all.Values.SelectMany(m => m), m => m.Contains(wrong[..10], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("issuedOn", "0001-01-01")]
    [InlineData("issuedOn", "1975-03-14")]
    [InlineData("expiresOn", "9999-12-31")]
    [InlineData("expiresOn", "2076-03-16")]
    public void Certificate_dates_lie_within_a_working_life_of_today(string field, string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var certificate = field == "issuedOn"
            ? new WorkerCertificateInput("special-operation", "T035", null, day, null)
            : new WorkerCertificateInput("special-operation", "T035", null, new DateOnly(2024, 1, 10), day);
        RefusedOn($"certificates[0].{field}", Valid() with { Certificates = [certificate] });
    }
}
