namespace Matching.Domain.Identity;

/// <summary>
/// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from 0–9 and A–Z without
/// I, O, Z, S, V; MOD 31 check character.
/// </summary>
public static class CreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * Weights[i];
        }
        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }

    public static bool TryValidate(string? value, out string normalized, out string? error)
    {
        normalized = value is null ? "" : Normalize(value);
        if (normalized.Length == 0)
        {
            error = "请填写统一社会信用代码";
            return false;
        }
        if (normalized.Length != 18)
        {
            error = "统一社会信用代码应为18位";
            return false;
        }
        foreach (var c in normalized)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                error = "统一社会信用代码只能包含数字和除 I、O、Z、S、V 以外的大写字母";
                return false;
            }
        }
        if (CheckCharacter(normalized) != normalized[17])
        {
            error = "统一社会信用代码校验码不正确，请核对是否输错";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Builds a valid code from 17 characters (demo data and tests).</summary>
    public static string Compose(string first17) => first17 + CheckCharacter(first17);
}
