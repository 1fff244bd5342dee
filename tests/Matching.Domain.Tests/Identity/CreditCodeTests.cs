using Matching.Domain.Identity;

namespace Matching.Domain.Tests.Identity;

public class CreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")] // the example of GB 32100-2015
    [InlineData("91110108551385082Q")] // a published enterprise code
    public void Known_valid_codes_are_accepted(string code)
    {
        Assert.True(CreditCode.TryValidate(code, out var normalized, out var error), error);
        Assert.Null(error);
        Assert.Equal(code, normalized);
    }

    [Fact]
    public void Lowercase_and_spaces_are_normalised()
    {
        Assert.True(CreditCode.TryValidate(" 91350100m000100y43 ", out var normalized, out var error), error);
        Assert.Equal("91350100M000100Y43", normalized);
    }

    [Fact]
    public void Check_character_agrees_with_the_standards_weights_and_mapping_over_many_codes()
    {
        var random = new Random(32100);
        var seen = new HashSet<char>();
        for (var n = 0; n < 5000; n++)
        {
            var first17 = string.Concat(Enumerable.Range(0, 17).Select(_ => StandardIds.CreditAlphabet[random.Next(31)]));
            var expected = StandardIds.CreditCheck(first17);
            Assert.Equal(expected, CreditCode.CheckCharacter(first17));
            Assert.True(CreditCode.TryValidate(first17 + expected, out _, out var error), error);
            seen.Add(expected);
        }
        Assert.Equal(31, seen.Count);
    }

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('Z')]
    [InlineData('S')]
    [InlineData('V')]
    public void Forbidden_letters_are_refused_wherever_they_stand(char letter)
    {
        foreach (var position in new[] { 0, 8, 16, 17 })
        {
            var chars = "91350100M000100Y43".ToCharArray();
            chars[position] = letter;
            Assert.False(CreditCode.TryValidate(new string(chars), out _, out var error));
            Assert.Contains("I、O、Z、S、V", error);
        }
    }

    [Fact]
    public void Every_wrong_check_character_is_refused_with_a_check_character_message()
    {
        const string first17 = "91350100M000100Y4";
        foreach (var wrong in StandardIds.CreditAlphabet.Where(c => c != '3'))
        {
            Assert.False(CreditCode.TryValidate(first17 + wrong, out _, out var error));
            Assert.Contains("校验码", error);
        }
    }

    [Theory]
    [InlineData("91350100M000100Y4")]
    [InlineData("91350100M000100Y433")]
    [InlineData("9135010")]
    public void Wrong_length_is_refused(string code)
    {
        Assert.False(CreditCode.TryValidate(code, out _, out var error));
        Assert.Contains("18位", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Missing_code_is_refused(string? code)
    {
        Assert.False(CreditCode.TryValidate(code, out _, out var error));
        Assert.Contains("请填写", error);
    }

    [Theory]
    [InlineData("91350100M000100Y4-")]
    [InlineData("91350100M00010０Y43")]
    [InlineData("91350100M000100Y4*")]
    public void Other_characters_are_refused(string code)
    {
        Assert.False(CreditCode.TryValidate(code, out _, out var error));
        Assert.NotNull(error);
    }
}
