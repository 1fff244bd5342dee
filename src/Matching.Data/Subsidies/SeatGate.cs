using System.Data.Common;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Subsidies;

namespace Matching.Data.Subsidies;

/// <summary>The integrity checks' verdict on granting a seat: findings, and the overlapping cohort a refusal names.</summary>
public sealed record SeatVerdict(IReadOnlyList<IntegrityFinding> Findings, long OverlappingCohortId)
{
    public bool Blocked => IntegrityRules.Blocks(Findings);

    /// <summary>The blocking reasons, in Chinese.</summary>
    public string Refusal => string.Join("；", Findings.Where(f => f.Severity == FindingSeverity.Block).Select(f => f.Reason));

    /// <summary>The enrolment's note with the findings that need review appended (待核查), so the office sees them beside the seat.</summary>
    public string? NoteWith(string? note)
    {
        var reviews = Findings.Where(f => f.Severity == FindingSeverity.Review).Select(f => f.Reason).ToList();
        if (reviews.Count == 0)
        {
            return note;
        }
        var flagged = "待核查：" + string.Join("；", reviews);
        var combined = note is null ? flagged : $"{note}；{flagged}";
        return combined.Length <= 1000 ? combined : combined[..1000];
    }
}

/// <summary>
/// Runs the integrity checks before a seat is granted (enrolment by a clerk, a committed dispatch round, a re-offer):
/// one call from the seat-granting path, inside its write transaction.
/// </summary>
public static class SeatGate
{
    public static async Task<SeatVerdict> CheckAsync(SqlDialect dialect, DbConnection connection, DbTransaction tx, Catalogue catalogue, long cohortId, long workerId, DateOnly today)
    {
        var facts = await IntegrityFacts.SeatAsync(dialect, connection, tx, cohortId, workerId, today);
        if (facts is null)
        {
            return new SeatVerdict([], 0);
        }
        var findings = IntegrityRules.ForSeat(facts, catalogue.Policy.Limits);
        var overlapping = findings.Any(f => f.Code == IntegrityChecks.OverlappingCohorts) ? facts.Overlapping.OrderBy(o => o.StartDate).First().CohortId : 0;
        return new SeatVerdict(findings, overlapping);
    }
}
