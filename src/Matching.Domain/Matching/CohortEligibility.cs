using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Workers;

namespace Matching.Domain.Matching;

/// <summary>An opening (岗位) a cohort trains for, as the eligibility rule reads it; id 0 for a cohort's own terms.</summary>
public sealed record CohortOpening(long OpeningId, OpeningTerms Terms);

/// <summary>A seat the worker already holds or waits for (offered, accepted or waitlisted), which binds their dates.</summary>
public sealed record HeldEnrolment(long CohortId, string CohortName, DateOnly StartDate, DateOnly EndDate);

/// <summary>
/// A training cohort (培训班期) as the eligibility rule reads it: its dates, place, training type and the openings it
/// trains for. <see cref="Targets"/> is what a trainee must be eligible for, on the cohort's start day: each linked
/// opening; for a cohort linking none, the cohort's own trades at its base (from level 1, the registrable working
/// ages, the special-operation certificate where a trade needs it, its training type).
/// </summary>
public sealed record CohortTerms(
    long CohortId,
    string Name,
    IReadOnlyList<string> Trades,
    string TrainingType,
    DateOnly StartDate,
    DateOnly EndDate,
    string ProvinceCode,
    string CityCode,
    IReadOnlyList<CohortOpening> Openings)
{
    public IReadOnlyList<CohortOpening> Targets { get; } = Openings.Count > 0
        ? Openings
        : Trades.Select(t => new CohortOpening(0, new OpeningTerms(t, 1, 8, [], WorkerRules.MinAge, WorkerRules.MaxAge, ProvinceCode, CityCode, TrainingType))).ToList();
}

/// <summary>
/// The eligibility rule applied to a cohort: a worker may take a seat when eligible (<see cref="Eligibility"/>) for at
/// least one opening the cohort trains for, on its start day; the round scores the pair against the best such opening.
/// Separately, a worker holds one cohort at a time: the dates of a held seat may not overlap (<see cref="Overlapping"/>).
/// </summary>
public static class CohortEligibility
{
    public static bool Admits(Catalogue catalogue, WorkerTerms worker, CohortTerms cohort)
    {
        foreach (var target in cohort.Targets)
        {
            if (Eligibility.Admits(catalogue, worker, target.Terms, cohort.StartDate))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Indexes into <see cref="CohortTerms.Targets"/> of the openings the worker is eligible for.</summary>
    public static IEnumerable<int> AdmittingTargets(Catalogue catalogue, WorkerTerms worker, CohortTerms cohort)
    {
        for (var i = 0; i < cohort.Targets.Count; i++)
        {
            if (Eligibility.Admits(catalogue, worker, cohort.Targets[i].Terms, cohort.StartDate))
            {
                yield return i;
            }
        }
    }

    /// <summary>
    /// Why the worker may not take a seat, in Chinese; empty when eligible for some opening. With several openings, the
    /// reasons of the one the worker comes closest to (fewest failed parts), named.
    /// </summary>
    public static IReadOnlyList<string> Reasons(Catalogue catalogue, WorkerTerms worker, CohortTerms cohort)
    {
        IReadOnlyList<Ineligibility>? closest = null;
        CohortOpening? closestTarget = null;
        foreach (var target in cohort.Targets)
        {
            var failed = Eligibility.Check(catalogue, worker, target.Terms, cohort.StartDate);
            if (failed.Count == 0)
            {
                return [];
            }
            if (closest is null || failed.Count < closest.Count)
            {
                closest = failed;
                closestTarget = target;
            }
        }
        if (closest is null)
        {
            return ["班期没有可培训的工种"];
        }
        return cohort.Targets.Count > 1 && closestTarget is { OpeningId: > 0 }
            ? closest.Select(f => $"{f.Reason}（最接近的岗位编号 {closestTarget.OpeningId}）").ToList()
            : closest.Select(f => f.Reason).ToList();
    }

    /// <summary>A held seat whose dates overlap the cohort's (both ends inclusive), or the same cohort; else null.</summary>
    public static HeldEnrolment? Overlapping(IReadOnlyList<HeldEnrolment> held, long cohortId, DateOnly start, DateOnly end)
    {
        foreach (var h in held)
        {
            if (h.CohortId == cohortId || (h.StartDate <= end && start <= h.EndDate))
            {
                return h;
            }
        }
        return null;
    }

    public static string OverlapReason(HeldEnrolment other) => $"与已报名的班期“{other.CohortName}”时间重叠";
}

/// <summary>
/// When an opening's candidates must be ready (the start day the eligibility rule is applied on), and which cohorts
/// take enrolments. One definition for recall (SQL and search index), ranking and the closing-training suggestion.
/// </summary>
public static class Intakes
{
    /// <summary>An opening with no upcoming cohort hires directly: candidates must be available within this many days.</summary>
    public const int DirectHireDays = 30;

    /// <summary>
    /// Whether the cohort takes enrolments today with a seat to give: <see cref="CohortStatus.TakesEnrolment"/> (open,
    /// before its deadline; a full cohort still waitlists) and a free seat.
    /// </summary>
    public static bool TakesEnrolments(string status, DateOnly enrolmentDeadline, int capacity, int seatsTaken, DateOnly today) =>
        CohortStatus.TakesEnrolment(status, enrolmentDeadline, today) && seatsTaken < capacity;

    /// <summary>An upcoming intake of an opening: a planned or open cohort, its deadline not passed, a free seat.</summary>
    public static bool IsUpcoming(string status, DateOnly enrolmentDeadline, DateOnly startDate, int capacity, int seatsTaken, DateOnly today) =>
        status is CohortStatus.Planned or CohortStatus.Open && today <= enrolmentDeadline && today <= startDate && seatsTaken < capacity;

    /// <summary>The start day of an opening: its earliest upcoming intake, else (direct hire) today + <see cref="DirectHireDays"/>.</summary>
    public static DateOnly StartOf(DateOnly? earliestUpcoming, DateOnly today) => earliestUpcoming ?? today.AddDays(DirectHireDays);
}
