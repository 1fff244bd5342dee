using System.Collections.Concurrent;
using System.Globalization;
using Matching.Data.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Workers;
using Matching.Search.Analysis;

namespace Matching.Search.Documents;

/// <summary>A cohort linked to an opening, as far as search needs it.</summary>
public sealed record OpeningCohort(long Id, string Status, DateOnly StartDate, int Capacity, int SeatsTaken);

/// <summary>An opening (岗位) with its base's place and its linked cohorts, as read from SQL.</summary>
public sealed record OpeningFacts(
    long Id, long EmployerId, long BaseId, string Title, string TradeId, int MinLevel, int MaxLevel, int Headcount,
    int WageMin, int WageMax, IReadOnlyList<string> RequiredCertificates, int AgeMin, int AgeMax, string? TrainingType,
    string? Requirements, string Status, string ProvinceCode, string CityCode, IReadOnlyList<OpeningCohort> Cohorts);

/// <summary>What search needs of a worker (劳动者), as read from SQL or generated for a benchmark.</summary>
public sealed record WorkerFacts(
    long Id, IReadOnlyList<WorkerTrade> Trades, IReadOnlyList<WorkerCertificate> Certificates, string CountyCode,
    string PrefectureCode, IReadOnlyList<string> PriorityGroups, IReadOnlyList<string> PreferredDestinations,
    DateOnly BirthDate, DateOnly AvailableFrom, int ExpectedMonthlyWage, string? Notes);

/// <summary>
/// Builds the engine-neutral documents from stored rows (or demo drafts): analyses the text once and encodes every
/// hard constraint as exact terms or numbers, so a constraint is a filter in either engine.
/// </summary>
public sealed class DocumentBuilder(SearchAnalyzer analyzer)
{
    // Trade and place names come from the catalogue, a few hundred strings: analysed once each.
    private readonly ConcurrentDictionary<string, AnalyzedText> _catalogueText = new(StringComparer.Ordinal);

    public SearchAnalyzer Analyzer { get; } = analyzer;

    private AnalyzedText CatalogueText(string text) => _catalogueText.GetOrAdd(text, Analyzer.AnalyzeDocument);

    /// <summary>
    /// Parts separated by spaces are segmented independently, so analysing them one by one gives the same tokens as
    /// analysing the joined text.
    /// </summary>
    private static AnalyzedText Join(IEnumerable<AnalyzedText> parts)
    {
        var tokens = new List<string>();
        var concepts = new List<ConceptHit>();
        foreach (var part in parts)
        {
            tokens.AddRange(part.Tokens);
            concepts.AddRange(part.Concepts.Where(c => !concepts.Any(x => x.TradeId == c.TradeId)));
        }
        return new AnalyzedText(tokens, concepts);
    }

    private Catalogue Catalogue => Analyzer.Vocabulary.Catalogue;

    public WorkerDocument Worker(WorkerFacts w, DateOnly today) => Worker(
        w.Id, w.Trades, w.Certificates, w.CountyCode, w.PrefectureCode, w.PriorityGroups, w.PreferredDestinations,
        w.BirthDate, w.AvailableFrom, w.ExpectedMonthlyWage, w.Notes, today);

    public WorkerDocument Worker(Worker w, DateOnly today) => Worker(
        w.Id, w.Trades, w.Certificates, w.CountyCode, w.PrefectureCode, w.PriorityGroups, w.PreferredDestinations,
        w.BirthDate, w.AvailableFrom, w.ExpectedMonthlyWage, w.Notes, today);

    public WorkerDocument Worker(long id, WorkerDraft d, DateOnly today) => Worker(
        id, d.Trades, d.Certificates, d.CountyCode, d.PrefectureCode, d.PriorityGroups, d.PreferredDestinations,
        d.BirthDate, d.AvailableFrom, d.ExpectedMonthlyWage, d.Notes, today);

    private WorkerDocument Worker(
        long id, IReadOnlyList<WorkerTrade> trades, IReadOnlyList<WorkerCertificate> certificates, string countyCode,
        string prefectureCode, IReadOnlyList<string> groups, IReadOnlyList<string> destinations, DateOnly birthDate,
        DateOnly availableFrom, int expectedWage, string? notes, DateOnly today)
    {
        var tradeIds = new List<string>();
        var families = new List<string>();
        var tradeLevels = new List<string>();
        var familyTop = new Dictionary<string, int>(StringComparer.Ordinal);
        var levels = new List<string>();
        var text = new List<AnalyzedText>();
        foreach (var t in trades)
        {
            if (!Catalogue.TradesById.TryGetValue(t.TradeId, out var trade))
            {
                continue;
            }
            tradeIds.Add(trade.Id);
            AddOnce(families, trade.FamilyId);
            // Level L is indexed as the terms id@1 … id@L, so "at least level M" is the single term id@M.
            for (var level = 1; level <= t.Level; level++)
            {
                tradeLevels.Add(LevelTerm(trade.Id, level));
            }
            familyTop[trade.FamilyId] = Math.Max(familyTop.GetValueOrDefault(trade.FamilyId), t.Level);
            AddOnce(levels, t.Level.ToString(CultureInfo.InvariantCulture));
            text.Add(CatalogueText(trade.Name));
        }
        var familyLevels = familyTop.SelectMany(f => Enumerable.Range(1, f.Value).Select(l => LevelTerm(f.Key, l))).ToList();

        // A special-operation certificate (特种作业操作证) counts while valid; it covers its trade and, for family-wide
        // recall, the trade's family.
        var specialOperations = new List<string>();
        foreach (var c in certificates)
        {
            if (c.Type == "special-operation" && c.TradeId is { } certified && (c.ExpiresOn is null || c.ExpiresOn >= today)
                && Catalogue.TradesById.TryGetValue(certified, out var trade))
            {
                AddOnce(specialOperations, trade.Id);
                AddOnce(specialOperations, FamilyTerm(trade.FamilyId));
            }
        }

        var provinces = new List<string>();
        var cities = new List<string>();
        foreach (var code in destinations)
        {
            if (Catalogue.DivisionsByCode.TryGetValue(code, out var division) && division.Level == DivisionLevel.Prefecture)
            {
                AddOnce(cities, code);
            }
            if (Catalogue.ProvinceOf(code) is { } province)
            {
                AddOnce(provinces, province);
            }
        }
        var firstProvince = provinces.Count > 0 ? provinces[0] : WorkerDocument.AnyDestination;
        if (provinces.Count == 0)
        {
            provinces.Add(WorkerDocument.AnyDestination);
        }

        text.Add(CatalogueText(Catalogue.NameOf(countyCode)));
        text.Add(CatalogueText(Catalogue.NameOf(prefectureCode)));
        if (!string.IsNullOrWhiteSpace(notes))
        {
            text.Add(Analyzer.AnalyzeDocument(notes));
        }
        var analyzed = Join(text);
        var concepts = tradeIds.Concat(analyzed.ConceptIds).Distinct(StringComparer.Ordinal).ToList();

        return new WorkerDocument(id, analyzed.Tokens, concepts, tradeIds, families, tradeLevels, familyLevels, levels,
            specialOperations, countyCode, prefectureCode, groups.ToList(), provinces, cities, firstProvince,
            birthDate.DayNumber, availableFrom.DayNumber, expectedWage);
    }

    public OpeningDocument Opening(OpeningFacts facts, DateOnly today)
    {
        var o = facts;
        var trade = Catalogue.TradesById[o.TradeId];
        var analyzed = Analyzer.AnalyzeDocument($"{o.Title} {trade.Name} {o.Requirements}");
        var concepts = new[] { trade.Id }.Concat(analyzed.ConceptIds).Distinct(StringComparer.Ordinal).ToList();
        var needsCertificate = o.RequiredCertificates.Contains("special-operation");

        // Cohorts still to start with a free seat: a worker can join one of them if available by its start.
        var upcoming = facts.Cohorts
            .Where(c => c.Status is CohortStatus.Planned or CohortStatus.Open && c.StartDate >= today && c.Capacity > c.SeatsTaken)
            .ToList();
        int next, last;
        if (facts.Cohorts.Count == 0)
        {
            next = today.DayNumber;
            last = OpeningDocument.NoCohortLimit;
        }
        else if (upcoming.Count == 0)
        {
            next = last = 0;
        }
        else
        {
            next = upcoming.Min(c => c.StartDate.DayNumber);
            last = upcoming.Max(c => c.StartDate.DayNumber);
        }

        return new OpeningDocument(o.Id, o.EmployerId, o.BaseId, o.Status, analyzed.Tokens, concepts, trade.Id, trade.FamilyId,
            o.MinLevel, o.MaxLevel, LevelTerm(trade.Id, o.MinLevel), LevelTerm(trade.FamilyId, o.MinLevel),
            needsCertificate ? trade.Id : OpeningDocument.None,
            needsCertificate ? FamilyTerm(trade.FamilyId) : OpeningDocument.None,
            o.AgeMin, o.AgeMax, facts.ProvinceCode, facts.CityCode, o.WageMin, o.WageMax, o.Headcount,
            o.TrainingType ?? OpeningDocument.None,
            facts.Cohorts.Select(c => c.Id.ToString(CultureInfo.InvariantCulture)).ToList(),
            next, last, upcoming.Sum(c => c.Capacity - c.SeatsTaken));
    }

    /// <summary>"T029@3": has trade T029 (or family) at level 3 or more.</summary>
    public static string LevelTerm(string tradeOrFamily, int level) => string.Create(CultureInfo.InvariantCulture, $"{tradeOrFamily}@{level}");

    /// <summary>Family ids and trade ids share the special-operation field; families are prefixed.</summary>
    public static string FamilyTerm(string familyId) => "family:" + familyId;

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }
}
