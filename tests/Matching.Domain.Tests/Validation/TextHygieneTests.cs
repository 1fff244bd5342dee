using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Validation;

/// <summary>
/// Every text field of every input passes through <see cref="Check.Text"/>: what a person can see and type is kept,
/// anything invisible or unassigned is refused with a Chinese reason that does not repeat the text.
/// </summary>
public class TextHygieneTests
{
    /// <summary>what, text.</summary>
    public static TheoryData<string, string> Refused() => new()
    {
        { "Hangul filler as the whole name (U+3164)", "\u3164" },
        { "Hangul filler inside a name", "王\u3164明" },
        { "halfwidth Hangul filler (U+FFA0)", "王\uFFA0" },
        { "Hangul choseong filler (U+115F)", "\u115F\u1160" },
        { "Braille blank (U+2800)", "王\u2800明" },
        { "zero-width space (Cf)", "王\u200B明" },
        { "zero-width joiner (Cf)", "王\u200D明" },
        { "right-to-left override (Cf)", "备注\u202E反向" },
        { "left-to-right isolate (Cf)", "备注\u2066x\u2069" },
        { "byte-order mark inside (Cf)", "王\uFEFF明" },
        { "soft hyphen (Cf)", "王\u00AD明" },
        { "language tag (Cf, astral)", "王\U000E0001明" },
        { "private-use character (Co)", "王\uE000明" },
        { "supplementary private-use character (Co)", "王\U000F0000明" },
        { "unassigned code point (Cn)", "王\u0378明" },
        { "noncharacter U+FFFF (Cn)", "王\uFFFF明" },
        { "line separator U+2028", "第一行\u2028第二行" },
        { "bell (Cc)", "王\u0007明" },
        { "NUL (Cc)", "王\u0000" },
        { "only combining marks", "\u0301\u0301" },
        { "only an ideographic space and a filler", "\u3000\u3164" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Invisible_unassigned_and_private_characters_are_refused_with_a_Chinese_reason(string what, string text)
    {
        foreach (var multiline in new[] { false, true })
        {
            var errors = new ValidationErrors();
            Assert.Null(Check.Text(errors, "notes", text, 200, multiline: multiline));
            var messages = errors.ToDictionary();
            Assert.True(messages.ContainsKey("notes"), $"{what} (multiline {multiline}) was accepted");
            Assert.All(messages["notes"], m => Assert.Contains(m, c => c is >= '\u4e00' and <= '\u9fff'));
            Assert.All(messages["notes"], m => Assert.DoesNotContain(text.Trim(), m, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Broken_surrogates_are_refused()
    {
        // Built here, not as theory data: the test runner would replace a lone surrogate when it serialises the case.
        foreach (var text in new[] { "王" + '\uD800' + "明", "王" + '\uDC00' + "明", "末尾" + '\uD83D' })
        {
            var errors = new ValidationErrors();
            Assert.Null(Check.Text(errors, "name", text, 50));
            Assert.True(errors.Has("name"));
        }
    }

    [Theory]
    [InlineData("王小明")]
    [InlineData("阿依古丽·买买提")]
    [InlineData("Zhang San")]
    [InlineData("希望包吃包住，月薪6000元以上！")]
    [InlineData("café")] // a combining accent after a letter is visible
    [InlineData("焊工👍")]
    [InlineData("𠀀字")] // a CJK Extension B character (astral, assigned)
    public void What_people_type_is_kept(string text)
    {
        var errors = new ValidationErrors();
        Assert.Equal(text, Check.Text(errors, "name", text, 50));
        Assert.True(errors.IsValid, errors.ToString());
    }

    [Fact]
    public void Newlines_and_tabs_are_kept_only_in_multiline_fields()
    {
        var errors = new ValidationErrors();
        Assert.Equal("第一行\n第二行\t结束", Check.Text(errors, "notes", "第一行\n第二行\t结束", 100, multiline: true));
        Assert.True(errors.IsValid);
        Assert.Null(Check.Text(errors, "name", "王\n明", 100));
        Assert.True(errors.Has("name"));
    }

    [Fact]
    public void Blank_text_is_no_value_and_refused_only_when_required()
    {
        var errors = new ValidationErrors();
        Assert.Null(Check.Text(errors, "notes", "   ", 100));
        Assert.True(errors.IsValid);
        Assert.Null(Check.Text(errors, "name", " \u3000 ", 100, required: true));
        Assert.Equal(["必填"], errors.ToDictionary()["name"]);
    }
}
