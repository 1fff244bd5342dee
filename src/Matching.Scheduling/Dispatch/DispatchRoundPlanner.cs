using Matching.Allocation;
using Matching.Data.Dispatch;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;

namespace Matching.Scheduling.Dispatch;

/// <summary>What a dry run is asked for: whose workers, which mode, how much the priority groups weigh.</summary>
public sealed record RoundRequest(string ScopeKind, string ScopeCode, IReadOnlyList<string>? Counties, string Mode, double PriorityWeight,
    long? UserId, string UserName, string? ProposalPeriod = null);

/// <summary>
/// Runs a dispatch round's dry run (试算): reads the open cohorts and the scope's workers, asks the candidate source for
/// feasible pairs, solves the chosen mode and the first-come-first-served baseline on the same pairs, and stores both
/// for review. Offers are only made when the round is committed.
/// </summary>
public sealed class DispatchRoundPlanner(Database database, Catalogue catalogue, ICandidatePairSource candidates, TimeProvider time)
{
    /// <summary>Candidate cohorts kept per worker, as search recall would return them.</summary>
    public const int CandidatesPerWorker = 20;

    public const double DefaultPriorityWeight = 0.2;

    public async Task<WriteResult> DryRunAsync(RoundRequest request, CancellationToken cancellationToken = default)
    {
        var (problem, _) = await LoadAsync(request.Counties, request.PriorityWeight, cancellationToken);
        var outcome = request.Mode == AllocationModes.Stable ? StableAllocator.Solve(problem) : OptimalAllocator.Solve(problem);
        var baseline = FirstComeFirstServed.Solve(problem);
        var perCohort = Count(problem, outcome);
        var perCohortBaseline = Count(problem, baseline);
        var draft = new RoundDraft(request.Mode, request.ScopeKind, request.ScopeCode, request.PriorityWeight, request.ProposalPeriod, request.UserId,
            request.UserName, problem.Workers.Count, problem.Cohorts.Count, problem.Pairs.Count, outcome.Figures.FreeSeats,
            Figures(outcome.Figures), Figures(baseline.Figures), (long)outcome.Elapsed.TotalMilliseconds,
            problem.Cohorts.Select((c, i) => new RoundCohortDraft(c.CohortId, c.Name, c.FreeSeats, perCohort[i], perCohortBaseline[i])).ToList(),
            outcome.Assignments.Select(a =>
            {
                var pair = problem.Pairs[a.Pair];
                var worker = problem.Workers[pair.Worker];
                return new RoundAssignmentDraft(worker.WorkerId, problem.Cohorts[pair.Cohort].CohortId, worker.CountyCode, pair.RetentionProbability,
                    pair.PriorityGroup, pair.Reasons);
            }).ToList());
        return await new DispatchRoundStore(database, time, catalogue).CreateAsync(draft, cancellationToken);
    }

    /// <summary>The round's input as the allocation sees it: open cohorts with free seats, the scope's workers, their feasible pairs.</summary>
    public async Task<(AllocationProblem Problem, IReadOnlyList<CohortProfile> Cohorts)> LoadAsync(IReadOnlyList<string>? counties, double priorityWeight, CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(time);
        var inputs = new DispatchInputs(database);
        var (openCohorts, openings) = await inputs.OpenCohortsAsync(today, cancellationToken);
        var (workers, active) = await inputs.WorkersAsync(counties, cancellationToken);
        var cohorts = CohortProfiles(openCohorts, openings);
        var held = active.ToLookup(a => a.WorkerId, a => new HeldEnrolment(a.CohortId, a.CohortName, a.StartDate, a.EndDate));
        var profiles = workers.Select(w => new WorkerProfile(w.Id, w.CountyCode, w.BirthDate, w.Trades.Select(t => new TradeSkill(t.TradeId, t.Level)).ToList(),
            Profiles.SpecialOperationTrades(w.Certificates, today), w.PriorityGroups, w.Destinations, w.ExpectedWage, w.AvailableFrom, held[w.Id].ToList())).ToList();
        var pairs = await candidates.FindPairsAsync(profiles, cohorts, CandidatesPerWorker, cancellationToken);
        return (new AllocationProblem(profiles, cohorts, pairs, priorityWeight), cohorts);
    }

    public IReadOnlyList<CohortProfile> CohortProfiles(IReadOnlyList<OpenCohort> cohorts, IReadOnlyList<CohortOpening> openings)
    {
        var byCohort = openings.ToLookup(o => o.CohortId);
        return cohorts.Select(c => Profiles.Cohort(c.Id, c.Name, c.Trades, c.StartDate, c.EndDate, c.FreeSeats, c.ProvinceCode, c.CityCode,
            byCohort[c.Id].Select(o => new OpeningRequirement(o.AgeMin, o.AgeMax, o.RequiredCertificates.Contains("special-operation"), o.MinLevel,
                o.WageMin, o.WageMax, o.Accommodation)).ToList(),
            c.Trades.Any(t => catalogue.TradesById.TryGetValue(t, out var trade) && trade.SpecialOperation))).ToList();
    }

    private static int[] Count(AllocationProblem problem, AllocationOutcome outcome)
    {
        var counts = new int[problem.Cohorts.Count];
        foreach (var a in outcome.Assignments)
        {
            counts[problem.Pairs[a.Pair].Cohort]++;
        }
        return counts;
    }

    private static RoundFigures Figures(AllocationFigures f) => new(f.SeatsFilled, Math.Round(f.FillRate, 4), Math.Round(f.ExpectedRetained, 2),
        f.PriorityGroupPlaced, Math.Round(f.PriorityShare, 4), Math.Round(f.Objective, 2));
}
