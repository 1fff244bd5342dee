using System.Globalization;
using System.Text.Json;
using Matching.Data.Demo;
using Matching.Data.Imports;
using Matching.Data.Storage;
using Matching.Data.Workers;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using MiniExcelLibs;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>bench import [--rows N] [--existing E] [--baseline-rows B] [--warm-ups W] [--cold] [--keep]</c>: a survey sheet of N generated workers (real .xlsx,
/// Chinese headers and names) imported as the service's background job does — file check, MiniExcel, the API's rules
/// per row, the look-up of existing holders, one transaction, reading overlapped with the rest — into a database already holding E workers. The
/// baseline is what a clerk's script would do without the import: the same rows sent one by one through the API's
/// create path (the same rules, one transaction per worker; HTTP not counted, which flatters the baseline). Beside it,
/// the floor: SQLite alone storing as many rows in one statement, which no import into this database can beat.
/// </summary>
public static class ImportBenchmark
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var rows = context.Number("rows", 10_000);
        var existing = context.Number("existing", 1_000_000);
        var baselineRows = Math.Min(rows, context.Number("baseline-rows", 1_000));
        var folder = Path.Combine(Path.GetTempPath(), $"matching-bench-import-{Environment.ProcessId}");
        try
        {
            // As in the service, the write-ahead log is copied into the database file in the background, not in the commit.
            DataEnvironment Open(string dataDirectory) => DataEnvironment.Open(new MatchingOptions
            {
                DataDirectory = dataDirectory, DemoWorkers = 0, CataloguesDirectory = context.Options.CataloguesDirectory, CheckpointInBackground = true,
            }, context.Time);
            using var environment = Open(folder);
            var catalogue = environment.Catalogue;
            var today = ChinaTime.Today(context.Time);
            var store = new WorkerStore(environment.Database, environment.Protector, context.Time);
            await context.Out.WriteLineAsync($"import: storing {existing:N0} existing workers into {folder}");
            await store.BulkInsertAsync(new DemoData(catalogue, today).Workers(existing));

            // Workers of another seed: new people (an ID number that happens to exist already is reported, as in real re-surveys).
            var drafts = new DemoData(catalogue, today, seed: 20_261_202).Workers(rows + baselineRows).ToList();
            var sheet = SurveySheet(drafts.Take(rows), catalogue);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"import: survey sheet of {rows:N0} rows, {sheet.Length / 1024.0 / 1024.0:F1} MB"));

            var counties = catalogue.GuizhouCounties.Select(c => c.Code).ToList();
            // The service imports in a process that has run before: the first jobs after start-up spend seconds compiling
            // MiniExcel's reader and the import's code (JIT), and the hot code is compiled again, optimised, over the next
            // jobs (tiered compilation). Unless --cold, --warm-ups jobs (3) of as many other people into a scratch database
            // run the same code first; each one's time is printed, not counted. Over five, they took 1.85, 1.65, 1.68, 1.25
            // and 1.12 s: the third leaves the code close to how a service that has run for a while has it.
            var warmUps = context.Flag("cold") ? 0 : context.Number("warm-ups", 3);
            for (var round = 1; round <= warmUps; round++)
            {
                var warmFolder = folder + "-warm";
                try
                {
                    using var warm = Open(warmFolder);
                    var warmDrafts = new DemoData(catalogue, today, seed: 20_261_202 + round).Workers(rows).ToList();
                    var warmStore = new WorkerStore(warm.Database, warm.Protector, context.Time);
                    var (_, warmSeconds, _) = await ImportOnceAsync(warm, warmStore, SurveySheet(warmDrafts, catalogue), counties, context.Time);
                    await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"import: warm-up job {round} of {warmDrafts.Count:N0} other rows into a scratch database: {warmSeconds:F2} s (not counted)"));
                }
                finally
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    TryDelete(warmFolder);
                }
            }

            // What bounds any import of this sheet: the spreadsheet library alone, enumerating every cell once (no checks,
            // no rules, no database). The import cannot be faster than this.
            var readerStarted = context.Time.GetTimestamp();
            var cells = 0L;
            using (var readerStream = new MemoryStream(sheet, writable: false))
            {
                foreach (IDictionary<string, object?> row in MiniExcel.Query(readerStream, useHeaderRow: false, excelType: ExcelType.XLSX))
                {
                    cells += row.Count;
                }
            }
            var readerPerSecond = rows / context.Time.GetElapsedTime(readerStarted).TotalSeconds;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"import: MiniExcel alone reads the sheet ({cells:N0} cells) at {readerPerSecond:F0} rows/s"));

            var progress = new ImportProgress();
            var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var (outcome, seconds, phaseList) = await ImportOnceAsync(environment, store, sheet, counties, context.Time, progress);
            // CPU time of the whole process over the job: on a machine shared with others the wall-clock figure mostly measures them.
            var cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            await context.Out.WriteLineAsync("import: phases " + string.Join(", ", phaseList.Select(p =>
                string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Seconds:F2} s"))));
            var perSecond = rows / seconds;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"import: {outcome.Status}, {outcome.Created:N0} created, {outcome.Reported:N0} reported, {outcome.Rejected:N0} rejected in {seconds:F2} s = {perSecond:F0} rows/s (process CPU {cpuSeconds:F2} s = {rows / cpuSeconds:F0} rows per CPU second)"));
            // What the service's background checkpointer then does for the job, while nobody waits: printed, not counted.
            var checkpointStarted = context.Time.GetTimestamp();
            var copied = await environment.Database.CheckpointAsync();
            var checkpointSeconds = context.Time.GetElapsedTime(checkpointStarted).TotalSeconds;
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"import: then the background checkpoint copied {copied:N0} pages of the log into the database file in {checkpointSeconds:F2} s (not counted)"));

            var baselineStarted = context.Time.GetTimestamp();
            var baselineStored = 0;
            foreach (var draft in drafts.Skip(rows))
            {
                var errors = new ValidationErrors();
                var input = new WorkerInput(draft.RealName, draft.IdNumber, draft.Gender, draft.BirthDate, draft.Phone, draft.CountyCode, draft.Education,
                    draft.Trades.Select(t => new WorkerTradeInput(t.TradeId, t.Level)).ToList(), [], [.. draft.PriorityGroups], [.. draft.PreferredDestinations],
                    draft.ExpectedMonthlyWage, draft.AvailableFrom, [.. draft.TrainingIntentions], draft.Notes);
                if (WorkerRules.Validate(input, catalogue, today, errors) is { } valid && (await store.CreateAsync(valid)).Status == WriteStatus.Ok)
                {
                    baselineStored++;
                }
            }
            var baselinePerSecond = baselineRows / context.Time.GetElapsedTime(baselineStarted).TotalSeconds;
            // What bounds any import into this database, whatever the code before it: SQLite itself storing as many rows
            // in one statement and one transaction (copies of the rows just imported with new random hashes, through
            // every index and trigger of workers, and the commit). No .NET code runs per row. The copies are removed
            // afterwards, untimed.
            var floorPerSecond = rows / await store.TimeStorageFloorAsync(rows);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"floor: SQLite alone stores {rows:N0} copies of those rows in one statement and commits at {floorPerSecond:F0} rows/s"));
            var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Trim() : "";
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"baseline: {baselineRows:N0} rows one by one through the API's create path ({baselineStored:N0} stored): {baselinePerSecond:F0} rows/s; load average {load}"));
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "import",
                ["rows"] = rows,
                ["existing"] = existing,
                ["rows_per_s"] = Math.Round(perSecond),
                ["created"] = outcome.Created,
                ["reported"] = outcome.Reported,
                ["rejected"] = outcome.Rejected,
                ["baseline_rows"] = baselineRows,
                ["baseline_rows_per_s"] = Math.Round(baselinePerSecond),
                ["ratio"] = Math.Round(perSecond / baselinePerSecond, 1),
                ["reader_only_rows_per_s"] = Math.Round(readerPerSecond),
                ["database_floor_rows_per_s"] = Math.Round(floorPerSecond),
                ["cpu_s"] = Math.Round(cpuSeconds, 2),
                ["background_checkpoint_s"] = Math.Round(checkpointSeconds, 2),
                ["warm_ups"] = warmUps,
                ["load_average"] = load,
            }));
            return 0;
        }
        finally
        {
            if (!context.Flag("keep"))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                TryDelete(folder);
            }
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the figures are printed.
        }
    }

    /// <summary>One import job as the service runs it, from storing the uploaded file to committed rows: its outcome, seconds and phases.</summary>
    private static async Task<(ImportOutcome Outcome, double Seconds, List<(string Phase, double Seconds)> Phases)> ImportOnceAsync(
        DataEnvironment environment, WorkerStore store, byte[] sheet, IReadOnlyList<string> counties, TimeProvider time, ImportProgress? progress = null)
    {
        progress ??= new ImportProgress();
        var jobs = new ImportJobStore(environment.Database, time);
        var importer = new WorkerImporter(jobs, store, environment.Catalogue, progress, time);
        var started = time.GetTimestamp();
        var jobId = await jobs.CreateAsync(1, "bench", counties, "bench.xlsx", sheet, ImportModes.ValidRows, ImportModes.Report);
        using var watching = new CancellationTokenSource();
        var phases = WatchPhasesAsync(progress, jobId, time, watching.Token);
        var outcome = await importer.RunAsync(jobId);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        await watching.CancelAsync();
        return (outcome, seconds, await phases);
    }

    /// <summary>
    /// How long the job spent in each phase it reported, sampled every 10 ms: checking the file, importing (the sheet read
    /// on one thread while the rows read are checked, matched and written on another) and writing (the outbox and commit).
    /// </summary>
    private static async Task<List<(string Phase, double Seconds)>> WatchPhasesAsync(ImportProgress progress, long jobId, TimeProvider time, CancellationToken stop)
    {
        var phases = new List<(string Phase, double Seconds)>();
        string? current = null;
        var since = time.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            var phase = progress.Of(jobId)?.Phase;
            if (phase != current)
            {
                if (current is not null)
                {
                    phases.Add((current, time.GetElapsedTime(since).TotalSeconds));
                }
                (current, since) = (phase, time.GetTimestamp());
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), time, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        if (current is not null)
        {
            phases.Add((current, time.GetElapsedTime(since).TotalSeconds));
        }
        return phases;
    }

    /// <summary>The drafts as a township would write them: Chinese headers and names, ID numbers as text.</summary>
    private static byte[] SurveySheet(IEnumerable<WorkerDraft> drafts, Domain.Catalogues.Catalogue catalogue)
    {
        var rows = drafts.Select(d => new Dictionary<string, object?>
        {
            ["姓名"] = d.RealName,
            ["性别"] = d.Gender == Domain.Identity.Gender.Male ? "男" : "女",
            ["身份证号码"] = d.IdNumber,
            ["联系电话"] = d.Phone,
            ["县（市、区）"] = catalogue.NameOf(d.CountyCode),
            ["户类型"] = d.PriorityGroups.Contains("monitored") ? "监测户" : d.PriorityGroups.Contains("poverty-lifted") ? "脱贫户" : "一般户",
            ["文化程度"] = catalogue.EducationLevelsById[d.Education].Name,
            ["当前就业状态"] = "未就业",
            ["掌握工种"] = string.Join("、", d.Trades.Select(t => catalogue.TradesById[t.TradeId].Name)),
            ["技能等级"] = string.Join("、", d.Trades.Select(t => catalogue.SkillLevelsByLevel[t.Level].Name)),
            ["重点群体类别"] = string.Join("、", d.PriorityGroups.Select(g => catalogue.PriorityGroupsById[g].Name)),
            ["意向务工地"] = string.Join("、", d.PreferredDestinations.Select(catalogue.NameOf)),
            ["培训意愿"] = string.Join("、", d.TrainingIntentions.Select(t => catalogue.TrainingTypesById[t].Name)),
            ["期望月薪（元）"] = d.ExpectedMonthlyWage,
            ["可到岗日期"] = d.AvailableFrom.ToString("yyyy/M/d", CultureInfo.InvariantCulture),
            ["备注"] = d.Notes,
        });
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, rows, sheetName: "摸排表", excelType: ExcelType.XLSX);
        return stream.ToArray();
    }
}
