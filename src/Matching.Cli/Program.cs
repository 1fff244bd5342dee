using Matching.Cli;
using Matching.Cli.Commands;

// The operator's tool: shares configuration and the data folder with the service.
// Usage: dotnet run --project src/Matching.Cli -c Release -- <command> [options]
return await CliApp.RunAsync(args, new Dictionary<string, Func<CliContext, Task<int>>>(StringComparer.Ordinal)
{
    ["seed-demo"] = SeedDemoCommand.RunAsync,
    ["token"] = TokenCommand.RunAsync,
    ["seed-history"] = SeedHistoryCommand.RunAsync,
    ["migrate-data"] = MigrateDataCommand.RunAsync,
    ["train"] = TrainCommand.RunAsync,
    ["evaluate"] = EvaluateCommand.RunAsync,
    ["bench"] = BenchCommand.RunAsync,
    ["reindex"] = SearchIndexCommands.ReindexAsync,
    ["check-index"] = SearchIndexCommands.CheckIndexAsync,
    ["index-outbox"] = SearchIndexCommands.IndexOutboxAsync,
});
