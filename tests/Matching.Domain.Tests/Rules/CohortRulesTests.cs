using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Rules;

public class CohortRulesTests
{
    private static readonly Catalogue Catalogue = RepoCatalogue.Instance;

    /// <summary>The day the clerk types the cohort in, a fortnight before its enrolment deadline.</summary>
    private static readonly DateOnly Today = new(2026, 3, 18);

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
        return (CohortRules.Validate(input, Catalogue, Today, errors), errors);
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

    [Theory]
    [InlineData("0001-01-01")]
    [InlineData("0001-01-03")]
    [InlineData("9999-12-31")]
    [InlineData("2026-02-15")] // 31 days before today
    [InlineData("2028-03-19")] // two years and a day ahead
    public void Each_date_lies_from_shortly_before_today_to_two_years_ahead(string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        RefusedOn("enrolmentDeadline", Valid() with { EnrolmentDeadline = day });
    }

    [Fact]
    public void The_edges_of_the_window_are_accepted_and_the_start_and_end_are_checked_too()
    {
        var (edge, edgeErrors) = Validate(Valid() with { EnrolmentDeadline = Today.AddDays(-30), StartDate = Today.AddDays(-30), EndDate = Today });
        Refusal.Accepted(edge, edgeErrors);
        var (far, farErrors) = Validate(Valid() with { EnrolmentDeadline = Today.AddYears(2), StartDate = Today.AddYears(2), EndDate = Today.AddYears(2).AddDays(366) });
        Refusal.Accepted(far, farErrors);
        RefusedOn("startDate", Valid() with { StartDate = new DateOnly(9999, 12, 29) });
        RefusedOn("endDate", Valid() with { EndDate = new DateOnly(9999, 12, 31) });
        var (draft, errors) = Validate(Valid() with { StartDate = new DateOnly(1, 1, 2), EndDate = new DateOnly(1, 1, 3), EnrolmentDeadline = new DateOnly(1, 1, 1) });
        Assert.Null(draft);
        Assert.Superset(new HashSet<string> { "enrolmentDeadline", "startDate", "endDate" }, errors.ToDictionary().Keys.ToHashSet());
    }

    [Fact]
    public void A_replacement_may_keep_dates_it_had_but_not_move_them_out_of_the_window()
    {
        // A cohort in training since two months ago keeps its start date when its capacity is changed.
        var stored = new CohortStored(CohortStatus.InTraining, Today.AddDays(-70), Today.AddDays(-60), Today.AddDays(30));
        var input = Valid() with { Status = CohortStatus.InTraining, EnrolmentDeadline = stored.EnrolmentDeadline, StartDate = stored.StartDate, EndDate = stored.EndDate };
        var errors = new ValidationErrors();
        Refusal.Accepted(CohortRules.Validate(input, Catalogue, Today, errors, stored), errors);
        errors = new ValidationErrors();
        Refusal.OnlyOn("startDate", CohortRules.Validate(input with { StartDate = Today.AddDays(-61) }, Catalogue, Today, errors, stored), errors);
    }

    [Theory]
    [InlineData("open")]
    [InlineData("confirmed")]
    [InlineData("in-training")]
    [InlineData("completed")]
    [InlineData("cancelled")]
    public void A_new_cohort_starts_as_planned(string status)
    {
        RefusedOn("status", Valid() with { Status = status });
        var errors = new ValidationErrors();
        var stored = new CohortStored(status, new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 8), new DateOnly(2026, 5, 8));
        Refusal.Accepted(CohortRules.Validate(Valid() with { Status = status }, Catalogue, Today, errors, stored), errors);
    }

    private static readonly CohortProgress Progress = new(new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 8), new DateOnly(2026, 5, 8), Accepted: 15, MinSize: 15);

    [Theory]
    [InlineData("planned", "open", "2026-04-01", null)]
    [InlineData("planned", "open", "2026-04-02", "报名截止日")]
    [InlineData("open", "confirmed", "2026-04-02", null)]
    [InlineData("confirmed", "in-training", "2026-04-07", "开班日期")]
    [InlineData("confirmed", "in-training", "2026-04-08", null)]
    [InlineData("in-training", "completed", "2026-05-07", "结业日期")]
    [InlineData("in-training", "completed", "2026-05-08", null)]
    [InlineData("in-training", "cancelled", "2026-04-20", null)]
    [InlineData("planned", "completed", "2026-06-01", "不能从")]
    [InlineData("completed", "cancelled", "2026-06-01", "不能从")]
    [InlineData("cancelled", "open", "2026-03-20", "不能从")]
    public void Every_status_change_follows_one_rule_of_order_and_dates(string from, string to, string on, string? refusedBecause)
    {
        var refusal = CohortStatus.Refusal(from, to, Progress, DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture));
        if (refusedBecause is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.Contains(refusedBecause, refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_cohort_is_confirmed_only_with_enough_accepted_workers()
    {
        Assert.Contains("最低开班人数", CohortStatus.Refusal("open", "confirmed", Progress with { Accepted = 14 }, new DateOnly(2026, 4, 2)), StringComparison.Ordinal);
    }
}
