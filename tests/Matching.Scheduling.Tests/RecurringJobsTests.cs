using Matching.Data.Dispatch;
using Matching.Data.Reports;
using Matching.Scheduling.Jobs;
using Matching.Scheduling.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matching.Scheduling.Tests;

/// <summary>The recurring jobs on the fake clock: the monthly dispatch proposal (月调度) and the summaries (季小结, 年总结).</summary>
public sealed class RecurringJobsTests
{
    private static void AdvanceTo(TestWorld world, DateTimeOffset fireTime) => world.Time.SetUtcNow(fireTime.AddSeconds(1));

    [Fact]
    public async Task The_monthly_proposal_and_the_quarterly_and_annual_summaries_are_stored_on_schedule_and_only_once()
    {
        using var world = new TestWorld();
        var (_, baseId, openingId) = await world.EmployerAsync();
        await world.CohortAsync(baseId, openingId, capacity: 5, minSize: 1, deadlineInDays: 30, startInDays: 40);
        await world.WorkerAsync();
        var rounds = new DispatchRoundStore(world.Database, world.Time, world.Environment.Catalogue);
        var reports = new ReportStore(world.Database, world.Time);

        var host = await SchedulerHost.StartAsync(world);
        try
        {
            // 1 July, 08:00 Beijing: the month's proposal over the province; 09:00: the summary of the second quarter.
            AdvanceTo(world, new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
            await Eventually.MatchAsync(() => rounds.ProposalExistsAsync("2026-07"), exists => exists, "the July dispatch proposal");
            AdvanceTo(world, new DateTimeOffset(2026, 7, 1, 1, 0, 0, TimeSpan.Zero));
            var quarterly = await Eventually.MatchAsync(() => reports.ListAsync(ReportKinds.Quarterly, 1, 10), page => page.Total == 1, "the Q2 summary");
            Assert.Equal("2026-Q2", quarterly.Items[0].Period);
            var csv = await reports.ContentAsync(quarterly.Items[0].Id);
            Assert.Contains("统计期间,2026-04-01,至,2026-06-30", csv, StringComparison.Ordinal);
            Assert.Contains("市州代码,市州,报名人次,确认参训,就业安置,其中重点群体,6个月在岗", csv, StringComparison.Ordinal);

            // A job run again (after a crash, say) stores nothing twice.
            var services = host.Services;
            await new QuarterlyReportJob(services.GetRequiredService<SummaryReports>(), NullLogger<QuarterlyReportJob>.Instance).Execute(null!, CancellationToken.None);
            await new MonthlyDispatchProposalJob(services.GetRequiredService<Dispatch.DispatchRoundPlanner>(), rounds, world.Time,
                NullLogger<MonthlyDispatchProposalJob>.Instance).Execute(null!, CancellationToken.None);
            Assert.Equal(1, (await reports.ListAsync(ReportKinds.Quarterly, 1, 10)).Total);
            Assert.Single((await rounds.ListAsync(null, 1, 100)).Items, r => r.ProposalPeriod == "2026-07");

            // 2 January, 09:00 Beijing: the summary of the year before.
            AdvanceTo(world, new DateTimeOffset(2027, 1, 2, 1, 0, 0, TimeSpan.Zero));
            var annual = await Eventually.MatchAsync(() => reports.ListAsync(ReportKinds.Annual, 1, 10), page => page.Total == 1, "the 2026 summary");
            Assert.Equal("2026", annual.Items[0].Period);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
