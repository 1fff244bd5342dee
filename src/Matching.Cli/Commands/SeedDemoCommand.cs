using Matching.Data.Demo;
using Matching.Data.Storage;

namespace Matching.Cli.Commands;

/// <summary><c>seed-demo --workers N [--seed S]</c>: writes the deterministic demo data set into an empty database.</summary>
public static class SeedDemoCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var workers = context.Number("workers", context.Options.DemoWorkers > 0 ? context.Options.DemoWorkers : 20_000);
        var seed = context.Number("seed", DemoData.DefaultSeed);
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        var seeder = new DemoSeeder(environment, context.Time);
        if (!await seeder.IsEmptyAsync())
        {
            throw new CliException($"数据库 {context.Options.FullDataDirectory} 已有数据；演示数据只写入空库（可用 --Matching:DataDirectory 指定新的数据文件夹）");
        }
        var started = context.Time.GetTimestamp();
        var (employers, written) = await seeder.SeedAsync(workers, new SynchronousProgress<string>(context.Out.WriteLine), seed);
        await context.Out.WriteLineAsync($"完成：{employers} 家企业，{written:N0} 名劳动者，用时 {context.Time.GetElapsedTime(started).TotalSeconds:F1} 秒，数据文件夹 {context.Options.FullDataDirectory}");
        return 0;
    }
}

/// <summary>Reports on the caller's thread, so progress lines come out in order.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
