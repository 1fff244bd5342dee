using System.Data.Common;
using System.Globalization;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Data.Demo;

/// <summary>What the history generator wrote.</summary>
public sealed record DemoHistorySummary(int Openings, int Offers, int Declined, int NoShows, int Placements, int RetainedSixMonths);

/// <summary>
/// Past offers, placements and follow-ups for the demo data, drawn from the hidden process documented in
/// <c>seeds/demo-history.md</c> (keep the two in step). Clerks offered openings to workers the search recalled, with
/// a bias for the employer's partner counties; each offer was declined, a no-show, or became a placement that lasted
/// or not. The ranking model only ever sees the outcomes, never the process. Deterministic for a seed.
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
    /// <paramref name="offersPerOpening"/> offers each, dated 8 to 42 months ago so that six-month outcomes are known.
    /// </summary>
    public async Task<DemoHistorySummary> GenerateAsync(int maxOpenings = 1_500, int offersPerOpening = 40, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (await HasHistoryAsync(cancellationToken))
        {
            throw new InvalidOperationException("数据库已有演示历史（match_offers 非空），不再重复生成");
        }
        var catalogue = environment.Catalogue;
        var today = ChinaTime.Today(time);
        var random = new Random(seed + 7);
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        var openings = (await connection.QueryAsync<StoredOpeningRow>(OpeningsSql)).Take(maxOpenings).ToList();
        var workers = (await connection.QueryAsync<StoredWorkerRow>(WorkersSql)).Select(ToWorker).ToList();
        if (openings.Count == 0 || workers.Count == 0)
        {
            return new DemoHistorySummary(0, 0, 0, 0, 0, 0);
        }

        // Registrations (摸排登记) spread over the last five years: a worker is only offered work after registering.
        foreach (var w in workers)
        {
            w.RegisteredOn = today.AddDays(-random.Next(60, 5 * 365));
        }
        var byFamily = new Dictionary<string, List<HistoryWorker>>(StringComparer.Ordinal);
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

        // Hidden per employer: a retention culture (only visible through outcomes) and three partner counties (结对县).
        var employers = openings.Select(o => o.EmployerId).Distinct().Order().ToDictionary(id => id, _ => new EmployerSecret(
            Normal(random) * 0.7,
            Enumerable.Range(0, 3).Select(_ => catalogue.GuizhouCounties[random.Next(catalogue.GuizhouCounties.Count)].Code).ToHashSet(StringComparer.Ordinal)));

        var poolDate = today.AddMonths(-24);
        var offers = new List<PlannedOffer>();
        foreach (var opening in openings)
        {
            var terms = opening.Terms;
            var family = catalogue.TradesById[opening.TradeId].FamilyId;
            if (!byFamily.TryGetValue(family, out var sameFamily))
            {
                continue;
            }
            var secret = employers[opening.EmployerId];
            // A clerk's search: up to 3,000 workers of the family looked at, those passing the hard constraints kept.
            var pool = new List<(HistoryWorker Worker, double Relevance, double Weight)>();
            foreach (var index in SampleIndexes(random, sameFamily.Count, 3_000))
            {
                var w = sameFamily[index];
                if (MatchRules.PassesHardConstraints(catalogue, w.Terms, terms, poolDate, checkAvailability: false))
                {
                    var relevance = MatchRules.SearchRelevance(catalogue, w.Terms, terms, poolDate);
                    pool.Add((w, relevance, Math.Exp(1.5 * relevance) * (secret.PartnerCounties.Contains(w.CountyCode) ? 3 : 1)));
                }
            }
            var take = Math.Min(offersPerOpening, pool.Count * 2 / 3);
            for (var i = 0; i < take; i++)
            {
                var chosen = WeightedTake(random, pool);
                var offeredOn = today.AddDays(-random.Next(8 * 31, 42 * 30));
                offers.Add(new PlannedOffer(opening, chosen.Worker, offeredOn, chosen.Relevance));
            }
        }
        progress?.Report($"演示历史：{openings.Count} 个岗位共 {offers.Count:N0} 次推荐，按时间顺序模拟结果");

        // Chronological simulation, so that fellow villagers (同县老乡) retained earlier raise later chances.
        var retainedByEmployerCounty = new Dictionary<(long, string), List<DateOnly>>();
        var busyUntil = new Dictionary<long, DateOnly>();
        var placementId = await connection.ExecuteScalarAsync<long>(MaxPlacementIdSql);
        var offerRows = new List<object>();
        var placementRows = new List<object>();
        var followUpRows = new List<object>();
        int declined = 0, noShows = 0, placed = 0, retained = 0;
        var now = time.GetUtcNow();
        foreach (var offer in offers.OrderBy(o => o.OfferedOn).ThenBy(o => o.Opening.Id).ThenBy(o => o.Worker.Id))
        {
            var w = offer.Worker;
            var o = offer.Opening;
            if (w.RegisteredOn > offer.OfferedOn || (busyUntil.TryGetValue(w.Id, out var busy) && busy >= offer.OfferedOn))
            {
                continue;
            }
            var secret = employers[o.EmployerId];
            var key = (o.EmployerId, w.CountyCode);
            var fellows = retainedByEmployerCounty.TryGetValue(key, out var dates) ? dates.Count(d => d < offer.OfferedOn) : 0;
            var x = HiddenFactors.Of(catalogue, w, o, offer.OfferedOn, fellows, secret.Quality);

            var outcome = "placed";
            long? placement = null;
            if (random.NextDouble() < Sigmoid(x.DeclineLogit))
            {
                outcome = "declined";
                declined++;
            }
            else if (random.NextDouble() < Sigmoid(x.NoShowLogit))
            {
                outcome = "no-show";
                noShows++;
            }
            else
            {
                placed++;
                placement = ++placementId;
                var start = offer.OfferedOn.AddDays(random.Next(14, 41));
                var lasts = random.NextDouble() < Sigmoid(x.RetentionLogit + Normal(random) * 0.7);
                DateOnly? leftOn;
                if (lasts)
                {
                    retained++;
                    if (!retainedByEmployerCounty.TryGetValue(key, out var list))
                    {
                        retainedByEmployerCounty[key] = list = [];
                    }
                    list.Add(start.AddMonths(6));
                    leftOn = random.NextDouble() < 0.8 ? null : start.AddDays(random.Next(190, 360));
                }
                else
                {
                    leftOn = start.AddDays(random.NextDouble() < 0.65 ? random.Next(7, 88) : random.Next(95, 178));
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
                }
            }
            offerRows.Add(new
            {
                OpeningId = o.Id, WorkerId = w.Id, OfferedOn = offer.OfferedOn, SearchScore = offer.Relevance, Outcome = outcome,
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

    private static async Task BackdateRegistrationsAsync(DbConnection connection, DbTransaction tx, List<HistoryWorker> workers)
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

    private static (HistoryWorker Worker, double Relevance) WeightedTake(Random random, List<(HistoryWorker Worker, double Relevance, double Weight)> pool)
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
        var chosen = pool[index];
        pool.RemoveAt(index);
        return (chosen.Worker, chosen.Relevance);
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed record EmployerSecret(double Quality, HashSet<string> PartnerCounties);

    private sealed record PlannedOffer(StoredOpeningRow Opening, HistoryWorker Worker, DateOnly OfferedOn, double Relevance);

    /// <summary>The hidden process of <c>seeds/demo-history.md</c>: three logits per offer.</summary>
    internal readonly record struct HiddenFactors(double DeclineLogit, double NoShowLogit, double RetentionLogit)
    {
        public static HiddenFactors Of(Catalogue catalogue, HistoryWorker w, StoredOpeningRow o, DateOnly on, int fellows, double employerQuality)
        {
            var terms = o.Terms;
            var wage = Math.Clamp((o.WageMid - w.ExpectedWage) / 1000.0, -3, 3);
            var rank = MatchRules.DestinationRank(catalogue, w.Terms.Destinations, o.ProvinceCode);
            var cityNamed = w.Terms.Destinations.Contains(o.CityCode) ? 1 : 0;
            var far = (Geography.Kilometres(w.PrefectureCode, o.CityCode) - 1200) / 1000.0;
            var fit = MatchRules.BestTrade(catalogue, w.Terms.Trades, o.TradeId);
            var gap = fit.LevelGap((int)o.MinLevel);
            var supported = o.Accommodation && w.PriorityGroups.Any(g => g is "poverty-lifted" or "relocated" or "monitored") ? 1 : 0;
            var intends = o.TrainingType is { } type && w.Terms.TrainingIntentions.Contains(type) ? 1 : 0;
            var age = WorkerRules.AgeOn(w.Terms.BirthDate, on);
            var nearAgeLimit = age > (int)o.AgeMax - 3 ? 1 : 0;
            var skillCertificate = MatchRules.HoldsCertificate(catalogue, w.Terms.Certificates, MatchRules.SkillLevelCertificate, o.TradeId, on) ? 1 : 0;
            var yearsRegistered = (on.DayNumber - w.RegisteredOn.DayNumber) / 365.0;

            var decline = -1.0 - 0.8 * wage + 0.6 * (rank >= 2 ? 1 : 0) - 0.4 * cityNamed + 0.5 * far - 0.3 * (o.Accommodation ? 1 : 0);
            var noShow = -2.6 + 0.6 * far - 0.5 * (fellows >= 3 ? 1 : 0);
            var retention = -1.8
                + 1.0 * (fit.Match == TradeMatch.SameTrade ? 1 : 0)
                + (gap == 1 ? 0.3 : gap == 2 ? 0.2 : gap >= 3 ? -0.2 : 0)
                + 0.6 * wage
                + 0.5 * Math.Log(1 + fellows)
                + employerQuality
                + (rank == 1 ? 0.5 : rank == 2 ? 0.2 : 0)
                + 0.4 * cityNamed
                - 0.6 * far
                + 0.5 * supported
                + 0.4 * intends
                - 0.05 * Math.Max(0, age - 40)
                - 0.6 * nearAgeLimit
                + 0.3 * skillCertificate
                - 0.15 * Math.Min(yearsRegistered, 5);
            return new HiddenFactors(decline, noShow, retention);
        }
    }

    internal sealed class HistoryWorker
    {
        public long Id { get; init; }
        public required string CountyCode { get; init; }
        public required string PrefectureCode { get; init; }
        public required WorkerTerms Terms { get; init; }
        public required IReadOnlyList<string> PriorityGroups { get; init; }
        public int ExpectedWage { get; init; }
        public DateOnly RegisteredOn { get; set; }
    }

    private static HistoryWorker ToWorker(StoredWorkerRow row) => new()
    {
        Id = row.Id,
        CountyCode = row.CountyCode,
        PrefectureCode = row.PrefectureCode,
        Terms = row.Terms,
        PriorityGroups = row.PriorityGroupList,
        ExpectedWage = (int)row.ExpectedWage,
    };
}
