namespace Matching.Allocation.Tests;

/// <summary>
/// Properties every dispatch round must have, checked on hundreds of random rounds: no cohort over its free seats,
/// no worker twice, no hard constraint broken, the optimal objective never below the clerk's baseline (nor below the
/// stable mode, nor below the true optimum found by exhaustive search on small rounds), and no blocking pair in
/// the stable mode.
/// </summary>
public sealed class AllocationPropertyTests
{
    public static TheoryData<string> Modes => [AllocationModes.Optimal, AllocationModes.Stable, AllocationModes.FirstComeFirstServed, AllocationModes.Greedy,
        AllocationModes.Recommended, AllocationModes.RecommendedCongestion];

    private static AllocationOutcome Run(string mode, AllocationProblem problem) => mode switch
    {
        AllocationModes.Optimal => OptimalAllocator.Solve(problem),
        AllocationModes.Stable => StableAllocator.Solve(problem),
        AllocationModes.Greedy => GreedyByScore.Solve(problem),
        AllocationModes.Recommended => RecommendationRound.Solve(problem),
        AllocationModes.RecommendedCongestion => RecommendationRound.Solve(problem, applicationsPerSeat: RecommendationRound.ApplicationsPerSeat(problem)),
        _ => FirstComeFirstServed.Solve(problem),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Congestion_awareness_fills_more_seats_when_everyone_is_shown_the_same_few_cohorts(int seed)
    {
        // Thirty cohorts of two seats; every worker may join any of them; cohorts differ in how well they suit
        // everyone (0.70 down to 0.41) and each worker a little (±0.03): the lists shown all start alike.
        var random = new Random(seed);
        var cohorts = Enumerable.Range(0, 30).Select(c => TestCohorts.Create(100 + c, $"班期{c}", "T001", TestCatalogue.Today.AddDays(20),
            TestCatalogue.Today.AddDays(40), 2, "440000", "440300")).ToList();
        var terms = new Domain.Matching.WorkerTerms(new DateOnly(1995, 1, 1), [new Domain.Workers.WorkerTrade("T001", 2)], [], [], TestCatalogue.Today, []);
        var workers = Enumerable.Range(0, 120).Select(w => new WorkerProfile(1000 + w, "520502", terms, [], 4000, [])).ToList();
        var pairs = new List<CandidatePair>();
        for (var w = 0; w < workers.Count; w++)
        {
            for (var c = 0; c < cohorts.Count; c++)
            {
                pairs.Add(new CandidatePair(w, c, 0, 0.70 - 0.01 * c + (random.NextDouble() - 0.5) * 0.06, false, 0));
            }
        }
        var problem = new AllocationProblem(workers, cohorts, pairs, 0);

        var unaware = RecommendationRound.Solve(problem);
        var crowding = RecommendationRound.ApplicationsPerSeat(problem);
        var aware = RecommendationRound.Solve(problem, applicationsPerSeat: crowding);

        Assert.True(crowding.Max() > 10, $"the first cohorts are crowded: {crowding.Max():F1} applications a seat");
        Assert.True(aware.Figures.SeatsFilled > unaware.Figures.SeatsFilled,
            $"seed {seed}: {aware.Figures.SeatsFilled} seats filled with congestion awareness, {unaware.Figures.SeatsFilled} without");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void No_cohort_is_given_more_than_its_free_seats_and_no_worker_two_seats(string mode)
    {
        for (var seed = 0; seed < 150; seed++)
        {
            var problem = RandomRounds.Create(seed, workers: 40, cohorts: 8);
            var outcome = Run(mode, problem);
            var perCohort = outcome.Assignments.GroupBy(a => problem.Pairs[a.Pair].Cohort);
            foreach (var cohort in perCohort)
            {
                Assert.True(cohort.Count() <= problem.Cohorts[cohort.Key].FreeSeats,
                    $"seed {seed}: cohort {problem.Cohorts[cohort.Key].CohortId} got {cohort.Count()} for {problem.Cohorts[cohort.Key].FreeSeats} seats");
            }
            var workers = outcome.Assignments.Select(a => problem.Pairs[a.Pair].Worker).ToList();
            Assert.Equal(workers.Count, workers.Distinct().Count());
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Every_assignment_keeps_every_hard_constraint(string mode)
    {
        for (var seed = 0; seed < 150; seed++)
        {
            var problem = RandomRounds.Create(seed, workers: 40, cohorts: 8);
            foreach (var assignment in Run(mode, problem).Assignments)
            {
                var pair = problem.Pairs[assignment.Pair];
                var violations = HardConstraints.Violations(problem.Workers[pair.Worker], problem.Cohorts[pair.Cohort], TestCatalogue.Instance);
                Assert.True(violations.Count == 0, $"seed {seed}: {string.Join("; ", violations)}");
            }
        }
    }

    [Fact]
    public void Optimal_objective_is_never_below_the_baseline_nor_the_stable_mode()
    {
        var strictlyBetter = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var problem = RandomRounds.Create(seed, workers: 60, cohorts: 10);
            var optimal = OptimalAllocator.Solve(problem).Figures.Objective;
            var baseline = FirstComeFirstServed.Solve(problem).Figures.Objective;
            var stable = StableAllocator.Solve(problem).Figures.Objective;
            Assert.True(optimal >= baseline, $"seed {seed}: optimal {optimal} < baseline {baseline}");
            Assert.True(optimal >= stable, $"seed {seed}: optimal {optimal} < stable {stable}");
            strictlyBetter += optimal > baseline ? 1 : 0;
        }
        // The rounds are contested, so choosing well must usually beat first come, first served.
        Assert.True(strictlyBetter > 100, $"optimal beat the baseline in only {strictlyBetter} of 200 rounds");
    }

    [Fact]
    public void Optimal_objective_equals_the_best_found_by_exhaustive_search_on_small_rounds()
    {
        for (var seed = 0; seed < 120; seed++)
        {
            var problem = RandomRounds.Create(seed, workers: 7, cohorts: 3);
            var optimal = OptimalAllocator.Solve(problem);
            Assert.Equal(Exhaustive(problem), (long)Math.Round(optimal.Figures.Objective * AllocationProblem.Scale));
        }
    }

    [Fact]
    public void Stable_mode_leaves_no_blocking_pair()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var problem = RandomRounds.Create(seed, workers: 50, cohorts: 8);
            var outcome = StableAllocator.Solve(problem);
            var assignedPair = outcome.Assignments.ToDictionary(a => problem.Pairs[a.Pair].Worker, a => a.Pair);
            var held = outcome.Assignments.GroupBy(a => problem.Pairs[a.Pair].Cohort).ToDictionary(g => g.Key, g => g.Select(a => a.Pair).ToList());
            for (var p = 0; p < problem.Pairs.Count; p++)
            {
                var pair = problem.Pairs[p];
                if (assignedPair.TryGetValue(pair.Worker, out var current) && (current == p || !StableAllocator.WorkerPrefers(problem, p, current)))
                {
                    continue; // the worker has this cohort or one they like better
                }
                var holders = held.GetValueOrDefault(pair.Cohort) ?? [];
                var seats = problem.Cohorts[pair.Cohort].FreeSeats;
                var key = (problem.WeightUnits(pair), pair.Worker);
                var cohortWouldTake = holders.Count < seats
                    || holders.Any(h => StableAllocator.CohortPrefers(key, (problem.WeightUnits(problem.Pairs[h]), problem.Pairs[h].Worker)));
                Assert.False(cohortWouldTake, $"seed {seed}: worker {problem.Workers[pair.Worker].WorkerId} and cohort {problem.Cohorts[pair.Cohort].CohortId} block the matching");
            }
        }
    }

    [Fact]
    public void A_higher_priority_weight_places_priority_group_workers_first_when_seats_are_short()
    {
        var problem = RandomRounds.Create(7, workers: 200, cohorts: 6, priorityWeight: 0);
        var weighted = new AllocationProblem(problem.Workers, problem.Cohorts, problem.Pairs, 1.0);
        var without = OptimalAllocator.Solve(problem).Figures;
        var with = OptimalAllocator.Solve(weighted).Figures;
        Assert.True(with.PriorityGroupPlaced > without.PriorityGroupPlaced,
            $"priority-group workers placed: {with.PriorityGroupPlaced} with the weight, {without.PriorityGroupPlaced} without");
        // The weight trades some expected retention for the policy, never more than it gains.
        Assert.True(with.ExpectedRetained <= without.ExpectedRetained + 1e-9);
    }

    [Fact]
    public void Independent_parts_are_solved_separately_with_the_same_result_as_one_graph()
    {
        // Workers with one trade each: the general and the welding families never meet.
        var problem = RandomRounds.Create(11, workers: 120, cohorts: 12, secondTrades: false);
        var parallel = OptimalAllocator.Solve(problem);
        var sequential = OptimalAllocator.Solve(problem, maxParallelism: 1);
        Assert.True(parallel.Components > 1, "the random round should fall apart into several parts");
        Assert.Equal(sequential.Figures.Objective, parallel.Figures.Objective);
    }

    /// <summary>The best objective (in weight units) by trying every assignment: each worker takes one of its pairs or none.</summary>
    private static long Exhaustive(AllocationProblem problem)
    {
        var byWorker = problem.Pairs.Select((pair, index) => (pair, index)).GroupBy(x => x.pair.Worker).Select(g => g.Select(x => x.index).ToList()).ToList();
        var seats = problem.Cohorts.Select(c => c.FreeSeats).ToArray();
        long Best(int w)
        {
            if (w == byWorker.Count)
            {
                return 0;
            }
            var best = Best(w + 1);
            foreach (var p in byWorker[w])
            {
                var pair = problem.Pairs[p];
                if (seats[pair.Cohort] > 0)
                {
                    seats[pair.Cohort]--;
                    best = Math.Max(best, problem.WeightUnits(pair) + Best(w + 1));
                    seats[pair.Cohort]++;
                }
            }
            return best;
        }
        return Best(0);
    }
}
