using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Rules;

public class CohortRulesTests
{
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;

    private static CohortInput Valid() => new(
        BaseId: 3,
        Name: "焊工岗前培训2026年4月",
        TrainingType: "pre-job",
        Trades: ["T029"],
        Capacity: 40,
        MinSize: 15,
        EnrolmentDeadline: new DateOnly(2026, 4, 1),
        StartDate: new DateOnly(2026, 4, 8),
        EndDate: new DateOnly(2026, 5, 8),
        LinkedOpeningIds: [11, 12],
        Status: "planned");

    private static (CohortDraft? Draft, ValidationErrors Errors) Validate(CohortInput input)
    {
        var errors = new ValidationErrors();
        return (CohortRules.Validate(input, Catalogue, errors), errors);
    }

    private static void RefusedOn(string field, CohortInput input)
    {
        var (draft, errors) = Validate(input);
        Refusal.OnlyOn(field, draft, errors);
    }

    [Fact]
    public void A_complete_cohort_is_accepted()
    {
        var (draft, errors) = Validate(Valid() with { Status = null, MinSize = null });
        Refusal.Accepted(draft, errors);
        Assert.Equal(CohortStatus.Planned, draft!.Status);
        Assert.Equal(1, draft.MinSize);
    }

    [Fact]
    public void Base_name_training_type_and_trades_are_required()
    {
        RefusedOn("baseId", Valid() with { BaseId = null });
        RefusedOn("name", Valid() with { Name = null });
        RefusedOn("trainingType", Valid() with { TrainingType = null });
        RefusedOn("trainingType", Valid() with { TrainingType = "night-school" });
        RefusedOn("trades", Valid() with { Trades = [] });
        RefusedOn("trades[0]", Valid() with { Trades = ["T999"] });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Capacity_must_be_positive_and_bounded(int capacity)
    {
        RefusedOn("capacity", Valid() with { Capacity = capacity, MinSize = 1 });
    }

    [Fact]
    public void Minimum_size_above_capacity_is_refused_on_minSize()
    {
        RefusedOn("minSize", Valid() with { Capacity = 20, MinSize = 21 });
        var (draft, errors) = Validate(Valid() with { Capacity = 20, MinSize = 20 });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Enrolment_deadline_after_start_is_refused()
    {
        RefusedOn("enrolmentDeadline", Valid() with { EnrolmentDeadline = new DateOnly(2026, 4, 9) });
    }

    [Fact]
    public void End_before_start_is_refused_and_one_day_training_is_accepted()
    {
        RefusedOn("endDate", Valid() with { EndDate = new DateOnly(2026, 4, 7) });
        var (draft, errors) = Validate(Valid() with { EndDate = new DateOnly(2026, 4, 8) });
        Refusal.Accepted(draft, errors);
    }

    [Fact]
    public void Training_longer_than_a_year_is_refused()
    {
        RefusedOn("endDate", Valid() with { EndDate = new DateOnly(2027, 4, 10) });
    }

    [Fact]
    public void Dates_are_required()
    {
        RefusedOn("startDate", Valid() with { StartDate = null });
        RefusedOn("endDate", Valid() with { EndDate = null });
        RefusedOn("enrolmentDeadline", Valid() with { EnrolmentDeadline = null });
    }

    [Fact]
    public void Linked_openings_must_be_valid_ids_without_repeats()
    {
        RefusedOn("linkedOpeningIds", Valid() with { LinkedOpeningIds = [11, 11] });
        RefusedOn("linkedOpeningIds", Valid() with { LinkedOpeningIds = [0] });
        RefusedOn("linkedOpeningIds", Valid() with { LinkedOpeningIds = Enumerable.Range(1, 21).Select(i => (long)i).ToList() });
    }

    [Fact]
    public void Unknown_status_is_refused()
    {
        RefusedOn("status", Valid() with { Status = "running" });
    }

    [Fact]
    public void Name_with_control_characters_or_too_long_is_refused()
    {
        RefusedOn("name", Valid() with { Name = "焊工\u001f班" });
        RefusedOn("name", Valid() with { Name = new string('班', 101) });
    }

    [Theory]
    [InlineData("planned", "open")]
    [InlineData("open", "confirmed")]
    [InlineData("confirmed", "in-training")]
    [InlineData("in-training", "completed")]
    [InlineData("planned", "cancelled")]
    [InlineData("open", "cancelled")]
    [InlineData("confirmed", "cancelled")]
    [InlineData("in-training", "cancelled")]
    [InlineData("open", "open")]
    [InlineData("completed", "completed")]
    public void Cohort_may_move_forward_one_step_or_be_cancelled_before_it_ends(string from, string to)
    {
        Assert.True(CohortStatus.CanMove(from, to));
    }

    [Theory]
    [InlineData("open", "planned")]
    [InlineData("confirmed", "open")]
    [InlineData("planned", "confirmed")]
    [InlineData("planned", "in-training")]
    [InlineData("planned", "completed")]
    [InlineData("open", "completed")]
    [InlineData("completed", "cancelled")]
    [InlineData("completed", "in-training")]
    [InlineData("cancelled", "open")]
    [InlineData("cancelled", "planned")]
    [InlineData("unknown", "open")]
    public void Cohort_may_not_skip_steps_go_back_or_leave_a_final_state(string from, string to)
    {
        Assert.False(CohortStatus.CanMove(from, to));
    }

    [Fact]
    public void Every_status_has_a_Chinese_name()
    {
        Assert.All(CohortStatus.All, s => Assert.NotEqual(s, CohortStatus.NameOf(s)));
    }
}
