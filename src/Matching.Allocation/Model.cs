namespace Matching.Allocation;

/// <summary>A trade the worker has (工种) at a level of the 新八级工 ladder.</summary>
public sealed record TradeSkill(string TradeId, int Level);

/// <summary>A seat the worker already holds or waits for (offered, accepted or waitlisted), for the overlap rule.</summary>
public sealed record HeldEnrolment(long CohortId, string CohortName, DateOnly StartDate, DateOnly EndDate);

/// <summary>What the allocation needs to know about a worker (劳动者). No names, ID numbers or phones.</summary>
public sealed record WorkerProfile(
    long WorkerId,
    string CountyCode,
    DateOnly BirthDate,
    IReadOnlyList<TradeSkill> Trades,
    IReadOnlyList<string> SpecialOperationTrades,
    IReadOnlyList<string> PriorityGroups,
    IReadOnlyList<string> Destinations,
    int ExpectedWage,
    DateOnly AvailableFrom,
    IReadOnlyList<HeldEnrolment> Held)
{
    /// <summary>In any priority group (重点群体): the policy weight applies.</summary>
    public bool InPriorityGroup => PriorityGroups.Count > 0;
}

/// <summary>
/// What the allocation needs to know about a cohort (培训班期) with free seats, the requirements of its linked openings
/// (岗位) folded in: the widest age range, whether any requires the special-operation certificate (特种作业操作证), the
/// lowest skill level and the best wage range offered.
/// </summary>
public sealed record CohortProfile(
    long CohortId,
    string Name,
    IReadOnlyList<string> Trades,
    DateOnly StartDate,
    DateOnly EndDate,
    int FreeSeats,
    string ProvinceCode,
    string CityCode,
    int AgeMin,
    int AgeMax,
    bool RequiresSpecialOperation,
    int MinLevel,
    int WageMin,
    int WageMax,
    bool Accommodation);

/// <summary>
/// A feasible worker–cohort pair: every hard constraint holds. <see cref="RetentionProbability"/> is the predicted
/// probability of a retained placement (≥ 6 months) in [0, 1]; <see cref="WorkerPreference"/> orders the worker's own
/// wishes (higher is preferred) for the stable mode; <see cref="Reasons"/> are short Chinese phrases for the clerk.
/// Workers and cohorts are indexes into the problem's lists, so a large round stays compact.
/// </summary>
public readonly record struct CandidatePair(int Worker, int Cohort, double RetentionProbability, bool PriorityGroup, double WorkerPreference, IReadOnlyList<string> Reasons);

/// <summary>
/// One dispatch round's input: workers, cohorts with free seats, the feasible pairs between them, and the policy
/// weight added per priority-group worker placed (重点群体优先).
/// </summary>
public sealed class AllocationProblem
{
    /// <summary>Weights are compared as integers of this many units per 1.0, so every solver optimises the same objective exactly.</summary>
    public const long Scale = 10_000;

    public AllocationProblem(IReadOnlyList<WorkerProfile> workers, IReadOnlyList<CohortProfile> cohorts, IReadOnlyList<CandidatePair> pairs, double priorityWeight)
    {
        if (priorityWeight is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(priorityWeight), "重点群体政策权重应在0至1之间");
        }
        Workers = workers;
        Cohorts = cohorts;
        Pairs = pairs;
        PriorityWeight = priorityWeight;
    }

    public IReadOnlyList<WorkerProfile> Workers { get; }
    public IReadOnlyList<CohortProfile> Cohorts { get; }
    public IReadOnlyList<CandidatePair> Pairs { get; }
    public double PriorityWeight { get; }

    /// <summary>What placing the pair adds to the objective: retention probability plus the policy weight for a priority-group worker.</summary>
    public long WeightUnits(in CandidatePair pair) =>
        (long)Math.Round((pair.RetentionProbability + (pair.PriorityGroup ? PriorityWeight : 0)) * Scale);
}

/// <summary>The pair chosen for a worker: index into <see cref="AllocationProblem.Pairs"/>.</summary>
public readonly record struct Assignment(int Pair);

/// <summary>How a round (or its baseline) did: seats filled, expected retained placements, share of priority-group workers.</summary>
public sealed record AllocationFigures(int FreeSeats, int SeatsFilled, double ExpectedRetained, int PriorityGroupPlaced, double Objective)
{
    public double FillRate => FreeSeats == 0 ? 0 : (double)SeatsFilled / FreeSeats;

    public double PriorityShare => SeatsFilled == 0 ? 0 : (double)PriorityGroupPlaced / SeatsFilled;

    public static AllocationFigures Of(AllocationProblem problem, IReadOnlyList<Assignment> assignments)
    {
        var expected = 0.0;
        var priority = 0;
        long units = 0;
        foreach (var assignment in assignments)
        {
            var pair = problem.Pairs[assignment.Pair];
            expected += pair.RetentionProbability;
            priority += pair.PriorityGroup ? 1 : 0;
            units += problem.WeightUnits(pair);
        }
        return new AllocationFigures(problem.Cohorts.Sum(c => c.FreeSeats), assignments.Count, expected, priority, (double)units / AllocationProblem.Scale);
    }
}

/// <summary>The assignments of a mode and how long the solve took.</summary>
public sealed record AllocationOutcome(string Mode, IReadOnlyList<Assignment> Assignments, AllocationFigures Figures, TimeSpan Elapsed, int Components);

public static class AllocationModes
{
    /// <summary>最优: maximise expected retained placements plus the priority-group weight (OR-Tools min-cost flow).</summary>
    public const string Optimal = "optimal";

    /// <summary>稳定: worker-proposing deferred acceptance, honouring worker preferences; cohorts rank by score.</summary>
    public const string Stable = "stable";

    /// <summary>先到先得: the clerk's baseline, workers in registration order take the earliest-starting feasible cohort.</summary>
    public const string FirstComeFirstServed = "first-come-first-served";

    public static readonly IReadOnlyList<string> Selectable = [Optimal, Stable];
}
