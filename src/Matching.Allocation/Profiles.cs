using Matching.Domain.Workers;

namespace Matching.Allocation;

/// <summary>What one linked opening (岗位) asks of the cohort's trainees.</summary>
public sealed record OpeningRequirement(int AgeMin, int AgeMax, bool RequiresSpecialOperation, int MinLevel, int WageMin, int WageMax, bool Accommodation);

/// <summary>Builds allocation profiles from stored or generated records.</summary>
public static class Profiles
{
    /// <summary>Ages accepted by a cohort that links no opening: the working ages of the worker rules.</summary>
    public const int DefaultAgeMin = 16;
    public const int DefaultAgeMax = 60;

    /// <summary>
    /// A cohort with the requirements of its linked openings folded in: a trainee may fill any one of them, so the
    /// widest age range, the lowest skill level and the best wages count; the special-operation certificate is
    /// required when any opening or the trade itself requires it.
    /// </summary>
    public static CohortProfile Cohort(long cohortId, string name, IReadOnlyList<string> trades, DateOnly start, DateOnly end, int freeSeats,
        string provinceCode, string cityCode, IReadOnlyCollection<OpeningRequirement> openings, bool tradeIsSpecialOperation)
    {
        if (openings.Count == 0)
        {
            return new CohortProfile(cohortId, name, trades, start, end, freeSeats, provinceCode, cityCode, DefaultAgeMin, DefaultAgeMax,
                tradeIsSpecialOperation, 1, 0, 0, false);
        }
        return new CohortProfile(cohortId, name, trades, start, end, freeSeats, provinceCode, cityCode,
            openings.Min(o => o.AgeMin), openings.Max(o => o.AgeMax), tradeIsSpecialOperation || openings.Any(o => o.RequiresSpecialOperation),
            openings.Min(o => o.MinLevel), openings.Max(o => o.WageMin), openings.Max(o => o.WageMax), openings.Any(o => o.Accommodation));
    }

    /// <summary>A worker profile from a validated worker, with the trades their valid special-operation certificates cover on <paramref name="onDay"/>.</summary>
    public static WorkerProfile Worker(long workerId, WorkerDraft draft, DateOnly onDay, IReadOnlyList<HeldEnrolment> held) => new(
        workerId, draft.CountyCode, draft.BirthDate,
        draft.Trades.Select(t => new TradeSkill(t.TradeId, t.Level)).ToList(),
        SpecialOperationTrades(draft.Certificates, onDay),
        draft.PriorityGroups, draft.PreferredDestinations, draft.ExpectedMonthlyWage, draft.AvailableFrom, held);

    /// <summary>Trades covered by a special-operation certificate (特种作业操作证) not expired on the day.</summary>
    public static IReadOnlyList<string> SpecialOperationTrades(IEnumerable<WorkerCertificate> certificates, DateOnly onDay) =>
        certificates.Where(c => c.Type == "special-operation" && c.TradeId is not null && (c.ExpiresOn is null || c.ExpiresOn >= onDay))
            .Select(c => c.TradeId!).Distinct().ToList();
}
