using Dapper;
using Matching.Data.Bases;
using Matching.Data.Demo;
using Matching.Data.Employers;
using Matching.Data.Openings;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Placements;
using Matching.Domain.Validation;
using Matching.Ranking.Features;
using Matching.Ranking.Training;

namespace Matching.Ranking.Tests;

[Collection(RankingCollection.Name)]
public sealed class DemoHistoryTests(RankingFixture fixture)
{
    [Fact]
    public async Task The_demo_history_has_every_kind_of_outcome_dated_before_six_month_outcomes_are_due()
    {
        await using var connection = await fixture.Environment.Database.OpenAsync();
        var outcomes = (await connection.QueryAsync<(string Outcome, long Count)>("SELECT outcome, COUNT(*) FROM match_offers GROUP BY outcome"))
            .ToDictionary(o => o.Outcome, o => o.Count);
        Assert.True(outcomes.GetValueOrDefault("declined") > 0 && outcomes.GetValueOrDefault("no-show") > 0 && outcomes.GetValueOrDefault("placed") > 0);
        var latestOffer = await connection.ExecuteScalarAsync<string>("SELECT MAX(offered_on) FROM match_offers");
        var today = ChinaTime.Today(fixture.Time);
        Assert.True(DateOnly.Parse(latestOffer!, System.Globalization.CultureInfo.InvariantCulture).AddMonths(7) <= today);
        var placedWithoutPlacement = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM match_offers WHERE outcome = 'placed' AND placement_id NOT IN (SELECT id FROM placements)");
        Assert.Equal(0, placedWithoutPlacement);
        var twoActive = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM (SELECT worker_id FROM placements WHERE status = 'active' GROUP BY worker_id HAVING COUNT(*) > 1)");
        Assert.Equal(0, twoActive);
    }

    [Fact]
    public async Task Documented_factors_move_outcomes_the_documented_way()
    {
        // seeds/demo-history.md: the offered wage above the worker's expectation raises retention, fellow villagers too.
        var pairs = fixture.Pairs;
        double RetainedShare(IEnumerable<FeaturedPair> subset) => subset.Average(p => p.Pair.Retained ? 1.0 : 0.0);
        var wellPaid = pairs.Where(p => p.Features[(int)Feature.WageVsExpected] >= 1.5f).ToList();
        var poorlyPaid = pairs.Where(p => p.Features[(int)Feature.WageVsExpected] <= 0f).ToList();
        Assert.True(wellPaid.Count > 50 && poorlyPaid.Count > 50);
        Assert.True(RetainedShare(wellPaid) > RetainedShare(poorlyPaid) + 0.1);
        var withFellows = pairs.Where(p => p.Features[(int)Feature.FellowVillagersRetained] >= 1).ToList();
        var withoutFellows = pairs.Where(p => p.Features[(int)Feature.FellowVillagersRetained] == 0).ToList();
        Assert.True(withFellows.Count > 30);
        Assert.True(RetainedShare(withFellows) > RetainedShare(withoutFellows));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Generating_the_history_twice_is_refused_and_changes_nothing()
    {
        await using var connection = await fixture.Environment.Database.OpenAsync();
        var before = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM match_offers");
        var history = new DemoHistory(fixture.Environment, fixture.Time);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => history.GenerateAsync());
        Assert.Contains("已有演示历史", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM match_offers"));
    }
}

/// <summary>Labels from real placements, follow-ups and offers written through the stores, in a database of their own.</summary>
public sealed class LabelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"matching-labels-{Guid.NewGuid():N}");
    private readonly DataEnvironment _environment;
    private readonly TimeProvider _time = TimeProvider.System;

    public LabelTests() => _environment = DataEnvironment.Open(new MatchingOptions { DataDirectory = _folder, DemoWorkers = 0 }, _time);

    [Fact]
    public async Task Retained_six_months_is_positive_left_within_three_months_declined_or_no_show_negative_and_months_three_to_six_left_out()
    {
        var today = ChinaTime.Today(_time);
        var demo = new DemoData(_environment.Catalogue, today);
        var employer = demo.Employers(1)[0];
        var employerId = (await new EmployerStore(_environment.Database, _time).CreateAsync(employer.Employer)).Id;
        var baseId = (await new TrainingBaseStore(_environment.Database, _time).CreateAsync(employer.Bases[0].Base with { EmployerId = employerId })).Id;
        var openingId = (await new OpeningStore(_environment.Database, _time).CreateAsync(employer.Bases[0].Openings[0] with { BaseId = baseId })).Id;
        var workerStore = new WorkerStore(_environment.Database, _environment.Protector, _time);
        var workerIds = new List<long>();
        foreach (var w in demo.Workers(6))
        {
            workerIds.Add((await workerStore.CreateAsync(w)).Id);
        }
        var placements = new PlacementStore(_environment.Database, _time);
        var start = today.AddMonths(-10);

        async Task<long> Place(long workerId) =>
            (await placements.CreateAsync(new PlacementDraft(workerId, employerId, openingId, null, start, 5000))).Id;

        var retained = await Place(workerIds[0]);
        await placements.RecordFollowUpAsync(retained, 1, new FollowUpDraft(start.AddMonths(1), true, 5000, null), null);
        await placements.RecordFollowUpAsync(retained, 3, new FollowUpDraft(start.AddMonths(3), true, 5000, null), null);
        await placements.RecordFollowUpAsync(retained, 6, new FollowUpDraft(start.AddMonths(6), true, 5000, null), null);
        var leftEarly = await Place(workerIds[1]);
        await placements.RecordFollowUpAsync(leftEarly, 1, new FollowUpDraft(start.AddMonths(1), false, null, "回家了"), null);
        var leftAtFive = await Place(workerIds[2]);
        await placements.RecordFollowUpAsync(leftAtFive, 3, new FollowUpDraft(start.AddMonths(3), true, 5000, null), null);
        await placements.RecordFollowUpAsync(leftAtFive, 6, new FollowUpDraft(start.AddMonths(5), false, null, null), null);
        await Place(workerIds[3]); // no follow-up yet: outcome unknown
        await using (var connection = await _environment.Database.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO match_offers (opening_id, worker_id, offered_on, search_score, outcome, placement_id, created_at)
                VALUES (@OpeningId, @Declined, @On, 1.2, 'declined', NULL, @On), (@OpeningId, @NoShow, @On, 0.8, 'no-show', NULL, @On)
                """, new { OpeningId = openingId, Declined = workerIds[4], NoShow = workerIds[5], On = start.AddDays(-20) });
        }

        var labels = (await TrainingData.LoadLabelsAsync(_environment.Database)).ToDictionary(l => l.WorkerId);

        Assert.True(labels[workerIds[0]].Retained);
        Assert.False(labels[workerIds[1]].Retained);
        Assert.False(labels.ContainsKey(workerIds[2]));
        Assert.False(labels.ContainsKey(workerIds[3]));
        Assert.False(labels[workerIds[4]].Retained);
        Assert.False(labels[workerIds[5]].Retained);
        Assert.Equal(1.2, labels[workerIds[4]].SearchScore);
        Assert.Equal(4, labels.Count);

        // The same placements as history: only outcomes known before the day count.
        var history = await RetentionHistory.LoadAsync(_environment.Database);
        Assert.Equal(3, history.Count);
        var county = (await workerStore.GetAsync(workerIds[0]))!.CountyCode;
        Assert.Equal(0, history.At(employerId, county, start.AddMonths(6)).Retained);
        Assert.Equal(1, history.At(employerId, county, start.AddMonths(6).AddDays(1)).Retained);
    }

    public void Dispose()
    {
        _environment.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder; harmless if left.
        }
    }
}

public sealed class RetentionHistoryTests
{
    [Fact]
    public void Outcomes_known_on_or_after_the_day_are_not_counted_so_training_never_sees_the_future()
    {
        var day = new DateOnly(2025, 6, 1);
        var history = new RetentionHistory(
        [
            new PlacementOutcome(1, "520111", day.AddDays(-10), true),
            new PlacementOutcome(1, "520111", day.AddDays(-5), false),
            new PlacementOutcome(1, "520222", day.AddDays(-3), true),
            new PlacementOutcome(1, "520111", day, true),
            new PlacementOutcome(2, "520111", day.AddDays(-30), true),
        ]);

        var record = history.At(1, "520111", day);

        Assert.Equal(3, record.Placements);
        Assert.Equal(2, record.Retained);
        Assert.Equal(1, record.FellowVillagersRetained);
        Assert.Equal(new EmployerRecord(0, 0, 0), history.At(1, "520111", day.AddDays(-10)));
        Assert.Equal(4, history.At(1, "520111", day.AddDays(1)).Placements);
    }
}
