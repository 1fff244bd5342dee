using Matching.Data.Demo;
using Matching.Data.Storage;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>seed-history [--seed S] [--openings N]</c>: adds the demo placement history (seeds/demo-history.md) to a demo
/// database seeded before the history existed. <c>seed-demo</c> writes it already.
/// </summary>
public static class SeedHistoryCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var seed = context.Number("seed", DemoData.DefaultSeed);
        using var environment = DataEnvironment.Open(context.Options, context.Time);
        var history = new DemoHistory(environment, context.Time, seed);
        if (await history.HasHistoryAsync())
        {
            throw new CliException("数据库已有演示历史（推荐记录），不再重复生成");
        }
        var summary = await history.GenerateAsync(maxOpenings: context.Number("openings", 1_500), progress: new SynchronousProgress<string>(context.Out.WriteLine));
        await context.Out.WriteLineAsync($"完成：{summary.Openings} 个岗位，推荐 {summary.Offers:N0} 次，上岗 {summary.Placements:N0} 人，6个月仍在岗 {summary.RetainedSixMonths:N0} 人");
        return 0;
    }
}
