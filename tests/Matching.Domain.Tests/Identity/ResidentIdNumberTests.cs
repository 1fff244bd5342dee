using Matching.Domain.Identity;

namespace Matching.Domain.Tests.Identity;

public class ResidentIdNumberTests
{
    [Fact]
    public void The_standards_example_is_valid_and_tells_area_birth_date_and_gender()
    {
        Assert.True(ResidentIdNumber.TryParse("11010519491231002X", out var info, out var error), error);
        Assert.Null(error);
        Assert.Equal("11010519491231002X", info!.Normalized);
        Assert.Equal("110105", info.AreaCode);
        Assert.Equal(new DateOnly(1949, 12, 31), info.BirthDate);
        // 17th digit 2 is even: female.
        Assert.Equal(Gender.Female, info.Gender);
    }

    [Fact]
    public void The_standards_second_example_is_valid_and_male()
    {
        Assert.True(ResidentIdNumber.TryParse("440524188001010014", out var info, out var error), error);
        Assert.Equal(new DateOnly(1880, 1, 1), info!.BirthDate);
        Assert.Equal(Gender.Male, info.Gender);
    }

    [Theory]
    [InlineData("11010519491231002")]
    [InlineData("44052418800101001")]
    [InlineData("52242619811105565")]
    [InlineData("52010219900307123")]
    public void Check_character_agrees_with_the_standards_weights_and_mapping(string first17)
    {
        Assert.Equal(StandardIds.IdCheck(first17), ResidentIdNumber.CheckCharacter(first17));
    }

    [Fact]
    public void Check_character_agrees_with_the_standard_over_many_numbers_covering_every_check_character()
    {
        var random = new Random(11643);
        var seen = new HashSet<char>();
        for (var n = 0; n < 5000; n++)
        {
            var first17 = string.Concat(Enumerable.Range(0, 17).Select(_ => (char)('0' + random.Next(10))));
            var expected = StandardIds.IdCheck(first17);
            Assert.Equal(expected, ResidentIdNumber.CheckCharacter(first17));
            seen.Add(expected);
        }
        Assert.Equal(11, seen.Count);
    }

    [Fact]
    public void Every_wrong_check_character_is_refused_with_a_check_character_message()
    {
        const string first17 = "52010219900307123";
        var right = StandardIds.IdCheck(first17);
        Assert.True(ResidentIdNumber.TryParse(first17 + right, out _, out _));
        foreach (var wrong in "0123456789X".Where(c => c != right))
        {
            Assert.False(ResidentIdNumber.TryParse(first17 + wrong, out var info, out var error));
            Assert.Null(info);
            Assert.Contains("校验码", error);
        }
    }

    [Theory]
    [InlineData("5201021990030712")]       // 16
    [InlineData("52010219900307123")]      // 17: check character missing
    [InlineData("5201021990030712366")]    // 19
    [InlineData("5201021990030712A6")]     // letter among the first 17
    [InlineData("52010219900307123A")]     // letter other than X as check character
    [InlineData("52010219900307123-")]
    [InlineData("５２０１０２１９９００３０７１２３６")] // full-width digits
    public void Wrong_length_or_characters_are_refused_with_the_format_message(string value)
    {
        Assert.False(ResidentIdNumber.TryParse(value, out var info, out var error));
        Assert.Null(info);
        Assert.Contains("18位", error);
    }

    [Theory]
    [InlineData("5201021990023012")]  // 30 February
    [InlineData("5201021990130112")]  // month 13
    [InlineData("5201021990000112")]  // month 0
    [InlineData("5201021990043112")]  // 31 April
    [InlineData("5201021900022912")]  // 1900 was not a leap year
    public void Impossible_birth_dates_are_refused_even_with_a_correct_check_character(string first16)
    {
        var id = StandardIds.IdWithCheck(first16 + "3");
        Assert.False(ResidentIdNumber.TryParse(id, out var info, out var error));
        Assert.Null(info);
        Assert.Contains("出生日期", error);
    }

    [Fact]
    public void Leap_day_of_a_leap_year_is_a_valid_birth_date()
    {
        var id = StandardIds.IdWithCheck("52010220000229123");
        Assert.True(ResidentIdNumber.TryParse(id, out var info, out var error), error);
        Assert.Equal(new DateOnly(2000, 2, 29), info!.BirthDate);
    }

    [Fact]
    public void Old_15_digit_numbers_are_refused_with_a_message_asking_for_the_18_digit_number()
    {
        Assert.False(ResidentIdNumber.TryParse("110105491231002", out var info, out var error));
        Assert.Null(info);
        Assert.Contains("15位", error);
        Assert.Contains("18位", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_number_is_refused(string? value)
    {
        Assert.False(ResidentIdNumber.TryParse(value, out _, out var error));
        Assert.Contains("请填写", error);
    }

    [Fact]
    public void Lowercase_x_and_surrounding_spaces_are_normalised()
    {
        Assert.True(ResidentIdNumber.TryParse(" 11010519491231002x ", out var info, out var error), error);
        Assert.Equal("11010519491231002X", info!.Normalized);
    }

    [Theory]
    [InlineData(1, Gender.Male)]
    [InlineData(2, Gender.Female)]
    [InlineData(37, Gender.Male)]
    [InlineData(998, Gender.Female)]
    [InlineData(999, Gender.Male)]
    [InlineData(0, Gender.Female)]
    public void Gender_comes_from_the_17th_digit_odd_male_even_female(int sequence, Gender expected)
    {
        var id = StandardIds.Id("520102", new DateOnly(1990, 3, 7), sequence);
        Assert.True(ResidentIdNumber.TryParse(id, out var info, out var error), error);
        Assert.Equal(expected, info!.Gender);
    }

    [Fact]
    public void Compose_builds_the_number_the_standard_gives()
    {
        var birth = new DateOnly(1985, 11, 5);
        Assert.Equal(StandardIds.Id("522426", birth, 565), ResidentIdNumber.Compose("522426", birth, 565));
    }
}
