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

    private async Task<ImportOutcome> ImportAsync(ImportJob job, byte[] content, CancellationToken cancellationToken)
    {
        progress.Report(job.Id, "checking", 0, 0);
        var refusal = SpreadsheetGuard.Check(content);
        SurveyWorkbook? workbook = null;
        if (refusal is null)
        {
            progress.Report(job.Id, "reading", 0, 0);
            (workbook, refusal) = SurveySheetReader.Read(content);
        }
        if (refusal is not null || workbook is null)
        {
            return new ImportOutcome(ImportModes.Refused, refusal, null, [], 0, 0, 0, 0, 0, []);
        }

        var rows = workbook.Rows;
        var headers = workbook.Sheets.ToDictionary(s => s.Sheet, s => s.Headers, StringComparer.Ordinal);
        string ColumnOf(string sheet, string field) =>
            headers[sheet].TryGetValue(field, out var header) ? header
            : SurveyColumns.All.FirstOrDefault(c => c.Field == field) is { } column ? $"{column.Header}（表中无此列）" : field;

        var today = ChinaTime.Today(time);
        var defaultCounty = job.Counties.Count == 1 ? job.Counties[0] : null;
        // Each row is judged on its own (the rules are pure), so rows are judged in parallel and gathered in sheet order.
        var judged = new (List<(string Field, string Reason)> Reasons, WorkerDraft? Draft)[rows.Count];
        var done = 0;
        Parallel.For(0, rows.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            judged[i] = Judge(rows[i], job, defaultCounty, today);
            if (Interlocked.Increment(ref done) % 1000 == 0)
            {
                progress.Report(job.Id, "validating", done, rows.Count);
            }
        });
        var rejections = new List<ImportRejection>();
        var valid = new List<(SurveyRow Row, WorkerDraft Draft)>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var (reasons, draft) = judged[i];
            if (reasons.Count > 0 || draft is null)
            {
                rejections.AddRange(reasons.Select(r => new ImportRejection(row.Sheet, row.RowNumber, ColumnOf(row.Sheet, r.Field), r.Reason, ImportModes.Rejected)));
            }
            else
            {
                valid.Add((row, draft));
            }
        }

        // The same ID number twice in the sheet: the first row stands, the later ones are rejected.
        var firstRow = new Dictionary<string, SurveyRow>(StringComparer.Ordinal);
        var unique = new List<(SurveyRow Row, WorkerDraft Draft)>(valid.Count);
        foreach (var (row, draft) in valid)
        {
            if (firstRow.TryGetValue(draft.IdNumber, out var first))
            {
                rejections.Add(new ImportRejection(row.Sheet, row.RowNumber, ColumnOf(row.Sheet, SurveyColumns.IdNumber),
                    $"与“{first.Sheet}”第 {first.RowNumber} 行的身份证号码重复", ImportModes.Rejected));
                continue;
            }
            firstRow[draft.IdNumber] = row;
            unique.Add((row, draft));
        }

        progress.Report(job.Id, "matching", 0, unique.Count);
        var holders = await workers.FindHoldersAsync(unique.Select(u => u.Draft.IdNumber).ToList(), cancellationToken);
        var creates = new List<WorkerDraft>();
        var updates = new List<(long, WorkerDraft)>();
        var reported = 0;
        foreach (var (row, draft) in unique)
        {
            if (!holders.TryGetValue(draft.IdNumber, out var holder))
            {
                creates.Add(draft);
            }
            else if (!job.Counties.Contains(holder.CountyCode))
            {
                // Never named: the other county's record is not the caller's to see.
                rejections.Add(new ImportRejection(row.Sheet, row.RowNumber, ColumnOf(row.Sheet, SurveyColumns.IdNumber),
                    "该身份证号码已在其他县登记，请联系其户籍所在县核实", ImportModes.Rejected));
            }
            else if (job.OnExisting == ImportModes.Update)
            {
                updates.Add((holder.WorkerId, draft));
            }
            else
            {
                reported++;
                rejections.Add(new ImportRejection(row.Sheet, row.RowNumber, ColumnOf(row.Sheet, SurveyColumns.IdNumber),
                    $"已登记为本县劳动者 {holder.WorkerId}，按选择未更新", ImportModes.Reported));
            }
        }

        var rejectedRows = rejections.Where(r => r.Kind == ImportModes.Rejected).Select(r => (r.Sheet, r.RowNumber)).Distinct().Count();
        var sheetNames = string.Join("、", workbook.Sheets.Select(s => s.Sheet));
        if (job.Mode == ImportModes.AllOrNothing && rejectedRows > 0)
        {
            return new ImportOutcome(ImportModes.Rejected, $"{rejectedRows} 行有误；按“全部或全不”方式，未写入任何数据。请按错误说明修改后重新导入",
                sheetNames, workbook.IgnoredColumns, rows.Count, 0, 0, reported, rejectedRows, rejections);
        }
        var total = creates.Count + updates.Count;
        progress.Report(job.Id, "writing", 0, total);
        var (created, updated) = await workers.ImportAsync(creates, updates, new SynchronousProgress(n => progress.Report(job.Id, "writing", n, total)), cancellationToken);
        return new ImportOutcome(ImportModes.Succeeded, rejectedRows > 0 ? $"{rejectedRows} 行有误未导入，其余已导入" : null, sheetNames, workbook.IgnoredColumns,
            rows.Count, created, updated, reported, rejectedRows, rejections);
    }

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

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
