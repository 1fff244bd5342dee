using Matching.Ranking.Features;

namespace Matching.Ranking.Training;

/// <summary>
/// The baseline a county clerk would apply by hand (经验规则) to order an opening's candidates, from the facts on the
/// screen: trade fit (the same trade 2, the same family 1), level fit (at or up to two levels above the minimum +0.5),
/// the wage against the worker's expectation (+0.8 per thousand yuan, within ±2,000), the preferred destination (first
/// choice 1, second 0.6, later 0.3, no preference 0.5; the city itself named +0.3) and distance (−1 per 1,500 km).
/// It reads the same feature vector as the model, nothing else.
/// </summary>
public static class ClerkRule
{
    public static double Score(ReadOnlySpan<float> v)
    {
        var trade = v[(int)Feature.TradeMatch] switch { >= 3 => 2.0, >= 2 => 1.0, _ => 0.0 };
        var gap = v[(int)Feature.LevelGap];
        var level = gap is >= 0 and <= 2 ? 0.5 : 0;
        var wage = 0.8 * Math.Clamp(v[(int)Feature.WageVsExpected], -2, 2);
        var destination = v[(int)Feature.DestinationRank] switch { 1 => 1.0, 2 => 0.6, 3 => 0.3, _ => 0.5 };
        var city = v[(int)Feature.CityPreferred] > 0 ? 0.3 : 0;
        var distance = -v[(int)Feature.TravelKm] / 1500.0;
        return trade + level + wage + destination + city + distance;
    }
}
