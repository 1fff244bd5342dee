using System.Globalization;
using Dapper;
using Matching.Data.Access;
using Matching.Data.Alerts;
using Matching.Data.Imports;
using Matching.Data.Notifications;
using Matching.Data.Placements;
using Matching.Data.Reports;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Alerts;
using Matching.Domain.Placements;
using Matching.Domain.Workers;

namespace Matching.Data.Tests.Storage;

/// <summary>
/// The stores of the survey import, follow-up reminders, staff notifications, job-loss alerts and versioned reports,
/// on every engine of the suite.
/// </summary>
public abstract partial class StorageBehaviourSuite
{
    private static string Unique(string prefix) => prefix + DataFixture.Next().ToString(CultureInfo.InvariantCulture);

    private async Task<long> CoveredWorkerAsync(string county, string group = "monitored") =>
        DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(DataFixture.WorkerInput(county, groups: [group]))));

    private async Task<long> PlacementAsync(long worker, DateOnly start)
    {
        var (employerId, _) = await Data.EmployerWithBaseAsync();
        return DataFixture.Created(await Data.Placements.CreateAsync(new PlacementDraft(worker, employerId, null, null, start, 5200)));
    }

    [SkippableFact]
    public async Task A_report_period_is_kept_in_versions_the_latest_current_and_its_figures_read_by_county()
    {
        var store = new ReportStore(Data.Database, Data.Time);
        var period = Unique("2091-Q");
        Assert.False(await store.ExistsAsync(ReportKinds.Quarterly, period));
        var figures = new List<ReportFigure> { new("520102", "registrations", 12), new("520103", "registrations", 5), new("520103", "placements", 2) };
        var from = new DateOnly(2091, 1, 1);
        var to = new DateOnly(2091, 3, 31);
        var first = await store.AddVersionAsync(ReportKinds.Quarterly, period, "季小结", from, to, "调度任务", figures);
        // Late data: regenerated at once by two clerks, each gets its own next version.
        var again = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            store.AddVersionAsync(ReportKinds.Quarterly, period, "季小结（补报）", from, to, "县人社局", figures.Take(1).ToList()))));
        Assert.Equal(1, first.Version);
        Assert.Equal([2, 3], again.Select(a => a.Version).Order());
        Assert.True(await store.ExistsAsync(ReportKinds.Quarterly, period));

        var current = Assert.Single((await store.ListAsync(ReportKinds.Quarterly, period, false, 1, 50)).Items);
        Assert.Equal((3, true, from, to), (current.Version, current.Current, current.PeriodFrom, current.PeriodTo));
        var all = (await store.ListAsync(ReportKinds.Quarterly, period, true, 1, 50)).Items;
        Assert.Equal([3, 2, 1], all.Select(r => r.Version));
        Assert.Equal([true, false, false], all.Select(r => r.Current));
        var original = await store.GetAsync(first.Id);
        Assert.Equal((1, false, "调度任务"), (original!.Version, original.Current, original.CreatedBy));

        Assert.Equal(3, (await store.FiguresAsync(first.Id, null)).Count);
        var own = await store.FiguresAsync(first.Id, ["520103"]);
        Assert.Equal([("520103", "placements", 2L), ("520103", "registrations", 5L)], own.Select(f => (f.CountyCode, f.Metric, f.Value)).Order());
    }

    [SkippableFact]
    public async Task Import_jobs_are_claimed_once_oldest_first_and_keep_their_rejections()
    {
        var store = new ImportJobStore(Data.Database, Data.Time);
        var user = DataFixture.Next();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await store.CreateAsync(user, "县人社局", ["520102"], $"摸排表{i}.xlsx", [1, 2, (byte)i], ImportModes.ValidRows, ImportModes.Update));
        }
        var job = await store.GetAsync(ids[0]);
        Assert.Equal((ImportModes.Queued, "摸排表0.xlsx", ImportModes.ValidRows, ImportModes.Update), (job!.Status, job.FileName, job.Mode, job.OnExisting));
        Assert.Equal(["520102"], job.Counties);
        Assert.Equal([1, 2, 2], await store.ContentAsync(ids[2]));

        // Several runners at once: each queued job goes to exactly one of them, the oldest first.
        var claimed = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => store.ClaimNextAsync())));
        Assert.Equal(ids, claimed.Where(c => c is not null).Select(c => c!.Value).Order());
        Assert.Null(await store.ClaimNextAsync());
        Assert.Equal(ImportModes.Running, (await store.GetAsync(ids[1]))!.Status);

        var rejections = new List<ImportRejection>
        {
            new("乡镇B", 7, "身份证号码", "身份证号码被存成了数字", ImportModes.Rejected),
            new("乡镇A", 12, "户类型", "未知的户类型", ImportModes.Rejected),
            new("乡镇A", 4, "身份证号码", "已登记为本县劳动者 9，按选择未更新", ImportModes.Reported),
        };
        await store.FinishAsync(ids[0], new ImportOutcome(ImportModes.Succeeded, "2 行有误未导入，其余已导入", "乡镇A、乡镇B", ["备注2"], 30, 25, 2, 1, 2, rejections));
        var done = await store.GetAsync(ids[0]);
        Assert.Equal((ImportModes.Succeeded, 30, 30, 25, 2, 1, 2), (done!.Status, done.TotalRows, done.ProcessedRows, done.Created, done.Updated, done.Reported, done.Rejected));
        Assert.Equal(["备注2"], done.IgnoredColumns);
        Assert.Equal([("乡镇A", 4), ("乡镇A", 12), ("乡镇B", 7)], (await store.RejectionsAsync(ids[0])).Select(r => (r.Sheet, r.RowNumber)));

        // A stop cut the other two off: they run again from the start.
        Assert.Equal(2, await store.RequeueInterruptedAsync());
        Assert.Equal(ImportModes.Queued, (await store.GetAsync(ids[2]))!.Status);
        Assert.Equal(ids[1], await store.ClaimNextAsync());
        Assert.Equal(ids[2], await store.ClaimNextAsync());
        foreach (var id in ids.Skip(1))
        {
            await store.FinishAsync(id, new ImportOutcome(ImportModes.Refused, "不是 Excel 文件", null, [], 0, 0, 0, 0, 0, []));
        }
    }

    [SkippableFact]
    public async Task Imported_workers_are_created_and_updated_together_and_existing_ID_numbers_found_by_hash()
    {
        var existing = Data.Worker(DataFixture.WorkerInput("520102"));
        var existingId = DataFixture.Created(await Data.Workers.CreateAsync(existing));
        var fresh = Enumerable.Range(0, 5).Select(_ => Data.Worker(DataFixture.WorkerInput("520102", groups: ["poverty-lifted"]) with
        {
            HouseholdNumber = "HH-0" + DataFixture.Next().ToString(CultureInfo.InvariantCulture),
            HouseholdType = HouseholdTypes.PovertyLifted,
            EmploymentStatus = EmploymentStatuses.Unemployed,
        })).ToList();

        var changed = existing with { Notes = "摸排表更新：已返乡", EmploymentStatus = EmploymentStatuses.Unemployed };
        // An import not committed (a sheet refused part-way, a rejected row in all-or-nothing) keeps nothing.
        await using (var abandoned = await Data.Workers.BeginImportAsync())
        {
            await abandoned.WriteAsync(fresh, [(existingId, changed)]);
        }
        Assert.Equal(1, (await Data.Workers.GetAsync(existingId))!.Version);

        IReadOnlyDictionary<string, IdNumberHolder> again;
        await using (var writer = await Data.Workers.BeginImportAsync())
        {
            var holders = await writer.FindHoldersAsync([existing.IdNumber, .. fresh.Select(f => f.IdNumber)]);
            Assert.Equal(new IdNumberHolder(existingId, "520102"), Assert.Single(holders).Value);
            await writer.WriteAsync(fresh, [(existingId, changed)]);
            Assert.Equal((5, 1), await writer.CommitAsync());
        }
        await using (var reader = await Data.Workers.BeginImportAsync())
        {
            again = await reader.FindHoldersAsync(fresh.Select(f => f.IdNumber).ToList());
        }
        Assert.Equal(5, again.Count);
        var one = await Data.Workers.GetAsync(again[fresh[2].IdNumber].WorkerId);
        Assert.Equal((fresh[2].HouseholdNumber, HouseholdTypes.PovertyLifted, EmploymentStatuses.Unemployed, 1),
            (one!.HouseholdNumber, one.HouseholdType, one.EmploymentStatus, one.Version));
        Assert.Equal(fresh[2].IdNumber, await Data.Workers.RevealIdNumberAsync(one.Id));
        var after = await Data.Workers.GetAsync(existingId);
        Assert.Equal(("摸排表更新：已返乡", EmploymentStatuses.Unemployed, 2), (after!.Notes, after.EmploymentStatus, after.Version));
        // The search index hears of every row written.
        var outbox = await Data.OutboxAsync();
        Assert.All(again.Values.Select(h => h.WorkerId).Append(existingId), id => Assert.Contains(outbox, o => o == ("worker", id, "upsert")));
        Assert.Contains((await Data.Workers.ListAsync(new Workers.WorkerFilter(CountyCodes: ["520102"], HouseholdType: HouseholdTypes.PovertyLifted,
            EmploymentStatus: EmploymentStatuses.Unemployed), 1, 200)).Items, w => w.Id == one.Id);
    }

    [SkippableFact]
    public async Task Workers_an_import_stores_many_at_a_time_read_back_as_workers_registered_one_at_a_time()
    {
        // 150 rows: on the embedded engine two full statements of 64 rows and a shorter one. The inputs vary every kind
        // of column: text with quotes and non-Chinese letters, missing notes and household fields, several trades.
        var inputs = Enumerable.Range(0, 150).Select(i =>
        {
            var input = DataFixture.WorkerInput(i % 2 == 0 ? "520102" : "520381", i % 3 == 0 ? "T001" : "T002", groups: i % 4 == 0 ? ["monitored"] : []);
            return input with
            {
                RealName = i % 5 == 0 ? "阿依古丽·买买提" : "王小明",
                Trades = i % 7 == 0 ? [new WorkerTradeInput("T001", 3), new WorkerTradeInput("T002", 1)] : input.Trades,
                ExpectedMonthlyWage = 4000 + i * 10,
                Notes = i % 3 == 0 ? null : $"第{i}户 \"外出\" 'O\'Neil' 🙂",
                HouseholdNumber = i % 2 == 0 ? null : $"HH-{i:D4}",
                HouseholdType = i % 3 == 1 ? null : i % 3 == 0 ? HouseholdTypes.Monitored : HouseholdTypes.Ordinary,
                EmploymentStatus = i % 4 == 1 ? null : i % 4 == 0 ? EmploymentStatuses.Unemployed : EmploymentStatuses.EmployedOutside,
            };
        }).ToList();
        var singles = new List<long>();
        foreach (var input in inputs)
        {
            singles.Add(DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(input))));
        }
        // The same people again under other ID numbers and phones, through the import's writer.
        var twins = inputs.Select(input =>
        {
            var other = DataFixture.WorkerInput(input.CountyCode!);
            return Data.Worker(input with { IdNumber = other.IdNumber, Phone = other.Phone });
        }).ToList();
        IReadOnlyDictionary<string, IdNumberHolder> holders;
        await using (var writer = await Data.Workers.BeginImportAsync())
        {
            await writer.WriteAsync(twins, []);
            Assert.Equal((150, 0), await writer.CommitAsync());
        }
        await using (var reader = await Data.Workers.BeginImportAsync())
        {
            holders = await reader.FindHoldersAsync(twins.Select(t => t.IdNumber).ToList());
        }

        // Everything but what follows from the ID number and phone themselves.
        static string Comparable(Worker w) => System.Text.Json.JsonSerializer.Serialize(w with
        {
            Id = 0, IdNumberMasked = "", PhoneMasked = "", BirthDate = default, Gender = default,
        });
        await using var connection = await Data.Database.OpenAsync();
        for (var i = 0; i < inputs.Count; i++)
        {
            var twinId = holders[twins[i].IdNumber].WorkerId;
            Assert.Equal(Comparable((await Data.Workers.GetAsync(singles[i]))!), Comparable((await Data.Workers.GetAsync(twinId))!));
            Assert.Equal((twins[i].IdNumber, twins[i].Phone), (await Data.Workers.RevealIdNumberAsync(twinId), await Data.Workers.RevealPhoneAsync(twinId)));
            // The trades index (kept by the trigger) has the same rows for both.
            const string TradesSql = "SELECT trade_id, level FROM worker_trades WHERE worker_id = @Id ORDER BY trade_id";
            Assert.Equal(await connection.QueryAsync<(string, long)>(TradesSql, new { Id = singles[i] }), await connection.QueryAsync<(string, long)>(TradesSql, new { Id = twinId }));
        }
        // Stored in the sheet's order.
        Assert.Equal(holders.Values.Select(h => h.WorkerId).Order(), twins.Select(t => holders[t.IdNumber].WorkerId));
    }

    [SkippableFact]
    public async Task A_write_of_many_workers_that_breaks_the_unique_id_number_stores_none_of_them()
    {
        var registered = Data.Worker(DataFixture.WorkerInput("520102"));
        DataFixture.Created(await Data.Workers.CreateAsync(registered));
        // 100 new people with, in the middle of the second statement, one already registered (the import's look-up
        // normally reports it; here the write is asked for anyway, as a concurrent registration would cause).
        var rows = Enumerable.Range(0, 100).Select(_ => Data.Worker(DataFixture.WorkerInput("520102"))).ToList();
        rows[70] = registered with { Notes = "重复" };
        await using (var writer = await Data.Workers.BeginImportAsync())
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => writer.WriteAsync(rows, []));
            Assert.True(Data.Database.Dialect.IsUniqueViolation(failure), failure.ToString());
        }
        await using var reader = await Data.Workers.BeginImportAsync();
        var holders = await reader.FindHoldersAsync(rows.Select(r => r.IdNumber).ToList());
        Assert.Equal(registered.IdNumber, Assert.Single(holders).Key);
    }

    [SkippableFact]
    public async Task The_import_benchmarks_storage_floor_times_real_copies_and_leaves_the_workers_as_they_were()
    {
        for (var i = 0; i < 3; i++)
        {
            DataFixture.Created(await Data.Workers.CreateAsync(Data.Worker(DataFixture.WorkerInput("520102"))));
        }
        var everyone = new WorkerFilter();
        var before = await Data.Workers.ListAsync(everyone, 1, 1000);
        if (Data.Database.Dialect is not SqliteDialect)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => Data.Workers.TimeStorageFloorAsync(3));
            return;
        }
        // The copies go through the unique ID-number index (new random hashes) and are counted in the time…
        Assert.InRange(await Data.Workers.TimeStorageFloorAsync(3), 1e-6, 60);
        // …then removed: the same workers, and none of the copies' trades left behind by the trigger.
        var after = await Data.Workers.ListAsync(everyone, 1, 1000);
        Assert.Equal(before.Total, after.Total);
        Assert.Equal(before.Items.Select(w => w.Id), after.Items.Select(w => w.Id));
        await using var connection = await Data.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM worker_trades t WHERE NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = t.worker_id)"));
    }

    [SkippableFact]
    public async Task Inbox_messages_are_written_once_per_subject_and_read_only_by_their_owner()
    {
        var users = new UserStore(Data.Database, Data.Time);
        var county = await users.EnsureAsync(new UserDraft(Unique("clerk-"), "county_office", ["520381"], true));
        var rural = await users.EnsureAsync(new UserDraft(Unique("rural-"), "rural_revitalisation", ["520300"], true));
        var elsewhere = await users.EnsureAsync(new UserDraft(Unique("other-"), "county_office", ["520102"], true));
        var inactive = await users.EnsureAsync(new UserDraft(Unique("gone-"), "county_office", ["520381"], false));
        var inbox = new InboxStore(Data.Database, Data.Time);

        await using (var connection = await Data.Database.OpenAsync())
        {
            var officesOnly = await StaffDirectory.ForCountyAsync(connection, null, "520381", "520300", includeRuralRevitalisation: false);
            Assert.Contains(officesOnly, r => r.UserId == county.Id);
            Assert.DoesNotContain(officesOnly, r => r.UserId == rural.Id || r.UserId == elsewhere.Id || r.UserId == inactive.Id);
            Assert.Contains(await StaffDirectory.ForCountyAsync(connection, null, "520381", "520300", includeRuralRevitalisation: true), r => r.UserId == rural.Id);

            await using var tx = await connection.BeginTransactionAsync();
            foreach (var subject in new[] { "placement:1:1", "placement:1:1", "placement:2:3" })
            {
                await InboxStore.InsertAsync(Data.Database.Dialect, connection, tx, county.Id, "follow-up-due", subject, "跟踪回访提醒", "请按时回访", "/api/placements/1", "520381", FixedClock.Instant);
            }
            Assert.False(await InboxStore.InsertAsync(Data.Database.Dialect, connection, tx, county.Id, "follow-up-due", "placement:2:3", "重复", "重复", null, "520381", FixedClock.Instant));
            await tx.CommitAsync();
        }

        var page = await inbox.ListAsync(county.Id, null, null, 1, 20);
        Assert.Equal((2L, 2L), (page.Total, page.Unread));
        Assert.Equal(2, page.Items.Count);
        Assert.True(page.Items[0].Id > page.Items[1].Id, "newest first");
        Assert.False(await inbox.MarkReadAsync(elsewhere.Id, page.Items[0].Id));
        Assert.True(await inbox.MarkReadAsync(county.Id, page.Items[0].Id));
        Assert.Equal(1, (await inbox.ListAsync(county.Id, true, null, 1, 20)).Total);
        Assert.Equal(1, (await inbox.ListAsync(county.Id, false, "follow-up-due", 1, 20)).Total);
        Assert.Equal(1, await inbox.MarkAllReadAsync(county.Id));
        Assert.Equal(0, (await inbox.ListAsync(county.Id, null, null, 1, 20)).Unread);
        Assert.Equal(0, (await inbox.ListAsync(elsewhere.Id, null, null, 1, 20)).Total);
    }

    [SkippableFact]
    public async Task Webhook_messages_stay_until_delivered_and_back_off_after_failures()
    {
        var outbox = new WebhookOutbox(Data.Database);
        var key = Unique("job-loss-alert:alert:");
        Assert.True(await outbox.EnqueueAsync(key, "job-loss-alert", """{"title":"防返贫就业预警"}""", FixedClock.Instant));
        Assert.False(await outbox.EnqueueAsync(key, "job-loss-alert", "{}", FixedClock.Instant));
        var message = await outbox.FindAsync(key);
        Assert.Equal(("""{"title":"防返贫就业预警"}""", 0, FixedClock.Instant), (message!.Payload, message.Attempts, message.NextAttemptAt));
        Assert.Contains(await outbox.DueAsync(FixedClock.Instant, 10_000), m => m.Id == message.Id);

        var retryAt = FixedClock.Instant.AddSeconds(20);
        await outbox.MarkFailedAsync(message.Id, FixedClock.Instant, retryAt, "HTTP 503 " + new string('x', 900));
        Assert.DoesNotContain(await outbox.DueAsync(FixedClock.Instant.AddSeconds(19), 10_000), m => m.Id == message.Id);
        Assert.Contains(await outbox.DueAsync(retryAt, 10_000), m => m.Id == message.Id);
        var failed = await outbox.FindAsync(key);
        Assert.Equal((1, 500), (failed!.Attempts, failed.LastError!.Length));

        var (pendingBefore, deliveredBefore, _) = await outbox.CountsAsync();
        await outbox.MarkDeliveredAsync(message.Id, retryAt);
        Assert.Equal((pendingBefore - 1, deliveredBefore + 1), ((await outbox.CountsAsync()).Pending, (await outbox.CountsAsync()).Delivered));
        Assert.DoesNotContain(await outbox.DueAsync(retryAt.AddDays(1), 10_000), m => m.Id == message.Id);

        var hopeless = Unique("follow-up-due:placement:");
        await outbox.EnqueueAsync(hopeless, "follow-up-due", "{}", FixedClock.Instant);
        var hopelessId = (await outbox.FindAsync(hopeless))!.Id;
        await outbox.MarkFailedAsync(hopelessId, FixedClock.Instant, null, "gave up");
        Assert.Equal(FixedClock.Instant, (await outbox.FindAsync(hopeless))!.GaveUpAt);
        Assert.DoesNotContain(await outbox.DueAsync(retryAt.AddDays(1), 10_000), m => m.Id == hopelessId);
    }

    [SkippableFact]
    public async Task Follow_ups_are_listed_due_and_overdue_per_county_and_reminded_once_per_stage()
    {
        const string County = "520402";
        var store = new FollowUpStore(Data.Database);
        // Month 1 was due three days ago (due); a placement four months old has months 1 and 3 overdue.
        var recent = await PlacementAsync(await NewWorkerAsync(County), Today.AddMonths(-1).AddDays(-3));
        var older = await PlacementAsync(await CoveredWorkerAsync(County), Today.AddMonths(-4));
        var filter = new FollowUpFilter(Today, CountyCodes: [County]);

        var open = (await store.ListAsync(filter, 1, 50)).Items;
        Assert.Equal([(older, 1, "overdue"), (older, 3, "overdue"), (recent, 1, "due")], open.Select(f => (f.PlacementId, f.Month, f.State)));
        Assert.Equal(3, open.Single(f => f.PlacementId == recent).DaysLate);
        Assert.Equal([(recent, 1)], (await store.ListAsync(filter with { State = "due" }, 1, 50)).Items.Select(f => (f.PlacementId, f.Month)));
        Assert.Equal(2, (await store.ListAsync(filter with { State = "overdue" }, 1, 50)).Total);
        Assert.Equal([(older, 1)], (await store.ListAsync(filter with { State = "overdue", OnlyPriorityGroups = true }, 1, 1)).Items.Select(f => (f.PlacementId, f.Month)));
        Assert.Equal(new CountyFollowUps(County, 1, 2), Assert.Single(await store.PerCountyAsync(filter)));
        await using (var stream = await Data.Database.OpenAsync())
        {
            Assert.Equal(3, store.Stream(stream, filter).Count());
        }

        var dueReminders = (await store.RemindersToSendAsync(Today, FollowUpSchedule.Due, 10_000)).Where(r => r.CountyCode == County).ToList();
        Assert.Equal([(older, 1), (older, 3), (recent, 1)], dueReminders.Select(r => (r.PlacementId, r.Month)));
        await using (var connection = await Data.Database.OpenAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            Assert.Equal(1, await FollowUpStore.MarkReminderSentAsync(Data.Database.Dialect, connection, tx, dueReminders[2], 2, FixedClock.Instant));
            Assert.Equal(0, await FollowUpStore.MarkReminderSentAsync(Data.Database.Dialect, connection, tx, dueReminders[2], 2, FixedClock.Instant));
            await tx.CommitAsync();
        }
        Assert.DoesNotContain(await store.RemindersToSendAsync(Today, FollowUpSchedule.Due, 10_000), r => r.PlacementId == recent);
        Assert.Equal([(older, 1), (older, 3)], (await store.RemindersToSendAsync(Today, FollowUpSchedule.Overdue, 10_000))
            .Where(r => r.CountyCode == County).Select(r => (r.PlacementId, r.Month)));

        // A follow-up made leaves the lists.
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.RecordFollowUpAsync(recent, 1, new FollowUpDraft(Today, true, 5300, null), null)).Status);
        Assert.DoesNotContain((await store.ListAsync(filter, 1, 50)).Items, f => f.PlacementId == recent);
    }

    [SkippableFact]
    public async Task Job_loss_alerts_are_raised_once_per_event_for_covered_workers_delivered_and_moved_along_their_lifecycle()
    {
        const string County = "522301";
        var store = new JobLossAlertStore(Data.Database, Data.Time);
        var covered = await PlacementAsync(await CoveredWorkerAsync(County, "poverty-lifted"), Today.AddMonths(-2));
        var notCovered = await PlacementAsync(await NewWorkerAsync(County), Today.AddMonths(-2));
        var leaving = await PlacementAsync(await CoveredWorkerAsync(County), Today.AddMonths(-5));
        var overdue = await PlacementAsync(await CoveredWorkerAsync(County), Today.AddMonths(-4));

        Assert.Equal(WriteStatus.Ok, (await Data.Placements.RecordFollowUpAsync(covered, 1, new FollowUpDraft(Today.AddDays(-20), false, null, "已离职"), null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.RecordFollowUpAsync(notCovered, 1, new FollowUpDraft(Today.AddDays(-20), false, null, "已离职"), null)).Status);
        Assert.Equal(WriteStatus.Ok, (await Data.Placements.LeaveAsync(leaving, Today.AddDays(-2), "工厂停产", null)).Status);
        Assert.Equal(WriteStatus.Conflict, (await Data.Placements.LeaveAsync(leaving, Today, "重复登记", null)).Status);
        // Month 1 is far past due (more than 30 days); month 3 only a month.
        Assert.True(await store.RaiseOverdueAsync(Today, 30, 10_000) >= 1);
        Assert.Equal(0, await store.RaiseOverdueAsync(Today, 30, 10_000));

        var alerts = (await store.ListAsync(new AlertFilter(CountyCodes: [County]), 1, 50)).Items;
        Assert.Equal([(overdue, JobLossAlertRules.FollowUpOverdue, (int?)1), (leaving, JobLossAlertRules.LeftEarly, null), (covered, JobLossAlertRules.NotEmployedAtFollowUp, 1)],
            alerts.Select(a => (a.PlacementId, a.Trigger, a.FollowUpMonth)));
        Assert.All(alerts, a => Assert.Equal((County, "522300", JobLossAlertRules.Open, 1), (a.CountyCode, a.PrefectureCode, a.Status, a.Version)));

        var pending = (await store.PendingAsync(10_000)).Where(p => p.CountyCode == County).ToList();
        Assert.Equal(alerts.Select(a => a.Id).Order(), pending.Select(p => p.Id));
        var suggestions = new AlertSuggestions([new SuggestedOpening(1, "电子厂普工", 2, "电子设备装接工", "深圳市", 4500, 6500, 0.8)], [], null);
        await using (var connection = await Data.Database.OpenAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            Assert.True(await JobLossAlertStore.MarkDeliveredAsync(connection, tx, pending[0], 3, suggestions, FixedClock.Instant.AddSeconds(30)));
            Assert.False(await JobLossAlertStore.MarkDeliveredAsync(connection, tx, pending[0], 3, suggestions, FixedClock.Instant.AddSeconds(40)));
            await tx.CommitAsync();
        }
        var delivered = await store.GetAsync(pending[0].Id);
        Assert.Equal((3, "电子厂普工"), (delivered!.Recipients, delivered.Suggestions!.Openings[0].Title));
        Assert.NotNull(delivered.DeliverySeconds);

        var summary = await store.SummaryAsync(new AlertFilter(CountyCodes: [County]));
        Assert.Equal((3L, 3L, 2L), (summary.Total, summary.ByStatus[JobLossAlertRules.Open], summary.Undelivered));
        Assert.Equal(1L, summary.ByTrigger[JobLossAlertRules.LeftEarly]);

        var id = alerts[0].Id;
        Assert.Equal(WriteStatus.PreconditionFailed, (await store.MoveAsync(id, JobLossAlertRules.Acknowledged, "县人社局", null, 5)).Status);
        var acknowledged = await store.MoveAsync(id, JobLossAlertRules.Acknowledged, "县人社局", null, 1);
        Assert.Equal((WriteStatus.Ok, 2), (acknowledged.Status, acknowledged.Version));
        Assert.Equal(WriteStatus.Conflict, (await store.MoveAsync(id, JobLossAlertRules.Acknowledged, "县人社局", null, null)).Status);
        Assert.Equal(WriteStatus.Ok, (await store.MoveAsync(id, JobLossAlertRules.Resolved, "乡村振兴局", "已推荐至深圳电子厂再就业", 2)).Status);
        var resolved = await store.GetAsync(id);
        Assert.Equal((JobLossAlertRules.Resolved, "县人社局", "乡村振兴局", "已推荐至深圳电子厂再就业", 3),
            (resolved!.Status, resolved.AcknowledgedBy, resolved.ResolvedBy, resolved.ResolutionNote, resolved.Version));
        Assert.Equal(WriteStatus.Conflict, (await store.MoveAsync(id, JobLossAlertRules.Acknowledged, "县人社局", null, null)).Status);
        Assert.Equal(WriteStatus.NotFound, (await store.MoveAsync(long.MaxValue - 5, JobLossAlertRules.Resolved, "x", "note", null)).Status);
        Assert.Equal(2, (await store.ListAsync(new AlertFilter(CountyCodes: [County], Status: JobLossAlertRules.Open), 1, 50)).Total);
        Assert.Equal(3, (await store.ListAsync(new AlertFilter(PrefectureCode: "522300", RaisedFrom: FixedClock.Instant.AddMinutes(-1)), 1, 50)).Items
            .Count(a => a.CountyCode == County));

        await using var check = await Data.Database.OpenAsync();
        Assert.Equal("工厂停产", await check.ExecuteScalarAsync<string>("SELECT left_reason FROM placements WHERE id = @Id", new { Id = leaving }));
    }
}
