namespace Matching.Domain.Identity;

/// <summary>How sensitive values are shown to people who may not see them in full.</summary>
public static class Masking
{
    /// <summary>5224**********123X: first four and last four characters.</summary>
    public static string IdNumber(string id) =>
        id.Length <= 8 ? new string('*', id.Length) : string.Concat(id.AsSpan(0, 4), new string('*', id.Length - 8), id.AsSpan(id.Length - 4));

    /// <summary>138****5678.</summary>
    public static string Phone(string phone) =>
        phone.Length < 7 ? new string('*', phone.Length) : string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4));

    /// <summary>王** : surname kept, the rest masked.</summary>
    public static string Name(string name) =>
        name.Length <= 1 ? "*" : string.Concat(name.AsSpan(0, 1), new string('*', name.Length - 1));
}
