using System.Data.Common;
using Dapper;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Domain.Cohorts;
using Matching.Domain.Identity;
using Matching.Domain.Institutions;

namespace Matching.Data.Institutions;

public sealed record Institution(
    long Id,
    string Name,
    string Ownership,
    string Kind,
    string CreditCode,
    string DivisionCode,
    string ProvinceCode,
    long? EmployerId,
    IReadOnlyList<string> Trades,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version) : IVersioned;

/// <summary>Filters of the institution list; <see cref="Id"/> confines it to one institution (a training institution's own).</summary>
public sealed record InstitutionFilter(string? Ownership = null, string? Kind = null, long? EmployerId = null, string? ProvinceCode = null, long? Id = null);

/// <summary>A teacher's engagement at an institution in a year; the ID number masked.</summary>
public sealed record TeacherEngagement(long Id, long TeacherId, string RealName, string IdNumberMasked, long InstitutionId, int Year, string Employment,
    IReadOnlyList<string> QualifiedTrades, DateTimeOffset CreatedAt);

/// <summary>An institution's teachers in a year, with the one-third rule's standing.</summary>
public sealed record InstitutionTeachers(long InstitutionId, int Year, int FullTime, int Total, string? Problem, IReadOnlyList<TeacherEngagement> Teachers);

/// <summary>Who teaches a cohort: the delivering institution and the teachers.</summary>
public sealed record CohortTeaching(long CohortId, long? InstitutionId, string? InstitutionName, int Year, IReadOnlyList<TeacherEngagement> Teachers);

/// <summary>
/// Designated training institutions (定点培训机构), their teachers per year and the teaching teams of cohorts. The
/// rules of item 9 are checked inside the write transaction that would break them.
/// </summary>
public sealed class InstitutionStore(Database database, PersonalDataProtector protector, TimeProvider time)
{
    private const string Columns = """
        id, name, ownership, kind, credit_code, division_code, province_code, employer_id, trades, active, created_at, updated_at, version
        """;
    private const string InsertSql = """
        INSERT INTO training_institutions (name, ownership, kind, credit_code, division_code, province_code, employer_id, trades, active, created_at, updated_at, version)
        VALUES (@Name, @Ownership, @Kind, @CreditCode, @DivisionCode, @ProvinceCode, @EmployerId, @Trades, @Active, @Now, @Now, 1)
        """;
    private const string UpdateSql = """
        UPDATE training_institutions SET name = @Name, ownership = @Ownership, kind = @Kind, credit_code = @CreditCode, division_code = @DivisionCode,
            province_code = @ProvinceCode, employer_id = @EmployerId, trades = @Trades, active = @Active, updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;
    private const string VersionSql = "SELECT version FROM training_institutions /*UPDLOCK*/ WHERE id = @Id";
    private const string CreditCodeHolderSql = "SELECT id FROM training_institutions WHERE credit_code = @CreditCode";
    private const string EmployerExistsSql = "SELECT COUNT(*) FROM employers WHERE id = @EmployerId";
    private const string GetSql = $"SELECT {Columns} FROM training_institutions WHERE id = @Id";
    private const string IdsInSql = "SELECT id FROM training_institutions WHERE division_code IN @Codes ORDER BY id";
    private const string BusiestSql = """
        SELECT institution_id FROM cohorts WHERE institution_id IS NOT NULL
        GROUP BY institution_id ORDER BY COUNT(*) DESC, institution_id
        """;
    private const string TeacherByHashSql = "SELECT id, real_name FROM teachers /*UPDLOCK*/ WHERE id_number_hash = @Hash";
    private const string InsertTeacherSql = """
        INSERT INTO teachers (real_name, id_number_hash, id_number_cipher, id_number_masked, created_at)
        VALUES (@RealName, @Hash, @Cipher, @Masked, @Now)
        """;
    private const string TeacherYearSql = """
        SELECT t.id AS teacher_id, t.real_name, COUNT(DISTINCT te.institution_id) AS institutions,
            COALESCE(MAX(CASE WHEN te.employment = 'part-time' THEN 1 ELSE 0 END), 0) AS part_time,
            COALESCE(SUM(CASE WHEN te.employment = 'full-time' THEN 1 ELSE 0 END), 0) AS full_time
        FROM teachers t LEFT JOIN teacher_engagements te ON te.teacher_id = t.id AND te.year = @Year
        WHERE t.id = @TeacherId GROUP BY t.id, t.real_name
        """;
    private const string EngagedHereSql = "SELECT COUNT(*) FROM teacher_engagements WHERE teacher_id = @TeacherId AND institution_id = @InstitutionId AND year = @Year";
    private const string InsertEngagementSql = """
        INSERT INTO teacher_engagements (teacher_id, institution_id, year, employment, qualified_trades, created_at)
        VALUES (@TeacherId, @InstitutionId, @Year, @Employment, @QualifiedTrades, @Now)
        """;
    private const string EngagementsSql = """
        SELECT te.id, te.teacher_id, t.real_name, t.id_number_masked, te.institution_id, te.year, te.employment, te.qualified_trades, te.created_at
        FROM teacher_engagements te JOIN teachers t ON t.id = te.teacher_id
        """;
    private const string CohortSql = "SELECT id, start_date, trades, status, institution_id FROM cohorts WHERE id = @Id";
    private const string SetCohortInstitutionSql = "UPDATE cohorts SET institution_id = @InstitutionId, updated_at = @Now, version = version + 1 WHERE id = @Id";
    private const string ClearCohortTeachersSql = "DELETE FROM cohort_teachers WHERE cohort_id = @Id";
    private const string InsertCohortTeacherSql = "INSERT INTO cohort_teachers (cohort_id, teacher_id) VALUES (@CohortId, @TeacherId)";

    public Task<WriteResult> CreateAsync(InstitutionDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await CheckAsync(connection, tx, draft, null) is { } refusal)
            {
                return refusal;
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, Parameters(draft), tx);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public Task<WriteResult> UpdateAsync(long id, InstitutionDraft draft, int? expectedVersion, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await CheckAsync(connection, tx, draft, id) is { } invalid)
            {
                return invalid;
            }
            var parameters = Parameters(draft);
            parameters.Add("Id", id);
            await connection.ExecuteAsync(UpdateSql, parameters, tx);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);

    public async Task<Institution?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<InstitutionRow>(GetSql, new { Id = id }))?.ToInstitution();
    }

    /// <summary>The ids of the institutions located in these divisions (county or prefecture codes), for delegated account administration.</summary>
    public async Task<IReadOnlyList<long>> IdsInAsync(IReadOnlyList<string> divisionCodes, CancellationToken cancellationToken = default)
    {
        if (divisionCodes.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(IdsInSql, new { Codes = divisionCodes })).ToList();
    }

    /// <summary>The institution that delivers the most cohorts (the lowest id among equals), or null when none delivers any.</summary>
    public async Task<long?> BusiestAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(BusiestSql + database.Dialect.Page, new { Skip = 0, Take = 1 });
    }

    public async Task<PagedList<Institution>> ListAsync(InstitutionFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("ownership = @Ownership", "Ownership", filter.Ownership)
            .Add("kind = @Kind", "Kind", filter.Kind)
            .Add("employer_id = @EmployerId", "EmployerId", filter.EmployerId)
            .Add("province_code = @ProvinceCode", "ProvinceCode", filter.ProvinceCode)
            .Add("id = @Id", "Id", filter.Id);
        var (rows, total) = await query.RunAsync<InstitutionRow>(database, "training_institutions", $"SELECT {Columns} FROM training_institutions", page, pageSize, cancellationToken);
        return new PagedList<Institution>(rows.Select(r => r.ToInstitution()).ToList(), page, pageSize, total);
    }

    /// <summary>
    /// Registers a teacher's engagement for a year: the same person (by ID number) is one teacher across institutions.
    /// Refused when it would break item 9: a private institution under one-third full-time, a part-time teacher at a
    /// fourth institution, or a second full-time post in the year.
    /// </summary>
    public Task<WriteResult> RegisterTeacherAsync(long institutionId, TeacherDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (await connection.QuerySingleOrDefaultAsync<InstitutionRow>(GetSql, new { Id = institutionId }, tx) is not { } institution)
            {
                return WriteResult.NotFound;
            }
            if (!institution.Active)
            {
                return WriteResult.Conflict($"培训机构“{institution.Name}”已停用，不能登记教师");
            }
            var now = time.GetUtcNow();
            var hash = protector.Hash("id", draft.IdNumber);
            var teacher = await connection.QuerySingleOrDefaultAsync<(long Id, string RealName)?>(database.Dialect.Render(TeacherByHashSql), new { Hash = hash }, tx);
            if (teacher is { } known && known.RealName != draft.RealName)
            {
                return WriteResult.Invalid("realName", "该身份证号码已登记为另一姓名的教师，请核对");
            }
            // Checked before anything is written: a refused registration leaves no new teacher behind.
            var institutionYear = (await connection.QuerySingleAsync<IntegrityFacts.InstitutionYearRow>(IntegrityFacts.InstitutionYearSql,
                new { InstitutionId = institutionId, draft.Year }, tx)).ToYear();
            var teacherYear = teacher is { } existing
                ? (await connection.QuerySingleAsync<IntegrityFacts.TeacherYearRow>(TeacherYearSql, new { TeacherId = existing.Id, draft.Year }, tx)).ToYear()
                : new TeacherYear(Masking.Name(draft.RealName), 0, false, 0);
            var here = teacher is { } engaged
                && await connection.ExecuteScalarAsync<long>(EngagedHereSql, new { TeacherId = engaged.Id, InstitutionId = institutionId, draft.Year }, tx) > 0;
            if (InstitutionRules.EngagementProblem(institutionYear, teacherYear, draft.Employment, here) is { } problem)
            {
                return WriteResult.Conflict(problem);
            }
            var teacherId = teacher?.Id ?? await connection.ExecuteScalarAsync<long>(InsertTeacherSql + database.Dialect.SelectInsertedId, new
            {
                draft.RealName, Hash = hash, Cipher = protector.Encrypt(draft.IdNumber), Masked = Masking.IdNumber(draft.IdNumber), Now = now,
            }, tx);
            var id = await connection.ExecuteScalarAsync<long>(InsertEngagementSql + database.Dialect.SelectInsertedId, new
            {
                TeacherId = teacherId, InstitutionId = institutionId, draft.Year, draft.Employment, QualifiedTrades = Codes.Join(draft.QualifiedTrades), Now = now,
            }, tx);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public async Task<InstitutionTeachers?> TeachersAsync(long institutionId, int year, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (await connection.QuerySingleOrDefaultAsync<InstitutionRow>(GetSql, new { Id = institutionId }) is null)
        {
            return null;
        }
        var teachers = (await connection.QueryAsync<EngagementRow>(EngagementsSql + " WHERE te.institution_id = @InstitutionId AND te.year = @Year ORDER BY te.id",
            new { InstitutionId = institutionId, Year = year })).Select(e => e.ToEngagement()).ToList();
        var standing = (await connection.QuerySingleAsync<IntegrityFacts.InstitutionYearRow>(IntegrityFacts.InstitutionYearSql, new { InstitutionId = institutionId, Year = year })).ToYear();
        return new InstitutionTeachers(institutionId, year, standing.FullTimeTeachers, standing.Teachers, InstitutionRules.FullTimeShareProblem(standing), teachers);
    }

    public async Task<TeacherEngagement?> EngagementAsync(long engagementId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<EngagementRow>(EngagementsSql + " WHERE te.id = @Id", new { Id = engagementId }))?.ToEngagement();
    }

    /// <summary>
    /// Sets who teaches a cohort: the delivering institution and teachers engaged there in the cohort's year, each
    /// qualified (上岗资格) for one of the cohort's trades. Refused, changing nothing, when the team would break item 9.
    /// </summary>
    public Task<WriteResult> AssignCohortAsync(long cohortId, long institutionId, IReadOnlyList<long> teacherIds, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var cohort = await connection.QuerySingleOrDefaultAsync<(long Id, DateOnly StartDate, string Trades, string Status, long? InstitutionId)?>(CohortSql, new { Id = cohortId }, tx);
            if (cohort is not { } c)
            {
                return WriteResult.NotFound;
            }
            if (c.Status is CohortStatus.Completed or CohortStatus.Cancelled)
            {
                return WriteResult.Conflict($"班期{CohortStatus.NameOf(c.Status)}，不能再调整授课教师");
            }
            var institution = await connection.QuerySingleOrDefaultAsync<InstitutionRow>(GetSql, new { Id = institutionId }, tx);
            if (institution is null)
            {
                return WriteResult.Invalid("institutionId", "培训机构不存在");
            }
            if (!institution.Active)
            {
                return WriteResult.Invalid("institutionId", "培训机构已停用");
            }
            var year = c.StartDate.Year;
            var cohortTrades = Codes.Split(c.Trades);
            var loads = new List<TeacherYear>();
            for (var i = 0; i < teacherIds.Count; i++)
            {
                var engagement = await connection.QuerySingleOrDefaultAsync<EngagementRow>(
                    EngagementsSql + " WHERE te.teacher_id = @TeacherId AND te.institution_id = @InstitutionId AND te.year = @Year",
                    new { TeacherId = teacherIds[i], InstitutionId = institutionId, Year = year }, tx);
                if (engagement is null)
                {
                    return WriteResult.Invalid($"teacherIds[{i}]", $"该教师未在本机构登记{year}年度任职");
                }
                if (!Codes.Split(engagement.QualifiedTrades).Any(cohortTrades.Contains))
                {
                    return WriteResult.Invalid($"teacherIds[{i}]", "该教师没有本班期工种的授课资格（上岗资格）");
                }
                loads.Add((await connection.QuerySingleAsync<IntegrityFacts.TeacherYearRow>(TeacherYearSql, new { TeacherId = teacherIds[i], Year = year }, tx)).ToYear());
            }
            var institutionYear = (await connection.QuerySingleAsync<IntegrityFacts.InstitutionYearRow>(IntegrityFacts.InstitutionYearSql,
                new { InstitutionId = institutionId, Year = year }, tx)).ToYear();
            var problems = new[] { InstitutionRules.FullTimeShareProblem(institutionYear) }.Concat(loads.Select(InstitutionRules.PartTimeLoadProblem)).OfType<string>().ToList();
            if (problems.Count > 0)
            {
                return WriteResult.Conflict(string.Join("；", problems));
            }
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(SetCohortInstitutionSql, new { Id = cohortId, InstitutionId = institutionId, Now = now }, tx);
            await connection.ExecuteAsync(ClearCohortTeachersSql, new { Id = cohortId }, tx);
            await connection.ExecuteAsync(InsertCohortTeacherSql, teacherIds.Select(t => new { CohortId = cohortId, TeacherId = t }), tx);
            return WriteResult.Ok(cohortId, 1);
        }, cancellationToken);

    public async Task<CohortTeaching?> CohortTeachingAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cohort = await connection.QuerySingleOrDefaultAsync<(long Id, DateOnly StartDate, string Trades, string Status, long? InstitutionId)?>(CohortSql, new { Id = cohortId });
        if (cohort is not { } c)
        {
            return null;
        }
        var name = c.InstitutionId is { } id ? (await connection.QuerySingleOrDefaultAsync<InstitutionRow>(GetSql, new { Id = id }))?.Name : null;
        var teachers = c.InstitutionId is null ? [] : (await connection.QueryAsync<EngagementRow>(
            EngagementsSql + " JOIN cohort_teachers ct ON ct.teacher_id = te.teacher_id WHERE ct.cohort_id = @CohortId AND te.institution_id = @InstitutionId AND te.year = @Year ORDER BY te.teacher_id",
            new { CohortId = cohortId, c.InstitutionId, Year = c.StartDate.Year })).Select(e => e.ToEngagement()).ToList();
        return new CohortTeaching(cohortId, c.InstitutionId, name, c.StartDate.Year, teachers);
    }

    /// <summary>
    /// Why a cohort may not open (招生) now: its institution or teachers break item 9 in the cohort's year. Called by
    /// the cohort store when a cohort moves to open.
    /// </summary>
    public static async Task<string?> OpeningProblemAsync(DbConnection connection, DbTransaction tx, long cohortId)
    {
        var cohort = await IntegrityFacts.CohortAsync(connection, tx, cohortId);
        if (cohort?.Institution is not { } standing)
        {
            return null;
        }
        var problems = new[] { InstitutionRules.FullTimeShareProblem(standing.Year) }.Concat(standing.CohortTeachers.Select(InstitutionRules.PartTimeLoadProblem))
            .OfType<string>().ToList();
        return problems.Count == 0 ? null : "培训机构师资不符合规定，班期不能开始招生：" + string.Join("；", problems);
    }

    private static async Task<WriteResult?> CheckAsync(DbConnection connection, DbTransaction tx, InstitutionDraft draft, long? id)
    {
        if (await connection.ExecuteScalarAsync<long?>(CreditCodeHolderSql, new { draft.CreditCode }, tx) is { } holder && holder != id)
        {
            return WriteResult.Conflict($"该统一社会信用代码已登记为培训机构 {holder}", holder);
        }
        if (draft.EmployerId is { } employer && await connection.ExecuteScalarAsync<long>(EmployerExistsSql, new { EmployerId = employer }, tx) == 0)
        {
            return WriteResult.Invalid("employerId", "协作企业不存在");
        }
        return null;
    }

    private DynamicParameters Parameters(InstitutionDraft d)
    {
        var parameters = new DynamicParameters(new
        {
            d.Name, d.Ownership, d.Kind, d.CreditCode, d.DivisionCode, d.ProvinceCode, d.EmployerId, Trades = Codes.Join(d.Trades), d.Active, Now = time.GetUtcNow(),
        });
        return parameters;
    }

    private sealed class InstitutionRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Ownership { get; init; } = "";
        public string Kind { get; init; } = "";
        public string CreditCode { get; init; } = "";
        public string DivisionCode { get; init; } = "";
        public string ProvinceCode { get; init; } = "";
        public long? EmployerId { get; init; }
        public string Trades { get; init; } = "";
        public bool Active { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }

        public Institution ToInstitution() => new(Id, Name, Ownership, Kind, CreditCode, DivisionCode, ProvinceCode, EmployerId, Codes.Split(Trades), Active,
            CreatedAt, UpdatedAt, (int)Version);
    }

    private sealed class EngagementRow
    {
        public long Id { get; init; }
        public long TeacherId { get; init; }
        public string RealName { get; init; } = "";
        public string IdNumberMasked { get; init; } = "";
        public long InstitutionId { get; init; }
        public long Year { get; init; }
        public string Employment { get; init; } = "";
        public string QualifiedTrades { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }

        public TeacherEngagement ToEngagement() => new(Id, TeacherId, RealName, IdNumberMasked, InstitutionId, (int)Year, Employment, Codes.Split(QualifiedTrades), CreatedAt);
    }
}
