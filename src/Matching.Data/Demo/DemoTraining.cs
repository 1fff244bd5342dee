using System.Data.Common;
using System.Globalization;
using Dapper;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Subsidies;
using Matching.Domain.Training;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Data.Demo;

/// <summary>A stretch of past training: cohorts ending between two days, how many completions, whether their claims are decided.</summary>
public sealed record DemoTrainingPeriod(DateOnly From, DateOnly To, int Completions, bool DecideClaims);

/// <summary>
/// What to generate: periods of past training, the share of completions that led to a certificate, whether
/// certificates raise the workers' recorded skills (the demo) or not (the benchmark, for speed), and whether to add the
/// planted integrity cases.
/// </summary>
public sealed record DemoTrainingOptions(IReadOnlyList<DemoTrainingPeriod> Periods, double CertificateShare, bool UpdateWorkerSkills, bool Plant, double PassShare = 0.9)
{
    /// <summary>The demo's two years: about one completion per 15 workers two years ago (decided) and one per 10 last year.</summary>
    public static DemoTrainingOptions ForDemo(int workers, DateOnly today) => new(
        [
            new DemoTrainingPeriod(today.AddDays(-730), today.AddDays(-400), Math.Max(10, workers / 15), DecideClaims: true),
            new DemoTrainingPeriod(today.AddDays(-365), today.AddDays(-20), Math.Max(20, workers / 10), DecideClaims: true),
        ],
        CertificateShare: 0.75, UpdateWorkerSkills: true, Plant: true);
}

public sealed record DemoTrainingSummary(int Institutions, int Teachers, int Cohorts, int Completions, int Certificates, int Claims, IReadOnlyList<(string Code, long ClaimId)> Planted);

/// <summary>
/// Past training for the demo data and the claims benchmark (documented in <c>seeds/demo-training.md</c>): designated
/// institutions with their teachers, completed cohorts at the partner bases, attendance and results, certificates and
/// subsidy claims; older claims decided (approved or paid, only where the rules allow), recent ones waiting. The
/// planted cases are claims with one known defect each (their creator names the check that must find it), so a test
/// can assert the integrity checks find them. Rows are written in bulk with explicit ids; deterministic for a seed.
/// </summary>
public sealed class DemoTraining(DataEnvironment environment, TimeProvider time, int seed = DemoData.DefaultSeed)
{
    /// <summary>The creator recorded on planted claims, followed by the code of the check that must find the defect.</summary>
    public const string PlantedBy = "演示数据·核查样例:";

    // What the generator reads of the world it adds to (the ids it continues from), and the updates it makes to that world.
    private const string BasesSql = "SELECT id, employer_id, trades FROM training_bases ORDER BY id";
    private const string WorkersSql = "SELECT id, county_code, birth_date, gender, trades_json, certificates_json, priority_groups FROM workers ORDER BY id";
    private const string LastCohortIdSql = "SELECT COALESCE(MAX(id), 0) FROM cohorts";
    private const string LastEnrolmentIdSql = "SELECT COALESCE(MAX(id), 0) FROM enrolments";
    private const string LastCertificateIdSql = "SELECT COALESCE(MAX(id), 0) FROM certificates";
    private const string LastClaimIdSql = "SELECT COALESCE(MAX(id), 0) FROM subsidy_claims";
    private const string LastTeacherIdSql = "SELECT COALESCE(MAX(id), 0) FROM teachers";
    private const string LastInstitutionIdSql = "SELECT COALESCE(MAX(id), 0) FROM training_institutions";
    private const string GrantedThisYearSql = "UPDATE subsidy_claims SET granted_year = @Year WHERE id IN @Ids";
    private const string DeceasedSql = "UPDATE workers SET vital_status = 'deceased', vital_status_since = @Since, vital_status_note = '演示数据：户籍注销（死亡）' WHERE id = @Id";
    private const string MisdatedSql = "UPDATE workers SET birth_date = @Birth WHERE id = @Id";
    private const string SkillsSql = "UPDATE workers SET trades_json = @TradesJson, trade_ids = @TradeIds, certificates_json = @CertificatesJson WHERE id = @Id";

    private const int TraineesPerCohort = 25;

    /// <summary>Workers the planted cases use, one each and three sharing a phone and an account.</summary>
    private const int PlantedWorkers = 13;

    private static readonly string[] TeacherSurnames = ["王", "李", "张", "刘", "陈", "杨", "吴", "周", "罗", "龙"];

    private readonly Catalogue _catalogue = environment.Catalogue;
    private readonly Random _random = new(seed + 11);
    private readonly Dictionary<long, DemoWorker> _workers = [];
    private readonly List<DemoBaseRow> _bases = [];
    private readonly List<DemoInstitution> _institutions = [];
    private readonly List<(string Code, long ClaimId)> _planted = [];
    private readonly Dictionary<long, (byte[] Hash, byte[] Cipher, string Masked)> _accounts = [];
    private long _nextCohort, _nextEnrolment, _nextCertificate, _nextClaim, _nextTeacher, _nextInstitution;
    private int _cohorts, _completions, _certificates, _claims, _teachers;

    private readonly List<object> _cohortRows = [];
    private readonly List<long> _newCohortIds = [];
    private readonly List<object> _cohortTeacherRows = [];
    private readonly List<object> _enrolmentRows = [];
    private readonly List<object> _resultRows = [];
    private readonly List<object> _certificateRows = [];
    private readonly List<object> _claimRows = [];

    public async Task<DemoTrainingSummary> GenerateAsync(DemoTrainingOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        var now = time.GetUtcNow();
        await using var connection = await environment.Database.OpenAsync(cancellationToken);
        await LoadAsync(connection);
        if (_bases.Count == 0 || _workers.Count == 0)
        {
            return new DemoTrainingSummary(0, 0, 0, 0, 0, 0, []);
        }
        var years = options.Periods.SelectMany(p => new[] { p.From.Year, p.To.Year }).Append(today.Year).Distinct().Order().ToList();
        var institutions = await InstitutionsAsync(connection, years, now);
        progress?.Report($"演示数据：定点培训机构 {institutions} 家、教师 {_teachers} 名");

        // The planted cases use workers of their own, so nothing else they did muddies what the checks must find.
        var plantedWorkers = options.Plant ? TakeWorkers(PlantedWorkers, today) : [];
        var pool = _workers.Values.Where(w => !plantedWorkers.Contains(w)).ToList();
        foreach (var period in pool.Count == 0 ? [] : options.Periods)
        {
            GeneratePeriod(period, pool, options, today);
            await FlushAsync(connection, options, now, progress, cancellationToken);
        }
        if (options.Plant)
        {
            Plant(plantedWorkers, options.Periods[^1], today);
            await FlushAsync(connection, options, now, progress, cancellationToken);
            await ApplyPlantedDefectsAsync(connection);
        }
        progress?.Report($"演示数据：往期培训班期 {_cohorts:N0} 个、结业 {_completions:N0} 人次、证书 {_certificates:N0} 本、补贴申领 {_claims:N0} 笔（核查样例 {_planted.Count} 笔）");
        return new DemoTrainingSummary(institutions, _teachers, _cohorts, _completions, _certificates, _claims, _planted);
    }

    /// <summary>Runs the integrity checks over the submitted claims of every year the demo covers, so their findings are stored.</summary>
    public async Task CheckAsync(DemoTrainingOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(time);
        foreach (var year in options.Periods.SelectMany(p => new[] { p.From.Year, p.To.Year }).Append(today.Year).Distinct().Order())
        {
            var summary = await IntegrityBatch.CheckYearAsync(environment.Database, environment.Protector, _catalogue, year, today, time.GetUtcNow(), null, cancellationToken);
            if (summary.Claims > 0)
            {
                progress?.Report($"演示数据：{year}年待审核申领 {summary.Claims} 笔已核查，不予通过 {summary.Blocked} 笔、需人工核查 {summary.NeedsReview} 笔");
            }
        }
    }

    private async Task LoadAsync(DbConnection connection)
    {
        foreach (var b in await connection.QueryAsync<DemoBaseRow>(BasesSql))
        {
            _bases.Add(b);
        }
        foreach (var w in await connection.QueryAsync<DemoWorker>(WorkersSql))
        {
            _workers[w.Id] = w;
        }
        _nextCohort = await connection.ExecuteScalarAsync<long>(LastCohortIdSql) + 1;
        _nextEnrolment = await connection.ExecuteScalarAsync<long>(LastEnrolmentIdSql) + 1;
        _nextCertificate = await connection.ExecuteScalarAsync<long>(LastCertificateIdSql) + 1;
        _nextClaim = await connection.ExecuteScalarAsync<long>(LastClaimIdSql) + 1;
        _nextTeacher = await connection.ExecuteScalarAsync<long>(LastTeacherIdSql) + 1;
        _nextInstitution = await connection.ExecuteScalarAsync<long>(LastInstitutionIdSql) + 1;
    }

    /// <summary>Workers spread over the whole list, of an age the subsidy rules allow, so each planted case has only its own defect.</summary>
    private List<DemoWorker> TakeWorkers(int count, DateOnly today)
    {
        var all = _workers.Values.Where(w => WorkerRules.AgeOn(w.BirthDate, today) is >= 18 and <= 52).ToList();
        var take = Math.Min(count, all.Count);
        return Enumerable.Range(0, take).Select(i => all[(int)((long)i * all.Count / take)]).ToList();
    }

    /// <summary>In each prefecture a public vocational school and a private training school with two full-time and three part-time teachers a year.</summary>
    private async Task<int> InstitutionsAsync(DbConnection connection, IReadOnlyList<int> years, DateTimeOffset now)
    {
        var institutions = new List<object>();
        var teachers = new List<object>();
        var engagements = new List<object>();
        var prefectures = _catalogue.Divisions.Where(d => d.Level == DivisionLevel.Prefecture && d.Code.StartsWith("52", StringComparison.Ordinal)).ToList();
        foreach (var prefecture in prefectures)
        {
            var county = _catalogue.GuizhouCounties.First(c => c.ParentCode == prefecture.Code);
            var city = prefecture.Name.Replace("市", "", StringComparison.Ordinal).Replace("布依族苗族自治州", "", StringComparison.Ordinal)
                .Replace("苗族侗族自治州", "", StringComparison.Ordinal);
            foreach (var (name, ownership, kind, broken) in new[]
            {
                ($"{city}职业技术学校", "public", "vocational-school", false),
                ($"{city}育才职业培训学校", "private", "training-school", false),
            }.Concat(prefecture == prefectures[0] ? [($"{city}速成职业培训中心", "private", "training-school", true)] : []))
            {
                var id = _nextInstitution++;
                var code = CreditCode.Compose((ownership == "public" ? "12" : "52") + county.Code + id.ToString("D9", CultureInfo.InvariantCulture));
                institutions.Add(new { Id = id, Name = name, Ownership = ownership, Kind = kind, CreditCode = code, DivisionCode = county.Code, ProvinceCode = "520000", Now = now });
                var institution = new DemoInstitution(id, broken, []);
                _institutions.Add(institution);
                // The broken one (planted): one full-time and three part-time teachers, under the one-third rule.
                var (fullTime, partTime) = broken ? (1, 3) : (2, 3);
                for (var t = 0; t < fullTime + partTime; t++)
                {
                    var teacherId = _nextTeacher++;
                    var born = new DateOnly(1965, 1, 1).AddDays(_random.Next(0, 9000));
                    var idNumber = ResidentIdNumber.Compose(county.Code, born, (int)(teacherId % 900) + 1);
                    var realName = TeacherSurnames[_random.Next(TeacherSurnames.Length)] + "老师" + (char)('甲' + t);
                    teachers.Add(new
                    {
                        Id = teacherId, RealName = realName, Hash = environment.Protector.Hash("id", idNumber), Cipher = environment.Protector.Encrypt(idNumber),
                        Masked = Masking.IdNumber(idNumber), Now = now,
                    });
                    institution.Teachers.Add(teacherId);
                    foreach (var year in years)
                    {
                        engagements.Add(new
                        {
                            TeacherId = teacherId, InstitutionId = id, Year = year, Employment = t < fullTime ? "full-time" : "part-time",
                            Trades = Codes.Join(_catalogue.Trades.Select(tr => tr.Id)), Now = now,
                        });
                    }
                    _teachers++;
                }
            }
        }
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(WithExplicitIds("training_institutions", """
            INSERT INTO training_institutions (id, name, ownership, kind, credit_code, division_code, province_code, employer_id, trades, active, created_at, updated_at, version)
            VALUES (@Id, @Name, @Ownership, @Kind, @CreditCode, @DivisionCode, @ProvinceCode, NULL, '', 1, @Now, @Now, 1)
            """), institutions, tx);
        await connection.ExecuteAsync(WithExplicitIds("teachers", """
            INSERT INTO teachers (id, real_name, id_number_hash, id_number_cipher, id_number_masked, created_at) VALUES (@Id, @RealName, @Hash, @Cipher, @Masked, @Now)
            """), teachers, tx);
        await connection.ExecuteAsync("""
            INSERT INTO teacher_engagements (teacher_id, institution_id, year, employment, qualified_trades, created_at)
            VALUES (@TeacherId, @InstitutionId, @Year, @Employment, @Trades, @Now)
            """, engagements, tx);
        await tx.CommitAsync();
        return institutions.Count;
    }

    private void GeneratePeriod(DemoTrainingPeriod period, List<DemoWorker> pool, DemoTrainingOptions options, DateOnly today)
    {
        var remaining = period.Completions;
        var span = Math.Max(1, period.To.DayNumber - period.From.DayNumber);
        while (remaining > 0)
        {
            var size = Math.Min(remaining, TraineesPerCohort + _random.Next(-10, 11));
            var length = _random.Next(10, 31);
            var end = period.From.AddDays(_random.Next(0, span + 1));
            var start = end.AddDays(-length + 1);
            var trainingBase = _bases[_random.Next(_bases.Count)];
            var trades = Codes.Split(trainingBase.Trades);
            var trade = trades.Count > 0 ? trades[_random.Next(trades.Count)] : "T001";
            var institution = _random.NextDouble() < 0.6 ? _institutions.Where(i => !i.Broken).ElementAt(_random.Next(_institutions.Count(i => !i.Broken))) : null;
            var cohortId = AddCohort(trainingBase, trade, start, end, size, institution);
            var trainees = new List<DemoWorker>(size);
            for (var tries = 0; trainees.Count < size && tries < size * 20; tries++)
            {
                var w = pool[_random.Next(pool.Count)];
                if (w.BusyUntil < start && !trainees.Contains(w))
                {
                    trainees.Add(w);
                }
            }
            foreach (var w in trainees)
            {
                var attended = (int)Math.Round(TrainingRules.CohortDays(start, end) * (0.85 + 0.15 * _random.NextDouble()));
                var passed = _random.NextDouble() < options.PassShare;
                var enrolment = AddEnrolment(cohortId, w, start, end, attended, passed, end);
                if (passed && _random.NextDouble() < options.CertificateShare)
                {
                    var (type, level, province) = CertificateOf(w, trade);
                    var issued = end.AddDays(_random.Next(1, 6));
                    var certificate = AddCertificate(w, enrolment, type, trade, level, province, issued, options);
                    if (_catalogue.Policy.AmountFor(type, level, "pre-job") is not null)
                    {
                        var claimed = issued.AddDays(_random.Next(5, 40));
                        if (claimed <= today)
                        {
                            AddClaim(w, enrolment, cohortId, certificate, type, trade, level, start, attended, claimed, period.DecideClaims && claimed <= today.AddDays(-60), today, null);
                        }
                    }
                }
            }
            remaining -= Math.Max(1, trainees.Count);
        }
    }

    /// <summary>A skill-level certificate one level above the worker's (within 2..5), a 专项职业能力 one now and then, some issued in Guangdong.</summary>
    private (string Type, int? Level, string Province) CertificateOf(DemoWorker w, string trade)
    {
        if (_catalogue.TradesById.TryGetValue(trade, out var t) && t.SpecialOperation)
        {
            return ("special-operation", null, "520000");
        }
        if (_random.NextDouble() < 0.2)
        {
            return ("special-ability", null, _random.NextDouble() < 0.2 ? "440000" : "520000");
        }
        var current = w.Trades.FirstOrDefault(x => x.TradeId == trade)?.Level ?? 1;
        return ("skill-level", Math.Clamp(current + 1, 2, 5), "520000");
    }

    private long AddCohort(DemoBaseRow trainingBase, string trade, DateOnly start, DateOnly end, int size, DemoInstitution? institution)
    {
        var id = _nextCohort++;
        _newCohortIds.Add(id);
        var tradeName = _catalogue.TradesById.TryGetValue(trade, out var t) ? t.Name : trade;
        _cohortRows.Add(new
        {
            Id = id, BaseId = trainingBase.Id, trainingBase.EmployerId, Name = $"{tradeName}岗前培训{start:yyyy年M月d日}班（往期）", Trades = Codes.Join([trade]),
            Capacity = size + 10, Deadline = start.AddDays(-7), Start = start, End = end, InstitutionId = institution?.Id,
        });
        if (institution is not null)
        {
            foreach (var teacher in institution.Teachers.OrderBy(_ => _random.Next()).Take(2))
            {
                _cohortTeacherRows.Add(new { CohortId = id, TeacherId = teacher });
            }
        }
        _cohorts++;
        return id;
    }

    private long AddEnrolment(long cohortId, DemoWorker w, DateOnly start, DateOnly end, int attended, bool passed, DateOnly assessedOn, int? scheduled = null)
    {
        var id = _nextEnrolment++;
        _enrolmentRows.Add(new { Id = id, CohortId = cohortId, WorkerId = w.Id });
        _resultRows.Add(new
        {
            EnrolmentId = id, CohortId = cohortId, WorkerId = w.Id, Scheduled = scheduled ?? TrainingRules.CohortDays(start, end), Attended = attended,
            CompletedOn = end, Passed = passed, AssessedOn = assessedOn, Body = "贵州省职业技能鉴定指导中心",
        });
        w.BusyUntil = w.BusyUntil > end ? w.BusyUntil : end;
        _completions++;
        return id;
    }

    private long AddCertificate(DemoWorker w, long enrolmentId, string type, string trade, int? level, string province, DateOnly issued, DemoTrainingOptions options)
    {
        var id = _nextCertificate++;
        _certificateRows.Add(new
        {
            Id = id, WorkerId = w.Id, EnrolmentId = enrolmentId, Type = type, TradeId = trade, Level = level,
            Number = string.Create(CultureInfo.InvariantCulture, $"ZS{issued:yyyy}{id:D9}"),
            Body = province == "440000" ? "广东省职业技能鉴定指导中心" : "贵州省职业技能鉴定指导中心", Province = province, Issued = issued,
        });
        if (options.UpdateWorkerSkills)
        {
            w.Recorded.Add(new WorkerCertificate(type, trade, level, issued, null, province));
        }
        _certificates++;
        return id;
    }

    /// <summary>
    /// A claim at the catalogue's amounts. Decided claims are approved (most of them paid) only where the rules allow:
    /// the trade and level not subsidised before, no higher level of the trade, the yearly limit, the subsidy ages.
    /// </summary>
    private long AddClaim(DemoWorker w, long enrolmentId, long cohortId, long certificateId, string type, string trade, int? level, DateOnly start, int attended,
        DateOnly claimed, bool decide, DateOnly today, string? plantedCode, string? account = null)
    {
        var id = _nextClaim++;
        var limits = _catalogue.Policy.Limits;
        var year = claimed.AddDays(20).Year;
        var age = WorkerRules.AgeOn(w.BirthDate, start);
        var ageOk = age >= limits.MinAge && age <= ((Gender)w.Gender == Gender.Female ? limits.MaxAgeFemale : limits.MaxAgeMale);
        var allowed = !w.Granted.Any(g => g.TradeId == trade && (g.Level == level || g.Level > level)) && w.Granted.Count(g => g.Year == year) < limits.YearlyLimit && ageOk;
        var status = decide && allowed && plantedCode is null ? (_random.NextDouble() < 0.7 ? ClaimStatus.Paid : ClaimStatus.Approved) : ClaimStatus.Submitted;
        var allowancePaid = w.Granted.Any(g => g.Year == year && g.LivingAllowance > 0);
        var amount = SubsidyRules.Amount(_catalogue.Policy, type, level, "pre-job", w.Groups, attended, allowancePaid)!;
        if (status != ClaimStatus.Submitted)
        {
            w.Granted.Add(new PastSubsidy(id, type, trade, level, year, amount.LivingAllowance));
        }
        var (hash, cipher, masked) = Account(w.Id, account);
        _claimRows.Add(new
        {
            Id = id, WorkerId = w.Id, EnrolmentId = enrolmentId, CohortId = cohortId, CertificateId = certificateId, County = w.CountyCode, Type = type, TradeId = trade,
            Level = level, Amount = amount.Subsidy, amount.LivingAllowance, amount.Basis, Hash = hash, Cipher = cipher, Masked = masked, Status = status,
            Claimed = claimed, GrantedYear = status == ClaimStatus.Submitted ? (int?)null : year,
            CreatedBy = plantedCode is null ? "演示数据" : PlantedBy + plantedCode,
            DecidedBy = status == ClaimStatus.Submitted ? null : "演示数据", DecidedAt = status == ClaimStatus.Submitted ? (DateTimeOffset?)null : new DateTimeOffset(claimed.AddDays(20).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        });
        if (plantedCode is not null)
        {
            _planted.Add((plantedCode, id));
        }
        _claims++;
        return id;
    }

    /// <summary>Each worker is paid into one account of their own (a planted case may share one).</summary>
    private (byte[] Hash, byte[] Cipher, string Masked) Account(long workerId, string? shared)
    {
        var number = shared ?? string.Create(CultureInfo.InvariantCulture, $"621700{workerId:D13}");
        var key = shared is null ? workerId : -number.GetHashCode(StringComparison.Ordinal);
        if (!_accounts.TryGetValue(key, out var account))
        {
            _accounts[key] = account = (environment.Protector.Hash("account", number), environment.Protector.Encrypt(number), SubsidyRules.MaskAccount(number));
        }
        return account;
    }

    /// <summary>
    /// One claim per defect, on workers of their own, in cohorts that ended within the last period. Defects that live
    /// in the workers' rows (vital status, identity, shared phone) are written by <see cref="ApplyPlantedDefectsAsync"/>.
    /// </summary>
    private void Plant(List<DemoWorker> workers, DemoTrainingPeriod period, DateOnly today)
    {
        if (workers.Count < PlantedWorkers)
        {
            return;
        }
        var end = period.To.AddDays(-5);
        var start = end.AddDays(-19);
        var trainingBase = _bases[0];
        var trade = Codes.Split(trainingBase.Trades).FirstOrDefault(t => !(_catalogue.TradesById.GetValueOrDefault(t)?.SpecialOperation ?? false)) ?? "T001";
        var good = _institutions.First(i => !i.Broken);
        var options = new DemoTrainingOptions([], 1, UpdateWorkerSkills: false, Plant: true);
        var next = 0;

        // A claim after a clean completion in its own cohort, with the given certificate and claim dates.
        void Claim(string code, DemoWorker w, long cohortId, DateOnly s, DateOnly e, int attended, int level, DateOnly issued, DateOnly claimed, string? account = null)
        {
            var enrolment = AddEnrolment(cohortId, w, s, e, attended, true, e);
            var certificate = AddCertificate(w, enrolment, "skill-level", trade, level, "520000", issued, options);
            AddClaim(w, enrolment, cohortId, certificate, "skill-level", trade, level, s, attended, claimed, false, today, code, account);
        }

        DemoWorker Next() => workers[next++];

        // Attendance under the threshold: 8 days of 20.
        Claim(IntegrityChecks.Attendance, Next(), AddCohort(trainingBase, trade, start, end, 1, good), start, end, 8, 3, end.AddDays(2), end.AddDays(10));
        // A certificate issued a month before the cohort started.
        Claim(IntegrityChecks.CertificateBeforeCohort, Next(), AddCohort(trainingBase, trade, start, end, 1, good), start, end, 19, 3, start.AddDays(-30), end.AddDays(10));
        // The same person accepted in two overlapping cohorts.
        var twice = Next();
        AddEnrolment(AddCohort(trainingBase, trade, start.AddDays(5), end.AddDays(5), 1, null), twice, start.AddDays(5), end.AddDays(5), 18, false, end);
        Claim(IntegrityChecks.OverlappingCohorts, twice, AddCohort(trainingBase, trade, start, end, 1, good), start, end, 19, 3, end.AddDays(2), end.AddDays(10));
        // The same trade and level subsidised a year earlier, and a lower level after a higher one.
        foreach (var (code, earlierLevel, level) in new[] { (IntegrityChecks.SubsidisedBefore, 3, 3), (IntegrityChecks.LowerThanSubsidised, 4, 3) })
        {
            var w = Next();
            var s0 = start.AddYears(-1);
            var earlier = AddCohort(trainingBase, trade, s0, s0.AddDays(19), 1, good);
            var enrolment = AddEnrolment(earlier, w, s0, s0.AddDays(19), 19, true, s0.AddDays(19));
            var certificate = AddCertificate(w, enrolment, "skill-level", trade, earlierLevel, "520000", s0.AddDays(21), options);
            AddClaim(w, enrolment, earlier, certificate, "skill-level", trade, earlierLevel, s0, 19, s0.AddDays(30), true, today, null);
            Claim(code, w, AddCohort(trainingBase, trade, start, end, 1, good), start, end, 19, level, end.AddDays(2), end.AddDays(10));
        }
        // Claimed fourteen months after the certificate was issued.
        var late = Next();
        var s1 = today.AddMonths(-15);
        Claim(IntegrityChecks.ClaimWindow, late, AddCohort(trainingBase, trade, s1, s1.AddDays(19), 1, good), s1, s1.AddDays(19), 19, 3, s1.AddDays(21), s1.AddDays(21).AddMonths(14));
        // A fourth subsidy in one calendar year: three granted in other trades, then this one.
        var busy = Next();
        var otherTrades = _catalogue.Trades.Where(t => t.Id != trade && !t.SpecialOperation).Take(3).ToList();
        for (var i = 0; i < 3; i++)
        {
            var s2 = start.AddDays(-30 * (i + 1));
            var cohort = AddCohort(trainingBase, otherTrades[i].Id, s2, s2.AddDays(19), 1, good);
            var enrolment = AddEnrolment(cohort, busy, s2, s2.AddDays(19), 19, true, s2.AddDays(19));
            var certificate = AddCertificate(busy, enrolment, "skill-level", otherTrades[i].Id, 2, "520000", s2.AddDays(20), options);
            var claimId = _nextClaim;
            AddClaim(busy, enrolment, cohort, certificate, "skill-level", otherTrades[i].Id, 2, s2, 19, s2.AddDays(22), true, today, null);
            // Granted in the year of the fourth claim's approval, whatever the bookkeeping above decided.
            busy.Granted.RemoveAll(g => g.ClaimId == claimId);
            busy.Granted.Add(new PastSubsidy(claimId, "skill-level", otherTrades[i].Id, 2, today.Year, 0));
            _grantedThisYear.Add(claimId);
        }
        Claim(IntegrityChecks.YearlyLimit, busy, AddCohort(trainingBase, trade, start, end, 1, good), start, end, 19, 3, end.AddDays(2), end.AddDays(10));
        // A cohort delivered by a private institution under the one-third rule.
        Claim(IntegrityChecks.InstitutionRules, Next(), AddCohort(trainingBase, trade, start, end, 1, _institutions.First(i => i.Broken)), start, end, 19, 3, end.AddDays(2), end.AddDays(10));
        // An ID number recorded as deceased, and a birth date that is not the ID number's (both written to the rows afterwards).
        _deceased = Next();
        Claim(IntegrityChecks.VitalStatus, _deceased, AddCohort(trainingBase, trade, start, end, 1, good), start, end, 19, 3, end.AddDays(2), end.AddDays(10));
        _misdated = Next();
        Claim(IntegrityChecks.Identity, _misdated, AddCohort(trainingBase, trade, start, end, 1, good), start, end, 19, 3, end.AddDays(2), end.AddDays(10));
        // Three trainees of one cohort with one phone and one bank account: invented trainees or a family, a person must check.
        var shared = AddCohort(trainingBase, trade, start, end, 3, good);
        _sharingPhone = [Next(), Next(), Next()];
        foreach (var w in _sharingPhone)
        {
            Claim(IntegrityChecks.SharedPhone, w, shared, start, end, 19, 3, end.AddDays(2), end.AddDays(10), account: "6217009900001111222");
        }
    }

    private readonly List<long> _grantedThisYear = [];
    private DemoWorker? _deceased;
    private DemoWorker? _misdated;
    private IReadOnlyList<DemoWorker> _sharingPhone = [];

    private async Task ApplyPlantedDefectsAsync(DbConnection connection)
    {
        var today = ChinaTime.Today(time);
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(GrantedThisYearSql, new { today.Year, Ids = _grantedThisYear }, tx);
        if (_deceased is not null)
        {
            await connection.ExecuteAsync(DeceasedSql,
                new { _deceased.Id, Since = today.AddDays(-200) }, tx);
        }
        if (_misdated is not null)
        {
            // As if typed over by hand after registration: the ID number says otherwise.
            await connection.ExecuteAsync(MisdatedSql, new { _misdated.Id, Birth = _misdated.BirthDate.AddYears(-2) }, tx);
        }
        if (_sharingPhone.Count > 0)
        {
            await connection.ExecuteAsync("""
                UPDATE workers SET phone_hash = (SELECT phone_hash FROM workers WHERE id = @Source), phone_cipher = (SELECT phone_cipher FROM workers WHERE id = @Source),
                    phone_masked = (SELECT phone_masked FROM workers WHERE id = @Source)
                WHERE id IN @Ids
                """, new { Source = _sharingPhone[0].Id, Ids = _sharingPhone.Skip(1).Select(w => w.Id).ToList() }, tx);
        }
        await tx.CommitAsync();
    }

    /// <summary>Writes what has been generated, in batches of one transaction each, and forgets it.</summary>
    private async Task FlushAsync(DbConnection connection, DemoTrainingOptions options, DateTimeOffset now, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        // Cohorts changed as the cohort store would record them: in the outbox, for the search index and the scheduler.
        var changedCohorts = _newCohortIds.Select(id => (object)new { Entity = Cohorts.CohortStore.OutboxEntity, EntityId = id, Operation = Outbox.OutboxWriter.Upsert }).ToList();
        _newCohortIds.Clear();
        await Write(connection, WithExplicitIds("cohorts", """
            INSERT INTO cohorts (id, base_id, employer_id, name, training_type, trades, capacity, min_size, enrolment_deadline, start_date, end_date, status,
                created_at, updated_at, version, institution_id)
            VALUES (@Id, @BaseId, @EmployerId, @Name, 'pre-job', @Trades, @Capacity, 1, @Deadline, @Start, @End, 'completed', @Now, @Now, 1, @InstitutionId)
            """), _cohortRows, now, cancellationToken);
        await Write(connection, "INSERT INTO outbox (entity, entity_id, operation, created_at, attempts) VALUES (@Entity, @EntityId, @Operation, @Now, 0)",
            changedCohorts, now, cancellationToken);
        await Write(connection, "INSERT INTO cohort_teachers (cohort_id, teacher_id) VALUES (@CohortId, @TeacherId)", _cohortTeacherRows, now, cancellationToken);
        await Write(connection, WithExplicitIds("enrolments", """
            INSERT INTO enrolments (id, cohort_id, worker_id, status, source, note, created_at, updated_at) VALUES (@Id, @CohortId, @WorkerId, 'accepted', 'manual', NULL, @Now, @Now)
            """), _enrolmentRows, now, cancellationToken);
        await Write(connection, """
            INSERT INTO training_results (enrolment_id, cohort_id, worker_id, days_scheduled, days_attended, completion, completed_on, assessment_passed, assessed_on,
                assessing_body, updated_at, version)
            VALUES (@EnrolmentId, @CohortId, @WorkerId, @Scheduled, @Attended, 'completed', @CompletedOn, @Passed, @AssessedOn, @Body, @Now, 1)
            """, _resultRows, now, cancellationToken);
        await Write(connection, WithExplicitIds("certificates", """
            INSERT INTO certificates (id, worker_id, enrolment_id, type, trade_id, level, number, issuing_body, issuing_province, issued_on, expires_on, created_at)
            VALUES (@Id, @WorkerId, @EnrolmentId, @Type, @TradeId, @Level, @Number, @Body, @Province, @Issued, NULL, @Now)
            """), _certificateRows, now, cancellationToken);
        await Write(connection, WithExplicitIds("subsidy_claims", """
            INSERT INTO subsidy_claims (id, worker_id, enrolment_id, cohort_id, certificate_id, county_code, certificate_type, trade_id, level, amount, living_allowance,
                basis, bank_account_hash, bank_account_cipher, bank_account_masked, status, findings_json, checked_at, claimed_on, granted_year, created_by,
                decided_by, decided_at, decision_note, payment_batch_id, created_at, updated_at, version)
            VALUES (@Id, @WorkerId, @EnrolmentId, @CohortId, @CertificateId, @County, @Type, @TradeId, @Level, @Amount, @LivingAllowance,
                @Basis, @Hash, @Cipher, @Masked, @Status, '[]', @Now, @Claimed, @GrantedYear, @CreatedBy,
                @DecidedBy, @DecidedAt, NULL, NULL, @Now, @Now, 1)
            """), _claimRows, now, cancellationToken);
        if (options.UpdateWorkerSkills)
        {
            var changed = _workers.Values.Where(w => w.HasRecorded).ToList();
            var rows = changed.Select(w =>
            {
                var (trades, certificates) = TrainingRules.Apply(w.Trades, StoredJson.Read<List<WorkerCertificate>>(w.CertificatesJson ?? "[]"), w.Recorded);
                return new { w.Id, TradesJson = StoredJson.Write(trades), TradeIds = Codes.Join(trades.Select(t => t.TradeId)), CertificatesJson = StoredJson.Write(certificates) };
            }).ToList();
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(SkillsSql, rows, tx);
            await tx.CommitAsync(cancellationToken);
            foreach (var (w, row) in changed.Zip(rows))
            {
                w.TradesJson = row.TradesJson;
                w.CertificatesJson = row.CertificatesJson;
                w.Recorded.Clear();
            }
        }
        progress?.Report($"演示数据：已写入往期培训 {_cohorts:N0} 个班期、{_completions:N0} 人次");
    }

    /// <summary>The rows' ids are chosen here (others point at them), which SQL Server takes only with explicit ids on.</summary>
    private string WithExplicitIds(string table, string insertSql)
    {
        var (on, off) = environment.Database.Dialect.ExplicitIds(table);
        return on is null ? insertSql : on + insertSql + ";" + off;
    }

    private static async Task Write(DbConnection connection, string sql, List<object> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int Batch = 50_000;
        for (var i = 0; i < rows.Count; i += Batch)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var parameters = rows.Skip(i).Take(Batch).Select(r =>
            {
                var p = new DynamicParameters(r);
                p.Add("Now", now);
                return p;
            });
            await connection.ExecuteAsync(sql, parameters, tx);
            await tx.CommitAsync(cancellationToken);
        }
        rows.Clear();
    }

    private sealed class DemoBaseRow
    {
        public long Id { get; init; }
        public long EmployerId { get; init; }
        public string Trades { get; init; } = "";
    }

    private sealed record DemoInstitution(long Id, bool Broken, List<long> Teachers);

    private sealed class DemoWorker
    {
        public long Id { get; init; }
        public string CountyCode { get; init; } = "";
        public DateOnly BirthDate { get; init; }
        public long Gender { get; init; }
        public string TradesJson { get; set; } = "[]";
        public string? CertificatesJson { get; set; }
        public string PriorityGroups { get; init; } = "";
        public DateOnly BusyUntil { get; set; } = DateOnly.MinValue;
        // Created when first needed: a million workers, most of whom train once or never.
        public List<PastSubsidy> Granted => _granted ??= [];
        public List<WorkerCertificate> Recorded => _recorded ??= [];
        public bool HasRecorded => _recorded is { Count: > 0 };

        private List<PastSubsidy>? _granted;
        private List<WorkerCertificate>? _recorded;

        public IReadOnlyList<WorkerTrade> Trades => StoredJson.Read<List<WorkerTrade>>(TradesJson);

        public IReadOnlyList<string> Groups => Codes.Split(PriorityGroups);
    }
}
