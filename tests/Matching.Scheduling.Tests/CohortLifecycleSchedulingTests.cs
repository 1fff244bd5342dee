using Dapper;
using Matching.Data.Enrolments;
using Matching.Data.Notifications;
using Matching.Domain.Cohorts;
using Matching.Domain.Enrolments;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Matching.Scheduling.Tests;

/// <summary>
/// A cohort's life driven by Quartz on a fake clock over the real database: the deadline confirms or cancels (with
/// re-offers), the reminder reaches the notification outbox and is sent, the start puts the cohort in training, the end
/// completes it with training records awaiting their results (no automatic placements). And a trigger set before a shutdown fires after the next start.
/// </summary>
public sealed class CohortLifecycleSchedulingTests
{
    private static async Task<string> StatusAsync(TestWorld world, long cohortId)
    {
        await using var connection = await world.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT status FROM cohorts WHERE id = @Id", new { Id = cohortId }) ?? "";
    }

    private static async Task<long> CountAsync(TestWorld world, string sql, object parameters)
    {
        await using var connection = await world.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    /// <summary>Moves the clock to just after the step's fire time, so the trigger is due but not misfired.</summary>
    private static void AdvanceTo(TestWorld world, DateTimeOffset fireTime) => world.Time.SetUtcNow(fireTime.AddSeconds(1));

    [Fact]
    public async Task A_cohort_that_fills_is_confirmed_reminded_started_and_completed_with_training_records_and_no_automatic_placements()
    {
        using var world = new TestWorld();
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, capacity: 3, minSize: 2, deadlineInDays: 5, startInDays: 10, lengthDays: 20);
        var enrolments = new EnrolmentStore(world.Database, world.Time, world.Environment.Catalogue);
        var seats = new List<long>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            seats.Add((await enrolments.EnrolAsync(cohortId, await world.WorkerAsync(), allowWaitlist: true)).EnrolmentId);
        }
        await enrolments.AnswerAsync(seats[0], EnrolmentAnswer.Accept);
        await enrolments.AnswerAsync(seats[1], EnrolmentAnswer.Accept);

        var host = await SchedulerHost.StartAsync(world);
        try
        {
            var deadline = world.Today.AddDays(5);
            var start = world.Today.AddDays(10);
            var end = start.AddDays(20);
            AdvanceTo(world, CohortSchedule.FireTime("deadline", deadline, start, end));
            await Eventually.MatchAsync(() => StatusAsync(world, cohortId), s => s == CohortStatus.Confirmed, "confirmation at the deadline");

            AdvanceTo(world, CohortSchedule.FireTime("reminder", deadline, start, end));
            var notifications = new NotificationStore(world.Database, world.Time);
            await Eventually.MatchAsync(() => notifications.ForCohortAsync(cohortId), n => n.Count == 3, "three reminders in the outbox");
            // The sender drains the outbox every minute; fire it now through the scheduler rather than wait out its misfire.
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.TriggerJob(Jobs.NotificationSenderJob.Key);
            var reminders = await Eventually.MatchAsync(() => notifications.ForCohortAsync(cohortId), n => n.All(x => x.SentAt is not null), "reminders sent");
            Assert.All(reminders, r => Assert.Contains("开班提醒", r.Message, StringComparison.Ordinal));

            AdvanceTo(world, CohortSchedule.FireTime("start", deadline, start, end));
            await Eventually.MatchAsync(() => StatusAsync(world, cohortId), s => s == CohortStatus.InTraining, "start of training");

            AdvanceTo(world, CohortSchedule.FireTime("end", deadline, start, end));
            await Eventually.MatchAsync(() => StatusAsync(world, cohortId), s => s == CohortStatus.Completed, "completion");
            // The two who took part get training records awaiting attendance and completion (21 days scheduled); nobody is
            // placed automatically: placements are recorded when they happen.
            Assert.Equal(2, await CountAsync(world, "SELECT COUNT(*) FROM training_results WHERE cohort_id = @Id AND completion = 'pending' AND days_scheduled = 21", new { Id = cohortId }));
            Assert.Equal(0, await CountAsync(world, "SELECT COUNT(*) FROM placements WHERE cohort_id = @Id", new { Id = cohortId }));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task A_cohort_short_of_its_minimum_is_cancelled_and_its_workers_are_offered_the_next_suitable_cohort()
    {
        using var world = new TestWorld();
        var (_, baseId, openingId) = await world.EmployerAsync();
        var small = await world.CohortAsync(baseId, openingId, capacity: 10, minSize: 5, deadlineInDays: 5, startInDays: 10, name: "普工岗前培训6月班");
        var next = await world.CohortAsync(baseId, openingId, capacity: 10, minSize: 1, deadlineInDays: 25, startInDays: 40, name: "普工岗前培训7月班");
        var enrolments = new EnrolmentStore(world.Database, world.Time, world.Environment.Catalogue);
        var first = await enrolments.EnrolAsync(small, await world.WorkerAsync(), allowWaitlist: true);
        await enrolments.AnswerAsync(first.EnrolmentId, EnrolmentAnswer.Accept);
        await enrolments.EnrolAsync(small, await world.WorkerAsync(), allowWaitlist: true);

        var host = await SchedulerHost.StartAsync(world);
        try
        {
            AdvanceTo(world, CohortSchedule.FireTime("deadline", world.Today.AddDays(5), world.Today.AddDays(10), world.Today.AddDays(20)));
            await Eventually.MatchAsync(() => StatusAsync(world, small), s => s == CohortStatus.Cancelled, "cancellation at the deadline");
            var moved = await enrolments.ListAsync(new EnrolmentFilter(CohortId: next), 1, 50);
            Assert.Equal(2, moved.Total);
            Assert.All(moved.Items, e =>
            {
                Assert.Equal(EnrolmentStatus.Offered, e.Status);
                Assert.Equal(EnrolmentSource.ReOffer, e.Source);
                Assert.Contains("普工岗前培训6月班", e.Note, StringComparison.Ordinal);
            });
            var old = await enrolments.ListAsync(new EnrolmentFilter(CohortId: small), 1, 50);
            Assert.All(old.Items, e => Assert.Equal(EnrolmentStatus.Cancelled, e.Status));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task A_trigger_set_before_a_shutdown_fires_after_the_next_start()
    {
        using var world = new TestWorld();
        var (_, baseId, openingId) = await world.EmployerAsync();
        var cohortId = await world.CohortAsync(baseId, openingId, capacity: 5, minSize: 1, deadlineInDays: 2, startInDays: 4, status: CohortStatus.Confirmed);
        var fireAt = world.Time.GetUtcNow().AddDays(6);

        var first = await SchedulerHost.StartAsync(world);
        var scheduler = await first.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        // A trigger of our own (not one the cohort sync would recreate): only the job store can bring it back.
        var key = new TriggerKey("restart-proof", "tests");
        await scheduler.ScheduleJob(TriggerBuilder.Create().WithIdentity(key).ForJob(Jobs.CohortStartJob.Key)
            .UsingJobData(Jobs.CohortJobs.CohortIdKey, cohortId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .StartAt(fireAt).WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)).Build());
        await scheduler.UnscheduleJob(CohortSchedule.TriggerKeyOf(cohortId, "start"));
        await first.StopAsync();
        first.Dispose();
        Assert.Equal(CohortStatus.Confirmed, await StatusAsync(world, cohortId));
        Assert.Equal(1, await CountAsync(world, "SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'restart-proof'", new { }));

        var second = await SchedulerHost.StartAsync(world);
        try
        {
            Assert.Equal(CohortStatus.Confirmed, await StatusAsync(world, cohortId));
            AdvanceTo(world, fireAt);
            await Eventually.MatchAsync(() => StatusAsync(world, cohortId), s => s == CohortStatus.InTraining, "the stored trigger firing after the restart");
        }
        finally
        {
            await second.StopAsync();
            second.Dispose();
        }
    }
}
