namespace Matching.Allocation.Tests;

/// <summary>The candidate source and its hard constraints, as a clerk reviewing a round would read them.</summary>
public sealed class CandidatePairTests
{
    private static readonly DateOnly Start = TestCatalogue.Today.AddDays(30);

    private static CohortProfile WeldingCohort(int ageMax = 45, string province = "440000", string city = "440300", int minLevel = 1) =>
        new(200, "焊工岗前培训7月班", ["T029"], Start, Start.AddDays(20), 10, province, city, 18, ageMax, true, minLevel, 5200, 6500, true);

    private static WorkerProfile Welder(int age = 30, IReadOnlyList<string>? certificates = null, IReadOnlyList<string>? destinations = null,
        DateOnly? availableFrom = null, IReadOnlyList<HeldEnrolment>? held = null, string trade = "T029") =>
        new(1, "520502", Start.AddYears(-age).AddDays(-10), [new TradeSkill(trade, 2)], certificates ?? ["T029"], ["poverty-lifted"],
            destinations ?? ["440000"], 5000, availableFrom ?? TestCatalogue.Today, held ?? []);

    private static IReadOnlyList<CandidatePair> Pairs(WorkerProfile worker, CohortProfile cohort) =>
        new HeuristicCandidatePairSource(TestCatalogue.Instance).FindPairs([worker], [cohort], perWorker: 20);

    [Fact]
    public void A_qualified_welder_is_paired_with_reasons_in_chinese()
    {
        var pair = Assert.Single(Pairs(Welder(), WeldingCohort()));
        Assert.InRange(pair.RetentionProbability, 0, 1);
        Assert.True(pair.PriorityGroup);
        Assert.Contains("工种对口：焊工", pair.Reasons);
        Assert.Contains("第1志愿地区：广东省", pair.Reasons);
        Assert.Contains("包住宿", pair.Reasons);
        Assert.Contains(pair.Reasons, r => r.StartsWith("重点群体：", StringComparison.Ordinal));
    }

    public static TheoryData<string, WorkerProfile, string> Refusals => new()
    {
        { "no special-operation certificate", Welder(certificates: []), "缺少特种作业操作证" },
        { "too old for the openings", Welder(age: 50), "年龄不符：岗位要求18至45周岁" },
        { "not available by the start", Welder(availableFrom: Start.AddDays(1)), "开班时劳动者尚不能出行" },
        { "wants another province", Welder(destinations: ["330000"]), "不在劳动者意向地区" },
        { "other trade family", Welder(trade: "T001", certificates: []), "工种不对口" },
        { "holds an overlapping cohort", Welder(held: [new HeldEnrolment(9, "电工岗前培训7月班", Start.AddDays(5), Start.AddDays(40))]), "与已报名的班期“电工岗前培训7月班”时间重叠" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_pair_breaking_a_hard_constraint_is_never_a_candidate(string why, WorkerProfile worker, string message)
    {
        Assert.Empty(Pairs(worker, WeldingCohort()));
        var violations = HardConstraints.Violations(worker, WeldingCohort(), TestCatalogue.Instance);
        Assert.True(violations.Any(v => v.StartsWith(message, StringComparison.Ordinal)), $"{why}: {string.Join("; ", violations)}");
    }

    [Fact]
    public void A_worker_below_the_openings_minimum_level_is_never_a_candidate()
    {
        // The welder is 初级工 (2); the cohort's openings ask for 高级工 (4), as recall's hard constraints do.
        Assert.Empty(Pairs(Welder(), WeldingCohort(minLevel: 4)));
        Assert.Contains(HardConstraints.Violations(Welder(), WeldingCohort(minLevel: 4), TestCatalogue.Instance), v => v.StartsWith("技能等级不足", StringComparison.Ordinal));
        Assert.Single(Pairs(Welder(), WeldingCohort(minLevel: 2)));
    }

    [Fact]
    public void A_related_trade_of_the_same_family_is_a_candidate_but_scores_below_the_same_trade()
    {
        var same = Assert.Single(Pairs(Welder(), WeldingCohort()));
        var related = Assert.Single(Pairs(Welder(trade: "T031", certificates: ["T029"]), WeldingCohort()));
        Assert.True(related.RetentionProbability < same.RetentionProbability);
        Assert.Contains(related.Reasons, r => r.StartsWith("同属", StringComparison.Ordinal) && r.Contains("氩弧焊工→焊工", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cohort_ending_the_day_before_a_held_one_starts_does_not_overlap()
    {
        var held = new HeldEnrolment(9, "电工岗前培训8月班", Start.AddDays(21), Start.AddDays(40));
        Assert.Single(Pairs(Welder(held: [held]), WeldingCohort()));
    }

    [Fact]
    public void The_source_finds_exactly_the_feasible_pairs_and_keeps_the_best_per_worker()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var problem = RandomRounds.Create(seed, workers: 30, cohorts: 8);
            var all = new HeuristicCandidatePairSource(TestCatalogue.Instance).FindPairs(problem.Workers, problem.Cohorts, perWorker: 100);
            var feasible = problem.Workers.SelectMany((w, wi) => problem.Cohorts.Select((c, ci) => (wi, ci, ok: HardConstraints.Violations(w, c, TestCatalogue.Instance).Count == 0)))
                .Where(x => x.ok).Select(x => (x.wi, x.ci)).OrderBy(x => x).ToList();
            Assert.Equal(feasible, all.Select(p => (p.Worker, p.Cohort)).OrderBy(x => x).ToList());

            var top2 = new HeuristicCandidatePairSource(TestCatalogue.Instance).FindPairs(problem.Workers, problem.Cohorts, perWorker: 2);
            foreach (var group in all.GroupBy(p => p.Worker))
            {
                var kept = top2.Where(p => p.Worker == group.Key).ToList();
                Assert.Equal(Math.Min(2, group.Count()), kept.Count);
                var dropped = group.Where(p => !kept.Any(k => k.Cohort == p.Cohort));
                Assert.All(dropped, d => Assert.True(kept.All(k => k.RetentionProbability >= d.RetentionProbability)));
            }
        }
    }
}
