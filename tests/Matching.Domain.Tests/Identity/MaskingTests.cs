using Matching.Domain.Identity;

namespace Matching.Domain.Tests.Identity;

public class MaskingTests
{
    [Fact]
    public void Id_number_keeps_the_first_four_and_last_four_characters()
    {
        Assert.Equal("5224**********565X", Masking.IdNumber("52242619811105565X"));
    }

    [Fact]
    public void Masked_id_number_hides_the_birth_date_and_county()
    {
        var masked = Masking.IdNumber("52242619811105565X");
        Assert.Equal(18, masked.Length);
        Assert.DoesNotContain("19811105", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("522426", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Phone_keeps_the_first_three_and_last_four_digits()
    {
        Assert.Equal("138****5678", Masking.Phone("13812345678"));
    }

    [Theory]
    [InlineData("王小明", "王**")]
    [InlineData("王五", "王*")]
    [InlineData("阿依古丽·买买提", "阿*******")]
    [InlineData("王", "*")]
    public void Name_keeps_only_the_first_character(string name, string expected)
    {
        Assert.Equal(expected, Masking.Name(name));
    }

    [Fact]
    public void Short_values_are_masked_entirely()
    {
        Assert.Equal("********", Masking.IdNumber("12345678"));
        Assert.Equal("******", Masking.Phone("123456"));
    }
}
