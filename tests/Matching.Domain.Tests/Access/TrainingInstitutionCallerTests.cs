using Matching.Domain.Access;

namespace Matching.Domain.Tests.Access;

/// <summary>
/// A training institution's caller: one institution id as its scope, and every rule about workers, placements, claims,
/// alerts and employers' records says no, whatever the county, groups or employer; only its own cohorts, trainees and
/// profile say yes.
/// </summary>
public sealed class TrainingInstitutionCallerTests
{
    private static readonly global::Matching.Domain.Catalogues.Catalogue Catalogue = RepoCatalogue.Instance;

    private static Caller Institution(long id) => Caller.Resolve(7, "school", Roles.TrainingInstitution, [id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Catalogue, out _)!;

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("520502,12")]
    [InlineData("abc")]
    public void Its_scope_is_exactly_one_institution_id(string scopes)
    {
        Assert.Null(Caller.Resolve(1, "school", Roles.TrainingInstitution, scopes.Split(',', StringSplitOptions.RemoveEmptyEntries), Catalogue, out var error));
        Assert.Equal("培训机构的范围应为一个培训机构编号", error);
    }

    [Fact]
    public void Every_rule_about_workers_placements_claims_alerts_and_employers_says_no()
    {
        var school = Institution(3);
        Assert.Equal(3, school.InstitutionId);
        Assert.Null(school.EmployerId);
        Assert.Null(school.LinkedEmployer);
        Assert.False(school.IsLabourOffice);
        Assert.False(school.OnlyPriorityGroupWorkers);
        foreach (var county in new[] { "520502", "520521" })
        {
            foreach (IReadOnlyList<string> groups in new[] { Array.Empty<string>(), ["monitored"] })
            {
                Assert.False(school.CanSeeWorker(county, groups, linkedToCallersEmployer: true));
                Assert.False(school.CanSeePlacement(county, groups, 1));
            }
            Assert.False(school.InRegion(county));
            Assert.False(school.CanWriteWorker(county));
            Assert.False(school.CanRevealWorker(county));
            Assert.False(school.CanWritePlacement(county, 1));
            Assert.False(school.CanSeeAlert(county));
            Assert.False(school.CanHandleAlert(county));
            Assert.False(school.CanSeeClaim(county));
            Assert.False(school.CanDecideClaim(county));
        }
        Assert.False(school.CanSeeEmployerData(1));
        Assert.False(school.CanWriteEmployerData(1));
        Assert.False(school.CanWriteInstitutions);
        Assert.Equal("王**", school.ShowName("王小勇", acceptedCallersOffer: false));
        Assert.Equal("王小勇", school.ShowName("王小勇", acceptedCallersOffer: true));
    }

    [Fact]
    public void Its_own_cohorts_trainees_teachers_and_profile_say_yes_another_institutions_no()
    {
        var school = Institution(3);
        Assert.True(school.CanSeeCohort(1, 3));
        Assert.True(school.CanRecordResults(1, 3));
        Assert.True(school.CanSeeTrainee("520502", ["monitored"], 1, 3));
        Assert.True(school.CanSeeTeachers(3, null));
        Assert.True(school.CanWriteTeachers(3, null));
        Assert.True(school.CanSeeInstitution(3));
        Assert.Equal(3, school.LinkedInstitution);
        foreach (var other in new long?[] { 4, null })
        {
            Assert.False(school.CanSeeCohort(1, other));
            Assert.False(school.CanRecordResults(1, other));
            Assert.False(school.CanSeeTrainee("520502", [], 1, other));
        }
        Assert.False(school.CanSeeTeachers(4, 1));
        Assert.False(school.CanWriteTeachers(4, 1));
        Assert.False(school.CanSeeInstitution(4));
    }

    [Fact]
    public void Its_account_administrator_administers_its_own_institutions_accounts_only()
    {
        var head = Institution(3) with { ManagesAccounts = true };
        var area = AccountArea.Of(head, Catalogue);
        Assert.Equal([Roles.TrainingInstitution], area.GrantableRoles);
        Assert.True(area.Admits(Roles.TrainingInstitution, ["3"]));
        Assert.False(area.Admits(Roles.TrainingInstitution, ["4"]));
        Assert.False(area.Admits(Roles.TrainingInstitution, ["3", "4"]));
        Assert.False(area.Admits(Roles.Enterprise, ["3"]));
        Assert.Empty(area.InstitutionDivisions);
        Assert.True(AccountArea.Of(Institution(3), Catalogue).IsEmpty);
    }
}
