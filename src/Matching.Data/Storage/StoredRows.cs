using Matching.Domain.Matching;
using Matching.Domain.Workers;

namespace Matching.Data.Storage;

/// <summary>
/// A <c>workers</c> row as the readers beside the stores read it (search documents, ranking profiles, the demo
/// history): no name, ID number or phone. A query selects the columns it needs; the others keep their defaults.
/// </summary>
public sealed class StoredWorkerRow
{
    public long Id { get; init; }
    public DateOnly BirthDate { get; init; }
    public string CountyCode { get; init; } = "";
    public string PrefectureCode { get; init; } = "";
    public string Education { get; init; } = "";
    public string TradesJson { get; init; } = "[]";
    public string CertificatesJson { get; init; } = "[]";
    public string PriorityGroups { get; init; } = "";
    public string Destinations { get; init; } = "";
    public long ExpectedWage { get; init; }
    public DateOnly AvailableFrom { get; init; }
    public string TrainingIntentions { get; init; } = "";
    public string? Notes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>In a job placed through the programme, when the query selects <see cref="InActivePlacementColumn"/>.</summary>
    public bool InActivePlacement { get; init; }

    /// <summary>The column for <see cref="InActivePlacement"/>, for a query over <c>workers</c> (unaliased).</summary>
    public const string InActivePlacementColumn =
        "CASE WHEN EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = workers.id AND p.status = 'active') THEN 1 ELSE 0 END AS in_active_placement";

    public IReadOnlyList<WorkerTrade> Trades => StoredJson.Read<List<WorkerTrade>>(TradesJson);

    public IReadOnlyList<WorkerCertificate> Certificates => StoredJson.Read<List<WorkerCertificate>>(CertificatesJson);

    public IReadOnlyList<string> PriorityGroupList => Codes.Split(PriorityGroups);

    public IReadOnlyList<string> DestinationList => Codes.Split(Destinations);

    /// <summary>What the eligibility rule and the recall relevance read of the worker.</summary>
    public WorkerTerms Terms => new(BirthDate, Trades, Certificates, DestinationList, AvailableFrom, Codes.Split(TrainingIntentions), InActivePlacement);
}

/// <summary>An <c>openings</c> row joined with its base's province and city, as the readers beside the stores read it.</summary>
public sealed class StoredOpeningRow
{
    public long Id { get; init; }
    public long EmployerId { get; init; }
    public long BaseId { get; init; }
    public string Title { get; init; } = "";
    public string TradeId { get; init; } = "";
    public long MinLevel { get; init; }
    public long MaxLevel { get; init; }
    public long Headcount { get; init; }
    public long WageMin { get; init; }
    public long WageMax { get; init; }
    public bool Accommodation { get; init; }
    public bool Meals { get; init; }
    public string RequiredCertificates { get; init; } = "";
    public long AgeMin { get; init; }
    public long AgeMax { get; init; }
    public string? TrainingType { get; init; }
    public string? Requirements { get; init; }
    public string Status { get; init; } = "";
    public string ProvinceCode { get; init; } = "";
    public string CityCode { get; init; } = "";

    public int WageMid => (int)((WageMin + WageMax) / 2);

    /// <summary>What the eligibility rule and the recall relevance read of the opening.</summary>
    public OpeningTerms Terms => new(TradeId, (int)MinLevel, (int)MaxLevel, Codes.Split(RequiredCertificates), (int)AgeMin, (int)AgeMax,
        ProvinceCode, CityCode, TrainingType);
}
