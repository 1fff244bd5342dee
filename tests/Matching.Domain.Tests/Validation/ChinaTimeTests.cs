using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Validation;

public class ChinaTimeTests
{
    private sealed class At(DateTimeOffset instant) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => instant;
    }

    [Theory]
    [InlineData("2026-03-14T15:59:59Z", 2026, 3, 14)] // 23:59:59 in Beijing
    [InlineData("2026-03-14T16:00:00Z", 2026, 3, 15)] // midnight in Beijing, still the 14th in UTC
    [InlineData("2026-03-15T09:30:00+09:00", 2026, 3, 15)]
    [InlineData("2026-12-31T20:00:00Z", 2027, 1, 1)]
    public void Today_is_the_Beijing_date_whatever_the_clocks_zone(string instant, int year, int month, int day)
    {
        var now = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new DateOnly(year, month, day), ChinaTime.Today(new At(now)));
    }
}
