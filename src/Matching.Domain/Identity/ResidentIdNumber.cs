using System.Globalization;

namespace Matching.Domain.Identity;

/// <summary>What a valid resident ID number (居民身份证号码, GB 11643) tells about its holder.</summary>
public sealed record ResidentIdInfo(string Normalized, string AreaCode, DateOnly BirthDate, Gender Gender);

public enum Gender { Male = 1, Female = 2 }

/// <summary>
/// GB 11643-1999: 6-digit area code, birth date YYYYMMDD, 3-digit sequence (odd = male), MOD 11-2 check character.
/// </summary>
public static class ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>Upper-cases a trailing x and removes surrounding spaces; does not validate.</summary>
    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    /// <summary>The check character for the first 17 digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckCharacters[sum % 11];
    }

    /// <summary>
    /// Validates the format, birth date and check character. Returns the reason in Chinese when invalid.
    /// The area code's existence is checked by the caller against the division catalogue.
    /// </summary>
    public static bool TryParse(string? value, out ResidentIdInfo? info, out string? error)
    {
        info = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "请填写身份证号码";
            return false;
        }
        var id = Normalize(value);
        if (id.Length == 15 && id.All(char.IsAsciiDigit))
        {
            error = "不支持15位旧身份证号码，请填写18位身份证号码";
            return false;
        }
        if (id.Length != 18 || !id.AsSpan(0, 17).ContainsOnlyAsciiDigits() || !(char.IsAsciiDigit(id[17]) || id[17] == 'X'))
        {
            error = "身份证号码应为18位：17位数字加1位校验码（数字或X）";
            return false;
        }
        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
        {
            error = "身份证号码中的出生日期无效";
            return false;
        }
        if (CheckCharacter(id) != id[17])
        {
            error = "身份证号码校验码不正确，请核对是否输错";
            return false;
        }
        var gender = (id[16] - '0') % 2 == 1 ? Gender.Male : Gender.Female;
        info = new ResidentIdInfo(id, id[..6], birth, gender);
        error = null;
        return true;
    }

    /// <summary>Builds a valid number from its parts (demo data and tests).</summary>
    public static string Compose(string areaCode, DateOnly birthDate, int sequence)
    {
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{areaCode}{birthDate:yyyyMMdd}{sequence:D3}");
        return first17 + CheckCharacter(first17);
    }
}

internal static class SpanExtensions
{
    public static bool ContainsOnlyAsciiDigits(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
