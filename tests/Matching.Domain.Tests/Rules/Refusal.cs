using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Rules;

/// <summary>Assertions on what a clerk sees when input is refused: which field, in Chinese, and no draft to store.</summary>
public static class Refusal
{
    /// <summary>The input was refused (no draft) with an error on exactly this camelCase field, in Chinese.</summary>
    public static void On(string field, object? draft, ValidationErrors errors)
    {
        Assert.Null(draft);
        var all = errors.ToDictionary();
        Assert.True(all.ContainsKey(field), $"expected an error on '{field}', got: {errors}");
        Assert.All(all[field], message => Assert.Contains(message, c => c is >= '\u4e00' and <= '\u9fff'));
    }

    /// <summary>The input was refused on this field and on no other.</summary>
    public static void OnlyOn(string field, object? draft, ValidationErrors errors)
    {
        On(field, draft, errors);
        Assert.Equal([field], errors.ToDictionary().Keys);
    }

    public static void Accepted(object? draft, ValidationErrors errors)
    {
        Assert.True(errors.IsValid, errors.ToString());
        Assert.NotNull(draft);
    }
}
