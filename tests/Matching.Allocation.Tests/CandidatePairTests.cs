using Matching.Domain.Matching;
using Matching.Domain.Workers;

namespace Matching.Allocation.Tests;

/// <summary>The candidate source and its hard constraints, as a clerk reviewing a round would read them.</summary>
public sealed class CandidatePairTests
{
    private static readonly DateOnly Start = TestCatalogue.Today.AddDays(30);

    private static CohortProfile WeldingCohort(int ageMax = 45, string province = "440000", string city = "440300", int minLevel = 1) =>
        TestCohorts.Create(200, "焊工岗前培训7月班", "T029", Start, Start.AddDays(20), 10, province, city, 18, ageMax, minLevel, 5200, 6500, accommodation: true);

    private static WorkerProfile Welder(int age = 30, IReadOnlyList<string>? certificates = null, IReadOnlyList<string>? destinations = null,
        DateOnly? availableFrom = null, IReadOnlyList<HeldEnrolment>? held = null, string trade = "T029", IReadOnlyList<string>? intentions = null) =>
        new(1, "520502", new WorkerTerms(Start.AddYears(-age).AddDays(-10), [new WorkerTrade(trade, 2)],
            (certificates ?? ["T029"]).Select(t => new WorkerCertificate("special-operation", t, null, TestCatalogue.Today.AddYears(-1), TestCatalogue.Today.AddYears(3))).ToList(),
            destinations ?? ["440000"], availableFrom ?? TestCatalogue.Today, intentions ?? []), ["poverty-lifted"], 5000, held ?? []);

    private static HeuristicCandidatePairSource Source => new(TestCatalogue.Instance);

    private static IReadOnlyList<CandidatePair> Pairs(WorkerProfile worker, CohortProfile cohort) => Source.FindPairs([worker], [cohort], perWorker: 20);

    [Fact]
    public void A_qualified_welder_is_paired_with_reasons_in_chinese()
    {
        var worker = Welder();
        var cohort = WeldingCohort();
        var pair = Assert.Single(Pairs(worker, cohort));
        Assert.InRange(pair.RetentionProbability, 0, 1);
        Assert.True(pair.PriorityGroup);
        var reasons = Source.Reasons(new AllocationProblem([worker], [cohort], [pair], 0), pair);
        Assert.Contains("工种对口：焊工", reasons);
        Assert.Contains("第1志愿地区：广东省", reasons);
        Assert.Contains("包住宿", reasons);
        Assert.Contains(reasons, r => r.StartsWith("重点群体：", StringComparison.Ordinal));
    }

    public static TheoryData<string, WorkerProfile, string> Refusals => new()
    {
        { "no special-operation certificate", Welder(certificates: []), "缺少特种作业操作证" },
        { "too old for the openings", Welder(age: 50), "年龄不符：岗位要求18至45周岁" },
        { "not available by the start", Welder(availableFrom: Start.AddDays(1)), "开班时劳动者尚不能出行" },
        { "wants another province", Welder(destinations: ["330000"]), "不在劳动者意向地区" },
        { "wants another city of the province", Welder(destinations: ["440100"]), "不在劳动者意向地区" },
        { "other trade family", Welder(trade: "T001", certificates: []), "工种不对口" },
        { "intends another training", Welder(intentions: ["on-the-job"]), "劳动者未表示愿意参加岗前培训" },
        { "holds an overlapping cohort", Welder(held: [new HeldEnrolment(9, "电工岗前培训7月班", Start.AddDays(5), Start.AddDays(40))]), "与已报名的班期“电工岗前培训7月班”时间重叠" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_pair_breaking_the_eligibility_rule_is_never_a_candidate(string why, WorkerProfile worker, string message)
    {
        Assert.Empty(Pairs(worker, WeldingCohort()));
        var violations = HardConstraints.Violations(worker, WeldingCohort(), TestCatalogue.Instance);
        Assert.True(violations.Any(v => v.StartsWith(message, StringComparison.Ordinal)), $"{why}: {string.Join("; ", violations)}");
    }

    [Fact]
    public void A_worker_below_the_openings_minimum_level_is_never_a_candidate()
    {
        // The welder is 初级工 (2); the cohort's opening asks for 高级工 (4).
        Assert.Empty(Pairs(Welder(), WeldingCohort(minLevel: 4)));
        Assert.Contains(HardConstraints.Violations(Welder(), WeldingCohort(minLevel: 4), TestCatalogue.Instance), v => v.StartsWith("技能等级不足", StringComparison.Ordinal));
        Assert.Single(Pairs(Welder(), WeldingCohort(minLevel: 2)));
    }

    [Fact]
    public void A_related_trade_of_the_same_family_is_a_candidate_but_scores_below_the_same_trade()
    {
        var same = Assert.Single(Pairs(Welder(), WeldingCohort()));
        var worker = Welder(trade: "T031", certificates: ["T029"]);
        var related = Assert.Single(Pairs(worker, WeldingCohort()));
        Assert.True(related.RetentionProbability < same.RetentionProbability);
        var reasons = Source.Reasons(new AllocationProblem([worker], [WeldingCohort()], [related], 0), related);
        Assert.Contains(reasons, r => r.StartsWith("同属", StringComparison.Ordinal) && r.Contains("氩弧焊工→焊工", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cohort_for_several_openings_admits_a_worker_eligible_for_one_and_scores_the_best_of_those()
    {
        var young = new OpeningTerms("T029", 1, 8, ["special-operation"], 18, 25, "440000", "440300", "pre-job");
        var anyAgeLowPay = new OpeningTerms("T029", 1, 8, ["special-operation"], 18, 55, "440000", "440300", "pre-job");
        var anyAgeGoodPay = new OpeningTerms("T029", 1, 8, ["special-operation"], 18, 55, "440000", "440300", "pre-job");
        var skilled = new OpeningTerms("T029", 5, 8, ["special-operation"], 18, 55, "440000", "440300", "pre-job");
        var cohort = TestCohorts.Several(300, "焊工联合培训班", Start, Start.AddDays(20), 5, "440000", "440300",
            (31, young, new OpeningOffer(9000, 9500, true)), (32, anyAgeLowPay, new OpeningOffer(3000, 3500, false)),
            (33, anyAgeGoodPay, new OpeningOffer(6000, 7000, true)), (34, skilled, new OpeningOffer(9000, 9900, true)));

        // Aged 40 at level 2: not the young one, not the skilled one; of the other two the better-paid scores higher.
        var pair = Assert.Single(Pairs(Welder(age: 40), cohort));
        Assert.Equal(33, cohort.OpeningId(pair.Target));
        // The folded profile of old (widest ages, lowest level) would not let anyone through whom no opening admits.
        Assert.Empty(Pairs(Welder(age: 60), cohort));
        var reasons = Source.Reasons(new AllocationProblem([Welder(age: 40)], [cohort], [pair], 0), pair);
        Assert.Contains(reasons, r => r.Contains("编号 33", StringComparison.Ordinal));
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
