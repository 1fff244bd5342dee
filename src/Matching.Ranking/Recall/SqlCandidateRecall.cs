using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Validation;
using Matching.Ranking.Features;
using Matching.Search;

namespace Matching.Ranking.Recall;

/// <summary>
/// Recall straight from SQL: the baseline of the search benchmark, and what training and evaluation use (they run
/// from the command line, without the service's index).
/// SQL narrows by trade family, destination province, age and availability, and leaves out workers who are in a
/// job placed through the programme (an active placement); <see cref="MatchRules"/> then applies every hard constraint
/// and scores <see cref="MatchRules.SearchRelevance"/> (a simple attribute relevance), best first.
/// </summary>
public sealed class SqlCandidateRecall(Database database, Catalogue catalogue, ProfileReader profiles, TimeProvider time) : ICandidateRecall
{
    // {trades} is fixed text "trade_ids LIKE @T0 OR trade_ids LIKE @T1 …", one parameter per trade of the family;
    // {destinations} likewise for the opening's province and each of its cities.
    private const string WorkersByFamilySql = """
        SELECT id, birth_date, county_code, prefecture_code, education, trades_json, certificates_json, priority_groups,
            destinations, expected_wage, available_from, training_intentions, created_at
        FROM workers
        WHERE birth_date > @BornAfter AND birth_date <= @BornBy AND available_from <= @StartBy
            AND ({trades}) AND ({destinations})
            AND id NOT IN (SELECT worker_id FROM placements WHERE status = 'active')
        """;

    public async Task<IReadOnlyList<RecalledWorker>> RecallWorkersAsync(long openingId, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var opening = await profiles.GetOpeningAsync(openingId, cancellationToken);
        if (opening is null)
        {
            return [];
        }
        var terms = opening.Terms;
        var family = catalogue.TradesById[terms.TradeId].FamilyId;
        var familyTrades = catalogue.Trades.Where(t => t.FamilyId == family).Select(t => t.Id).ToList();
        var parameters = new DynamicParameters(new
        {
            BornAfter = opening.StartBy.AddYears(-(terms.AgeMax + 1)),
            BornBy = opening.StartBy.AddYears(-terms.AgeMin),
            opening.StartBy,
        });
        for (var i = 0; i < familyTrades.Count; i++)
        {
            parameters.Add($"T{i}", Codes.ContainsPattern(familyTrades[i]));
        }
        var destinations = catalogue.Divisions
            .Where(d => d.Code == terms.ProvinceCode || d.ParentCode == terms.ProvinceCode)
            .Select(d => d.Code).ToList();
        for (var i = 0; i < destinations.Count; i++)
        {
            parameters.Add($"D{i}", Codes.ContainsPattern(destinations[i]));
        }
        var sql = WorkersByFamilySql
            .Replace("{trades}", string.Join(" OR ", familyTrades.Select((_, i) => $"trade_ids LIKE @T{i}")), StringComparison.Ordinal)
            .Replace("{destinations}", string.Join(" OR ", destinations.Select((_, i) => $"destinations LIKE @D{i}")), StringComparison.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        var workers = await ProfileReader.QueryWorkersAsync(connection, sql, parameters);
        var today = ChinaTime.Today(time);
        return workers
            .Where(w => scope?.CountyCodes is not { } counties || counties.Contains(w.CountyCode))
            .Where(w => scope is not { PriorityGroupsOnly: true } || w.PriorityGroups.Count > 0)
            .Where(w => MatchRules.PassesHardConstraints(catalogue, w.Terms, terms, opening.StartBy))
            .Select(w => new RecalledWorker(w.Id, MatchRules.SearchRelevance(catalogue, w.Terms, terms, today)))
            .OrderByDescending(r => r.Relevance).ThenBy(r => r.WorkerId)
            .Take(limit)
            .ToList();
    }

    public async Task<IReadOnlyList<RecalledOpening>> RecallOpeningsAsync(long workerId, int limit, SearchScope? scope = null, CancellationToken cancellationToken = default)
    {
        var worker = await profiles.GetWorkerAsync(workerId, cancellationToken);
        if (worker is null)
        {
            return [];
        }
        var today = ChinaTime.Today(time);
        var openings = await profiles.GetOpenOpeningsAsync(cancellationToken);
        return openings
            .Where(o => scope?.EmployerId is not { } employer || o.EmployerId == employer)
            .Where(o => MatchRules.PassesHardConstraints(catalogue, worker.Terms, o.Terms, o.StartBy))
            .Select(o => new RecalledOpening(o.Id, MatchRules.SearchRelevance(catalogue, worker.Terms, o.Terms, today)))
            .OrderByDescending(r => r.Relevance).ThenBy(r => r.OpeningId)
            .Take(limit)
            .ToList();
    }
}
