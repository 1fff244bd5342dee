using System.Security.Cryptography;
using System.Text;
using Matching.Data.Ranking;
using Matching.Data.Storage;
using Matching.Ranking.Features;

namespace Matching.Ranking.Training;

/// <summary>
/// An offer (or a placement made without one) with a known outcome: retained six months or not, and the day that
/// outcome became known (<see cref="KnownOn"/>: the offer day for a refusal, the day the worker left, the day the
/// six-month follow-up found them still there), so that a time split trains only on what was known by then.
/// </summary>
public sealed record LabelledPair(long OpeningId, long WorkerId, DateOnly OfferedOn, double? SearchScore, bool Retained, DateOnly KnownOn);

/// <summary>A labelled pair with its features, computed as of the offer day.</summary>
public sealed record FeaturedPair(LabelledPair Pair, float[] Features);

/// <summary>Reads the labelled pairs from placements, follow-ups and offers, and builds their features.</summary>
public static class TrainingData
{
    /// <summary>
    /// Labels: retained at six months is positive; left within three months, declined or no-show is negative.
    /// Placements that ended between three and six months, or whose outcome is not known yet, are left out.
    /// </summary>
    public static async Task<IReadOnlyList<LabelledPair>> LoadLabelsAsync(Database database, CancellationToken cancellationToken = default)
    {
        var rows = await new RetentionRows(database).OffersAsync(cancellationToken);
        var result = new List<LabelledPair>();
        foreach (var r in rows)
        {
            (bool Retained, DateOnly KnownOn)? label = r.Outcome switch
            {
                "declined" or "no-show" => (false, r.OfferedOn),
                "placed" when r.StillEmployedAtSixMonths == true => (true, r.SixMonthsFollowedUpOn ?? r.StartDate!.Value.AddMonths(6)),
                "placed" when r.LeftOn is { } left && r.StartDate is { } start && left <= start.AddMonths(3) => (false, left),
                _ => null,
            };
            if (label is { } known)
            {
                result.Add(new LabelledPair(r.OpeningId, r.WorkerId, r.OfferedOn, r.SearchScore, known.Retained, known.KnownOn));
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
}

/// <summary>
/// The time split (按时间切分): train on earlier offers, choose between models on the next period (validation), report
/// on the latest (test, the fixed held-out set). By offer day: the last <see cref="TestShare"/> of the offers are the
/// test period, the <see cref="ValidationShare"/> before them the validation period. A training pair must have been
/// offered at least <see cref="OutcomeMonths"/> months before the validation period, so that whatever its outcome it was
/// known before the validation period began: nothing from the later periods reaches training, and the training labels
/// are not skewed towards the outcomes that are known soonest (refusals and early leavers) as they would be if offers
/// were taken whose outcome happened to be known already. Features are as of each offer day (employer and
/// fellow-villager records count only outcomes known then).
/// </summary>
public sealed record TimeSplit(DateOnly ValidationFrom, DateOnly TestFrom)
{
    public const double TestShare = 0.2;
    public const double ValidationShare = 0.15;

    /// <summary>An offer's outcome is known within this many months: the start (up to six weeks), six months, the follow-up.</summary>
    public const int OutcomeMonths = 8;

    public static TimeSplit Of(IEnumerable<LabelledPair> pairs)
    {
        var days = pairs.Select(p => p.OfferedOn).Order().ToList();
        if (days.Count == 0)
        {
            return new TimeSplit(DateOnly.MaxValue, DateOnly.MaxValue);
        }
        DateOnly At(double share) => days[Math.Clamp((int)Math.Floor(share * days.Count), 0, days.Count - 1)];
        return new TimeSplit(At(1 - TestShare - ValidationShare), At(1 - TestShare));
    }

    public bool InTraining(LabelledPair p) => p.OfferedOn < ValidationFrom.AddMonths(-OutcomeMonths) && p.KnownOn < ValidationFrom;

    public bool InValidation(LabelledPair p) => p.OfferedOn >= ValidationFrom && p.OfferedOn < TestFrom;

    public bool InTest(LabelledPair p) => p.OfferedOn >= TestFrom;

    public string Rule => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"train: offered before {ValidationFrom.AddMonths(-OutcomeMonths):yyyy-MM-dd} ({OutcomeMonths} months before validation, so every outcome was known by then); validation (model choice): offered {ValidationFrom:yyyy-MM-dd} to {TestFrom.AddDays(-1):yyyy-MM-dd}; test (reported): offered from {TestFrom:yyyy-MM-dd} (the last {TestShare:P0} of offers)");
}
