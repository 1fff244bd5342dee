using System.Data.Common;
using System.Globalization;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Matching;
using Matching.Domain.Validation;

namespace Matching.Data.Demo;

/// <summary>What the history generator wrote.</summary>
public sealed record DemoHistorySummary(int Openings, int Offers, int Declined, int NoShows, int Placements, int RetainedSixMonths);

/// <summary>
/// Past offers, placements and follow-ups for the demo data, drawn from the hidden process documented in
/// <c>seeds/demo-history.md</c> and computed by <see cref="DemoTruth"/> (keep the three in step). Clerks offered
/// openings to workers the eligibility rule admitted on the offer day (<see cref="Eligibility"/>), favouring the
/// recall's relevance and the employer's partner counties; each offer was declined, a no-show, or became a placement
/// that lasted or not. The ranking model only ever sees the outcomes, never the process. Deterministic for a seed.
/// </summary>
public sealed class DemoHistory(DataEnvironment environment, TimeProvider time, int seed = DemoData.DefaultSeed)
{
    private const string CountOffersSql = "SELECT COUNT(*) FROM match_offers";
    private const string OpeningsSql = """
        SELECT o.id, o.employer_id, o.trade_id, o.min_level, o.max_level, o.wage_min, o.wage_max, o.accommodation,
            o.required_certificates, o.age_min, o.age_max, o.training_type, b.province_code, b.city_code
        FROM openings o JOIN training_bases b ON b.id = o.base_id
        ORDER BY o.id
        """;
    private const string WorkersSql = """
        SELECT id, birth_date, county_code, prefecture_code, trades_json, certificates_json, priority_groups,
            destinations, expected_wage, available_from, training_intentions
        FROM workers ORDER BY id
        """;
    private const string BackdateRegistrationSql = "UPDATE workers SET created_at = @CreatedAt WHERE id = @Id";
    private const string MaxPlacementIdSql = "SELECT COALESCE(MAX(id), 0) FROM placements";
    private const string InsertPlacementSql = """
        INSERT INTO placements (id, worker_id, employer_id, opening_id, cohort_id, start_date, monthly_wage, status, left_on, created_at, updated_at, version)
        VALUES (@Id, @WorkerId, @EmployerId, @OpeningId, NULL, @StartDate, @MonthlyWage, @Status, @LeftOn, @Now, @Now, 1)
        """;
    private const string InsertFollowUpSql = """
        INSERT INTO placement_follow_ups (placement_id, month, due_date, followed_up_on, still_employed, monthly_wage, note)
        VALUES (@PlacementId, @Month, @DueDate, @FollowedUpOn, @StillEmployed, @MonthlyWage, NULL)
        """;
    private const string InsertOfferSql = """
        INSERT INTO match_offers (opening_id, worker_id, offered_on, search_score, outcome, placement_id, created_at)
        VALUES (@OpeningId, @WorkerId, @OfferedOn, @SearchScore, @Outcome, @PlacementId, @Now)
        """;

    /// <summary>Whether the database already has offer history (the generator writes it once).</summary>
    public async Task<bool> HasHistoryAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(CountOffersSql) > 0;
    }

    /// <summary>
    /// Writes the history for up to <paramref name="maxOpenings"/> openings (the first by id), about
    /// <paramref name="offersPerOpening"/> offers each, dated 8 to 54 months ago so that six-month outcomes are known.
    /// </summary>
    public async Task<DemoHistorySummary> GenerateAsync(int maxOpenings = 1_500, int offersPerOpening = 100, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (await HasHistoryAsync(cancellationToken))
        {
            throw new InvalidOperationException("数据库已有演示历史（match_offers 非空），不再重复生成");
        }
        var catalogue = environment.Catalogue;
        var truth = new DemoTruth(catalogue, seed);
        var today = ChinaTime.Today(time);
        var random = new Random(seed + 7);
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        var openings = (await connection.QueryAsync<StoredOpeningRow>(OpeningsSql)).Take(maxOpenings).Select(ToOpening).ToList();
        var rows = (await connection.QueryAsync<StoredWorkerRow>(WorkersSql)).ToList();
        if (openings.Count == 0 || rows.Count == 0)
        {
            return new DemoHistorySummary(0, 0, 0, 0, 0, 0);
        }

        // Registrations (摸排登记) spread over the last five years: a worker is only offered work after registering.
        var workers = rows.Select(r => ToWorker(r, today.AddDays(-random.Next(60, 5 * 365)))).ToList();
        var byFamily = new Dictionary<string, List<DemoWorker>>(StringComparer.Ordinal);
        foreach (var w in workers)
        {
            foreach (var family in w.Terms.Trades.Select(t => catalogue.TradesById[t.TradeId].FamilyId).Distinct())
            {
                if (!byFamily.TryGetValue(family, out var list))
                {
                    byFamily[family] = list = [];
                }
                list.Add(w);
            }
        }

        // A clerk's search per opening: up to 3,000 workers of the family looked at; those the rule could admit whatever
        // their age and availability (checked on the offer day) form the pool, weighted by the recall relevance and,
        // hidden, the employer's partner counties.
        var pools = new Dictionary<long, List<(DemoWorker Worker, double Relevance, double Weight)>>();
        var slots = new List<(DemoOpening Opening, DateOnly On)>();
        foreach (var opening in openings)
        {
            var family = catalogue.TradesById[opening.Terms.TradeId].FamilyId;
            if (!byFamily.TryGetValue(family, out var sameFamily))
            {
                continue;
            }
            var anyAge = opening.Terms with { AgeMin = 0, AgeMax = 150 };
            var pool = new List<(DemoWorker, double, double)>();
            foreach (var index in SampleIndexes(random, sameFamily.Count, 3_000))
            {
                var w = sameFamily[index];
                if (Eligibility.Admits(catalogue, w.Terms with { AvailableFrom = DateOnly.MinValue }, anyAge, today.AddMonths(-24)))
                {
                    var relevance = RecallRelevance.Of(w.Terms, opening.Terms);
                    pool.Add((w, relevance, Math.Exp(0.35 * relevance) * (truth.IsPartnerCounty(opening.EmployerId, w.CountyCode) ? 3 : 1)));
                }
            }
            pools[opening.Id] = pool;
            for (var i = Math.Min(offersPerOpening, pool.Count * 2 / 3); i > 0; i--)
            {
                slots.Add((opening, today.AddDays(-random.Next(8 * 31, 54 * 30))));
            }
        }
        progress?.Report($"演示历史：{openings.Count} 个岗位共 {slots.Count:N0} 次推荐，按时间顺序模拟结果");

        // Chronological simulation: who is free, and the fellow villagers (同县老乡) whose six-month follow-up was
        // recorded retained before the offer day, as the placement history will show them.
        var retainedKnown = new Dictionary<(long, string), List<DateOnly>>();
        var busyUntil = new Dictionary<long, DateOnly>();
        var placementId = await connection.ExecuteScalarAsync<long>(MaxPlacementIdSql);
        var offerRows = new List<object>();
        var placementRows = new List<object>();
        var followUpRows = new List<object>();
        int declined = 0, noShows = 0, placed = 0, retained = 0;
        var now = time.GetUtcNow();
        foreach (var (o, offeredOn) in slots.OrderBy(s => s.On).ThenBy(s => s.Opening.Id))
        {
            var chosen = Draw(random, pools[o.Id], w =>
                w.RegisteredOn <= offeredOn
                && Eligibility.Admits(catalogue, w.Terms with
                {
                    AvailableFrom = offeredOn,
                    InActivePlacement = busyUntil.TryGetValue(w.Id, out var busy) && busy >= offeredOn,
                }, o.Terms, offeredOn));
            if (chosen is not var (w, relevance))
            {
                continue;
            }
            var key = (o.EmployerId, w.CountyCode);
            var fellows = retainedKnown.TryGetValue(key, out var dates) ? dates.Count(d => d < offeredOn) : 0;
            var x = truth.Of(w, o, offeredOn, fellows);

            var outcome = "placed";
            long? placement = null;
            if (random.NextDouble() < x.Decline)
            {
                outcome = "declined";
                declined++;
            }
            else if (random.NextDouble() < x.NoShow)
            {
                outcome = "no-show";
                noShows++;
            }
            else
            {
                placed++;
                placement = ++placementId;
                var start = offeredOn.AddDays(random.Next(14, 41));
                var lasts = random.NextDouble() < x.Retain;
                DateOnly? leftOn;
                if (lasts)
                {
                    retained++;
                    leftOn = random.NextDouble() < 0.8 ? null : start.AddDays(random.Next(190, 360));
                }
                else
                {
                    leftOn = start.AddDays(random.NextDouble() < DemoTruth.LeavesEarlyShare ? random.Next(7, 88) : random.Next(95, 178));
                }
                var left = leftOn is { } l && l <= today ? leftOn : null;
                busyUntil[w.Id] = left ?? DateOnly.MaxValue;
                placementRows.Add(new
                {
                    Id = placement.Value, WorkerId = w.Id, o.EmployerId, OpeningId = o.Id, StartDate = start, MonthlyWage = o.WageMid,
                    Status = left is null ? "active" : "left", LeftOn = left, Now = now,
                });
                var previousDue = start;
                foreach (var month in new[] { 1, 3, 6, 12 })
                {
                    var due = start.AddMonths(month);
                    var on = due.AddDays(random.Next(0, 10));
                    // After a follow-up finds the worker gone, the office stops calling.
                    var recorded = on <= today && (leftOn is not { } gone || gone > previousDue);
                    previousDue = due;
                    var stillEmployed = leftOn is not { } leaving || leaving > due;
                    followUpRows.Add(new
                    {
                        PlacementId = placement.Value, Month = month, DueDate = due,
                        FollowedUpOn = recorded ? on : (DateOnly?)null,
                        StillEmployed = recorded ? stillEmployed : (bool?)null,
                        MonthlyWage = recorded && stillEmployed ? o.WageMid : (int?)null,
                    });
                    if (month == 6 && recorded && stillEmployed)
                    {
                        if (!retainedKnown.TryGetValue(key, out var list))
                        {
                            retainedKnown[key] = list = [];
                        }
                        list.Add(on);
                    }
                }
            }
            offerRows.Add(new
            {
                OpeningId = o.Id, WorkerId = w.Id, OfferedOn = offeredOn, SearchScore = relevance, Outcome = outcome,
                PlacementId = placement, Now = now,
            });
        }

        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            await BackdateRegistrationsAsync(connection, tx, workers);
            // Placement ids are chosen here (offers point at them), which SQL Server takes only with explicit ids on.
            var (explicitIdsOn, explicitIdsOff) = environment.Database.Dialect.ExplicitIds("placements");
            await connection.ExecuteAsync(explicitIdsOn + InsertPlacementSql + ";" + explicitIdsOff, placementRows, tx);
            await connection.ExecuteAsync(InsertFollowUpSql, followUpRows, tx);
            await connection.ExecuteAsync(InsertOfferSql, offerRows, tx);
            await tx.CommitAsync(cancellationToken);
        }
        progress?.Report($"演示历史：推荐 {offerRows.Count:N0} 次，拒绝 {declined:N0}，未报到 {noShows:N0}，上岗 {placed:N0}，6个月仍在岗 {retained:N0}");
        return new DemoHistorySummary(openings.Count, offerRows.Count, declined, noShows, placed, retained);
    }

    private static async Task BackdateRegistrationsAsync(DbConnection connection, DbTransaction tx, List<DemoWorker> workers)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = BackdateRegistrationSql;
        var createdAt = command.CreateParameter();
        createdAt.ParameterName = "@CreatedAt";
        var id = command.CreateParameter();
        id.ParameterName = "@Id";
        command.Parameters.Add(createdAt);
        command.Parameters.Add(id);
        foreach (var w in workers)
        {
            createdAt.Value = w.RegisteredOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T01:00:00.0000000Z";
            id.Value = w.Id;
            await command.ExecuteNonQueryAsync();
        }
    }

    private static IEnumerable<int> SampleIndexes(Random random, int count, int max)
    {
        if (count <= max)
        {
            return Enumerable.Range(0, count);
        }
        var chosen = new HashSet<int>();
        while (chosen.Count < max)
        {
            chosen.Add(random.Next(count));
        }
        return chosen.Order();
    }

    /// <summary>
    /// Draws a worker from the pool by weight, without replacement, among those <paramref name="admitted"/> on the day
    /// (a few tries; a pool with nobody fitting that day gives nobody).
    /// </summary>
    private static (DemoWorker Worker, double Relevance)? Draw(Random random, List<(DemoWorker Worker, double Relevance, double Weight)> pool, Func<DemoWorker, bool> admitted)
    {
        for (var attempt = 0; attempt < 20 && pool.Count > 0; attempt++)
        {
            var total = pool.Sum(p => p.Weight);
            var x = random.NextDouble() * total;
            var index = pool.Count - 1;
            for (var i = 0; i < pool.Count; i++)
            {
                x -= pool[i].Weight;
                if (x < 0)
                {
                    index = i;
                    break;
                }
            }
            var candidate = pool[index];
            if (admitted(candidate.Worker))
            {
                pool.RemoveAt(index);
                return (candidate.Worker, candidate.Relevance);
            }
        }
        return null;
    }

    private static DemoWorker ToWorker(StoredWorkerRow row, DateOnly registeredOn) => new(row.Id, row.CountyCode, row.PrefectureCode,
        row.Terms, row.PriorityGroupList, (int)row.ExpectedWage, registeredOn);

    private static DemoOpening ToOpening(StoredOpeningRow row) => new(row.Id, row.EmployerId, row.Terms, (int)row.WageMin, (int)row.WageMax, row.Accommodation);
}
