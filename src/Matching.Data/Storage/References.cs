using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Matching.Data.Storage;

/// <summary>A foreign key as the database declares it.</summary>
public sealed record ForeignKey(string ChildTable, string ChildColumn, string ParentTable, string OnDelete)
{
    /// <summary>Whether a referring row stops the parent's delete (NO ACTION, RESTRICT); CASCADE and SET NULL do not.</summary>
    public bool Blocks => OnDelete.ToUpperInvariant() is not ("CASCADE" or "SET NULL" or "SET DEFAULT");
}

/// <summary>
/// What still refers to a row, found through the schema's own foreign keys (so a table added later is covered without
/// a change here): a delete of a referenced row is refused with a 409 that names the referring records, never left
/// to the database's constraint error.
/// </summary>
public static class References
{
    /// <summary>Chinese names of the tables a user may meet in a refusal; others show their table name.</summary>
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["workers"] = "劳动者",
        ["employers"] = "协作企业",
        ["training_bases"] = "实训基地",
        ["openings"] = "岗位",
        ["cohorts"] = "培训班期",
        ["cohort_openings"] = "班期关联的岗位",
        ["enrolments"] = "报名记录",
        ["placements"] = "就业安置记录",
        ["placement_follow_ups"] = "回访记录",
        ["match_offers"] = "推荐记录",
        ["dispatch_rounds"] = "调度方案",
        ["dispatch_round_cohorts"] = "调度方案中的班期",
        ["dispatch_assignments"] = "调度分配记录",
        ["job_loss_alerts"] = "防返贫就业预警",
        ["follow_up_reminders"] = "回访提醒",
        ["import_rejections"] = "导入被拒行",
        ["inbox_messages"] = "站内消息",
        ["report_figures"] = "报表数据",
        ["training_institutions"] = "培训机构",
        ["teachers"] = "教师",
        ["teacher_engagements"] = "教师任职记录",
        ["cohort_teachers"] = "班期授课教师",
        ["training_results"] = "培训结果",
        ["certificates"] = "证书",
        ["subsidy_claims"] = "补贴申领",
    };

    public static string NameOf(string table) => Names.GetValueOrDefault(table, table);

    public static async Task<IReadOnlyList<ForeignKey>> ForeignKeysAsync(DbConnection connection, SqlDialect dialect, DbTransaction? tx = null) =>
        (await connection.QueryAsync<ForeignKey>(dialect.ForeignKeysSql, transaction: tx)).ToList();

    /// <summary>
    /// Null when nothing blocks deleting row <paramref name="id"/> of <paramref name="table"/>; otherwise a conflict
    /// naming each kind of referring record and how many there are, e.g. "该岗位仍被以下记录引用：推荐记录 3 条，不能删除".
    /// </summary>
    public static async Task<WriteResult?> RefusalAsync(DbConnection connection, DbTransaction tx, SqlDialect dialect, string table, long id, string what, string? hint = null)
    {
        var referring = new List<string>();
        foreach (var key in (await ForeignKeysAsync(connection, dialect, tx)).Where(k => k.ParentTable == table && k.Blocks))
        {
            // Table and column names come from the schema, never from input.
            var count = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{key.ChildTable}\" WHERE \"{key.ChildColumn}\" = @Id", new { Id = id }, tx);
            if (count > 0)
            {
                referring.Add(string.Create(CultureInfo.InvariantCulture, $"{NameOf(key.ChildTable)} {count} 条"));
            }
        }
        return referring.Count == 0
            ? null
            : WriteResult.Conflict($"该{what}仍被以下记录引用：{string.Join("、", referring)}，不能删除{(hint is null ? "" : "；" + hint)}");
    }
}
