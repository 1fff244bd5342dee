using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Ranking.Features;
using Matching.Search;

namespace Matching.Ranking.Recall;

/// <summary>
/// Recall straight from SQL, as a competent developer would write it: the worker–trade table (kept by triggers, indexed
/// by trade and level) finds the workers of the opening's trade family at its level; age, availability, destination,
/// training intention and "not in a job" are conditions on those rows; the recall relevance
/// (<see cref="RecallRelevance"/>) is computed in SQL and orders the rows. The rows are then read in that order through
/// the eligibility rule itself (which decides certificates, <see cref="Eligibility.Covers"/>) until the limit.
/// </summary>
public sealed class SqlCandidateRecall(Database database, Catalogue catalogue, ProfileReader profiles) : ICandidateRecall
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

    public async Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(OpeningProfile opening, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var terms = opening.Terms;
        if (scope?.CountyCodes is { Count: 0 } || !catalogue.TradesById.TryGetValue(terms.TradeId, out var trade))
        {
            return [];
        }
        var (bornAfter, bornBy) = Eligibility.BirthBounds(opening.StartBy, terms.AgeMin, terms.AgeMax);
        var sql = WorkersSql
            + (scope?.CountyCodes is null ? "" : " AND county_code IN @Counties")
            + (scope is { PriorityGroupsOnly: true } ? " AND priority_groups <> ''" : "")
            + " ORDER BY relevance DESC, id";
        var parameters = new
        {
            SameTrade = Codes.ContainsPattern(terms.TradeId),
            FamilyTrades = catalogue.Trades.Where(t => t.FamilyId == trade.FamilyId).Select(t => t.Id).ToArray(),
            MinLevel = terms.MinLevel,
            BornAfter = bornAfter,
            BornBy = bornBy,
            Start = opening.StartBy,
            Province = Codes.ContainsPattern(terms.ProvinceCode),
            City = Codes.ContainsPattern(terms.CityCode),
            ProvinceFirst = $"|{Like.Escape(terms.ProvinceCode)}|%",
            CityFirst = $"|{Like.Escape(terms.CityCode)}|%",
            terms.TrainingType,
            Intention = terms.TrainingType is null ? null : Codes.ContainsPattern(terms.TrainingType),
            Counties = scope?.CountyCodes,
        };
        var result = new List<RecalledWorker>(Math.Min(limit, 1_000));
        await using var connection = await database.OpenAsync(cancellationToken);
        await foreach (var row in connection.QueryUnbufferedAsync<RecallRow>(sql, parameters).WithCancellation(cancellationToken))
        {
            if (Eligibility.Admits(catalogue, row.Terms, terms, opening.StartBy))
            {
                result.Add(new RecalledWorker(row.Id, row.Relevance));
                if (result.Count == limit)
                {
                    break;
                }
            }
        }
        return result;
    }

    public async Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(WorkerProfile worker, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var openings = await profiles.GetOpenOpeningsAsync(cancellationToken);
        return openings
            .Where(o => scope?.EmployerId is not { } employer || o.EmployerId == employer)
            .Where(o => Eligibility.Admits(catalogue, worker.Terms, o.Terms, o.StartBy))
            .Select(o => new RecalledOpening(o.Id, RecallRelevance.Of(worker.Terms, o.Terms)))
            .OrderByDescending(r => r.Relevance).ThenBy(r => r.OpeningId)
            .Take(limit)
            .ToList();
    }

    /// <summary>A worker row with the relevance SQL computed.</summary>
    private sealed class RecallRow
    {
        public long Id { get; init; }
        public DateOnly BirthDate { get; init; }
        public string TradesJson { get; init; } = "[]";
        public string CertificatesJson { get; init; } = "[]";
        public string Destinations { get; init; } = "";
        public DateOnly AvailableFrom { get; init; }
        public string TrainingIntentions { get; init; } = "";
        public long Relevance { get; init; }

        public WorkerTerms Terms => new(BirthDate, StoredJson.Read<List<Domain.Workers.WorkerTrade>>(TradesJson),
            StoredJson.Read<List<Domain.Workers.WorkerCertificate>>(CertificatesJson), Codes.Split(Destinations), AvailableFrom, Codes.Split(TrainingIntentions));
    }
}
