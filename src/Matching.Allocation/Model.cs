using Matching.Domain.Matching;

namespace Matching.Allocation;

/// <summary>
/// What the allocation needs to know about a worker (劳动者): the eligibility rule's terms and what a score reads (home
/// prefecture, education, registration day); no name, ID number or phone.
/// </summary>
public sealed record WorkerProfile(
    long WorkerId,
    string CountyCode,
    WorkerTerms Terms,
    IReadOnlyList<string> PriorityGroups,
    int ExpectedWage,
    IReadOnlyList<HeldEnrolment> Held,
    string PrefectureCode = "",
    string Education = "",
    DateOnly RegisteredOn = default)
{
    /// <summary>In any priority group (重点群体): the policy weight applies.</summary>
    public bool InPriorityGroup => PriorityGroups.Count > 0;
}

/// <summary>What an opening a cohort trains for offers its trainees (for the score): the wage range and housing.</summary>
public sealed record OpeningOffer(int WageMin, int WageMax, bool Accommodation);

/// <summary>
/// A cohort (培训班期) with free seats: the eligibility rule's terms (its dates, place and the openings it trains for,
/// <see cref="CohortTerms.Targets"/>) and, per target, what the opening offers. Nothing is folded: a worker is feasible
/// when eligible for at least one target, and is scored against the best of those.
/// </summary>
public sealed record CohortProfile(CohortTerms Terms, int FreeSeats, IReadOnlyList<OpeningOffer> Offers)
{
    public long CohortId => Terms.CohortId;

    public string Name => Terms.Name;

    public DateOnly StartDate => Terms.StartDate;

    public DateOnly EndDate => Terms.EndDate;

    /// <summary>What the target (an index into <see cref="CohortTerms.Targets"/>) offers; nothing known for the cohort's own terms.</summary>
    public OpeningOffer Offer(int target) => target < Offers.Count ? Offers[target] : NoOffer;

    /// <summary>The opening id of the target; 0 for the cohort's own terms.</summary>
    public long OpeningId(int target) => Terms.Targets[target].OpeningId;

    private static readonly OpeningOffer NoOffer = new(0, 0, false);
}

/// <summary>
/// A feasible worker–cohort pair: the eligibility rule admits the worker for the cohort's target opening
/// <see cref="Target"/> (an index into <see cref="CohortTerms.Targets"/>, the best-scoring such opening), and no held
/// seat overlaps. <see cref="RetentionProbability"/> is the predicted probability of a retained placement (≥ 6 months)
/// in [0, 1]; <see cref="WorkerPreference"/> orders the worker's own wishes (higher is preferred) for the stable mode.
/// Workers and cohorts are indexes into the problem's lists, so a large round stays compact; the reasons a clerk reads
/// are made for the assigned pairs only (<see cref="ICandidatePairSource.Reasons"/>).
/// </summary>
public readonly record struct CandidatePair(int Worker, int Cohort, int Target, double RetentionProbability, bool PriorityGroup, double WorkerPreference);

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

    /// <summary>按分贪心: workers in registration order each take the best-scoring cohort that still has a seat (a baseline).</summary>
    public const string Greedy = "greedy";

    /// <summary>推荐投递: each worker applies to the first places of the ranked list shown to them (a simulation, not a mode to commit).</summary>
    public const string Recommended = "recommended";

    /// <summary>The same with the list ordered with congestion awareness (<see cref="Domain.Matching.Congestion"/>).</summary>
    public const string RecommendedCongestion = "recommended-congestion";

    public static readonly IReadOnlyList<string> Selectable = [Optimal, Stable];
}
