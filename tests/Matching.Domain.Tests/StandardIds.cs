using System.Globalization;

namespace Matching.Domain.Tests;

/// <summary>
/// Check characters written out from the standards themselves, independent of the product's implementation, so
/// tests can make valid numbers and know what the right check character is.
/// </summary>
public static class StandardIds
{
    /// <summary>GB 11643-1999: weights of positions 1–17.</summary>
    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>GB 11643-1999: R = Σ aᵢWᵢ mod 11 = 0…10 gives the check character 1 0 X 9 8 7 6 5 4 3 2.</summary>
    private static readonly char[] IdCheckByRemainder = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

    /// <summary>GB 32100-2015: 0–9 then A–Z without I, O, Z, S, V; a character's value is its index (0…30).</summary>
    public const string CreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] CreditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static char IdCheck(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * IdWeights[i];
        }
        return IdCheckByRemainder[sum % 11];
    }

    /// <summary>A valid 18-character ID number: area, birth date, 3-digit sequence (odd = male), check character.</summary>
    public static string Id(string area, DateOnly birth, int sequence)
    {
        var first17 = string.Create(CultureInfo.InvariantCulture, $"{area}{birth:yyyyMMdd}{sequence:D3}");
        return first17 + IdCheck(first17);
    }

    /// <summary>The first 17 characters as given (even an impossible date) with the right check character.</summary>
    public static string IdWithCheck(string first17) => first17 + IdCheck(first17);

    /// <summary>GB 32100: check value = 31 − (Σ cᵢWᵢ mod 31), 31 written as 0.</summary>
    public static char CreditCheck(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += CreditAlphabet.IndexOf(first17[i], StringComparison.Ordinal) * CreditWeights[i];
        }
        var value = 31 - sum % 31;
        return CreditAlphabet[value == 31 ? 0 : value];
    }
}
