namespace Matching.Search.Indexing;

/// <summary>A document whose indexed fingerprint differs from the one SQL gives now (or that the index lacks).</summary>
public sealed record Mismatch(string Kind, long Id, string Problem);

/// <summary>The outcome: counts on both sides, how many sampled documents agreed, what differed.</summary>
public sealed record ConsistencyReport(
    IndexCounts Sql,
    IndexCounts Index,
    int WorkersSampled,
    int OpeningsSampled,
    IReadOnlyList<Mismatch> Mismatches,
    long OutboxPending)
{
    public bool Consistent => Sql == Index && Mismatches.Count == 0;
}

/// <summary>
/// Compares the index with SQL: document counts, and a sample of documents spread over the id range, each rebuilt
/// from SQL and compared by fingerprint with what the index holds. Pending outbox rows explain a difference that the
/// indexer has not caught up with yet.
/// </summary>
public sealed class ConsistencyCheck(SearchSource source, ISearchIndex index, OutboxIndexer outbox)
{
    public async Task<ConsistencyReport> RunAsync(int sample = 200, CancellationToken cancellationToken = default)
    {
        await index.EnsureCreatedAsync(cancellationToken);
        var sql = await source.CountAsync(cancellationToken);
        var indexed = await index.CountAsync(cancellationToken);
        var mismatches = new List<Mismatch>();

        var workerIds = await source.SampleIdsAsync(workers: true, sample, cancellationToken);
        var workers = await source.WorkersAsync(workerIds, cancellationToken);
        var workerPrints = (await index.WorkerFingerprintsAsync(workerIds, cancellationToken)).ToDictionary(p => p.Id, p => p.Hash);
        foreach (var d in workers)
        {
            Compare("worker", d.Id, d.Hash, workerPrints, mismatches);
        }

        var openingIds = await source.SampleIdsAsync(workers: false, sample, cancellationToken);
        var openings = await source.OpeningsAsync(openingIds, cancellationToken);
        var openingPrints = (await index.OpeningFingerprintsAsync(openingIds, cancellationToken)).ToDictionary(p => p.Id, p => p.Hash);
        foreach (var d in openings)
        {
            Compare("opening", d.Id, d.Hash, openingPrints, mismatches);
        }
        var pending = (await outbox.StatusAsync(cancellationToken)).Pending;
        return new ConsistencyReport(sql, indexed, workers.Count, openings.Count, mismatches, pending);
    }

    private static void Compare(string kind, long id, string expected, Dictionary<long, string> indexed, List<Mismatch> mismatches)
    {
        if (!indexed.TryGetValue(id, out var actual))
        {
            mismatches.Add(new Mismatch(kind, id, "索引中缺少该记录"));
        }
        else if (actual != expected)
        {
            mismatches.Add(new Mismatch(kind, id, "索引内容与数据库不一致"));
        }
    }
}
