using Matching.Domain.Matching;
using Matching.Domain.Workers;

namespace Matching.Allocation;

/// <summary>Builds allocation profiles from validated or generated records.</summary>
public static class Profiles
{
    /// <summary>A worker profile from a validated worker (not in a job).</summary>
    public static WorkerProfile Worker(long workerId, WorkerDraft draft, IReadOnlyList<HeldEnrolment> held) => new(
        workerId, draft.CountyCode,
        new WorkerTerms(draft.BirthDate, draft.Trades, draft.Certificates, draft.PreferredDestinations, draft.AvailableFrom, draft.TrainingIntentions),
        draft.PriorityGroups, draft.ExpectedMonthlyWage, held);
}
