using System.Runtime.CompilerServices;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Workers;

namespace Matching.Data.Ranking;

/// <summary>A worker found by the SQL recall, with the recall relevance SQL computed for the opening.</summary>
public sealed class CandidateWorkerRow
{
    public long Id { get; init; }
    public DateOnly BirthDate { get; init; }
    public string TradesJson { get; init; } = "[]";
    public string CertificatesJson { get; init; } = "[]";
    public string Destinations { get; init; } = "";
    public DateOnly AvailableFrom { get; init; }
    public string TrainingIntentions { get; init; } = "";
    public long Relevance { get; init; }

    /// <summary>What the eligibility rule reads of the worker (the query already left out workers in an active placement).</summary>
    public WorkerTerms Terms => new(BirthDate, StoredJson.Read<List<WorkerTrade>>(TradesJson), StoredJson.Read<List<WorkerCertificate>>(CertificatesJson),
        Codes.Split(Destinations), AvailableFrom, Codes.Split(TrainingIntentions));
}

/// <summary>
/// The workers an opening may recall, straight from SQL, as a competent developer would write it: the worker–trade
/// table (kept by triggers, indexed by trade and level) finds the workers of the opening's trade family at its level;
/// age, availability, destination, training intention and "not in a job" are conditions on those rows; the recall
/// relevance (<c>RecallRelevance</c>) is computed in SQL and orders the rows. The caller reads them in that order
/// through the eligibility rule itself until it has enough.
/// </summary>
public sealed class CandidateWorkers(Database database, Catalogue catalogue)
{
    private const string WorkersSql = """
        SELECT id, birth_date, trades_json, certificates_json, destinations, available_from, training_intentions,
            (CASE WHEN trade_ids LIKE @SameTrade ESCAPE '\' THEN 4 ELSE 0 END
             + CASE WHEN destinations LIKE @City ESCAPE '\' THEN 2 ELSE 0 END
             + CASE WHEN destinations LIKE @ProvinceFirst ESCAPE '\' OR destinations LIKE @CityFirst ESCAPE '\' THEN 1 ELSE 0 END
             + CASE WHEN destinations LIKE @Province ESCAPE '\' THEN 1 ELSE 0 END) AS relevance
        FROM workers
        WHERE id IN (SELECT worker_id FROM worker_trades WHERE trade_id IN @FamilyTrades AND level >= @MinLevel)
          AND birth_date > @BornAfter AND birth_date <= @BornBy
          AND available_from <= @Start
          AND (destinations = '' OR destinations LIKE @Province ESCAPE '\' OR destinations LIKE @City ESCAPE '\')
          AND (@TrainingType IS NULL OR training_intentions = '' OR training_intentions LIKE @Intention ESCAPE '\')
          AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = workers.id AND p.status = 'active')
        """;

    private const string InCounties = " AND county_code IN @Counties";
    private const string PriorityGroupsOnly = " AND priority_groups <> ''";
    private const string ByRelevance = " ORDER BY relevance DESC, id";

    /// <summary>
    /// The candidates for an opening starting on <paramref name="startBy"/>, the most relevant first, read one at a time
    /// (stop reading to stop the query); only workers of <paramref name="counties"/> when given, only those in a priority
    /// group when asked. An unknown trade recalls nobody.
    /// </summary>
    public async IAsyncEnumerable<CandidateWorkerRow> InRelevanceOrderAsync(OpeningTerms terms, DateOnly startBy, IReadOnlyList<string>? counties,
        bool priorityGroupsOnly, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (counties is { Count: 0 } || !catalogue.TradesById.TryGetValue(terms.TradeId, out var trade))
        {
            yield break;
        }
        var (bornAfter, bornBy) = Eligibility.BirthBounds(startBy, terms.AgeMin, terms.AgeMax);
        var sql = WorkersSql + (counties is null ? "" : InCounties) + (priorityGroupsOnly ? PriorityGroupsOnly : "") + ByRelevance;
        var parameters = new
        {
            SameTrade = Codes.ContainsPattern(terms.TradeId),
            FamilyTrades = catalogue.Trades.Where(t => t.FamilyId == trade.FamilyId).Select(t => t.Id).ToArray(),
            terms.MinLevel,
            BornAfter = bornAfter,
            BornBy = bornBy,
            Start = startBy,
            Province = Codes.ContainsPattern(terms.ProvinceCode),
            City = Codes.ContainsPattern(terms.CityCode),
            ProvinceFirst = $"|{Like.Escape(terms.ProvinceCode)}|%",
            CityFirst = $"|{Like.Escape(terms.CityCode)}|%",
            terms.TrainingType,
            Intention = terms.TrainingType is null ? null : Codes.ContainsPattern(terms.TrainingType),
            Counties = counties,
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var row in connection.QueryUnbufferedAsync<CandidateWorkerRow>(sql, parameters).WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }
}
