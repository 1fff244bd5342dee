using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Ranking;

/// <summary>An offer with its outcome, or a placement made without an offer (outcome <c>placed</c>), and what is known of its six months.</summary>
public sealed class OfferOutcomeRow
{
    public long OpeningId { get; init; }
    public long WorkerId { get; init; }
    public DateOnly OfferedOn { get; init; }
    public double? SearchScore { get; init; }
    public string Outcome { get; init; } = "";
    public DateOnly? StartDate { get; init; }
    public DateOnly? LeftOn { get; init; }
    public bool? StillEmployedAtSixMonths { get; init; }
    public DateOnly? SixMonthsFollowedUpOn { get; init; }
}

/// <summary>A placement with its employer, its worker's county and its six-month follow-up, if any.</summary>
public sealed class PlacementOutcomeRow
{
    public long EmployerId { get; init; }
    public string CountyCode { get; init; } = "";
    public DateOnly StartDate { get; init; }
    public DateOnly? LeftOn { get; init; }
    public DateOnly? FollowedUpOn { get; init; }
    public bool? StillEmployed { get; init; }
}

/// <summary>
/// The outcomes ranking learns from and looks up: offers and placements with what their six-month follow-ups found.
/// Which of them count as retained, and since when that is known, is the ranker's rule, not this reader's.
/// </summary>
public sealed class RetentionRows(Database database)
{
    // Offers with their outcome, and placements made without an offer (e.g. registered by hand) for their opening.
    private const string OffersSql = """
        SELECT m.opening_id, m.worker_id, m.offered_on, m.search_score, m.outcome, p.start_date, p.left_on,
            f.still_employed AS still_employed_at_six_months, f.followed_up_on AS six_months_followed_up_on
        FROM match_offers m
        LEFT JOIN placements p ON p.id = m.placement_id
        LEFT JOIN placement_follow_ups f ON f.placement_id = p.id AND f.month = 6
        UNION ALL
        SELECT p.opening_id, p.worker_id, p.start_date, NULL, 'placed', p.start_date, p.left_on, f.still_employed, f.followed_up_on
        FROM placements p
        LEFT JOIN placement_follow_ups f ON f.placement_id = p.id AND f.month = 6
        WHERE p.opening_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM match_offers m WHERE m.placement_id = p.id)
        """;

    private const string PlacementsSql = """
        SELECT p.employer_id, w.county_code, p.start_date, p.left_on, f.followed_up_on, f.still_employed
        FROM placements p
        JOIN workers w ON w.id = p.worker_id
        LEFT JOIN placement_follow_ups f ON f.placement_id = p.id AND f.month = 6
        """;

    /// <summary>Every offer with its outcome, and every placement for an opening made without an offer.</summary>
    public async Task<IReadOnlyList<OfferOutcomeRow>> OffersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<OfferOutcomeRow>(new CommandDefinition(OffersSql, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Every placement with its six-month follow-up.</summary>
    public async Task<IReadOnlyList<PlacementOutcomeRow>> PlacementsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<PlacementOutcomeRow>(new CommandDefinition(PlacementsSql, cancellationToken: cancellationToken))).AsList();
    }
}
