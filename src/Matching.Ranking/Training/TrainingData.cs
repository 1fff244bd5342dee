using System.Security.Cryptography;
using System.Text;
using Dapper;
using Matching.Data.Storage;
using Matching.Ranking.Features;

namespace Matching.Ranking.Training;

/// <summary>An offer (or a placement made without one) with a known outcome: retained six months or not.</summary>
public sealed record LabelledPair(long OpeningId, long WorkerId, DateOnly OfferedOn, double? SearchScore, bool Retained);

/// <summary>A labelled pair with its features, computed as of the offer day.</summary>
public sealed record FeaturedPair(LabelledPair Pair, float[] Features);

/// <summary>Reads the labelled pairs from placements, follow-ups and offers, and builds their features.</summary>
public static class TrainingData
{
    // Offers with their outcome, and placements made without an offer (e.g. registered by hand) for their opening.
    private const string LabelsSql = """
        SELECT m.opening_id, m.worker_id, m.offered_on, m.search_score, m.outcome, p.start_date, p.left_on,
            f.still_employed AS still_employed_at_six_months
        FROM match_offers m
        LEFT JOIN placements p ON p.id = m.placement_id
        LEFT JOIN placement_follow_ups f ON f.placement_id = p.id AND f.month = 6
        UNION ALL
        SELECT p.opening_id, p.worker_id, p.start_date, NULL, 'placed', p.start_date, p.left_on, f.still_employed
        FROM placements p
        LEFT JOIN placement_follow_ups f ON f.placement_id = p.id AND f.month = 6
        WHERE p.opening_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM match_offers m WHERE m.placement_id = p.id)
        """;

    /// <summary>
    /// Labels: retained at six months is positive; left within three months, declined or no-show is negative.
    /// Placements that ended between three and six months, or whose outcome is not known yet, are left out.
    /// </summary>
    public static async Task<IReadOnlyList<LabelledPair>> LoadLabelsAsync(Database database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LabelRow>(LabelsSql);
        var result = new List<LabelledPair>();
        foreach (var r in rows)
        {
            bool? retained = r.Outcome switch
            {
                "declined" or "no-show" => false,
                "placed" when r.StillEmployedAtSixMonths == true => true,
                "placed" when r.LeftOn is { } left && r.StartDate is { } start && left <= start.AddMonths(3) => false,
                _ => null,
            };
            if (retained is { } label)
            {
                result.Add(new LabelledPair(r.OpeningId, r.WorkerId, r.OfferedOn, r.SearchScore, label));
            }
        }
        return result.OrderBy(p => p.OpeningId).ThenBy(p => p.WorkerId).ThenBy(p => p.OfferedOn).ToList();
    }

    /// <summary>Features of every labelled pair as of its offer day, from the same builder that serving uses.</summary>
    public static async Task<IReadOnlyList<FeaturedPair>> BuildAsync(Database database, FeatureBuilder features, ProfileReader profiles, CancellationToken cancellationToken = default)
    {
        var labels = await LoadLabelsAsync(database, cancellationToken);
        var history = await RetentionHistory.LoadAsync(database, cancellationToken);
        var workers = await profiles.GetWorkersAsync(labels.Select(l => l.WorkerId).Distinct().ToList(), cancellationToken);
        var openings = await profiles.GetOpeningsAsync(labels.Select(l => l.OpeningId).Distinct().ToList(), cancellationToken);
        var result = new List<FeaturedPair>(labels.Count);
        foreach (var label in labels)
        {
            if (workers.TryGetValue(label.WorkerId, out var worker) && openings.TryGetValue(label.OpeningId, out var opening))
            {
                result.Add(new FeaturedPair(label, features.Facts(worker, opening, history, label.OfferedOn).ToVector()));
            }
        }
        return result;
    }

    /// <summary>SHA-256 (first 16 hex digits) of the labelled pairs, so a model card names the exact data it saw.</summary>
    public static string Hash(IEnumerable<LabelledPair> pairs)
    {
        var text = new StringBuilder();
        foreach (var p in pairs)
        {
            text.Append(p.OpeningId).Append(',').Append(p.WorkerId).Append(',').Append(p.OfferedOn.DayNumber).Append(',')
                .Append(p.Retained ? '1' : '0').Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private sealed class LabelRow
    {
        public long OpeningId { get; init; }
        public long WorkerId { get; init; }
        public DateOnly OfferedOn { get; init; }
        public double? SearchScore { get; init; }
        public string Outcome { get; init; } = "";
        public DateOnly? StartDate { get; init; }
        public DateOnly? LeftOn { get; init; }
        public bool? StillEmployedAtSixMonths { get; init; }
    }
}

/// <summary>The held-out openings: about one in five, chosen by a fixed hash of the opening id, the same in train and evaluate.</summary>
public static class HeldOut
{
    public const string Rule = "opening id × 2654435761 mod 2³² mod 5 = 0 (about one opening in five)";

    public static bool Contains(long openingId) => (uint)(openingId * 2654435761L) % 5 == 0;
}
