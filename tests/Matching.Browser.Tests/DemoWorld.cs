using Dapper;
using Matching.Data.Access;
using Matching.Data.Enrolments;
using Matching.Data.Storage;
using Matching.Ranking.Serving;
using Matching.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Matching.Browser.Tests;

/// <summary>
/// Facts about the demo data a journey needs before it starts (which worker is in which county, an opening with
/// candidates in the demo county), read from the running service's own database and components.
/// </summary>
public static class DemoWorld
{
    private const string ActiveEnrolmentsSql = "SELECT COUNT(*) FROM enrolments WHERE worker_id = @Worker AND status IN ('offered', 'accepted', 'waitlisted')";

    /// <summary>大方县: the demo county office's county (demo-county).</summary>
    public const string County = "520521";

    /// <summary>The demo enterprise's employer id (demo-enterprise).</summary>
    public const long Employer = 1;

    private static Database Database(BrowserHost host) => host.Services.GetRequiredService<Database>();

    public static async Task<long> WorkerOutsideAsync(BrowserHost host, string county)
    {
        await using var connection = await Database(host).OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT MIN(id) FROM workers WHERE county_code <> @County", new { County = county });
    }

    public static async Task<long> WorkerInAsync(BrowserHost host, string county, bool priorityGroup = false)
    {
        await using var connection = await Database(host).OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT MIN(id) FROM workers WHERE county_code = @County AND (@Priority = 0 OR priority_groups <> '')", new { County = county, Priority = priorityGroup ? 1 : 0 });
    }

    /// <summary>A worker the employer has no link with (never enrolled with it, offered by it or placed at it).</summary>
    public static async Task<long> WorkerUnlinkedToAsync(BrowserHost host, long employer)
    {
        await using var connection = await Database(host).OpenAsync();
        return await connection.ExecuteScalarAsync<long>("""
            SELECT MIN(w.id) FROM workers w
            WHERE NOT EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = w.id AND p.employer_id = @Employer)
              AND NOT EXISTS (SELECT 1 FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE e.worker_id = w.id AND c.employer_id = @Employer)
              AND NOT EXISTS (SELECT 1 FROM match_offers m JOIN openings o ON o.id = m.opening_id WHERE m.worker_id = w.id AND o.employer_id = @Employer)
            """, new { Employer = employer });
    }

    /// <summary>
    /// An open opening whose first 20 ranked candidates (as its page lists them) include a worker of the county holding
    /// no enrolment yet, one of its cohorts taking enrolments (open, deadline not passed), and that worker.
    /// </summary>
    public static async Task<(long Opening, long Cohort, long Worker)> OpeningWithCandidatesAsync(BrowserHost host, string county)
    {
        var ranker = host.Services.GetRequiredService<MatchRanker>();
        await using var connection = await Database(host).OpenAsync();
        var pairs = await connection.QueryAsync<(long Opening, long Cohort)>("""
            SELECT o.id, c.id FROM openings o JOIN cohort_openings co ON co.opening_id = o.id JOIN cohorts c ON c.id = co.cohort_id
            WHERE o.status = 'open' AND c.status = 'open' AND c.enrolment_deadline >= @Today ORDER BY o.id, c.start_date
            """, new { Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)) });
        (long Opening, long Cohort, long Worker)? busy = null;
        foreach (var (opening, cohort) in pairs)
        {
            var (list, _) = await ranker.CandidatesForOpeningAsync(opening, 20, new SearchScope([county], null, false));
            foreach (var candidate in list?.Candidates ?? [])
            {
                if (await connection.ExecuteScalarAsync<long>(ActiveEnrolmentsSql, new { Worker = candidate.WorkerId }) == 0)
                {
                    return (opening, cohort, candidate.WorkerId);
                }
                busy ??= (opening, cohort, candidate.WorkerId);
            }
        }
        // A committed dispatch round (another journey) may have offered every listed candidate a seat: the worker
        // withdraws from those, through the store, and is free again.
        if (busy is { } taken)
        {
            var enrolments = host.Services.GetRequiredService<EnrolmentStore>();
            foreach (var id in await connection.QueryAsync<long>(ActiveEnrolmentsSql.Replace("COUNT(*)", "id", StringComparison.Ordinal), new { Worker = taken.Worker }))
            {
                await enrolments.AnswerAsync(id, EnrolmentAnswer.Withdraw);
            }
            return taken;
        }
        throw new InvalidOperationException($"no opening with a candidate in {county}");
    }

    /// <summary>
    /// An active placement of a worker of the county with a follow-up not yet recorded (one that is due when there is
    /// one); in a small demo set without any, a placement made now for a worker of the county.
    /// </summary>
    public static async Task<long> PlacementToFollowUpAsync(BrowserHost host, string county)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        await using (var connection = await Database(host).OpenAsync())
        {
            var found = await connection.ExecuteScalarAsync<long?>("""
                SELECT p.id FROM placements p JOIN workers w ON w.id = p.worker_id
                WHERE w.county_code = @County AND p.status = 'active' AND p.start_date < @Today
                  AND EXISTS (SELECT 1 FROM placement_follow_ups f WHERE f.placement_id = p.id AND f.followed_up_on IS NULL)
                ORDER BY (SELECT MIN(f.due_date) FROM placement_follow_ups f WHERE f.placement_id = p.id AND f.followed_up_on IS NULL), p.id
                LIMIT 1
                """, new { County = county, Today = today });
            if (found is { } id)
            {
                return id;
            }
        }
        long worker;
        await using (var connection = await Database(host).OpenAsync())
        {
            worker = await connection.ExecuteScalarAsync<long>(
                "SELECT MIN(id) FROM workers w WHERE county_code = @County AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.worker_id = w.id AND p.status = 'active')",
                new { County = county });
        }
        var placements = host.Services.GetRequiredService<Matching.Data.Placements.PlacementStore>();
        var created = await placements.CreateAsync(new Matching.Domain.Placements.PlacementDraft(worker, Employer, null, null, today.AddDays(-40), 5200));
        return created.Status == WriteStatus.Ok ? created.Id : throw new InvalidOperationException("could not place a demo worker: " + created.Message);
    }

    /// <summary>
    /// A trainee of one of the employer's completed cohorts (accepted, with a result row, so the cohort's results table
    /// lists it), the latest cohort first, with the cohort's first and last day.
    /// </summary>
    public static async Task<(long Cohort, long Enrolment, DateOnly Start, DateOnly End)> TraineeToRecordAsync(BrowserHost host, long employer)
    {
        await using var connection = await Database(host).OpenAsync();
        var found = await connection.QueryFirstOrDefaultAsync<(long Cohort, long Enrolment, DateOnly Start, DateOnly End)?>("""
            SELECT c.id, e.id, c.start_date, c.end_date FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
            WHERE c.employer_id = @Employer AND c.status = 'completed' AND e.status = 'accepted'
              AND EXISTS (SELECT 1 FROM training_results r WHERE r.enrolment_id = e.id)
            ORDER BY c.end_date DESC, e.id
            LIMIT 1
            """, new { Employer = employer });
        return found ?? throw new InvalidOperationException($"employer {employer} has no completed cohort with a trainee");
    }

    /// <summary>What is recorded of an enrolment's training: its result row as stored and its certificates, as one comparable text.</summary>
    public static async Task<string> RecordedTrainingAsync(BrowserHost host, long enrolment)
    {
        await using var connection = await Database(host).OpenAsync();
        var result = await connection.QuerySingleOrDefaultAsync<(long Version, long? Attended, string Completion, long? Passed)?>(
            "SELECT version, days_attended, completion, assessment_passed FROM training_results WHERE enrolment_id = @Enrolment", new { Enrolment = enrolment });
        var certificates = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM certificates WHERE enrolment_id = @Enrolment", new { Enrolment = enrolment });
        return $"result={result}; certificates={certificates}";
    }

    /// <summary>A claim of the county waiting for review (待审核), one with integrity findings first when there is one.</summary>
    public static async Task<long?> SubmittedClaimAsync(BrowserHost host, string county)
    {
        await using var connection = await Database(host).OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT id FROM subsidy_claims WHERE county_code = @County AND status = 'submitted' ORDER BY CASE WHEN findings_json = '[]' THEN 1 ELSE 0 END, id LIMIT 1", new { County = county });
    }

    /// <summary>The institution the demo training institution account (demo-institution) is scoped to.</summary>
    public static Task<long> DemoInstitutionAsync(BrowserHost host) => CountAsync(host, """
        SELECT CAST(s.code AS INTEGER) FROM user_scopes s JOIN users u ON u.id = s.user_id WHERE u.name = 'demo-institution'
        """);

    /// <summary>
    /// A trainee of a cohort the institution delivers that ran already (in training or completed), with a result: one
    /// without a subsidy claim waiting for review when there is one (so changing the attendance moves no other journey's
    /// claim): the cohort, the enrolment, the worker and the stored result.
    /// </summary>
    public static async Task<DemoTrainee> TraineeOfAsync(BrowserHost host, long institution)
    {
        await using var connection = await Database(host).OpenAsync();
        return await connection.QueryFirstAsync<DemoTrainee>("""
            SELECT c.id AS cohort_id, c.name AS cohort_name, e.id AS enrolment_id, e.worker_id, r.days_scheduled, r.days_attended, r.completion,
                r.completed_on, r.assessment_passed, r.assessed_on, r.assessing_body
            FROM cohorts c JOIN enrolments e ON e.cohort_id = c.id JOIN training_results r ON r.enrolment_id = e.id
            WHERE c.institution_id = @Institution AND c.status IN ('in-training', 'completed') AND e.status = 'accepted'
            ORDER BY CASE WHEN EXISTS (SELECT 1 FROM subsidy_claims s WHERE s.enrolment_id = e.id AND s.status = 'submitted') THEN 1 ELSE 0 END, c.id, e.id
            """, new { Institution = institution });
    }

    /// <summary>An account made for one test (so lockout tests do not lock the demo accounts others use).</summary>
    public static async Task<string> AccountAsync(BrowserHost host, string name, string role, string[] scopes, string password)
    {
        var users = host.Services.GetRequiredService<UserStore>();
        var created = await users.CreateAsync(new UserDraft(name, role, scopes, true));
        await users.SetPasswordAsync(created.Id, Matching.Api.Access.AccountService.Hash(password));
        return name;
    }

    /// <summary>Waits until the search index has taken every change made so far (the outbox is drained), at most a minute.</summary>
    public static async Task IndexedAsync(BrowserHost host)
    {
        var outbox = host.Services.GetRequiredService<SearchComponents>().Outbox;
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await outbox.StatusAsync()).Pending > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the search index did not take the changes within a minute");
            await Task.Delay(100);
        }
    }

    public static async Task<long> CountAsync(BrowserHost host, string sql, object? parameters = null)
    {
        await using var connection = await Database(host).OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }
}

/// <summary>A trainee's enrolment in a demo cohort with its stored result (考勤、结业、考核).</summary>
public sealed record DemoTrainee(long CohortId, string CohortName, long EnrolmentId, long WorkerId, long DaysScheduled, long? DaysAttended, string Completion,
    string? CompletedOn, long? AssessmentPassed, string? AssessedOn, string? AssessingBody);
