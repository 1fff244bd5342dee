using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Matching.Api.Tests.Access;
using Matching.Api.Tests.Infrastructure;
using Matching.Domain.Access;
using Matching.Domain.Identity;
using Microsoft.Data.Sqlite;

namespace Matching.Api.Tests.Robustness;

/// <summary>
/// Every foreign key of the schema, read from the database itself (<c>pragma_foreign_key_list</c>): for each, a new
/// parent row is made through the API, a row referring to it through that key is put beside it, and the parent's
/// delete is tried through the API by its owner. The answer is never a 500: it is the one chosen here for that key —
/// a 409 naming what still refers to the row (the row and the reference stay), or the referring rows going with it
/// (ON DELETE CASCADE), or no delete route at all. A foreign key added later without an answer here fails the test.
/// </summary>
public sealed class ForeignKeyDeleteTests(AccessFixture world) : IClassFixture<AccessFixture>
{
    private abstract record Answer;

    /// <summary>409, the problem naming the referring records by this Chinese name; parent and reference stay.</summary>
    private sealed record Refused(string ReferrerName) : Answer;

    /// <summary>204, and the referring rows are gone with the parent.</summary>
    private sealed record Cascades : Answer;

    /// <summary>Rows of the parent table are never deleted through the API (no DELETE route).</summary>
    private sealed record NoDeleteRoute(string Route) : Answer;

    /// <summary>The product's answer for each foreign key, "child.column → parent".</summary>
    private static readonly Dictionary<string, Answer> Answers = new(StringComparer.Ordinal)
    {
        ["training_bases.employer_id → employers"] = new Refused("实训基地"),
        ["openings.base_id → training_bases"] = new Refused("岗位"),
        ["openings.employer_id → employers"] = new Refused("岗位"),
        ["cohorts.base_id → training_bases"] = new Refused("培训班期"),
        ["cohorts.employer_id → employers"] = new Refused("培训班期"),
        ["cohort_openings.cohort_id → cohorts"] = new Cascades(),
        ["cohort_openings.opening_id → openings"] = new Refused("班期关联的岗位"),
        ["enrolments.cohort_id → cohorts"] = new Refused("报名记录"),
        ["enrolments.worker_id → workers"] = new Refused("报名记录"),
        ["placements.worker_id → workers"] = new Refused("就业安置记录"),
        ["placements.employer_id → employers"] = new Refused("就业安置记录"),
        ["placements.opening_id → openings"] = new Refused("就业安置记录"),
        ["placements.cohort_id → cohorts"] = new Refused("就业安置记录"),
        ["placement_follow_ups.placement_id → placements"] = new Cascades(),
        ["match_offers.opening_id → openings"] = new Refused("推荐记录"),
        ["match_offers.worker_id → workers"] = new Refused("推荐记录"),
        ["match_offers.placement_id → placements"] = new Refused("推荐记录"),
        ["dispatch_round_cohorts.round_id → dispatch_rounds"] = new NoDeleteRoute("/api/dispatch-rounds/{id}"),
        ["dispatch_round_cohorts.cohort_id → cohorts"] = new Refused("调度方案中的班期"),
        ["dispatch_assignments.round_id → dispatch_rounds"] = new NoDeleteRoute("/api/dispatch-rounds/{id}"),
        ["dispatch_assignments.worker_id → workers"] = new Refused("调度分配记录"),
        ["dispatch_assignments.cohort_id → cohorts"] = new Refused("调度分配记录"),
        ["user_scopes.user_id → users"] = new NoDeleteRoute("/api/users/{id}"),
        ["follow_up_reminders.placement_id → placements"] = new Cascades(),
        ["job_loss_alerts.placement_id → placements"] = new Cascades(),
        ["job_loss_alerts.worker_id → workers"] = new Refused("防返贫就业预警"),
        ["import_rejections.job_id → import_jobs"] = new NoDeleteRoute("/api/imports/{id}"),
        ["inbox_messages.user_id → users"] = new NoDeleteRoute("/api/users/{id}"),
        ["report_figures.report_id → reports"] = new NoDeleteRoute("/api/reports/{id}"),
        ["training_institutions.employer_id → employers"] = new Refused("培训机构"),
        ["teacher_engagements.institution_id → training_institutions"] = new NoDeleteRoute("/api/institutions/{id}"),
        ["teacher_engagements.teacher_id → teachers"] = new NoDeleteRoute("/api/institutions/{id}/teachers"),
        ["cohorts.institution_id → training_institutions"] = new NoDeleteRoute("/api/institutions/{id}"),
        ["cohort_teachers.cohort_id → cohorts"] = new Cascades(),
        ["cohort_teachers.teacher_id → teachers"] = new NoDeleteRoute("/api/institutions/{id}/teachers"),
        ["training_results.enrolment_id → enrolments"] = new NoDeleteRoute("/api/enrolments/{id}"),
        ["training_results.cohort_id → cohorts"] = new Refused("培训结果"),
        ["training_results.worker_id → workers"] = new Refused("培训结果"),
        ["certificates.worker_id → workers"] = new Refused("证书"),
        ["certificates.enrolment_id → enrolments"] = new NoDeleteRoute("/api/enrolments/{id}"),
        ["subsidy_claims.worker_id → workers"] = new Refused("补贴申领"),
        ["subsidy_claims.enrolment_id → enrolments"] = new NoDeleteRoute("/api/enrolments/{id}"),
        ["subsidy_claims.cohort_id → cohorts"] = new Refused("补贴申领"),
        ["subsidy_claims.certificate_id → certificates"] = new NoDeleteRoute("/api/workers/{id}/certificates"),
    };

    private sealed record ForeignKeyRow(string Child, string Column, string Parent, string OnDelete)
    {
        public override string ToString() => $"{Child}.{Column} → {Parent}";
    }

    [Fact]
    public async Task Deleting_a_row_referenced_through_any_foreign_key_gets_the_answer_chosen_for_that_key_and_never_a_500()
    {
        var keys = await ForeignKeysAsync();
        Assert.NotEmpty(keys);
        var unanswered = keys.Where(k => !Answers.ContainsKey(k.ToString())).Select(k => k.ToString()).ToList();
        Assert.True(unanswered.Count == 0, "foreign keys without a chosen answer to deleting the row they refer to (add one here, and make the delete give it): "
            + string.Join(", ", unanswered));
        using var anonymous = world.CreateClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject();

        var failures = new List<string>();
        foreach (var key in keys)
        {
            var answer = Answers[key.ToString()];
            if (answer is NoDeleteRoute none)
            {
                if (document["paths"]?[none.Route]?["delete"] is not null)
                {
                    failures.Add($"{key}: the API has DELETE {none.Route} now; choose an answer for this key");
                }
                continue;
            }
            var (id, path, owner) = await NewParentAsync(key.Parent);
            var referrer = await ReferAsync(key, id);
            using var response = await owner.DeleteAsync(path, ifMatch: null);
            var text = await response.Content.ReadAsStringAsync();
            var stillThere = (await owner.GetAsync(path)).StatusCode == HttpStatusCode.OK;
            var referrerLeft = await CountAsync($"SELECT COUNT(*) FROM \"{key.Child}\" WHERE rowid = @Rowid", new { Rowid = referrer });
            switch (answer)
            {
                case Refused refused:
                    if (response.StatusCode != HttpStatusCode.Conflict || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{key}: expected 409 problem, got {(int)response.StatusCode} {text}");
                    }
                    else if (!(JsonNode.Parse(text)?["title"]?.GetValue<string>() ?? "").Contains(refused.ReferrerName, StringComparison.Ordinal))
                    {
                        failures.Add($"{key}: the 409 does not name {refused.ReferrerName}: {text}");
                    }
                    if (!stillThere || referrerLeft != 1)
                    {
                        failures.Add($"{key}: after the refusal the row is {(stillThere ? "there" : "gone")}, the reference {(referrerLeft == 1 ? "there" : "gone")}");
                    }
                    break;
                case Cascades:
                    if (response.StatusCode != HttpStatusCode.NoContent || stillThere || referrerLeft != 0)
                    {
                        failures.Add($"{key}: expected 204 with the referring rows gone, got {(int)response.StatusCode} {text}; row {(stillThere ? "there" : "gone")}, reference left {referrerLeft}");
                    }
                    break;
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<List<ForeignKeyRow>> ForeignKeysAsync()
    {
        await using var connection = Open();
        return (await connection.QueryAsync<(string Child, string Column, string Parent, string OnDelete)>("""
            SELECT m.name, f."from", f."table", f.on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
            WHERE m.type = 'table' AND m.name NOT LIKE 'QRTZ%' ORDER BY m.name, f.id
            """)).Select(k => new ForeignKeyRow(k.Child, k.Column, k.Parent, k.OnDelete)).ToList();
    }

    /// <summary>A new row of the parent table made through the API by its owner, its address and the owner's client.</summary>
    private async Task<(long Id, string Path, HttpClient Owner)> NewParentAsync(string table)
    {
        var office = world.Client(Roles.CountyOffice);
        var enterprise = world.Client(Roles.Enterprise);
        switch (table)
        {
            case "workers":
                var worker = Http.IdOf(await office.CreateAsync("/api/workers", NewWorker()));
                return (worker, $"/api/workers/{worker}", office);
            case "employers":
                var admin = world.Client(Roles.Admin);
                var employer = Http.IdOf(await admin.CreateAsync("/api/employers", Bodies.Employer()));
                return (employer, $"/api/employers/{employer}", admin);
            case "training_bases":
                var baseId = Http.IdOf(await enterprise.CreateAsync("/api/bases", Bodies.TrainingBase(world.Employer1)));
                return (baseId, $"/api/bases/{baseId}", enterprise);
            case "openings":
                var opening = Http.IdOf(await enterprise.CreateAsync("/api/openings", Bodies.Opening(await NewBaseAsync(enterprise))));
                return (opening, $"/api/openings/{opening}", enterprise);
            case "cohorts":
                var cohortBase = await NewBaseAsync(enterprise);
                var linked = Http.IdOf(await enterprise.CreateAsync("/api/openings", Bodies.Opening(cohortBase)));
                var cohort = Http.IdOf(await enterprise.CreateAsync("/api/cohorts", Bodies.Cohort(cohortBase, linked)));
                return (cohort, $"/api/cohorts/{cohort}", enterprise);
            case "placements":
                var placed = Http.IdOf(await office.CreateAsync("/api/workers", NewWorker()));
                var placement = Http.IdOf(await office.CreateAsync("/api/placements", Bodies.Placement(placed, world.Employer1)));
                return (placement, $"/api/placements/{placement}", office);
            default:
                throw new InvalidOperationException($"no way to make a {table} row here: add one beside the answer for its foreign keys");
        }
    }

    /// <summary>A new base of employer 1 (trades 普工 and 焊工), for openings and cohorts of the bodies' trades.</summary>
    private async Task<long> NewBaseAsync(HttpClient enterprise) =>
        Http.IdOf(await enterprise.CreateAsync("/api/bases", Bodies.TrainingBase(world.Employer1)));

    private static int _sequence;

    private static JsonObject NewWorker()
    {
        var id = ResidentIdNumber.Compose(AccessFixture.CountyA, new DateOnly(1991, 4, 4).AddDays(Interlocked.Increment(ref _sequence)), 321);
        return Bodies.Worker(id, AccessFixture.CountyA);
    }

    /// <summary>
    /// A row of the child table referring to <paramref name="parentId"/> through the key, unless one does already:
    /// written straight into the database, every other required column filled (other references with an existing row).
    /// Returns its rowid.
    /// </summary>
    private async Task<long> ReferAsync(ForeignKeyRow key, long parentId)
    {
        await using var connection = Open();
        if (await connection.ExecuteScalarAsync<long?>($"SELECT rowid FROM \"{key.Child}\" WHERE \"{key.Column}\" = @Id LIMIT 1", new { Id = parentId }) is { } existing)
        {
            return existing;
        }
        var columns = await connection.QueryAsync<(string Name, string Type, long NotNull, string? Default, long Pk)>(
            $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{key.Child}')");
        var others = (await connection.QueryAsync<(string Column, string Parent)>(
            $"SELECT \"from\", \"table\" FROM pragma_foreign_key_list('{key.Child}')")).ToDictionary(f => f.Column, f => f.Parent);
        var values = new DynamicParameters();
        var names = new List<string>();
        var rowidAlias = columns.Count(c => c.Pk > 0) == 1 ? columns.Single(c => c.Pk > 0) : default;
        foreach (var column in columns)
        {
            if (column.Name == key.Column)
            {
                values.Add(column.Name, parentId);
            }
            else if (others.TryGetValue(column.Name, out var parent))
            {
                var parentSql = FreeParents.GetValueOrDefault($"{key.Child}.{column.Name}", $"SELECT MIN(id) FROM \"{parent}\"");
                values.Add(column.Name, await connection.ExecuteScalarAsync<long>(parentSql));
            }
            else if (FixedValues.TryGetValue($"{key.Child}.{column.Name}", out var fixedValue))
            {
                values.Add(column.Name, fixedValue);
            }
            else if (column.NotNull == 0 || column.Default is not null || (column.Name == rowidAlias.Name && column.Type == "INTEGER"))
            {
                continue;
            }
            else
            {
                values.Add(column.Name, Plausible(column.Name, column.Type));
            }
            names.Add(column.Name);
        }
        var sql = $"INSERT INTO \"{key.Child}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) VALUES ({string.Join(", ", names.Select(n => "@" + n))}); SELECT last_insert_rowid();";
        return await connection.ExecuteScalarAsync<long>(sql, values);
    }

    /// <summary>
    /// Values a referring row needs to sit beside the existing rows it also refers to: a certificate has one live claim
    /// (unique index on claims not rejected), so the written claim is a rejected one.
    /// </summary>
    private static readonly Dictionary<string, object> FixedValues = new(StringComparer.Ordinal)
    {
        ["subsidy_claims.status"] = "rejected",
    };

    /// <summary>Where a reference is also the row's key, a parent row not referred to yet (one result per enrolment).</summary>
    private static readonly Dictionary<string, string> FreeParents = new(StringComparer.Ordinal)
    {
        ["training_results.enrolment_id"] = "SELECT MIN(id) FROM enrolments e WHERE NOT EXISTS (SELECT 1 FROM training_results r WHERE r.enrolment_id = e.id)",
    };

    private static object Plausible(string column, string type) => type switch
    {
        "INTEGER" => 1,
        "REAL" => 0.5,
        "BLOB" => new byte[] { 1 },
        _ when column.EndsWith("_at", StringComparison.Ordinal) => "2026-06-15T04:00:00.0000000Z",
        _ when column.EndsWith("_date", StringComparison.Ordinal) || column.EndsWith("_on", StringComparison.Ordinal) || column.EndsWith("deadline", StringComparison.Ordinal) => "2026-06-15",
        _ => "x",
    };

    private async Task<long> CountAsync(string sql, object parameters)
    {
        await using var connection = Open();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={world.DatabasePath};Pooling=False");
        connection.Open();
        connection.Execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;");
        return connection;
    }
}
