using Matching.Domain.Placements;
using Matching.Domain.Validation;

namespace Matching.Domain.Tests.Rules;

public class PlacementRulesTests
{
    private static readonly DateOnly Today = new(2026, 3, 15);

    private static PlacementInput Valid() => new(WorkerId: 1, EmployerId: 2, OpeningId: 3, CohortId: 4, StartDate: new DateOnly(2026, 3, 1), MonthlyWage: 5800);

    private static void RefusedOn(string field, PlacementInput input)
    {
        var errors = new ValidationErrors();
        Refusal.OnlyOn(field, PlacementRules.Validate(input, Today, errors), errors);
    }

    private static void RefusedOn(string field, FollowUpInput input)
    {
        var errors = new ValidationErrors();
        Refusal.OnlyOn(field, PlacementRules.Validate(input, new DateOnly(2026, 1, 10), Today, errors), errors);
    }

    [Fact]
    public void A_complete_placement_is_accepted_and_opening_and_cohort_are_optional()
    {
        var errors = new ValidationErrors();
        var draft = PlacementRules.Validate(Valid() with { OpeningId = null, CohortId = null }, Today, errors);
        Refusal.Accepted(draft, errors);
        Assert.Null(draft!.OpeningId);
    }

    [Fact]
    public void Follow_ups_are_at_1_3_6_and_12_months()
    {
        Assert.Equal([1, 3, 6, 12], PlacementRules.FollowUpMonths);
    }

    [Fact]
    public void Worker_and_employer_are_required()
    {
        RefusedOn("workerId", Valid() with { WorkerId = null });
        RefusedOn("employerId", Valid() with { EmployerId = 0 });
    }

    [Fact]
    public void Non_positive_opening_or_cohort_ids_are_refused()
    {
        RefusedOn("openingId", Valid() with { OpeningId = 0 });
        RefusedOn("cohortId", Valid() with { CohortId = -1 });
    }

    [Fact]
    public void Start_date_is_required_and_within_ten_years_back_to_one_year_ahead()
    {
        RefusedOn("startDate", Valid() with { StartDate = null });
        RefusedOn("startDate", Valid() with { StartDate = Today.AddYears(1).AddDays(1) });
        RefusedOn("startDate", Valid() with { StartDate = Today.AddYears(-10).AddDays(-1) });
    }

    [Theory]
    [InlineData(999)]
    [InlineData(100_001)]
    [InlineData(null)]
    public void Wage_must_be_in_range(int? wage)
    {
        RefusedOn("monthlyWage", Valid() with { MonthlyWage = wage });
    }

    [Fact]
    public void A_follow_up_between_start_and_today_is_accepted()
    {
        var errors = new ValidationErrors();
        var draft = PlacementRules.Validate(new FollowUpInput(new DateOnly(2026, 2, 10), false, null, "已回乡"), new DateOnly(2026, 1, 10), Today, errors);
        Refusal.Accepted(draft, errors);
        Assert.False(draft!.StillEmployed);
    }

    [Fact]
    public void Follow_up_date_before_the_start_or_after_today_is_refused()
    {
        RefusedOn("followedUpOn", new FollowUpInput(new DateOnly(2026, 1, 9), true, 5800, null));
        RefusedOn("followedUpOn", new FollowUpInput(Today.AddDays(1), true, 5800, null));
        RefusedOn("followedUpOn", new FollowUpInput(null, true, 5800, null));
    }

    [Fact]
    public void Follow_up_must_say_whether_the_worker_is_still_employed()
    {
        RefusedOn("stillEmployed", new FollowUpInput(new DateOnly(2026, 2, 10), null, 5800, null));
    }

    [Fact]
    public void Follow_up_wage_and_note_are_checked()
    {
        RefusedOn("monthlyWage", new FollowUpInput(new DateOnly(2026, 2, 10), true, 500, null));
        RefusedOn("note", new FollowUpInput(new DateOnly(2026, 2, 10), true, null, "电话\u0000不通"));
        RefusedOn("note", new FollowUpInput(new DateOnly(2026, 2, 10), true, null, new string('好', 1001)));
    }
}
