using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Matching.Search.Documents;

/// <summary>
/// A worker as both engines index it. Every value is already analysed or encoded here, so Lucene and Elasticsearch
/// receive exactly the same tokens, concept ids and filter terms. Dates are day numbers (days since 0001-01-01).
/// </summary>
public sealed record WorkerDocument(
    long Id,
    IReadOnlyList<string> Tokens,
    IReadOnlyList<string> Concepts,
    IReadOnlyList<string> Trades,
    IReadOnlyList<string> Families,
    IReadOnlyList<string> TradeLevels,
    IReadOnlyList<string> FamilyLevels,
    IReadOnlyList<string> Levels,
    string CountyCode,
    string PrefectureCode,
    IReadOnlyList<string> PriorityGroups,
    IReadOnlyList<string> DestinationProvinces,
    IReadOnlyList<string> DestinationCities,
    string FirstDestination,
    IReadOnlyList<string> Destinations,
    bool Employed,
    IReadOnlyList<string> Intentions,
    IReadOnlyList<string> Credentials,
    int BirthDay,
    int AvailableDay,
    int ExpectedWage)
{
    /// <summary>
    /// Marks a worker without destination preference (willing to go to any partner province), or without stated
    /// training intention (no objection to any): the eligibility rule's one meaning of "no preference".
    /// </summary>
    public const string Any = "any";

    public const string AnyDestination = Any;

    public string Hash => DocumentHash.Of(this);
}

/// <summary>An opening (岗位) with its base's place and its cohorts' dates and free seats, as both engines index it.</summary>
public sealed record OpeningDocument(
    long Id,
    long EmployerId,
    long BaseId,
    string Status,
    IReadOnlyList<string> Tokens,
    IReadOnlyList<string> Concepts,
    string TradeId,
    string FamilyId,
    int MinLevel,
    int MaxLevel,
    string FamilyNeed,
    IReadOnlyList<string> CertificateNeeds,
    int AgeMin,
    int AgeMax,
    string ProvinceCode,
    string CityCode,
    int WageMin,
    int WageMax,
    int Headcount,
    string TrainingType,
    IReadOnlyList<string> CohortIds,
    int NextCohortDay,
    int StartDay,
    int BornAfter,
    int BornBy,
    int FreeSeats)
{
    /// <summary>No special-operation certificate needed / no training type given.</summary>
    public const string None = "none";

    public string Hash => DocumentHash.Of(this);
}

/// <summary>
/// A short fingerprint of a document's indexed values, stored with it: the consistency check rebuilds the document
/// from SQL and compares fingerprints instead of every field.
/// </summary>
public static class DocumentHash
{
    public static string Of(WorkerDocument d) => Hash(string.Join('\u001F',
        d.Id, Join(d.Tokens), Join(d.Concepts), Join(d.Trades), Join(d.Families), Join(d.TradeLevels), Join(d.FamilyLevels),
        Join(d.Levels), d.CountyCode, d.PrefectureCode, Join(d.PriorityGroups),
        Join(d.DestinationProvinces), Join(d.DestinationCities), d.FirstDestination, Join(d.Destinations), d.Employed ? "1" : "0",
        Join(d.Intentions), Join(d.Credentials), Number(d.BirthDay), Number(d.AvailableDay), Number(d.ExpectedWage)));

    public static string Of(OpeningDocument d) => Hash(string.Join('\u001F',
        d.Id, d.EmployerId, d.BaseId, d.Status, Join(d.Tokens), Join(d.Concepts), d.TradeId, d.FamilyId, Number(d.MinLevel),
        Number(d.MaxLevel), d.FamilyNeed, Join(d.CertificateNeeds), Number(d.AgeMin),
        Number(d.AgeMax), d.ProvinceCode, d.CityCode, Number(d.WageMin), Number(d.WageMax), Number(d.Headcount), d.TrainingType,
        Join(d.CohortIds), Number(d.NextCohortDay), Number(d.StartDay), Number(d.BornAfter), Number(d.BornBy), Number(d.FreeSeats)));

    private static string Join(IReadOnlyList<string> values) => string.Join('\u001E', values);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hash(string canonical)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonical), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
