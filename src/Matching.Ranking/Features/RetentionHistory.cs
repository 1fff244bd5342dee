using Matching.Data.Ranking;
using Matching.Data.Storage;

namespace Matching.Ranking.Features;

/// <summary>A placement whose six-month outcome is known: retained (still employed at 6 months) or not, and since when it is known.</summary>
public readonly record struct PlacementOutcome(long EmployerId, string CountyCode, DateOnly KnownOn, bool Retained);

/// <summary>An employer's record as of a day: what a labour officer would look up before recommending it.</summary>
public readonly record struct EmployerRecord(int Placements, int Retained, int FellowVillagersRetained)
{
    /// <summary>Share retained at six months, smoothed towards one half so that a first placement does not read 0% or 100%.</summary>
    public double RetentionRate => (Retained + 1.0) / (Placements + 2.0);
}

/// <summary>
/// Past placement outcomes, queried "as of" a day so that training never sees an outcome that was not known when
/// the offer was made (no leakage), and serving asks as of today: one code path for both.
/// </summary>
public sealed class RetentionHistory
{
    private readonly Dictionary<long, Outcomes> _byEmployer = [];
    private readonly Dictionary<(long, string), Outcomes> _byEmployerCounty = [];

    public RetentionHistory(IEnumerable<PlacementOutcome> outcomes)
    {
        foreach (var group in outcomes.GroupBy(o => o.EmployerId))
        {
            _byEmployer[group.Key] = new Outcomes(group);
        }
        foreach (var group in outcomes.Where(o => o.Retained).GroupBy(o => (o.EmployerId, o.CountyCode)))
        {
            _byEmployerCounty[group.Key] = new Outcomes(group);
        }
        Count = _byEmployer.Values.Sum(o => o.Count);
    }

    public static readonly RetentionHistory Empty = new([]);

    /// <summary>Known outcomes in the history.</summary>
    public int Count { get; }

    /// <summary>The employer's placements and retentions known before <paramref name="asOf"/>, and those of the county's workers.</summary>
    public EmployerRecord At(long employerId, string countyCode, DateOnly asOf)
    {
        var (placements, retained) = _byEmployer.TryGetValue(employerId, out var all) ? all.Before(asOf) : (0, 0);
        var fellows = _byEmployerCounty.TryGetValue((employerId, countyCode), out var county) ? county.Before(asOf).Retained : 0;
        return new EmployerRecord(placements, retained, fellows);
    }

    /// <summary>
    /// Six-month outcome: retained when the 6-month follow-up found the worker employed; not retained when the worker
    /// left before six months (known on the day they left) or the 6-month follow-up found them gone.
    /// </summary>
    public static async Task<RetentionHistory> LoadAsync(Database database, CancellationToken cancellationToken = default)
    {
        var rows = await new RetentionRows(database).PlacementsAsync(cancellationToken);
        return new RetentionHistory(rows.Select(ToOutcome).OfType<PlacementOutcome>());
    }

    private static PlacementOutcome? ToOutcome(PlacementOutcomeRow row)
    {
        var sixMonths = row.StartDate.AddMonths(6);
        if (row.StillEmployed == true)
        {
            return new PlacementOutcome(row.EmployerId, row.CountyCode, row.FollowedUpOn ?? sixMonths, true);
        }
        if (row.LeftOn is { } left && left < sixMonths)
        {
            return new PlacementOutcome(row.EmployerId, row.CountyCode, left, false);
        }
        if (row.StillEmployed == false)
        {
            return new PlacementOutcome(row.EmployerId, row.CountyCode, row.FollowedUpOn ?? sixMonths, false);
        }
        return null;
    }

    /// <summary>Outcomes of one key sorted by the day they became known, with running retained counts.</summary>
    private sealed class Outcomes
    {
        private readonly int[] _days;
        private readonly int[] _retainedUpTo;

        public Outcomes(IEnumerable<PlacementOutcome> outcomes)
        {
            var sorted = outcomes.OrderBy(o => o.KnownOn).ToArray();
            _days = sorted.Select(o => o.KnownOn.DayNumber).ToArray();
            _retainedUpTo = new int[sorted.Length];
            var retained = 0;
            for (var i = 0; i < sorted.Length; i++)
            {
                retained += sorted[i].Retained ? 1 : 0;
                _retainedUpTo[i] = retained;
            }
        }

        public int Count => _days.Length;

        /// <summary>Outcomes known strictly before the day: how many, and how many retained.</summary>
        public (int Count, int Retained) Before(DateOnly day)
        {
            // First index with a day >= the asked day: everything before it was known earlier.
            int lo = 0, hi = _days.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_days[mid] < day.DayNumber) lo = mid + 1; else hi = mid;
            }
            return (lo, lo == 0 ? 0 : _retainedUpTo[lo - 1]);
        }
    }
}
