using Matching.Data.Demo;
using Matching.Data.Storage;
using Matching.Ranking.Features;
using Matching.Ranking.Model;
using Matching.Ranking.Recall;
using Matching.Ranking.Serving;
using Matching.Ranking.Training;

namespace Matching.Ranking.Tests;

/// <summary>
/// One real SQLite database in a temp folder with the demo data and its history (small), and a tiny model trained
/// from it into a temp models folder. Shared by the tests of the collection; nothing here is mocked.
/// </summary>
public sealed class RankingFixture : IAsyncLifetime
{
    public const int Workers = 4_000;

    public static readonly TrainingSettings TinyModel = new(Trees: 30, Leaves: 8, MinimumPairsPerLeaf: 10, LearningRate: 0.2, Kind: ModelKinds.FastTree);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"matching-ranking-tests-{Guid.NewGuid():N}");

    public string DataDirectory => Path.Combine(Folder, "data");

    public string ModelDirectory => Path.Combine(Folder, "models");

    public DataEnvironment Environment { get; private set; } = null!;

    public TimeProvider Time { get; } = TimeProvider.System;

    public IReadOnlyList<FeaturedPair> Pairs { get; private set; } = [];

    public TrainingResult Trained { get; private set; } = null!;

    public ProfileReader Profiles => new(Environment.Database, Time);

    public FeatureBuilder Features => new(Environment.Catalogue);

    public SqlCandidateRecall Recall => new(Environment.Database, Environment.Catalogue, Profiles);

    /// <summary>The SQL recall of an opening's candidates by id (empty when it does not exist).</summary>
    public async Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(long openingId, int limit) =>
        await Profiles.GetOpeningAsync(openingId) is { } opening ? await Recall.RecallWorkersAsync(opening, limit) : [];

    /// <summary>The SQL recall of a worker's openings by id (empty when the worker does not exist).</summary>
    public async Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(long workerId, int limit) =>
        await Profiles.GetWorkerAsync(workerId) is { } worker ? await Recall.RecallOpeningsAsync(worker, limit) : [];

    public async Task InitializeAsync()
    {
        Environment = DataEnvironment.Open(new MatchingOptions { DataDirectory = DataDirectory, DemoWorkers = 0 }, Time);
        await new DemoSeeder(Environment, Time).SeedAsync(Workers);
        Pairs = await TrainingData.BuildAsync(Environment.Database, Features, Profiles);
        Trained = new RetentionTrainer(Time).Train(Pairs, TinyModel);
        RetentionTrainer.Save(Trained, ModelDirectory);
    }

    public MatchRanker Ranker(RankingOptions options, RetentionModelProvider? models = null) => new(
        Recall, Profiles, Features,
        models ?? new RetentionModelProvider(ModelDirectory, Time, TimeSpan.Zero),
        new HistoryCache(Environment.Database, Time, TimeSpan.FromMinutes(5)),
        new CohortFinder(Environment.Database, Environment.Catalogue, Time),
        options, Time);

    public Task DisposeAsync()
    {
        Environment.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder does not change any result.
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class RankingCollection : ICollectionFixture<RankingFixture>
{
    public const string Name = "ranking database";
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
