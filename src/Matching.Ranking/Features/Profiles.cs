using Matching.Data.Ranking;
using Matching.Data.Storage;
using Matching.Domain.Matching;
using Matching.Domain.Validation;

namespace Matching.Ranking.Features;

/// <summary>What ranking reads of a worker: no name, ID number or phone.</summary>
public sealed record WorkerProfile(
    long Id,
    string CountyCode,
    string PrefectureCode,
    string Education,
    DateOnly RegisteredOn,
    int ExpectedWage,
    IReadOnlyList<string> PriorityGroups,
    WorkerTerms Terms);

/// <summary>
/// What ranking reads of an opening (岗位) and its base; <see cref="StartBy"/> is the day the eligibility rule is applied
/// on (<see cref="Intakes.StartOf"/>: its earliest upcoming intake, else a direct hire's).
/// </summary>
public sealed record OpeningProfile(
    long Id,
    long EmployerId,
    long BaseId,
    string Title,
    int WageMin,
    int WageMax,
    bool Accommodation,
    bool Meals,
    string Status,
    DateOnly StartBy,
    OpeningTerms Terms)
{
    public int WageMid => (WageMin + WageMax) / 2;
}

/// <summary>Worker and opening profiles by id (read by <see cref="ProfileRows"/>), each opening starting by its earliest upcoming intake.</summary>
public sealed class ProfileReader(Database database, TimeProvider time)
{
    private readonly ProfileRows _rows = new(database);

    public async Task<WorkerProfile?> GetWorkerAsync(long id, CancellationToken cancellationToken = default) =>
        (await GetWorkersAsync([id], cancellationToken)).GetValueOrDefault(id);

    public async Task<OpeningProfile?> GetOpeningAsync(long id, CancellationToken cancellationToken = default) =>
        (await GetOpeningsAsync([id], cancellationToken)).GetValueOrDefault(id);

    public async Task<Dictionary<long, WorkerProfile>> GetWorkersAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<long, WorkerProfile>(ids.Count);
        foreach (var row in await _rows.WorkersAsync(ids, cancellationToken))
        {
            result[row.Id] = ToProfile(row);
        }
        return result;
    }

    public async Task<Dictionary<long, OpeningProfile>> GetOpeningsAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var read = await _rows.OpeningsAsync(ids, today, cancellationToken);
        var starts = EarliestIntakes(read.Intakes, today);
        var result = new Dictionary<long, OpeningProfile>(ids.Count);
        foreach (var row in read.Openings)
        {
            result[row.Id] = ToProfile(row, starts, today);
        }
        return result;
    }

    /// <summary>Every open opening (the SQL recall of openings for a worker reads them all).</summary>
    public async Task<IReadOnlyList<OpeningProfile>> GetOpenOpeningsAsync(CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var read = await _rows.OpenOpeningsAsync(today, cancellationToken);
        var starts = EarliestIntakes(read.Intakes, today);
        return read.Openings.Select(r => ToProfile(r, starts, today)).ToList();
    }

    private static Dictionary<long, DateOnly> EarliestIntakes(IEnumerable<IntakeRow> intakes, DateOnly today)
    {
        var earliest = new Dictionary<long, DateOnly>();
        foreach (var c in intakes)
        {
            if (Intakes.IsUpcoming(c.Status, c.EnrolmentDeadline, c.StartDate, (int)c.Capacity, (int)c.SeatsTaken, today)
                && (!earliest.TryGetValue(c.OpeningId, out var day) || c.StartDate < day))
            {
                earliest[c.OpeningId] = c.StartDate;
            }
        }
        return earliest;
    }

    private static WorkerProfile ToProfile(StoredWorkerRow r) => new(
        r.Id, r.CountyCode, r.PrefectureCode, r.Education, DateOnly.FromDateTime(r.CreatedAt.ToOffset(ChinaTime.Offset).DateTime),
        (int)r.ExpectedWage, r.PriorityGroupList, r.Terms);

    private static OpeningProfile ToProfile(StoredOpeningRow r, Dictionary<long, DateOnly> earliestIntake, DateOnly today) => new(
        r.Id, r.EmployerId, r.BaseId, r.Title, (int)r.WageMin, (int)r.WageMax, r.Accommodation, r.Meals, r.Status,
        Intakes.StartOf(earliestIntake.TryGetValue(r.Id, out var day) ? day : null, today), r.Terms);
}
