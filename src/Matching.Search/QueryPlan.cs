using System.Globalization;
using Matching.Search.Documents;

namespace Matching.Search;

/// <summary>Field names, the same in the Lucene index and the Elasticsearch mappings (infra/elasticsearch/).</summary>
public static class Fields
{
    public const string Id = "id";
    public const string Hash = "hash";
    public const string Text = "text";
    public const string Concept = "concept";
    public const string Trade = "trade";
    public const string Family = "family";
    public const string TradeLevel = "trade_level";
    public const string FamilyLevel = "family_level";
    public const string Level = "level";
    public const string Employed = "employed";
    public const string Destination = "dest_named";
    public const string Intention = "intent";
    public const string Credential = "cred";
    public const string County = "county";
    public const string Prefecture = "prefecture";
    public const string Group = "group";
    public const string InGroup = "in_group";
    public const string DestinationProvince = "dest_province";
    public const string DestinationCity = "dest_city";
    public const string FirstDestination = "dest_first";
    public const string BirthDay = "birth_day";
    public const string AvailableDay = "available_day";
    public const string Wage = "wage";

    public const string Employer = "employer";
    public const string Base = "base";
    public const string Status = "status";
    public const string MinLevel = "min_level";
    public const string MaxLevel = "max_level";
    public const string FamilyNeed = "family_need";
    public const string CertificateNeed = "cert_need";
    public const string Place = "place";
    public const string AgeMin = "age_min";
    public const string AgeMax = "age_max";
    public const string Province = "province";
    public const string City = "city";
    public const string WageMin = "wage_min";
    public const string WageMax = "wage_max";
    public const string Headcount = "headcount";
    public const string TrainingType = "training_type";
    public const string Cohort = "cohort";
    public const string NextCohortDay = "next_cohort_day";
    public const string StartDay = "start_day";
    public const string BornAfter = "born_after";
    public const string BornBy = "born_by";
    public const string FreeSeats = "free_seats";

    /// <summary>A document's keyword fields (multi-valued) and numbers: what an engine indexes, in a fixed order.</summary>
    public static IEnumerable<(string Field, IReadOnlyList<string> Values)> Keywords(WorkerDocument d) =>
    [
        (Concept, d.Concepts), (Trade, d.Trades), (Family, d.Families), (TradeLevel, d.TradeLevels), (FamilyLevel, d.FamilyLevels),
        (Level, d.Levels), (County, [d.CountyCode]), (Prefecture, [d.PrefectureCode]),
        (Group, d.PriorityGroups), (InGroup, [d.PriorityGroups.Count > 0 ? "yes" : "no"]), (DestinationProvince, d.DestinationProvinces),
        (DestinationCity, d.DestinationCities), (FirstDestination, [d.FirstDestination]), (Destination, d.Destinations),
        (Employed, [d.Employed ? "yes" : "no"]), (Intention, d.Intentions), (Credential, d.Credentials),
    ];

    public static IEnumerable<(string Field, long Value)> Numbers(WorkerDocument d) =>
        [(Id, d.Id), (BirthDay, d.BirthDay), (AvailableDay, d.AvailableDay), (Wage, d.ExpectedWage)];

    public static IEnumerable<(string Field, IReadOnlyList<string> Values)> Keywords(OpeningDocument d) =>
    [
        (Concept, d.Concepts), (Trade, [d.TradeId]), (Family, [d.FamilyId]), (Status, [d.Status]),
        (FamilyNeed, [d.FamilyNeed]), (CertificateNeed, d.CertificateNeeds), (Place, [d.ProvinceCode, d.CityCode]),
        (Province, [d.ProvinceCode]), (City, [d.CityCode]), (TrainingType, [d.TrainingType]), (Cohort, d.CohortIds),
        (Level, [d.MinLevel.ToString(CultureInfo.InvariantCulture)]),
    ];

    public static IEnumerable<(string Field, long Value)> Numbers(OpeningDocument d) =>
    [
        (Id, d.Id), (Employer, d.EmployerId), (Base, d.BaseId), (MinLevel, d.MinLevel), (MaxLevel, d.MaxLevel), (AgeMin, d.AgeMin),
        (AgeMax, d.AgeMax), (WageMin, d.WageMin), (WageMax, d.WageMax), (Headcount, d.Headcount), (NextCohortDay, d.NextCohortDay),
        (StartDay, d.StartDay), (BornAfter, d.BornAfter), (BornBy, d.BornBy), (FreeSeats, d.FreeSeats),
    ];

    /// <summary>Facet name → keyword field it counts.</summary>
    public static readonly IReadOnlyDictionary<string, string> WorkerFacetFields = new Dictionary<string, string>
    {
        [Facets.Prefecture] = Prefecture, [Facets.County] = County, [Facets.Family] = Family, [Facets.Trade] = Trade,
        [Facets.Level] = Level, [Facets.PriorityGroup] = Group, [Facets.Destination] = DestinationProvince,
    };

    public static readonly IReadOnlyDictionary<string, string> OpeningFacetFields = new Dictionary<string, string>
    {
        [Facets.Province] = Province, [Facets.City] = City, [Facets.Family] = Family, [Facets.Trade] = Trade, [Facets.Level] = Level,
    };
}

/// <summary>A non-scoring condition on a document.</summary>
public abstract record Condition;

/// <summary>The keyword field holds at least one of the values.</summary>
public sealed record AnyTerm(string Field, IReadOnlyList<string> Values) : Condition;

/// <summary>The numeric field lies in [Min, Max] (either end open when null).</summary>
public sealed record InRange(string Field, long? Min, long? Max) : Condition;

/// <summary>The keyword field holds a value within one of the spans (inclusive, compared as ordinal strings).</summary>
public sealed record AnyTermInSpan(string Field, IReadOnlyList<TermSpan> Spans) : Condition;

public sealed record TermSpan(string Lower, string Upper);

/// <summary>Every inner condition holds.</summary>
public sealed record AllOf(IReadOnlyList<Condition> Conditions) : Condition;

/// <summary>The inner condition does not hold.</summary>
public sealed record Not(Condition Condition) : Condition;

/// <summary>A constant score added when the keyword field holds the value (a preference, never a constraint).</summary>
public sealed record Preference(string Field, string Value, double Weight);

/// <summary>
/// Analysed user text scored by BM25 over <see cref="Fields.Text"/>. When <see cref="Required"/>, a document must
/// contain at least one token, or hold one of <see cref="OrConcepts"/> (trades the text describes by an activity or a
/// workplace: 电子厂 finds electronics assemblers and workers whose notes mention one); otherwise (the text named trade
/// concepts, which are then a filter) tokens only rank.
/// </summary>
public sealed record TextMatch(IReadOnlyList<string> Tokens, bool Required, IReadOnlyList<string>? OrConcepts = null)
{
    /// <summary>Score a document gets for holding one of <see cref="OrConcepts"/>, as if it matched a word of the text.</summary>
    public const double ConceptWeight = 1.0;
}

public sealed record SortKey(string Field, bool Descending)
{
    public const string Score = "_score";
}

/// <summary>
/// An engine-neutral query: both engines translate it mechanically, so the semantics live in one place
/// (<see cref="QueryPlanner"/>). Filters never change scores; the score is the sum of matched preferences plus the
/// text relevance (BM25 over <see cref="Fields.Text"/>).
/// </summary>
public sealed record QueryPlan(
    IReadOnlyList<Condition> Filters,
    IReadOnlyList<Preference> Preferences,
    TextMatch? Text,
    IReadOnlyList<SortKey> Sort,
    int From,
    int Size,
    IReadOnlyDictionary<string, string> Facets);
