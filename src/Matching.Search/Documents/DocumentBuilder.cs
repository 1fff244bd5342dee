using System.Collections.Concurrent;
using System.Globalization;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Training;
using Matching.Domain.Workers;
using Matching.Search.Analysis;

namespace Matching.Search.Documents;

/// <summary>A cohort linked to an opening, as far as search needs it; without a deadline, enrolment closes at the start.</summary>
public sealed record OpeningCohort(long Id, string Status, DateOnly StartDate, int Capacity, int SeatsTaken, DateOnly? EnrolmentDeadline = null)
{
    public bool IsUpcoming(DateOnly today) => Intakes.IsUpcoming(Status, EnrolmentDeadline ?? StartDate, StartDate, Capacity, SeatsTaken, today);
}

/// <summary>An opening (岗位) with its base's place and its linked cohorts, as read from SQL.</summary>
public sealed record OpeningFacts(
    long Id, long EmployerId, long BaseId, string Title, string TradeId, int MinLevel, int MaxLevel, int Headcount,
    int WageMin, int WageMax, IReadOnlyList<string> RequiredCertificates, int AgeMin, int AgeMax, string? TrainingType,
    string? Requirements, string Status, string ProvinceCode, string CityCode, IReadOnlyList<OpeningCohort> Cohorts)
{
    public OpeningTerms Terms => new(TradeId, MinLevel, MaxLevel, RequiredCertificates, AgeMin, AgeMax, ProvinceCode, CityCode, TrainingType);

    /// <summary>The day the eligibility rule is applied on: the earliest upcoming intake, else a direct hire's.</summary>
    public DateOnly StartOn(DateOnly today) =>
        Intakes.StartOf(Cohorts.Where(c => c.IsUpcoming(today)).Select(c => (DateOnly?)c.StartDate).Min(), today);
}

/// <summary>What search needs of a worker (劳动者), as read from SQL or generated for a benchmark.</summary>
public sealed record WorkerFacts(
    long Id, IReadOnlyList<WorkerTrade> Trades, IReadOnlyList<WorkerCertificate> Certificates, string CountyCode,
    string PrefectureCode, IReadOnlyList<string> PriorityGroups, IReadOnlyList<string> PreferredDestinations,
    DateOnly BirthDate, DateOnly AvailableFrom, int ExpectedMonthlyWage, string? Notes,
    IReadOnlyList<string>? TrainingIntentions = null, bool InActivePlacement = false)
{
    public WorkerTerms Terms => new(BirthDate, Trades, Certificates, PreferredDestinations, AvailableFrom, TrainingIntentions ?? [], InActivePlacement);
}

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
        w.BirthDate, w.AvailableFrom, w.ExpectedMonthlyWage, w.Notes, w.TrainingIntentions ?? [], w.InActivePlacement);

    public WorkerDocument Worker(long id, WorkerDraft d, DateOnly today) => Worker(
        id, d.Trades, d.Certificates, d.CountyCode, d.PrefectureCode, d.PriorityGroups, d.PreferredDestinations,
        d.BirthDate, d.AvailableFrom, d.ExpectedMonthlyWage, d.Notes, d.TrainingIntentions, false);

    private WorkerDocument Worker(
        long id, IReadOnlyList<WorkerTrade> trades, IReadOnlyList<WorkerCertificate> certificates, string countyCode,
        string prefectureCode, IReadOnlyList<string> groups, IReadOnlyList<string> destinations, DateOnly birthDate,
        DateOnly availableFrom, int expectedWage, string? notes, IReadOnlyList<string> intentions, bool employed)
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

        // Certificates as the eligibility rule recognises them (Eligibility.Covers): one term per certificate type, trade
        // and province it counts for, with the day it expires, so "valid on the start day" is a range over terms.
        var credentials = new List<string>();
        foreach (var c in certificates)
        {
            var expires = c.ExpiresOn is { } day ? day.DayNumber : NeverExpires;
            foreach (var key in Recognised(c.Type, c.TradeId, CertificateRequirement.IssuingProvinceOf(c)))
            {
                AddOnce(credentials, CredentialTerm(key, expires));
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
            countyCode, prefectureCode, groups.ToList(), provinces, cities,
            destinations.Count > 0 ? destinations[0] : WorkerDocument.Any,
            destinations.Count > 0 ? destinations.Distinct(StringComparer.Ordinal).ToList() : [WorkerDocument.Any],
            employed,
            intentions.Count > 0 ? intentions.Distinct(StringComparer.Ordinal).ToList() : [WorkerDocument.Any],
            credentials, birthDate.DayNumber, availableFrom.DayNumber, expectedWage);
    }

    /// <summary>Expiry written for a certificate valid without end.</summary>
    public const int NeverExpires = 9_999_999;

    /// <summary>
    /// "special-operation|T029|440000|0739800": the certificate counts as that type for that trade (or * for every trade)
    /// in that province (or * in every province) until that day.
    /// </summary>
    public static string CredentialTerm(string key, int expiresDay) => string.Create(CultureInfo.InvariantCulture, $"{key}|{expiresDay:D7}");

    public static string CredentialKey(string type, string tradeId, string provinceCode) => $"{type}|{tradeId}|{provinceCode}";

    public const string EveryTrade = "*";

    public const string EveryProvince = "*";

    private readonly ConcurrentDictionary<(string Type, string? TradeId, string IssuedIn), string[]> _recognised = new();

    /// <summary>
    /// The (required type, trade, province) triples a held certificate counts for, from the rule's recognition
    /// (<see cref="Eligibility.Covers"/>); * when every trade or every province.
    /// </summary>
    private string[] Recognised(string type, string? tradeId, string issuedIn) => _recognised.GetOrAdd((type, tradeId, issuedIn), key =>
    {
        var certificate = new WorkerCertificate(key.Type, key.TradeId, null, null, null, key.IssuedIn);
        var provinces = Catalogue.Provinces.Select(p => p.Code).ToList();
        var keys = new List<string>();
        foreach (var required in Catalogue.CertificateTypes)
        {
            var trades = Catalogue.Trades.Where(t => Eligibility.CoversTrade(Catalogue, certificate, required.Id, t.Id)).Select(t => t.Id).ToList();
            if (trades.Count == 0)
            {
                continue;
            }
            // Recognition depends on the type and the provinces, not the trade: the same provinces for every trade.
            var where = provinces.Where(p => Eligibility.Covers(Catalogue, certificate, required.Id, trades[0], p)).ToList();
            IReadOnlyList<string> places = where.Count == provinces.Count ? [EveryProvince] : where;
            IReadOnlyList<string> forTrades = trades.Count == Catalogue.Trades.Count ? [EveryTrade] : trades;
            keys.AddRange(forTrades.SelectMany(t => places.Select(p => CredentialKey(required.Id, t, p))));
        }
        return [.. keys];
    });

    public OpeningDocument Opening(OpeningFacts facts, DateOnly today)
    {
        var o = facts;
        var trade = Catalogue.TradesById[o.TradeId];
        var analyzed = Analyzer.AnalyzeDocument($"{o.Title} {trade.Name} {o.Requirements}");
        var concepts = new[] { trade.Id }.Concat(analyzed.ConceptIds).Distinct(StringComparer.Ordinal).ToList();
        var terms = o.Terms;
        var needs = Eligibility.RequiredCertificateTypes(Catalogue, terms).Select(type => CredentialKey(type, trade.Id, terms.ProvinceCode)).ToList();

        // Cohorts still to take enrolments with a free seat: a worker joins the earliest (the rule's start day).
        var upcoming = facts.Cohorts.Where(c => c.IsUpcoming(today)).ToList();
        var next = facts.Cohorts.Count == 0 ? today.DayNumber : upcoming.Count == 0 ? 0 : upcoming.Min(c => c.StartDate.DayNumber);
        var start = facts.StartOn(today);
        var (bornAfter, bornBy) = Eligibility.BirthBounds(start, o.AgeMin, o.AgeMax);

        return new OpeningDocument(o.Id, o.EmployerId, o.BaseId, o.Status, analyzed.Tokens, concepts, trade.Id, trade.FamilyId,
            o.MinLevel, o.MaxLevel, LevelTerm(trade.FamilyId, o.MinLevel), needs.Count > 0 ? needs : [OpeningDocument.None],
            o.AgeMin, o.AgeMax, facts.ProvinceCode, facts.CityCode, o.WageMin, o.WageMax, o.Headcount,
            o.TrainingType ?? OpeningDocument.None,
            facts.Cohorts.Select(c => c.Id.ToString(CultureInfo.InvariantCulture)).ToList(),
            next, start.DayNumber, bornAfter.DayNumber, bornBy.DayNumber, upcoming.Sum(c => c.Capacity - c.SeatsTaken));
    }

    /// <summary>"T029@3": has trade T029 (or family) at level 3 or more.</summary>
    public static string LevelTerm(string tradeOrFamily, int level) => string.Create(CultureInfo.InvariantCulture, $"{tradeOrFamily}@{level}");

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }
}
