using System.Text;
using Matching.Data.Imports;

namespace Matching.Data.Tests;

public sealed class SurveyTextTests
{
    /// <summary>
    /// The import's width folding skips ICU for text NFKC would leave unchanged: over every character of the Basic
    /// Multilingual Plane (alone, and after a letter, where a combining mark would compose) it must equal NFKC; text
    /// that is not valid Unicode, which NFKC refuses, is kept as it was instead of failing the row's job.
    /// </summary>
    [Fact]
    public void Folding_a_cell_equals_NFKC_for_every_character_alone_and_after_a_letter()
    {
        var differing = new List<string>();
        for (var code = 1; code < 0x10000; code++)
        {
            foreach (var text in new[] { ((char)code).ToString(), "e" + (char)code, "焊工" + (char)code + "1" })
            {
                if (SurveySheetReader.Fold(text) != Nfkc(text))
                {
                    differing.Add($"U+{code:X4} in \"{text}\"");
                }
            }
        }
        Assert.Empty(differing);
        Assert.Equal("520102199001011234", SurveySheetReader.Fold("５２０１０２１９９００１０１１２３４"));
        Assert.Equal("期望月薪(元)", SurveySheetReader.Fold("期望月薪（元）"));
    }

    private static string Nfkc(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }
}
