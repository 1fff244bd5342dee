using Dapper;
using Matching.Data.Enrolments;
using Matching.Data.Storage;
using Matching.Domain.Catalogues;
using Matching.Domain.Enrolments;
using Matching.Domain.Validation;

namespace Matching.Data.Dispatch;

/// <summary>The scope of workers a round covers: one county, a prefecture, or the province (贵州省).</summary>
public static class DispatchScope
{
    public const string County = "county";
    public const string Prefecture = "prefecture";
    public const string Province = "province";
}

public static class DispatchRoundStatus
{
    /// <summary>试算: computed and stored for review; no offer made yet.</summary>
    public const string Draft = "draft";

    /// <summary>已下发: offers created from the assignments.</summary>
    public const string Committed = "committed";
}

/// <summary>A round's figures, or the first-come-first-served baseline's on the same input.</summary>
public sealed record RoundFigures(int SeatsFilled, double FillRate, double ExpectedRetained, int PriorityGroupPlaced, double PriorityShare, double Objective);

/// <summary>A stored dispatch round (月调度) with its report against the baseline.</summary>
public sealed record DispatchRound(
    long Id,
    string Mode,
    string ScopeKind,
    string ScopeCode,
    double PriorityWeight,
    string Status,
    string? ProposalPeriod,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? CommittedBy,
    DateTimeOffset? CommittedAt,
    int Workers,
    int Cohorts,
    int CandidatePairs,
    int FreeSeats,
    RoundFigures Result,
    RoundFigures Baseline,
    long SolveMs,
    int? OffersCreated,
    int? OffersSkipped,
    int Version) : IVersioned;

/// <summary>One worker's assignment in a round, with the reasons a clerk reviews and, after commit, what became of it.</summary>
public sealed record RoundAssignment(
    long WorkerId,
    string WorkerName,
    string CountyCode,
    long CohortId,
    string CohortName,
    double RetentionProbability,
    bool PriorityGroup,
    IReadOnlyList<string> Reasons,
    long? EnrolmentId,
    string? Outcome);

/// <summary>A cohort of the round with its free seats, how many the round and the baseline fill, and who.</summary>
public sealed record RoundCohortReview(long CohortId, string CohortName, int FreeSeats, int Assigned, int BaselineAssigned, IReadOnlyList<RoundAssignment> Assignments);

/// <summary>A county's workers placed by the round.</summary>
public sealed record RoundCountyReview(string CountyCode, int Assigned, int PriorityGroupPlaced, double ExpectedRetained, IReadOnlyList<RoundAssignment> Assignments);

/// <summary>What a round computed, ready to store.</summary>
public sealed record RoundDraft(
    string Mode,
    string ScopeKind,
    string ScopeCode,
    double PriorityWeight,
    string? ProposalPeriod,
    long? CreatedByUserId,
    string CreatedBy,
    int Workers,
    int Cohorts,
    int CandidatePairs,
    int FreeSeats,
    RoundFigures Result,
    RoundFigures Baseline,
    long SolveMs,
    IReadOnlyList<RoundCohortDraft> CohortSeats,
    IReadOnlyList<RoundAssignmentDraft> Assignments);

public sealed record RoundCohortDraft(long CohortId, string CohortName, int FreeSeats, int Assigned, int BaselineAssigned);

public sealed record RoundAssignmentDraft(long WorkerId, long CohortId, string CountyCode, double RetentionProbability, bool PriorityGroup, IReadOnlyList<string> Reasons);

/// <summary>How a commit went: offers created and assignments skipped because the situation changed since the dry run.</summary>
public sealed record CommitResult(WriteResult Result, int Offered, int Skipped);

/// <summary>Dispatch rounds: stored dry runs, review per cohort and per county, and commit into offers.</summary>
public sealed class DispatchRoundStore(Database database, TimeProvider time, Catalogue catalogue)
{
    public const string ReasonSeparator = "；";

    private const string Columns = """
        id, mode, scope_kind, scope_code, priority_weight, status, proposal_period, created_by, created_at, committed_by, committed_at,
        workers, cohorts, candidate_pairs, free_seats, seats_filled, expected_retained, priority_placed, objective,
        baseline_seats_filled, baseline_expected_retained, baseline_priority_placed, baseline_objective, solve_ms,
        offers_created, offers_skipped, version
        """;
    private const string InsertSql = """
        INSERT INTO dispatch_rounds (mode, scope_kind, scope_code, priority_weight, status, proposal_period, created_by_user_id, created_by,
            created_at, workers, cohorts, candidate_pairs, free_seats, seats_filled, expected_retained, priority_placed, objective,
            baseline_seats_filled, baseline_expected_retained, baseline_priority_placed, baseline_objective, solve_ms, version)
        VALUES (@Mode, @ScopeKind, @ScopeCode, @PriorityWeight, 'draft', @ProposalPeriod, @CreatedByUserId, @CreatedBy,
            @Now, @Workers, @Cohorts, @CandidatePairs, @FreeSeats, @SeatsFilled, @ExpectedRetained, @PriorityPlaced, @Objective,
            @BaselineSeatsFilled, @BaselineExpectedRetained, @BaselinePriorityPlaced, @BaselineObjective, @SolveMs, 1)
        """;
    private const string InsertCohortSql = """
        INSERT INTO dispatch_round_cohorts (round_id, cohort_id, cohort_name, free_seats, assigned, baseline_assigned)
        VALUES (@RoundId, @CohortId, @CohortName, @FreeSeats, @Assigned, @BaselineAssigned)
        """;
    private const string InsertAssignmentSql = """
        INSERT INTO dispatch_assignments (round_id, worker_id, cohort_id, county_code, retention_probability, priority_group, reasons)
        VALUES (@RoundId, @WorkerId, @CohortId, @CountyCode, @RetentionProbability, @PriorityGroup, @Reasons)
        """;
    private const string ProposalExistsSql = "SELECT COUNT(*) FROM dispatch_rounds /*UPDLOCK*/ WHERE proposal_period = @Period";
    private const string AssignmentSelect = """
        SELECT a.worker_id, w.real_name AS worker_name, a.county_code, a.cohort_id, c.name AS cohort_name, a.retention_probability,
            a.priority_group, a.reasons, a.enrolment_id, a.outcome
        FROM dispatch_assignments a JOIN workers w ON w.id = a.worker_id JOIN cohorts c ON c.id = a.cohort_id
        """;
    private const string RoundCohortsSql = """
        SELECT cohort_id, cohort_name, free_seats, assigned, baseline_assigned FROM dispatch_round_cohorts
        WHERE round_id = @RoundId ORDER BY cohort_id
        """;
    private const string RoundCountiesSql = """
        SELECT county_code, COUNT(*) AS assigned, SUM(priority_group) AS priority_placed, SUM(retention_probability) AS expected_retained
        FROM dispatch_assignments WHERE round_id = @RoundId AND county_code IN @Counties GROUP BY county_code ORDER BY county_code
        """;
    private const string RoundCountiesAllSql = """
        SELECT county_code, COUNT(*) AS assigned, SUM(priority_group) AS priority_placed, SUM(retention_probability) AS expected_retained
        FROM dispatch_assignments WHERE round_id = @RoundId GROUP BY county_code ORDER BY county_code
        """;
    private const string StatusSql = "SELECT status FROM dispatch_rounds /*UPDLOCK*/ WHERE id = @Id";
    private const string CommitAssignmentsSql = """
        SELECT worker_id, cohort_id FROM dispatch_assignments WHERE round_id = @RoundId ORDER BY retention_probability DESC, worker_id
        """;
    private const string RecordOutcomeSql = """
        UPDATE dispatch_assignments SET enrolment_id = @EnrolmentId, outcome = @Outcome WHERE round_id = @RoundId AND worker_id = @WorkerId
        """;
    private const string MarkCommittedSql = """
        UPDATE dispatch_rounds SET status = 'committed', committed_by_user_id = @UserId, committed_by = @UserName, committed_at = @Now,
            offers_created = @Offered, offers_skipped = @Skipped, version = version + 1
        WHERE id = @Id AND status = 'draft'
        """;

    public Task<WriteResult> CreateAsync(RoundDraft draft, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (draft.ProposalPeriod is { } period && await connection.ExecuteScalarAsync<long>(database.Dialect.Render(ProposalExistsSql), new { Period = period }, tx) > 0)
            {
                return WriteResult.Conflict($"{period} 的月调度建议方案已生成");
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, new
            {
                draft.Mode, draft.ScopeKind, draft.ScopeCode, draft.PriorityWeight, draft.ProposalPeriod, draft.CreatedByUserId, draft.CreatedBy,
                Now = time.GetUtcNow(), draft.Workers, draft.Cohorts, draft.CandidatePairs, draft.FreeSeats,
                draft.Result.SeatsFilled, draft.Result.ExpectedRetained, PriorityPlaced = draft.Result.PriorityGroupPlaced, draft.Result.Objective,
                BaselineSeatsFilled = draft.Baseline.SeatsFilled, BaselineExpectedRetained = draft.Baseline.ExpectedRetained,
                BaselinePriorityPlaced = draft.Baseline.PriorityGroupPlaced, BaselineObjective = draft.Baseline.Objective, draft.SolveMs,
            }, tx);
            await connection.ExecuteAsync(InsertCohortSql, draft.CohortSeats.Select(c => new
            {
                RoundId = id, c.CohortId, c.CohortName, c.FreeSeats, c.Assigned, c.BaselineAssigned,
            }), tx);
            await connection.ExecuteAsync(InsertAssignmentSql, draft.Assignments.Select(a => new
            {
                RoundId = id, a.WorkerId, a.CohortId, a.CountyCode, a.RetentionProbability, a.PriorityGroup, Reasons = string.Join(ReasonSeparator, a.Reasons),
            }), tx);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);

    public async Task<bool> ProposalExistsAsync(string period, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(database.Dialect.Render(ProposalExistsSql), new { Period = period }) > 0;
    }

    public async Task<DispatchRound?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<RoundRow>($"SELECT {Columns} FROM dispatch_rounds WHERE id = @Id", new { Id = id }))?.ToRound();
    }

    /// <summary>Rounds newest first; <paramref name="scopeCodes"/> limits them to rounds over these counties, prefectures or the province.</summary>
    public async Task<PagedList<DispatchRound>> ListAsync(IReadOnlyList<string>? scopeCodes, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery().Add("scope_code IN @ScopeCodes", "ScopeCodes", scopeCodes);
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM dispatch_rounds{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<RoundRow>($"SELECT {Columns} FROM dispatch_rounds{query.Where} ORDER BY id DESC{database.Dialect.Page}", query.Parameters);
        return new PagedList<DispatchRound>(rows.Select(r => r.ToRound()).ToList(), page, pageSize, total);
    }

    /// <summary>The round per cohort: free seats, how many the round and the baseline fill, and the assigned workers of <paramref name="counties"/> (all when null).</summary>
    public async Task<PagedList<RoundCohortReview>> ReviewByCohortAsync(long roundId, IReadOnlyList<string>? counties, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cohorts = (await connection.QueryAsync<(long CohortId, string CohortName, long FreeSeats, long Assigned, long BaselineAssigned)>(RoundCohortsSql, new { RoundId = roundId })).ToList();
        var pageCohorts = cohorts.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var ids = pageCohorts.Select(c => c.CohortId).ToArray();
        var assignments = (await connection.QueryAsync<AssignmentRow>(
                AssignmentSelect + " WHERE a.round_id = @RoundId AND a.cohort_id IN @Ids" + (counties is null ? "" : " AND a.county_code IN @Counties") + " ORDER BY a.retention_probability DESC, a.worker_id",
                new { RoundId = roundId, Ids = ids, Counties = counties }))
            .Select(r => r.ToAssignment()).ToLookup(a => a.CohortId);
        return new PagedList<RoundCohortReview>(pageCohorts.Select(c => new RoundCohortReview(c.CohortId, c.CohortName, (int)c.FreeSeats, (int)c.Assigned,
            (int)c.BaselineAssigned, assignments[c.CohortId].ToList())).ToList(), page, pageSize, cohorts.Count);
    }

    /// <summary>The round per county of <paramref name="counties"/> (all when null), with each assignment and its reasons.</summary>
    public async Task<PagedList<RoundCountyReview>> ReviewByCountyAsync(long roundId, IReadOnlyList<string>? counties, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var all = (await connection.QueryAsync<(string CountyCode, long Assigned, long PriorityPlaced, double ExpectedRetained)>(
            counties is null ? RoundCountiesAllSql : RoundCountiesSql, new { RoundId = roundId, Counties = counties })).ToList();
        var pageCounties = all.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var codes = pageCounties.Select(c => c.CountyCode).ToArray();
        var assignments = (await connection.QueryAsync<AssignmentRow>(
                AssignmentSelect + " WHERE a.round_id = @RoundId AND a.county_code IN @Codes ORDER BY a.cohort_id, a.retention_probability DESC, a.worker_id",
                new { RoundId = roundId, Codes = codes }))
            .Select(r => r.ToAssignment()).ToLookup(a => a.CountyCode);
        return new PagedList<RoundCountyReview>(pageCounties.Select(c => new RoundCountyReview(c.CountyCode, (int)c.Assigned, (int)c.PriorityPlaced,
            Math.Round(c.ExpectedRetained, 2), assignments[c.CountyCode].ToList())).ToList(), page, pageSize, all.Count);
    }

    /// <summary>
    /// Turns the round's assignments into offers in one transaction, best first. An assignment the world has
    /// overtaken since the dry run (cohort full or closed, worker enrolled elsewhere meanwhile) is skipped and the
    /// reason kept beside it. A round is committed once.
    /// </summary>
    public Task<CommitResult> CommitAsync(long id, long? userId, string userName, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var status = await connection.ExecuteScalarAsync<string?>(database.Dialect.Render(StatusSql), new { Id = id }, tx);
            if (status is null)
            {
                return new CommitResult(WriteResult.NotFound, 0, 0);
            }
            if (status != DispatchRoundStatus.Draft)
            {
                return new CommitResult(WriteResult.Conflict("该调度方案已下发，不能重复下发"), 0, 0);
            }
            var now = time.GetUtcNow();
            var today = ChinaTime.Today(time);
            var offered = 0;
            var skipped = 0;
            foreach (var (workerId, cohortId) in await connection.QueryAsync<(long WorkerId, long CohortId)>(CommitAssignmentsSql, new { RoundId = id }, tx))
            {
                var seat = await EnrolmentSeats.RequestAsync(database.Dialect, connection, tx, catalogue, cohortId, workerId, allowWaitlist: false,
                    EnrolmentSource.Dispatch, $"月调度方案 {id}", id, today, now);
                var outcome = seat.Outcome == SeatOutcome.Offered ? EnrolmentStatus.Offered : "未下发：" + seat.Refusal.Message;
                await connection.ExecuteAsync(RecordOutcomeSql, new { RoundId = id, WorkerId = workerId, EnrolmentId = seat.Outcome == SeatOutcome.Offered ? seat.EnrolmentId : (long?)null, Outcome = outcome }, tx);
                offered += seat.Outcome == SeatOutcome.Offered ? 1 : 0;
                skipped += seat.Outcome == SeatOutcome.Offered ? 0 : 1;
            }
            await connection.ExecuteAsync(MarkCommittedSql, new { Id = id, UserId = userId, UserName = userName, Now = now, Offered = offered, Skipped = skipped }, tx);
            return new CommitResult(WriteResult.Ok(id, 2), offered, skipped);
        }, cancellationToken);

    private sealed class AssignmentRow
    {
        public long WorkerId { get; init; }
        public string WorkerName { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public long CohortId { get; init; }
        public string CohortName { get; init; } = "";
        public double RetentionProbability { get; init; }
        public bool PriorityGroup { get; init; }
        public string Reasons { get; init; } = "";
        public long? EnrolmentId { get; init; }
        public string? Outcome { get; init; }

        public RoundAssignment ToAssignment() => new(WorkerId, WorkerName, CountyCode, CohortId, CohortName, RetentionProbability, PriorityGroup,
            Reasons.Split(ReasonSeparator, StringSplitOptions.RemoveEmptyEntries), EnrolmentId, Outcome);
    }

    private sealed class RoundRow
    {
        public long Id { get; init; }
        public string Mode { get; init; } = "";
        public string ScopeKind { get; init; } = "";
        public string ScopeCode { get; init; } = "";
        public double PriorityWeight { get; init; }
        public string Status { get; init; } = "";
        public string? ProposalPeriod { get; init; }
        public string CreatedBy { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public string? CommittedBy { get; init; }
        public DateTimeOffset? CommittedAt { get; init; }
        public long Workers { get; init; }
        public long Cohorts { get; init; }
        public long CandidatePairs { get; init; }
        public long FreeSeats { get; init; }
        public long SeatsFilled { get; init; }
        public double ExpectedRetained { get; init; }
        public long PriorityPlaced { get; init; }
        public double Objective { get; init; }
        public long BaselineSeatsFilled { get; init; }
        public double BaselineExpectedRetained { get; init; }
        public long BaselinePriorityPlaced { get; init; }
        public double BaselineObjective { get; init; }
        public long SolveMs { get; init; }
        public long? OffersCreated { get; init; }
        public long? OffersSkipped { get; init; }
        public long Version { get; init; }

        public DispatchRound ToRound() => new(Id, Mode, ScopeKind, ScopeCode, PriorityWeight, Status, ProposalPeriod, CreatedBy, CreatedAt, CommittedBy,
            CommittedAt, (int)Workers, (int)Cohorts, (int)CandidatePairs, (int)FreeSeats,
            Figures(SeatsFilled, ExpectedRetained, PriorityPlaced, Objective), Figures(BaselineSeatsFilled, BaselineExpectedRetained, BaselinePriorityPlaced, BaselineObjective),
            SolveMs, (int?)OffersCreated, (int?)OffersSkipped, (int)Version);

        private RoundFigures Figures(long filled, double retained, long priority, double objective) => new((int)filled,
            FreeSeats == 0 ? 0 : Math.Round((double)filled / FreeSeats, 4), Math.Round(retained, 2), (int)priority,
            filled == 0 ? 0 : Math.Round((double)priority / filled, 4), Math.Round(objective, 2));
    }
}
