using System.Threading.Channels;
using Matching.Data.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Domain.Workers;

namespace Matching.Data.Imports;

/// <summary>
/// Runs one survey-sheet import: checks the file (<see cref="SpreadsheetGuard"/>), reads the sheets, puts every row
/// through the API's rules (<see cref="WorkerRules"/>) and the caller's county scope, sorts out ID numbers already
/// registered (own county: update or report; another county: reported without naming the record; twice in the
/// sheet: the later rows rejected), then writes in one transaction — nothing when the file is refused, or when
/// all-or-nothing meets a rejected row.
/// </summary>
public sealed class WorkerImporter(ImportJobStore jobs, WorkerStore workers, Catalogue catalogue, ImportProgress progress, TimeProvider time)
{
    private readonly SurveyRowConverter _converter = new(catalogue);

    public async Task<ImportOutcome> RunAsync(long jobId, CancellationToken cancellationToken = default)
    {
        var job = await jobs.GetAsync(jobId, cancellationToken) ?? throw new InvalidOperationException($"import job {jobId} missing");
        var content = await jobs.ContentAsync(jobId, cancellationToken) ?? [];
        try
        {
            var outcome = await ImportAsync(job, content, cancellationToken);
            await jobs.FinishAsync(jobId, outcome, CancellationToken.None);
            return outcome;
        }
        finally
        {
            progress.Forget(jobId);
        }
    }

    /// <summary>Rows per part handed from the reading thread to the checking and writing one.</summary>
    private const int ChunkRows = 500;

    /// <summary>Parts read ahead of the writer at most: the reader waits beyond that, so memory stays bounded.</summary>
    private const int ChunksAhead = 8;

    /// <summary>
    /// The sheet is read on one thread while the rows already read are checked, matched and written on another, in
    /// parts of <see cref="ChunkRows"/> through a bounded channel: on two cores the job takes about as long as the
    /// slower of reading and writing instead of both. All writes are one transaction, committed only when the whole
    /// file was read and (all-or-nothing) no row was rejected; a file refused part-way is rolled back.
    /// </summary>
    private async Task<ImportOutcome> ImportAsync(ImportJob job, byte[] content, CancellationToken cancellationToken)
    {
        progress.Report(job.Id, "checking", 0, 0);
        if (SpreadsheetGuard.Check(content) is { } refusal)
        {
            return Refused(refusal);
        }

        var today = ChinaTime.Today(time);
        var defaultCounty = job.Counties.Count == 1 ? job.Counties[0] : null;
        // Reasons by field: the column's header text is known for every sheet once the whole file was read.
        var rejections = new List<(SurveyRow Row, string Field, string Reason, string Kind)>();
        var rejectedRows = new HashSet<(string Sheet, int Row)>();
        var firstRow = new Dictionary<string, SurveyRow>(StringComparer.Ordinal);
        var reported = 0;
        var processed = 0;
        var read = 0;
        void Reject(SurveyRow row, string field, string reason, string kind = ImportModes.Rejected)
        {
            rejections.Add((row, field, reason, kind));
            if (kind == ImportModes.Rejected)
            {
                rejectedRows.Add((row.Sheet, row.RowNumber));
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<List<SurveyRow>>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
        progress.Report(job.Id, "importing", 0, 0);
        var reading = Task.Factory.StartNew(() =>
        {
            try
            {
                var chunk = new List<SurveyRow>(ChunkRows);
                var result = SurveySheetReader.Read(content, row =>
                {
                    chunk.Add(row);
                    Interlocked.Increment(ref read);
                    if (chunk.Count == ChunkRows)
                    {
                        // This thread is the reader's own (long-running), so waiting here for room only holds the reader back.
                        channel.Writer.WriteAsync(chunk, stop.Token).AsTask().GetAwaiter().GetResult();
                        chunk = new List<SurveyRow>(ChunkRows);
                    }
                });
                if (result.Refusal is null && chunk.Count > 0)
                {
                    channel.Writer.WriteAsync(chunk, stop.Token).AsTask().GetAwaiter().GetResult();
                }
                return result;
            }
            finally
            {
                channel.Writer.Complete();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await using var writer = await workers.BeginImportAsync(cancellationToken);
        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync(stop.Token))
            {
                // Each row is judged on its own (the rules are pure): in parallel, gathered in sheet order.
                var judged = new (List<(string Field, string Reason)> Reasons, WorkerDraft? Draft)[chunk.Count];
                Parallel.For(0, chunk.Count, new ParallelOptions { CancellationToken = stop.Token }, i => judged[i] = Judge(chunk[i], job, defaultCounty, today));
                var unique = new List<(SurveyRow Row, WorkerDraft Draft)>(chunk.Count);
                for (var i = 0; i < chunk.Count; i++)
                {
                    var row = chunk[i];
                    var (reasons, draft) = judged[i];
                    if (reasons.Count > 0 || draft is null)
                    {
                        foreach (var (field, reason) in reasons)
                        {
                            Reject(row, field, reason);
                        }
                    }
                    // The same ID number twice in the sheet: the first row stands, the later ones are rejected.
                    else if (firstRow.TryGetValue(draft.IdNumber, out var first))
                    {
                        Reject(row, SurveyColumns.IdNumber, $"与“{first.Sheet}”第 {first.RowNumber} 行的身份证号码重复");
                    }
                    else
                    {
                        firstRow[draft.IdNumber] = row;
                        unique.Add((row, draft));
                    }
                }

                var holders = await writer.FindHoldersAsync(unique.Select(u => u.Draft.IdNumber).ToList());
                var creates = new List<WorkerDraft>(unique.Count);
                var updates = new List<(long, WorkerDraft)>();
                foreach (var (row, draft) in unique)
                {
                    if (!holders.TryGetValue(draft.IdNumber, out var holder))
                    {
                        creates.Add(draft);
                    }
                    else if (!job.Counties.Contains(holder.CountyCode))
                    {
                        // Never named: the other county's record is not the caller's to see.
                        Reject(row, SurveyColumns.IdNumber, "该身份证号码已在其他县登记，请联系其户籍所在县核实");
                    }
                    else if (job.OnExisting == ImportModes.Update)
                    {
                        updates.Add((holder.WorkerId, draft));
                    }
                    else
                    {
                        reported++;
                        Reject(row, SurveyColumns.IdNumber, $"已登记为本县劳动者 {holder.WorkerId}，按选择未更新", ImportModes.Reported);
                    }
                }
                // All-or-nothing after a rejected row: nothing will be kept, so nothing more is written (the rows are still checked, to report them all).
                if (job.Mode != ImportModes.AllOrNothing || rejectedRows.Count == 0)
                {
                    await writer.WriteAsync(creates, updates, stop.Token);
                }
                processed += chunk.Count;
                progress.Report(job.Id, "importing", processed, Volatile.Read(ref read));
            }
        }
        catch
        {
            // The reader may be waiting for room in the channel: stop it before leaving (the transaction is rolled back).
            await stop.CancelAsync();
            try
            {
                await reading;
            }
            catch (OperationCanceledException)
            {
                // Expected: the reader was stopped.
            }
            throw;
        }

        var (workbook, readRefusal) = await reading;
        if (readRefusal is not null || workbook is null)
        {
            return Refused(readRefusal ?? "读取工作簿时出错");
        }
        var headers = workbook.Sheets.ToDictionary(s => s.Sheet, s => s.Headers, StringComparer.Ordinal);
        string ColumnOf(string sheet, string field) =>
            headers[sheet].TryGetValue(field, out var header) ? header
            : SurveyColumns.All.FirstOrDefault(c => c.Field == field) is { } column ? $"{column.Header}（表中无此列）" : field;
        // In sheet order, each row's reasons together, as a clerk goes through the sheet.
        var sheetOrder = workbook.Sheets.Select((s, i) => (s.Sheet, i)).ToDictionary(x => x.Sheet, x => x.i, StringComparer.Ordinal);
        var ordered = rejections.OrderBy(r => sheetOrder[r.Row.Sheet]).ThenBy(r => r.Row.RowNumber)
            .Select(r => new ImportRejection(r.Row.Sheet, r.Row.RowNumber, ColumnOf(r.Row.Sheet, r.Field), r.Reason, r.Kind)).ToList();
        var sheetNames = string.Join("、", workbook.Sheets.Select(s => s.Sheet));
        if (job.Mode == ImportModes.AllOrNothing && rejectedRows.Count > 0)
        {
            return new ImportOutcome(ImportModes.Rejected, $"{rejectedRows.Count} 行有误；按“全部或全不”方式，未写入任何数据。请按错误说明修改后重新导入",
                sheetNames, workbook.IgnoredColumns, workbook.RowCount, 0, 0, reported, rejectedRows.Count, ordered);
        }
        progress.Report(job.Id, "writing", writer.Written, writer.Written);
        var (created, updated) = await writer.CommitAsync(cancellationToken);
        return new ImportOutcome(ImportModes.Succeeded, rejectedRows.Count > 0 ? $"{rejectedRows.Count} 行有误未导入，其余已导入" : null, sheetNames, workbook.IgnoredColumns,
            workbook.RowCount, created, updated, reported, rejectedRows.Count, ordered);
    }

    private static ImportOutcome Refused(string refusal) => new(ImportModes.Refused, refusal, null, [], 0, 0, 0, 0, 0, []);

    /// <summary>A row through the API's rules and the caller's counties: the reasons it is refused (by field), or its draft.</summary>
    private (List<(string Field, string Reason)> Reasons, WorkerDraft? Draft) Judge(SurveyRow row, ImportJob job, string? defaultCounty, DateOnly today)
    {
        var problems = new List<CellProblem>();
        var input = _converter.Convert(row, defaultCounty, problems);
        var errors = new ValidationErrors();
        var draft = WorkerRules.Validate(input, catalogue, today, errors);
        // A cell that could not be read is reported once, not again as the rule's "必填".
        var unreadable = problems.Select(p => p.Field).ToHashSet(StringComparer.Ordinal);
        var reasons = problems.Select(p => (p.Field, p.Reason))
            .Concat(errors.ToDictionary().SelectMany(e => e.Value.Select(m => (Field: FieldOf(e.Key), Reason: m))).Where(e => !unreadable.Contains(e.Field)))
            .Distinct()
            .ToList();
        if (draft is not null && reasons.Count == 0 && !job.Counties.Contains(draft.CountyCode))
        {
            reasons.Add((SurveyColumns.County, $"只能导入本辖区（{string.Join("、", job.Counties.Select(catalogue.NameOf))}）的劳动者"));
        }
        return (reasons, draft);
    }

    /// <summary>The survey column of a rule's field key (trades[0].level → 技能等级).</summary>
    private static string FieldOf(string key)
    {
        var head = key.Split('[', '.')[0];
        return head == SurveyColumns.Trades && key.EndsWith(".level", StringComparison.Ordinal) ? SurveyColumns.Levels : head;
    }
}
