using System.Globalization;
using Matching.Domain.Matching;
using Matching.Search.Analysis;
using Matching.Search.Documents;

namespace Matching.Search;

/// <summary>
/// Turns searches, recall criteria and the caller's scope into <see cref="QueryPlan"/>s. Every hard constraint and
/// every scope restriction becomes a filter here, for both engines.
/// </summary>
public sealed class QueryPlanner(SearchAnalyzer analyzer)
{
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
    /// The workers the eligibility rule admits for the opening on the start day (<see cref="Eligibility"/>), each rule
    /// part an exact filter, ordered by the recall relevance (<see cref="RecallRelevance"/>, as constant scores) and id.
    /// </summary>
    public QueryPlan Candidates(CandidateCriteria c, SearchScope scope, int limit)
    {
        var catalogue = Analyzer.Vocabulary.Catalogue;
        var o = c.Opening;
        var trade = catalogue.TradesById[o.TradeId];
        var filters = WorkerScope(scope);
        filters.Add(new AnyTerm(Fields.Employed, ["no"]));
        // Level L is indexed as family@1 … family@L (the highest level in the family), so "at least M" is one term.
        filters.Add(new AnyTerm(Fields.FamilyLevel, [DocumentBuilder.LevelTerm(trade.FamilyId, Math.Max(1, o.MinLevel))]));
        if (c.SameTradeOnly)
        {
            filters.Add(new AnyTerm(Fields.Trade, [o.TradeId]));
        }
        var (bornAfter, bornBy) = Eligibility.BirthBounds(c.Start, o.AgeMin, o.AgeMax);
        filters.Add(new InRange(Fields.BirthDay, bornAfter.DayNumber + 1L, bornBy.DayNumber));
        filters.Add(new InRange(Fields.AvailableDay, null, c.Start.DayNumber));
        filters.Add(new AnyTerm(Fields.Destination, [o.ProvinceCode, o.CityCode, WorkerDocument.Any]));
        if (o.TrainingType is { } training)
        {
            filters.Add(new AnyTerm(Fields.Intention, [training, WorkerDocument.Any]));
        }
        foreach (var type in Eligibility.RequiredCertificateTypes(catalogue, o))
        {
            // Held for this trade (or every trade), recognised in the opening's province (or every province), and
            // expiring on or after the start day.
            filters.Add(new AnyTermInSpan(Fields.Credential,
            [
                ValidFrom(DocumentBuilder.CredentialKey(type, o.TradeId, o.ProvinceCode), c.Start),
                ValidFrom(DocumentBuilder.CredentialKey(type, o.TradeId, DocumentBuilder.EveryProvince), c.Start),
                ValidFrom(DocumentBuilder.CredentialKey(type, DocumentBuilder.EveryTrade, o.ProvinceCode), c.Start),
                ValidFrom(DocumentBuilder.CredentialKey(type, DocumentBuilder.EveryTrade, DocumentBuilder.EveryProvince), c.Start),
            ]));
        }

        IReadOnlyList<Preference> preferences =
        [
            new(Fields.Trade, o.TradeId, RecallRelevance.SameTradeWeight),
            new(Fields.Destination, o.CityCode, RecallRelevance.CityNamedWeight),
            new(Fields.FirstDestination, o.ProvinceCode, RecallRelevance.FirstChoiceWeight),
            new(Fields.FirstDestination, o.CityCode, RecallRelevance.FirstChoiceWeight),
            new(Fields.Destination, o.ProvinceCode, RecallRelevance.ProvinceNamedWeight),
        ];
        return new QueryPlan(filters, preferences, null, [new(SortKey.Score, true), new(Fields.Id, false)], 0, limit,
            new Dictionary<string, string>());
    }

    /// <summary>
    /// The open openings whose eligibility rule admits the worker, each on its own start day (indexed with the
    /// opening), ordered by the recall relevance and id. A worker in a job is admitted nowhere.
    /// </summary>
    public QueryPlan OpeningsFor(OpeningCriteria c, SearchScope scope, int limit)
    {
        var catalogue = Analyzer.Vocabulary.Catalogue;
        var w = c.Worker;
        var filters = OpeningScope(scope);
        filters.Add(new AnyTerm(Fields.Status, [w.InActivePlacement ? "-" : "open"]));

        // The level that counts per family: the highest of the worker's trades in it.
        var families = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in w.Trades)
        {
            if (catalogue.TradesById.TryGetValue(t.TradeId, out var trade))
            {
                families[trade.FamilyId] = Math.Max(families.GetValueOrDefault(trade.FamilyId), t.Level);
            }
        }
        filters.Add(new AnyTerm(Fields.FamilyNeed, families.Count == 0
            ? ["-"]
            : families.SelectMany(f => Enumerable.Range(1, Math.Max(0, f.Value)).Select(l => DocumentBuilder.LevelTerm(f.Key, l))).DefaultIfEmpty("-").ToList()));
        filters.Add(new InRange(Fields.BornAfter, null, w.BirthDate.DayNumber - 1L));
        filters.Add(new InRange(Fields.BornBy, w.BirthDate.DayNumber, null));
        filters.Add(new InRange(Fields.StartDay, w.AvailableFrom.DayNumber, null));
        if (w.Destinations.Count > 0)
        {
            filters.Add(new AnyTerm(Fields.Place, w.Destinations));
        }
        if (w.TrainingIntentions.Count > 0)
        {
            filters.Add(new AnyTerm(Fields.TrainingType, [OpeningDocument.None, .. w.TrainingIntentions]));
        }
        // Certificates the openings of the worker's families may need: each needed (type, trade, province) must be
        // recognised (Eligibility.Covers) in a certificate still valid on that opening's start day. Needs covered until
        // the same day share one condition.
        var uncovered = new List<string>();
        var coveredUntil = new Dictionary<int, List<string>>();
        foreach (var trade in catalogue.Trades.Where(t => families.ContainsKey(t.FamilyId)))
        {
            foreach (var type in catalogue.CertificateTypes)
            {
                foreach (var province in catalogue.Provinces)
                {
                    var key = DocumentBuilder.CredentialKey(type.Id, trade.Id, province.Code);
                    int? expires = null;
                    foreach (var held in w.Certificates)
                    {
                        if (Eligibility.Covers(catalogue, held, type.Id, trade.Id, province.Code))
                        {
                            expires = Math.Max(expires ?? 0, held.ExpiresOn?.DayNumber ?? int.MaxValue);
                        }
                    }
                    if (expires is null)
                    {
                        uncovered.Add(key);
                    }
                    else if (expires < int.MaxValue)
                    {
                        (coveredUntil.TryGetValue(expires.Value, out var keys) ? keys : coveredUntil[expires.Value] = []).Add(key);
                    }
                }
            }
        }
        foreach (var (expires, keys) in coveredUntil)
        {
            filters.Add(new Not(new AllOf([new AnyTerm(Fields.CertificateNeed, keys), new InRange(Fields.StartDay, expires + 1L, null)])));
        }
        if (uncovered.Count > 0)
        {
            filters.Add(new Not(new AnyTerm(Fields.CertificateNeed, uncovered)));
        }

        var preferences = new List<Preference>();
        preferences.AddRange(w.Trades.Select(t => t.TradeId).Distinct(StringComparer.Ordinal)
            .Select(t => new Preference(Fields.Trade, t, RecallRelevance.SameTradeWeight)));
        var destinations = w.Destinations.Distinct(StringComparer.Ordinal).ToList();
        preferences.AddRange(destinations.Select(d => new Preference(Fields.City, d, RecallRelevance.CityNamedWeight)));
        if (w.Destinations.Count > 0)
        {
            preferences.Add(new Preference(Fields.Place, w.Destinations[0], RecallRelevance.FirstChoiceWeight));
        }
        preferences.AddRange(destinations.Select(d => new Preference(Fields.Province, d, RecallRelevance.ProvinceNamedWeight)));
        return new QueryPlan(filters, preferences, null, [new(SortKey.Score, true), new(Fields.Id, false)], 0, limit,
            new Dictionary<string, string>());
    }

    private static TermSpan ValidFrom(string key, DateOnly day) =>
        new(DocumentBuilder.CredentialTerm(key, day.DayNumber), DocumentBuilder.CredentialTerm(key, DocumentBuilder.NeverExpires));

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

    /// <summary>
    /// Trade words in the text (the catalogue's words, or slips of them: pinyin, homophones, one wrong character) become
    /// a concept filter and the tokens only rank; text that only describes trades by an activity or a workplace must match
    /// a token or one of those trades; other text must match a token.
    /// </summary>
    private TextMatch? Text(string? text, List<Condition> filters)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var analyzed = Analyzer.AnalyzeQuery(text);
        var concepts = analyzed.ConceptIds;
        if (concepts.Count > 0 && analyzed.Concepts.All(c => c.Match is ConceptMatch.Phrase or ConceptMatch.Stem))
        {
            return new TextMatch(analyzed.Tokens.Distinct(StringComparer.Ordinal).ToList(), Required: true, OrConcepts: concepts);
        }
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
