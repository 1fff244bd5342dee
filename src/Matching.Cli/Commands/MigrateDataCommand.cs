using Matching.Data.Storage;

namespace Matching.Cli.Commands;

/// <summary>
/// <c>migrate-data --to CONNECTION [--to-provider sqlserver|sqlite]</c>: copies every table of the configured database
/// (the embedded SQLite file by default) into another database, which is created and migrated first and must be empty:
/// the same keys, personal data still encrypted with the same data key. Each table is then verified by row count and
/// checksum on both sides. Stop the service first, so nothing changes during the copy.
/// </summary>
public static class MigrateDataCommand
{
    public static async Task<int> RunAsync(CliContext context)
    {
        var connection = context.Value("to") ?? throw new CliException("需要 --to <目标库连接字符串>，例如 --to \"Server=db;Database=matching;User Id=…;Password=…;TrustServerCertificate=true\"");
        var provider = context.Value("to-provider") ?? "sqlserver";
        var target = provider.ToUpperInvariant() switch
        {
            "SQLSERVER" => Database.SqlServer(connection),
            "SQLITE" => new Database(SqliteDialect.Instance, connection),
            _ => throw new CliException("--to-provider 应为 sqlserver 或 sqlite"),
        };
        using var source = DataEnvironment.Open(context.Options, context.Time);
        await context.Out.WriteLineAsync($"源库: {context.Options.StorageProvider}；目标库 ({provider}) 迁移: {Migrator.Apply(target).Count} 个脚本");
        var tables = await DatabaseCopy.CopyAsync(source.Database, target, new SynchronousProgress<string>(context.Out.WriteLine));
        await context.Out.WriteLineAsync($"完成：{tables.Count} 张表，共 {tables.Sum(t => t.Rows):N0} 行，行数与校验和两边一致");
        await context.Out.WriteLineAsync(string.IsNullOrWhiteSpace(context.Options.DataKey)
            ? $"身份证号和手机号仍以原数据密钥加密：目标服务须配置 Matching:DataKey 为 {Path.Combine(context.Options.FullDataDirectory, "keys", Data.Privacy.DataKeys.FileName)} 的内容"
            : "身份证号和手机号仍以原数据密钥加密：目标服务须配置同一 Matching:DataKey");
        return 0;
    }
}
