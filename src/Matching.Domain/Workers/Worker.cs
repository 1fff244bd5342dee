using Matching.Domain.Identity;

namespace Matching.Domain.Workers;

/// <summary>A trade (工种) the worker has, at a level of the 新八级工 ladder (1 学徒工 … 8 首席技师).</summary>
public sealed record WorkerTrade(string TradeId, int Level);

/// <summary>
/// A certificate (证书) the worker holds; <see cref="TradeId"/> says which trade it is for, when it is for one;
/// <see cref="IssuingProvince"/> which province issued it (null: not recorded, taken as Guizhou).
/// </summary>
public sealed record WorkerCertificate(string Type, string? TradeId, int? Level, DateOnly? IssuedOn, DateOnly? ExpiresOn, string? IssuingProvince = null);

/// <summary>
/// A worker (劳动者) as a county labour office registers them (摸排). Sent as JSON to create or replace a worker;
/// every field is optional here so that missing ones are reported together, in Chinese, by <see cref="WorkerRules"/>.
/// The survey fields (户编号, 户类型 <see cref="HouseholdTypes"/>, 当前就业状态 <see cref="EmploymentStatuses"/>) are optional.
/// </summary>
public sealed record WorkerInput(
    string? RealName,
    string? IdNumber,
    Gender? Gender,
    DateOnly? BirthDate,
    string? Phone,
    string? CountyCode,
    string? Education,
    IReadOnlyList<WorkerTradeInput>? Trades,
    IReadOnlyList<WorkerCertificateInput>? Certificates,
    IReadOnlyList<string?>? PriorityGroups,
    IReadOnlyList<string?>? PreferredDestinations,
    int? ExpectedMonthlyWage,
    DateOnly? AvailableFrom,
    IReadOnlyList<string?>? TrainingIntentions,
    string? Notes,
    string? HouseholdNumber = null,
    string? HouseholdType = null,
    string? EmploymentStatus = null);

public sealed record WorkerTradeInput(string? TradeId, int? Level);

public sealed record WorkerCertificateInput(string? Type, string? TradeId, int? Level, DateOnly? IssuedOn, DateOnly? ExpiresOn, string? IssuingProvince = null);

/// <summary>A validated, normalised worker ready to store. Holds the clear ID number and phone: never log it.</summary>
public sealed record WorkerDraft(
    string RealName,
    string IdNumber,
    Gender Gender,
    DateOnly BirthDate,
    string Phone,
    string CountyCode,
    string PrefectureCode,
    string Education,
    IReadOnlyList<WorkerTrade> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    IReadOnlyList<string> PriorityGroups,
    IReadOnlyList<string> PreferredDestinations,
    int ExpectedMonthlyWage,
    DateOnly AvailableFrom,
    IReadOnlyList<string> TrainingIntentions,
    string? Notes,
    string? HouseholdNumber = null,
    string? HouseholdType = null,
    string? EmploymentStatus = null)
{
    /// <summary>Keeps the ID number and phone out of any accidental ToString (logs, exceptions).</summary>
    public override string ToString() => $"WorkerDraft {{ County = {CountyCode}, Trades = {Trades.Count} }}";
}
