using Matching.Domain.Catalogues;
using Matching.Domain.Matching;

namespace Matching.Allocation;

/// <summary>
/// Whether a worker–cohort pair may be offered (硬性条件): the eligibility rule for at least one of the cohort's target
/// openings (<see cref="CohortEligibility"/>) and no held seat whose dates overlap. A pair that breaks either is never
/// offered, whatever its score. Pure, so the property tests check every assignment of every mode against it.
/// </summary>
public static class HardConstraints
{
    /// <summary>Why the pair may not be offered, in Chinese; empty when it may.</summary>
    public static IReadOnlyList<string> Violations(WorkerProfile worker, CohortProfile cohort, Catalogue catalogue)
    {
        var broken = CohortEligibility.Reasons(catalogue, worker.Terms, cohort.Terms).ToList();
        if (CohortEligibility.Overlapping(worker.Held, cohort.CohortId, cohort.StartDate, cohort.EndDate) is { } other)
        {
            broken.Add(CohortEligibility.OverlapReason(other));
        }
        return broken;
    }

    public static bool IsFeasible(WorkerProfile worker, CohortProfile cohort, Catalogue catalogue) =>
        CohortEligibility.Overlapping(worker.Held, cohort.CohortId, cohort.StartDate, cohort.EndDate) is null
        && CohortEligibility.Admits(catalogue, worker.Terms, cohort.Terms);
}
