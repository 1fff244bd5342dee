using Matching.Domain.Matching;

namespace Matching.Domain.Tests.Matching;

/// <summary>The congestion rule moves crowded places down for workers with good alternatives, within a cap, and never hides them.</summary>
public sealed class CongestionTests
{
    [Fact]
    public void A_crowded_place_loses_points_only_for_a_worker_with_a_good_alternative_and_never_more_than_the_cap()
    {
        for (var applications = 0; applications <= 500; applications += 7)
        {
            foreach (var seats in new[] { 0, 1, 3, 40 })
            {
                var perSeat = Congestion.ApplicationsPerSeat(applications, seats);
                var penalty = Congestion.Penalty(perSeat, workerHasGoodAlternative: true);
                Assert.InRange(penalty, 0, Congestion.MaxPenalty);
                Assert.Equal(0, Congestion.Penalty(perSeat, workerHasGoodAlternative: false));
                // Up to one application a seat is no crowding.
                Assert.Equal(perSeat <= 1, penalty == 0);
            }
        }
        // More crowding never costs less.
        Assert.True(Congestion.Penalty(3, true) > Congestion.Penalty(2, true));
        Assert.True(Congestion.HasGoodAlternative(0.60, 0.56));
        Assert.False(Congestion.HasGoodAlternative(0.60, 0.50));
        Assert.Contains("仍可报名", Congestion.Reason(4.2), StringComparison.Ordinal);
    }
}
