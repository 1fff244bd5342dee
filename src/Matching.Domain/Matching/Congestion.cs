namespace Matching.Domain.Matching;

/// <summary>
/// Congestion (拥挤度): how crowded an opening or a cohort is, as its recent applications per free seat. When many
/// workers are shown the same few places, most of them are turned away while other places of the same trade stay
/// empty. So a crowded place is moved down — never hidden — for a worker who has a good alternative: another place
/// whose score is within <see cref="Tolerance"/> of it. A worker whose best place is far ahead of the rest keeps it
/// first. The penalty grows with the applications beyond one per seat and is capped, so it reorders near-ties and
/// never overturns a clear difference. The ranker's lists and the dispatch simulations read this one rule.
/// </summary>
public static class Congestion
{
    /// <summary>Another place within this many points of predicted retention is a good alternative.</summary>
    public const double Tolerance = 0.05;

    /// <summary>Points of score taken per application per seat beyond the first.</summary>
    public const double Weight = 0.01;

    /// <summary>The most a place can lose for being crowded.</summary>
    public const double MaxPenalty = 0.05;

    /// <summary>Applications per free seat; a place without a free seat counts as one seat (it is still shown).</summary>
    public static double ApplicationsPerSeat(int applications, int freeSeats) => Math.Max(0, applications) / (double)Math.Max(1, freeSeats);

    /// <summary>What the place's score loses for this worker.</summary>
    public static double Penalty(double applicationsPerSeat, bool workerHasGoodAlternative) =>
        workerHasGoodAlternative ? Math.Min(MaxPenalty, Weight * Math.Max(0, applicationsPerSeat - 1)) : 0;

    /// <summary>Whether some other score of the worker is a good alternative to <paramref name="score"/>.</summary>
    public static bool HasGoodAlternative(double score, double bestOtherScore) => bestOtherScore >= score - Tolerance;

    /// <summary>The reason shown beside a place that was moved down, in Chinese.</summary>
    public static string Reason(double applicationsPerSeat) =>
        $"近期报名较多（每个空位约{Math.Round(applicationsPerSeat, 1)}人报名），已适当后移，仍可报名";
}
