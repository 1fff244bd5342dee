using System.Net;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Scheduling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Matching.Api.Tests.Robustness;

/// <summary>
/// Rows no job can schedule, written straight into the database while the service is stopped (cohorts dated in year 1
/// and in year 9999, one whose date is not a date), do not stop the real service: it starts, schedules the other
/// cohorts, lists the bad rows for admins, and reports <c>/health/ready</c> Degraded with the reason.
/// </summary>
public sealed class BadRowRestartTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Cohort_rows_no_job_can_schedule_do_not_stop_start_up_or_the_other_cohorts()
    {
        var chain = await Seed.EmployerChainAsync(api);
        long yearOne = 0, yearMax = 0, notADate = 0, goodAfter = 0;

        await api.RestartAsync(async () =>
        {
            await using var connection = new SqliteConnection($"Data Source={api.DatabasePath};Pooling=False");
            await connection.OpenAsync();
            // Each row as a write through any path leaves it: the cohort and its outbox row (which the schedule follows).
            async Task<long> CohortAsync(string deadline, string start, string end)
            {
                var id = await connection.ExecuteScalarAsync<long>("""
                    INSERT INTO cohorts (base_id, employer_id, name, training_type, trades, capacity, min_size, enrolment_deadline, start_date, end_date,
                        status, created_at, updated_at, version)
                    SELECT base_id, employer_id, name || '（直接写入）', training_type, trades, capacity, min_size, @Deadline, @Start, @End,
                        'open', created_at, updated_at, 1 FROM cohorts WHERE id = @Model;
                    SELECT last_insert_rowid();
                    """, new { Deadline = deadline, Start = start, End = end, Model = chain.CohortId });
                await connection.ExecuteAsync("INSERT INTO outbox (entity, entity_id, operation, created_at, attempts) VALUES ('cohort', @Id, 'upsert', '2026-06-15T04:00:00.0000000Z', 0)",
                    new { Id = id });
                return id;
            }
            yearOne = await CohortAsync("0001-01-01", "0001-01-02", "0001-01-03");
            yearMax = await CohortAsync("9999-12-29", "9999-12-30", "9999-12-31");
            notADate = await CohortAsync("2026-06-30", "下周一", "2026-07-17");
            goodAfter = await CohortAsync("2026-07-10", "2026-07-20", "2026-07-31");
        });

        // It started (a failed start fails RestartAsync), and the good cohorts have their triggers.
        var scheduler = await api.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        foreach (var good in new[] { chain.CohortId, goodAfter })
        {
            foreach (var step in CohortSchedule.StepsAhead("open"))
            {
                Assert.True(await scheduler.Exists(CohortSchedule.TriggerKeyOf(good, step)), $"cohort {good}: no {step} trigger");
            }
        }
        foreach (var bad in new[] { yearOne, yearMax, notADate })
        {
            foreach (var (step, _) in CohortSchedule.Steps)
            {
                Assert.False(await scheduler.Exists(CohortSchedule.TriggerKeyOf(bad, step)), $"cohort {bad}: a {step} trigger was set");
            }
        }

        // Admins see each bad row and why; readiness says Degraded with the reason, and the service still serves.
        var problems = (await api.AsAdmin().GetObjectAsync("/api/problems"))["problems"]!.AsArray();
        foreach (var bad in new[] { yearOne, yearMax, notADate })
        {
            Assert.Contains(problems, p => p!["subjectId"]!.GetValue<long>() == bad && p["kind"]!.GetValue<string>() == "cohort-schedule"
                && Http.HasChinese(p["detail"]!.GetValue<string>()));
        }
        using var anonymous = api.CreateClient();
        using var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = await ready.Content.ReadAsStringAsync();
        Assert.StartsWith("Degraded", report, StringComparison.Ordinal);
        Assert.Contains($"班期 {yearOne} 无法排程", report, StringComparison.Ordinal);
        await api.AsAdmin().GetObjectAsync($"/api/cohorts/{goodAfter}");
    }
}
