using System.Globalization;
using Matching.Data.Storage;
using Matching.Search;
using Matching.Search.Indexing;
using Microsoft.Extensions.Configuration;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>reindex</c>, <c>check-index [--sample N]</c> and <c>index-outbox</c>: the search index's maintenance from the
/// command line, on the same data folder and configuration as the service. With the embedded Lucene index, stop the
/// service first (it holds the index's write lock) or use its admin endpoints under /api/search/admin.
/// </summary>
public static class SearchIndexCommands
{
    public static async Task<int> ReindexAsync(CliContext context)
    {
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        using var search = Open(context, environment);
        var started = context.Time.GetTimestamp();
        var status = await search.Reindexer.RunAsync(new SynchronousProgress<string>(context.Out.WriteLine));
        if (status.State != ReindexState.Completed)
        {
            throw new CliException($"重建索引失败：{status.Error}");
        }
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"完成：索引 {status.Version}，劳动者 {status.WorkersIndexed:N0} 名，岗位 {status.OpeningsIndexed:N0} 个，用时 {context.Time.GetElapsedTime(started).TotalSeconds:F1} 秒（{search.Index.Engine}）"));
        return 0;
    }

    public static async Task<int> CheckIndexAsync(CliContext context)
    {
        var sample = context.Number("sample", 200);
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        using var search = Open(context, environment);
        var report = await search.Consistency.RunAsync(sample);
        await context.Out.WriteLineAsync($"数据库：劳动者 {report.Sql.Workers:N0}，岗位 {report.Sql.Openings:N0}");
        await context.Out.WriteLineAsync($"索引  ：劳动者 {report.Index.Workers:N0}，岗位 {report.Index.Openings:N0}（{search.Index.Engine}）");
        await context.Out.WriteLineAsync($"抽样比对：劳动者 {report.WorkersSampled} 条，岗位 {report.OpeningsSampled} 条，不一致 {report.Mismatches.Count} 条；待同步变更 {report.OutboxPending} 条");
        foreach (var mismatch in report.Mismatches.Take(20))
        {
            await context.Out.WriteLineAsync($"  {mismatch.Kind} {mismatch.Id}: {mismatch.Problem}");
        }
        await context.Out.WriteLineAsync(report.Consistent ? "一致" : "不一致：可运行 index-outbox 补上待同步变更，或运行 reindex 重建");
        return report.Consistent ? 0 : 1;
    }

    public static async Task<int> IndexOutboxAsync(CliContext context)
    {
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        using var search = Open(context, environment);
        var processed = await search.Outbox.DrainAsync();
        var status = await search.Outbox.StatusAsync();
        await context.Out.WriteLineAsync($"已同步 {processed:N0} 条变更；仍待同步 {status.Pending:N0} 条{(status.LastError is null ? "" : $"，最近错误：{status.LastError}")}");
        return status.Pending == 0 ? 0 : 1;
    }

    private static SearchComponents Open(CliContext context, DataEnvironment environment)
    {
        var search = new SearchComponents(SearchOptionsOf(context), context.Options, environment.Catalogue, environment.Database, context.Time);
        try
        {
            search.Index.EnsureCreatedAsync().GetAwaiter().GetResult();
        }
        catch (Lucene.Net.Store.LockObtainFailedException)
        {
            search.Dispose();
            throw new CliException("检索索引正被运行中的服务占用：请先停止服务，或使用服务的 /api/search/admin 接口");
        }
        return search;
    }

    /// <summary>The search settings from the same sources as <see cref="MatchingOptions"/>.</summary>
    private static SearchOptions SearchOptionsOf(CliContext context) =>
        context.Configuration.GetSection(MatchingOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
}
