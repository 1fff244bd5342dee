using System.Globalization;
using Matching.Search.Analysis;
using Matching.Search.Documents;

namespace Matching.Search;

/// <summary>
/// Turns searches, recall criteria and the caller's scope into <see cref="QueryPlan"/>s. Every hard constraint and
/// every scope restriction becomes a filter here, for both engines.
/// </summary>
public sealed class QueryPlanner(SearchAnalyzer analyzer)
{
    /// <summary>Weights of the preferences that order recall results (constant scores, summed).</summary>
    public const double ExactTradeWeight = 4;
    public const double PreferredCityWeight = 2;
    public const double FirstChoiceProvinceWeight = 1;
    public const double NamedProvinceWeight = 1;

    public SearchAnalyzer Analyzer { get; } = analyzer;

    public QueryPlan Workers(WorkerSearch s, SearchScope scope)
    {
        var filters = WorkerScope(scope);
        var text = Text(s.Text, filters);
        AddAny(filters, Fields.Prefecture, s.PrefectureCodes);
        AddAny(filters, Fields.County, s.CountyCodes);
        AddAny(filters, Fields.Family, s.FamilyIds);
        AddAny(filters, Fields.Trade, s.TradeIds);
        if (s.MinLevel is { } level)
        {
            if (s.TradeIds is { Count: > 0 } trades)
            {
                filters.Add(new AnyTerm(Fields.TradeLevel, trades.Select(t => DocumentBuilder.LevelTerm(t, level)).ToList()));
            }
            else if (s.FamilyIds is { Count: > 0 } families)
            {
                filters.Add(new AnyTerm(Fields.FamilyLevel, families.Select(f => DocumentBuilder.LevelTerm(f, level)).ToList()));
            }
            else
            {
                filters.Add(new AnyTerm(Fields.Level, Enumerable.Range(level, 9 - level).Select(Number).ToList()));
            }
        }
        AddAny(filters, Fields.Group, s.PriorityGroups);
        AddAny(filters, Fields.DestinationProvince, s.DestinationProvinces);
        if (s.AvailableBy is { } by)
        {
            filters.Add(new InRange(Fields.AvailableDay, null, by.DayNumber));
        }
        IReadOnlyList<SortKey> sort = s.Sort switch
        {
            WorkerSort.AvailableFrom => [new(Fields.AvailableDay, false), new(Fields.Id, false)],
            WorkerSort.ExpectedWage => [new(Fields.Wage, false), new(Fields.Id, false)],
            WorkerSort.Id => [new(Fields.Id, false)],
            _ => [new(SortKey.Score, true), new(Fields.Id, false)],
        };
        return new QueryPlan(filters, [], text, sort, s.From, s.Size, Fields.WorkerFacetFields);
    }

    public QueryPlan Openings(OpeningSearch s, SearchScope scope)
    {
        var filters = OpeningScope(scope);
        var text = Text(s.Text, filters);
        AddAny(filters, Fields.Province, s.ProvinceCodes);
        AddAny(filters, Fields.City, s.CityCodes);
        AddAny(filters, Fields.Family, s.FamilyIds);
        AddAny(filters, Fields.Trade, s.TradeIds);
        if (s.MaxMinLevel is { } level)
        {
            filters.Add(new InRange(Fields.MinLevel, null, level));
        }
        if (s.Status is { } status)
        {
            filters.Add(new AnyTerm(Fields.Status, [status]));
        }
        IReadOnlyList<SortKey> sort = s.Sort switch
        {
            OpeningSort.WageMax => [new(Fields.WageMax, true), new(Fields.Id, false)],
            OpeningSort.NextCohort => [new(Fields.NextCohortDay, false), new(Fields.Id, false)],
            OpeningSort.Id => [new(Fields.Id, false)],
            _ => [new(SortKey.Score, true), new(Fields.Id, false)],
        };
        return new QueryPlan(filters, [], text, sort, s.From, s.Size, Fields.OpeningFacetFields);
    }

    /// <summary>
    /// Workers who pass the opening's hard constraints: trade (or family) at the minimum level, the special-operation
    /// certificate where the trade needs one, age at the cohort start, available by the cohort start, willing to go to
    /// the province (no stated preference counts as willing).
    /// </summary>
    public QueryPlan Candidates(CandidateCriteria c, SearchScope scope, int limit)
    {
        var filters = WorkerScope(scope);
        filters.Add(c.MatchFamily
            ? new AnyTerm(Fields.FamilyLevel, [DocumentBuilder.LevelTerm(c.FamilyId, c.MinLevel)])
            : new AnyTerm(Fields.TradeLevel, [DocumentBuilder.LevelTerm(c.TradeId, c.MinLevel)]));
        if (c.RequiresSpecialOperation)
        {
            filters.Add(new AnyTerm(Fields.SpecialOperation, [c.MatchFamily ? DocumentBuilder.FamilyTerm(c.FamilyId) : c.TradeId]));
        }
        // Age on the cohort start within [AgeMin, AgeMax]  ⇔  born after start − (AgeMax + 1) years, on or before start − AgeMin years.
        filters.Add(new InRange(Fields.BirthDay,
            c.CohortStart.AddYears(-(c.AgeMax + 1)).AddDays(1).DayNumber,
            c.CohortStart.AddYears(-c.AgeMin).DayNumber));
        filters.Add(new InRange(Fields.AvailableDay, null, c.CohortStart.DayNumber));
        filters.Add(new AnyTerm(Fields.DestinationProvince, [c.ProvinceCode, WorkerDocument.AnyDestination]));

        var preferences = new List<Preference>();
        if (c.MatchFamily)
        {
            preferences.Add(new Preference(Fields.Trade, c.TradeId, ExactTradeWeight));
        }
        if (c.CityCode is { } city)
        {
            preferences.Add(new Preference(Fields.DestinationCity, city, PreferredCityWeight));
        }
        preferences.Add(new Preference(Fields.FirstDestination, c.ProvinceCode, FirstChoiceProvinceWeight));
        preferences.Add(new Preference(Fields.DestinationProvince, c.ProvinceCode, NamedProvinceWeight));
        return new QueryPlan(filters, preferences, null, [new(SortKey.Score, true), new(Fields.Id, false)], 0, limit,
            new Dictionary<string, string>());
    }

    /// <summary>
    /// Open openings the worker passes: one of the worker's trades (or families) at the opening's minimum level, the
    /// certificate where needed, the worker's age within the opening's range, a cohort starting on or after the day
    /// the worker is available, in a province the worker would go to (any, when none is stated).
    /// </summary>
    public QueryPlan OpeningsFor(OpeningCriteria c, SearchScope scope, int limit)
    {
        var filters = OpeningScope(scope);
        filters.Add(new AnyTerm(Fields.Status, ["open"]));
        filters.Add(c.MatchFamily
            ? new AnyTerm(Fields.FamilyNeed, c.Trades.GroupBy(t => t.FamilyId)
                .SelectMany(g => Enumerable.Range(1, g.Max(t => t.Level)).Select(l => DocumentBuilder.LevelTerm(g.Key, l))).ToList())
            : new AnyTerm(Fields.TradeNeed, c.Trades
                .SelectMany(t => Enumerable.Range(1, t.Level).Select(l => DocumentBuilder.LevelTerm(t.TradeId, l))).ToList()));
        filters.Add(new AnyTerm(c.MatchFamily ? Fields.SpecialOperationFamilyNeed : Fields.SpecialOperationNeed,
            [OpeningDocument.None, .. c.SpecialOperations]));
        filters.Add(new InRange(Fields.AgeMin, null, c.Age));
        filters.Add(new InRange(Fields.AgeMax, c.Age, null));
        filters.Add(new InRange(Fields.LastCohortDay, c.AvailableFrom.DayNumber, null));
        if (c.Provinces.Count > 0)
        {
            filters.Add(new AnyTerm(Fields.Province, c.Provinces));
        }

        var preferences = new List<Preference>();
        if (c.MatchFamily)
        {
            preferences.AddRange(c.Trades.Select(t => new Preference(Fields.Trade, t.TradeId, ExactTradeWeight)));
        }
        preferences.AddRange(c.Cities.Select(city => new Preference(Fields.City, city, PreferredCityWeight)));
        if (c.Provinces.Count > 0)
        {
            preferences.Add(new Preference(Fields.Province, c.Provinces[0], FirstChoiceProvinceWeight));
        }
        return new QueryPlan(filters, preferences, null, [new(SortKey.Score, true), new(Fields.Id, false)], 0, limit,
            new Dictionary<string, string>());
    }

    private static List<Condition> WorkerScope(SearchScope scope)
    {
        var filters = new List<Condition>();
        if (scope.CountyCodes is { } counties)
        {
            // An empty list is a scope that sees nothing, not an unrestricted one.
            filters.Add(new AnyTerm(Fields.County, counties.Count > 0 ? counties : ["-"]));
        }
        if (scope.PriorityGroupsOnly)
        {
            filters.Add(new AnyTerm(Fields.InGroup, ["yes"]));
        }
        return filters;
    }

    private static List<Condition> OpeningScope(SearchScope scope)
    {
        var filters = new List<Condition>();
        if (scope.EmployerId is { } employer)
        {
            filters.Add(new InRange(Fields.Employer, employer, employer));
        }
        return filters;
    }

    /// <summary>Trade words in the text become a concept filter; the remaining tokens rank (or, without concepts, must match).</summary>
    private TextMatch? Text(string? text, List<Condition> filters)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var analyzed = Analyzer.AnalyzeQuery(text);
        var concepts = analyzed.ConceptIds;
        if (concepts.Count > 0)
        {
            filters.Add(new AnyTerm(Fields.Concept, concepts));
            return analyzed.Tokens.Count > 0 ? new TextMatch(analyzed.Tokens.Distinct(StringComparer.Ordinal).ToList(), Required: false) : null;
        }
        // Nothing searchable left (only punctuation or stop words): a match on nothing.
        return new TextMatch(analyzed.Tokens.Distinct(StringComparer.Ordinal).ToList(), Required: true);
    }

    private static void AddAny(List<Condition> filters, string field, IReadOnlyList<string>? values)
    {
        if (values is { Count: > 0 })
        {
            filters.Add(new AnyTerm(field, values));
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
