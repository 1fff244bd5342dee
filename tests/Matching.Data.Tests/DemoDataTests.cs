using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Dapper;
using Matching.Data.Catalogues;
using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Domain.Bases;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Employers;
using Matching.Domain.Identity;
using Matching.Domain.Openings;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Data.Tests;

/// <summary>The demo data set: deterministic, spread over Guizhou, and valid by the same rules as typed-in data.</summary>
public class DemoDataTests
{
    private static readonly Catalogue Catalogue = CatalogueFiles.Load(CatalogueFiles.ResolveDirectory(null));
    private static readonly DateOnly Today = FixedClock.Today;

    /// <summary>The default demo size the service seeds on first start, generated once for the tests that read it.</summary>
    private static readonly Lazy<IReadOnlyList<WorkerDraft>> TwentyThousand = new(() => new DemoData(Catalogue, Today).Workers(20_000).ToList());

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    private static string Serialized(int seed, int employers, int workers)
    {
        var demo = new DemoData(Catalogue, Today, seed);
        return JsonSerializer.Serialize(new { Employers = demo.Employers(employers), Workers = demo.Workers(workers) }, Readable);
    }

    [Fact]
    public void Same_seed_and_sizes_give_identical_data()
    {
        var first = Serialized(DemoData.DefaultSeed, 30, 3_000);
        Assert.Equal(first, Serialized(DemoData.DefaultSeed, 30, 3_000));
        Assert.Contains("有限公司", first, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_seed_gives_different_data()
    {
        var demo = new DemoData(Catalogue, Today, DemoData.DefaultSeed);
        var other = new DemoData(Catalogue, Today, DemoData.DefaultSeed + 7);
        Assert.NotEqual(JsonSerializer.Serialize(demo.Workers(500)), JsonSerializer.Serialize(other.Workers(500)));
        Assert.NotEqual(JsonSerializer.Serialize(demo.Employers(30)), JsonSerializer.Serialize(other.Employers(30)));
    }

    [Fact]
    public void Twenty_thousand_workers_cover_all_88_counties()
    {
        var counties = TwentyThousand.Value.Select(w => w.CountyCode).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Catalogue.GuizhouCounties.Select(c => c.Code).Order(StringComparer.Ordinal), counties.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_generated_worker_passes_the_worker_rules_unchanged()
    {
        foreach (var w in TwentyThousand.Value)
        {
            var input = new WorkerInput(w.RealName, w.IdNumber, w.Gender, w.BirthDate, w.Phone, w.CountyCode, w.Education,
                w.Trades.Select(t => new WorkerTradeInput(t.TradeId, t.Level)).ToList(),
                w.Certificates.Select(c => new WorkerCertificateInput(c.Type, c.TradeId, c.Level, c.IssuedOn, c.ExpiresOn)).ToList(),
                w.PriorityGroups.ToList<string?>(), w.PreferredDestinations.ToList<string?>(), w.ExpectedMonthlyWage, w.AvailableFrom,
                w.TrainingIntentions.ToList<string?>(), w.Notes, w.HouseholdNumber, w.HouseholdType, w.EmploymentStatus);
            var errors = new ValidationErrors();
            var draft = WorkerRules.Validate(input, Catalogue, Today, errors);
            Assert.True(errors.IsValid, $"{w}: {errors}");
            Assert.Equal(JsonSerializer.Serialize(w), JsonSerializer.Serialize(draft));
        }
    }

    [Fact]
    public void Generated_id_numbers_and_phones_are_unique_and_valid()
    {
        var workers = TwentyThousand.Value;
        Assert.Equal(workers.Count, workers.Select(w => w.IdNumber).Distinct(StringComparer.Ordinal).Count());
        Assert.All(workers, w =>
        {
            Assert.True(ResidentIdNumber.TryParse(w.IdNumber, out var info, out _));
            Assert.Equal((w.Gender, w.BirthDate, w.CountyCode), (info!.Gender, info.BirthDate, info.AreaCode));
        });
    }

    [Fact]
    public void Generated_workers_look_like_a_county_survey()
    {
        var workers = TwentyThousand.Value;
        double Share(Func<WorkerDraft, bool> predicate) => workers.Count(predicate) / (double)workers.Count;
        Assert.InRange(Share(w => w.Gender == Gender.Female), 0.30, 0.55);
        Assert.InRange(Share(w => w.PriorityGroups.Contains("poverty-lifted")), 0.20, 0.45);
        Assert.All(workers, w => Assert.InRange(WorkerRules.AgeOn(w.BirthDate, Today), 18, 60));
        Assert.True(workers.SelectMany(w => w.Trades).Select(t => t.TradeId).Distinct().Count() >= 60);
        Assert.InRange(Share(w => w.Trades.Any(t => t.Level >= 4)), 0.01, 0.30);
        Assert.Equal(4, workers.SelectMany(w => w.PreferredDestinations).Select(Catalogue.ProvinceOf).Distinct().Count());
        // The survey fields (摸排): every worker has a household number of their county and a household type matching the priority groups.
        Assert.All(workers, w => Assert.StartsWith(w.CountyCode, w.HouseholdNumber, StringComparison.Ordinal));
        Assert.All(workers, w => Assert.True(HouseholdTypes.ImpliedPriorityGroup(w.HouseholdType) is not { } g || w.PriorityGroups.Contains(g), w.HouseholdType));
        Assert.InRange(Share(w => w.HouseholdType == HouseholdTypes.Monitored), 0.01, 0.10);
        Assert.InRange(Share(w => w.EmploymentStatus == EmploymentStatuses.Unemployed), 0.50, 0.75);
        Assert.Equal(3, workers.Select(w => w.EmploymentStatus).Distinct().Count());
    }

    [Fact]
    public void Generated_employers_bases_openings_and_cohorts_pass_their_rules()
    {
        var employers = new DemoData(Catalogue, Today).Employers(100);
        Assert.Equal(100, employers.Select(e => e.Employer.CreditCode).Distinct(StringComparer.Ordinal).Count());
        foreach (var e in employers)
        {
            Assert.True(CreditCode.TryValidate(e.Employer.CreditCode, out _, out var codeError), codeError);
            var errors = new ValidationErrors();
            var employer = EmployerRules.Validate(new EmployerInput(e.Employer.Name, e.Employer.CreditCode, e.Employer.CityCode,
                e.Employer.Industries.ToList<string?>(), e.Employer.ContactName, e.Employer.ContactPhone, e.Employer.Address), Catalogue, errors);
            Assert.True(errors.IsValid, errors.ToString());
            Assert.Contains(employer!.ProvinceCode, new[] { "440000", "330000", "350000", "320000" });
            Assert.NotEmpty(e.Bases);
            foreach (var b in e.Bases)
            {
                var d = b.Base;
                Assert.NotNull(TrainingBaseRules.Validate(new TrainingBaseInput(1, d.Name, d.Kind, d.CityCode, d.Address,
                    d.Trades.ToList<string?>(), d.TrainingTypes.ToList<string?>()), Catalogue, errors));
                Assert.Equal(employer.ProvinceCode, Catalogue.ProvinceOf(d.CityCode));
                Assert.NotEmpty(b.Openings);
                foreach (var o in b.Openings)
                {
                    Assert.NotNull(OpeningRules.Validate(new OpeningInput(1, o.Title, o.TradeId, o.MinLevel, o.MaxLevel, o.Headcount, o.WageMin,
                        o.WageMax, o.Accommodation, o.Meals, o.RequiredCertificates.ToList<string?>(), o.AgeMin, o.AgeMax, o.TrainingType,
                        o.Requirements, o.Status), Catalogue, errors));
                    Assert.Contains(o.TradeId, d.Trades);
                }
                foreach (var c in b.Cohorts)
                {
                    var k = c.Cohort;
                    // Seeded in its lifecycle state (open or planned), so checked as a stored cohort would be.
                    Assert.NotNull(CohortRules.Validate(new CohortInput(1, k.Name, k.TrainingType, k.Trades.ToList<string?>(), k.Capacity,
                        k.MinSize, k.EnrolmentDeadline, k.StartDate, k.EndDate, [], k.Status), Catalogue, Today, errors,
                        new CohortStored(k.Status, k.EnrolmentDeadline, k.StartDate, k.EndDate)));
                    Assert.NotNull(CohortRules.Validate(new CohortInput(1, k.Name, k.TrainingType, k.Trades.ToList<string?>(), k.Capacity,
                        k.MinSize, k.EnrolmentDeadline, k.StartDate, k.EndDate, [], null), Catalogue, Today, errors));
                    Assert.All(c.OpeningIndexes, i => Assert.InRange(i, 0, b.Openings.Count - 1));
                    Assert.True(k.StartDate > Today);
                }
                Assert.True(errors.IsValid, errors.ToString());
            }
        }
    }

    [Fact]
    public async Task Bulk_insert_of_5000_workers_keeps_the_unique_id_number_index()
    {
        using var data = new DataFixture();
        var drafts = new DemoData(Catalogue, Today).Workers(5_000).ToList();
        var reported = new List<long>();

        var written = await data.Workers.BulkInsertAsync(drafts, batchSize: 1_000, progress: new SynchronousProgress(reported.Add));

        Assert.Equal(5_000, written);
        Assert.Equal(5_000, await data.CountAsync("workers"));
        Assert.Equal(5_000, reported[^1]);
        await using (var connection = await data.Database.OpenAsync())
        {
            var indexes = (await connection.QueryAsync<(string Name, long Unique)>("SELECT name, \"unique\" FROM pragma_index_list('workers')")).ToList();
            Assert.Contains(("ux_workers_id_number_hash", 1L), indexes);
            Assert.Contains(indexes, i => i.Name == "ix_workers_county");
            Assert.Contains(indexes, i => i.Name == "ix_workers_phone_hash");
        }

        var duplicate = drafts[1234];
        var result = await data.Workers.CreateAsync(duplicate with { Phone = "13900009999" });
        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(await data.Workers.FindByIdNumberAsync(duplicate.IdNumber), result.Id);
        // The index itself refuses a duplicate that skips the store's own check.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => data.Workers.InsertOneAsync(duplicate));
        Assert.True(data.Database.Dialect.IsUniqueViolation(error), error.Message);
        Assert.Equal(5_000, await data.CountAsync("workers"));

        var stored = (await data.Workers.GetAsync(result.Id))!;
        Assert.Equal(duplicate.CountyCode, stored.CountyCode);
        Assert.Equal(duplicate.IdNumber, await data.Workers.RevealIdNumberAsync(result.Id));
    }

    [Fact]
    public async Task Bulk_insert_refusing_a_repeated_id_number_says_which_row_and_leaves_the_indexes_in_place()
    {
        using var data = new DataFixture();
        var drafts = new DemoData(Catalogue, Today).Workers(300).ToList();
        drafts.Insert(50, drafts[10]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => data.Workers.BulkInsertAsync(drafts, batchSize: 100));

        Assert.Contains("第 51 条", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(drafts[10].IdNumber, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await data.CountAsync("workers"));
        await using (var connection = await data.Database.OpenAsync())
        {
            var indexes = (await connection.QueryAsync<(string Name, long Unique)>("SELECT name, \"unique\" FROM pragma_index_list('workers')")).ToList();
            Assert.Contains(("ux_workers_id_number_hash", 1L), indexes);
            Assert.Contains(indexes, i => i.Name == "ix_workers_county");
        }
        await data.Workers.InsertOneAsync(drafts[0]);
        var duplicate = await Assert.ThrowsAnyAsync<Exception>(() => data.Workers.InsertOneAsync(drafts[0]));
        Assert.True(data.Database.Dialect.IsUniqueViolation(duplicate), duplicate.Message);
    }

    [Fact]
    public async Task Seeding_an_empty_database_writes_the_employers_their_bases_openings_cohorts_and_workers()
    {
        using var data = new DataFixture();
        var seeder = new DemoSeeder(data.Environment, data.Time);
        Assert.True(await seeder.IsEmptyAsync());

        var (employers, workers) = await seeder.SeedAsync(1_000);

        Assert.Equal((30, 1_000L), (employers, workers));
        Assert.False(await seeder.IsEmptyAsync());
        Assert.Equal(30, await data.CountAsync("employers"));
        Assert.True(await data.CountAsync("training_bases") >= 30);
        Assert.True(await data.CountAsync("cohort_openings") >= await data.CountAsync("training_bases"));
        Assert.Equal(1_000, await data.CountAsync("workers"));
        // A newcomer finds job-loss alerts (防返贫预警) raised through the real paths: early leaving and a follow-up finding the worker out of work.
        await using var connection = await data.Database.OpenAsync();
        var alerts = (await connection.QueryAsync<(string Trigger, string Groups)>(
            "SELECT a.trigger_kind, w.priority_groups FROM job_loss_alerts a JOIN workers w ON w.id = a.worker_id")).ToList();
        Assert.InRange(alerts.Count, 1, DemoSeeder.PlantedAlerts);
        Assert.All(alerts, a => Assert.True(a.Groups.Contains("|monitored|", StringComparison.Ordinal) || a.Groups.Contains("|poverty-lifted|", StringComparison.Ordinal)));
        // Openings and cohorts went through their stores: each is in the outbox for the search index (the planted
        // placement endings put their workers there too: no longer employed, they may be matched again).
        var queued = await connection.QuerySingleAsync<(long Openings, long Cohorts, long Workers)>(
            "SELECT SUM(CASE WHEN entity = 'opening' THEN 1 ELSE 0 END), SUM(CASE WHEN entity = 'cohort' THEN 1 ELSE 0 END), SUM(CASE WHEN entity = 'worker' THEN 1 ELSE 0 END) FROM outbox");
        Assert.Equal((await data.CountAsync("openings"), await data.CountAsync("cohorts")), (queued.Openings, queued.Cohorts));
        Assert.InRange(queued.Workers, 0, DemoSeeder.PlantedAlerts);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, too late to assert on).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
