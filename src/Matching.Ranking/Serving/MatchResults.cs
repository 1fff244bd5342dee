namespace Matching.Ranking.Serving;

/// <summary>The policy applied on top of predicted retention, shown with every result list.</summary>
public sealed record PolicyWeight(double PriorityWeight, IReadOnlyList<string> PriorityGroups, IReadOnlyList<string> PriorityGroupNames, string Formula);

/// <summary>A real cohort (培训班期) whose training would close a near-miss worker's gap.</summary>
public sealed record ClosingTraining(string TrainingType, string TrainingTypeName, long CohortId, string CohortName, DateOnly StartDate, int SeatsLeft, bool LinkedToOpening);

/// <summary>How a pair scored: predicted retention, the policy bonus, the final score, and why.</summary>
public sealed record MatchScore(
    double RecallRelevance,
    double PredictedRetention,
    double PolicyBonus,
    double Score,
    string Reasons,
    IReadOnlyList<Factor> Factors,
    IReadOnlyList<string> UnmetRequirements,
    ClosingTraining? ClosingTraining,
    double CongestionPenalty = 0,
    string? Congestion = null);

/// <summary>A recommended worker for an opening; no name, ID number or phone.</summary>
public sealed record CandidateResult(
    int Rank,
    long WorkerId,
    string CountyCode,
    string CountyName,
    int Age,
    string? TradeName,
    int? Level,
    IReadOnlyList<string> PriorityGroups,
    MatchScore Match);

/// <summary>A recommended opening for a worker.</summary>
public sealed record OpeningResult(
    int Rank,
    long OpeningId,
    string Title,
    long EmployerId,
    string TradeName,
    string CityName,
    int WageMin,
    int WageMax,
    MatchScore Match);

public sealed record CandidateList(long OpeningId, string OpeningTitle, string TradeName, string ModelVersion, PolicyWeight Policy, int Recalled, IReadOnlyList<CandidateResult> Candidates);

public sealed record OpeningList(long WorkerId, string ModelVersion, PolicyWeight Policy, int Recalled, IReadOnlyList<OpeningResult> Openings);
