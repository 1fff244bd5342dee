using System.Globalization;
using System.Text;
using System.Text.Json;
using Matching.Api.Access;
using Matching.Api.Infrastructure;
using Matching.Api.Subsidies;
using Matching.Api.Training;
using Matching.Api.Workers;
using Matching.Data.Placements;
using Matching.Data.Subsidies;
using Matching.Data.Training;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Enrolments;
using Matching.Domain.Training;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Matching.Api.Records;

/// <summary>One line of the record in date order: what happened, in Chinese.</summary>
public sealed record RecordEvent(DateOnly On, string Kind, string Title, string Detail);

/// <summary>A training in the record: the cohort, the enrolment's state and what happened (attendance, completion, assessment).</summary>
public sealed record RecordTraining(
    long EnrolmentId,
    long CohortId,
    string CohortName,
    string TrainingType,
    string TrainingTypeName,
    IReadOnlyList<string> TradeNames,
    DateOnly StartDate,
    DateOnly EndDate,
    string Status,
    string StatusName,
    TrainingResultResponse? Result);

/// <summary>A certificate in the record: recorded from the issuing body, or declared at registration (自报).</summary>
public sealed record RecordCertificate(long? Id, string Source, string TypeName, string? TradeName, int? Level, string? LevelName, string? Number,
    string? IssuingProvinceName, DateOnly? IssuedOn, DateOnly? ExpiresOn);

/// <summary>
/// The lifelong vocational training e-record (终身职业技能培训电子档案) of a worker as the caller may see it: built from
/// what the role may see, never filtered afterwards. Offices, rural revitalisation staff and admins get all of it,
/// ID and card masked; an enterprise gets its own cohorts and placements, the certificates, and the name as it
/// shows the name elsewhere, and no ID, card, subsidies or registration details.
/// </summary>
public sealed record LifelongRecord(
    long WorkerId,
    string RealName,
    string? IdNumberMasked,
    string? SocialSecurityCardMasked,
    string? VitalStatus,
    string CountyCode,
    string CountyName,
    DateTimeOffset? RegisteredAt,
    IReadOnlyList<RecordTraining> Trainings,
    IReadOnlyList<RecordCertificate> Certificates,
    IReadOnlyList<Placement> Placements,
    IReadOnlyList<SubsidyClaimResponse>? Subsidies,
    IReadOnlyList<RecordEvent> Timeline);

public sealed record RecordExportQuery(string? Format);

public static class LifelongRecordEndpoints
{
    public static RouteGroupBuilder MapLifelongRecords(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/workers/{id:long}/record").WithTags("Lifelong records");
        group.MapGet("/", GetRecord).WithName("GetLifelongRecord").WithSummary("劳动者终身职业技能培训电子档案（按时间排列）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("worker.record.read", "worker");
        group.MapGet("/export", ExportRecord).WithName("ExportLifelongRecord").WithSummary("导出电子档案（format=csv 或 json）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("worker.record.export", "worker");
        return group;
    }

    public static async Task<Results<Ok<LifelongRecord>, ProblemHttpResult>> GetRecord(
        long id, Caller caller, WorkerStore workers, TrainingHistoryStore trainings, TrainingRecordStore records, PlacementStore placements,
        SubsidyClaimStore claims, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var record = await BuildAsync(id, caller, workers, trainings, records, placements, claims, catalogue, cancellationToken);
        return record is null ? ApiResults.NotFound("劳动者") : TypedResults.Ok(record);
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ExportRecord(
        long id, [AsParameters] RecordExportQuery query, Caller caller, WorkerStore workers, TrainingHistoryStore trainings, TrainingRecordStore records,
        PlacementStore placements, SubsidyClaimStore claims, Catalogue catalogue, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var format = query.Format?.Trim().ToLowerInvariant() ?? "csv";
        if (format is not ("csv" or "json"))
        {
            return ApiResults.Invalid("format", "应为 csv 或 json");
        }
        var record = await BuildAsync(id, caller, workers, trainings, records, placements, claims, catalogue, cancellationToken);
        if (record is null)
        {
            return ApiResults.NotFound("劳动者");
        }
        if (format == "json")
        {
            return TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(record, json.Value.SerializerOptions), "application/json", $"终身职业技能培训电子档案-{id}.json");
        }
        var csv = new StringBuilder("\uFEFF");
        csv.Append(CultureInfo.InvariantCulture, $"劳动者,{CsvText.Cell(record.RealName)},编号,{record.WorkerId},户籍县,{CsvText.Cell(record.CountyName)}");
        if (record.IdNumberMasked is not null) csv.Append(CultureInfo.InvariantCulture, $",身份证号码,{record.IdNumberMasked}");
        if (record.SocialSecurityCardMasked is not null) csv.Append(CultureInfo.InvariantCulture, $",社会保障卡号,{record.SocialSecurityCardMasked}");
        csv.Append("\n日期,类别,事项,详情\n");
        foreach (var e in record.Timeline)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{e.On:yyyy-MM-dd},{CsvText.Cell(e.Kind)},{CsvText.Cell(e.Title)},{CsvText.Cell(e.Detail)}\n");
        }
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"终身职业技能培训电子档案-{id}.csv");
    }

    /// <summary>The record as the caller may see it, or null when the caller may not see the worker (404, as for the worker).</summary>
    private static async Task<LifelongRecord?> BuildAsync(long id, Caller caller, WorkerStore workers, TrainingHistoryStore trainings, TrainingRecordStore records,
        PlacementStore placements, SubsidyClaimStore claims, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var worker = await WorkerEndpoints.VisibleAsync(id, caller, workers, cancellationToken);
        if (worker is null)
        {
            return null;
        }
        var enterprise = caller.LinkedEmployer;
        var accepted = enterprise is { } employer && (await workers.EmployerLinkAsync(id, employer, cancellationToken)).Accepted;

        var trainingRows = await trainings.OfWorkerAsync(id, enterprise, cancellationToken);
        var recorded = await records.CertificatesOfAsync(id, cancellationToken);
        var placementRows = (await placements.ListAsync(new PlacementFilter(WorkerId: id, EmployerId: enterprise), 1, 200, cancellationToken)).Items;
        // Subsidies only for those who see claims (offices of the worker's county, admins); never for enterprises.
        var subsidies = caller.CanSeeClaim(worker.CountyCode)
            ? (await claims.ListAsync(new SubsidyClaimFilter(WorkerId: id), 1, 200, cancellationToken)).Items.Select(c => SubsidyClaimResponse.From(c, catalogue)).ToList()
            : null;

        var trainingsView = trainingRows.Select(t => new RecordTraining(t.EnrolmentId, t.CohortId, t.CohortName, t.TrainingType,
            catalogue.TrainingTypesById.GetValueOrDefault(t.TrainingType)?.Name ?? t.TrainingType, t.Trades.Select(tr => TradeName(catalogue, tr)).ToList(),
            t.StartDate, t.EndDate, t.Status, EnrolmentStatus.NameOf(t.Status), t.Result is { } r ? TrainingResultResponse.From(r) : null)).ToList();
        var recordedKeys = recorded.Select(c => (c.Type, (string?)c.TradeId, c.Level, (DateOnly?)c.IssuedOn)).ToHashSet();
        var certificates = recorded.Select(c => new RecordCertificate(c.Id, "recorded", TypeName(catalogue, c.Type), TradeName(catalogue, c.TradeId), c.Level,
                LevelName(catalogue, c.Level), c.Number, catalogue.NameOf(c.IssuingProvince), c.IssuedOn, c.ExpiresOn))
            .Concat(worker.Certificates.Where(c => !recordedKeys.Contains((c.Type, c.TradeId, c.Level, c.IssuedOn)))
                .Select(c => new RecordCertificate(null, "declared", TypeName(catalogue, c.Type), c.TradeId is null ? null : TradeName(catalogue, c.TradeId), c.Level,
                    LevelName(catalogue, c.Level), null, c.IssuingProvince is null ? null : catalogue.NameOf(c.IssuingProvince), c.IssuedOn, c.ExpiresOn)))
            .OrderBy(c => c.IssuedOn ?? DateOnly.MinValue).ToList();

        var timeline = new List<RecordEvent>();
        if (enterprise is null)
        {
            timeline.Add(new RecordEvent(DateOnly.FromDateTime(worker.CreatedAt.ToOffset(ChinaOffset).DateTime), "登记", "摸排登记",
                $"户籍{catalogue.NameOf(worker.CountyCode)}；登记工种{string.Join("、", worker.Trades.Select(t => $"{TradeName(catalogue, t.TradeId)}{LevelName(catalogue, t.Level)}"))}"));
            if (worker.VitalStatus != Domain.Workers.VitalStatus.Living && worker.VitalStatusSince is { } since)
            {
                timeline.Add(new RecordEvent(since, "状态", Domain.Workers.VitalStatus.NameOf(worker.VitalStatus), worker.VitalStatusNote ?? ""));
            }
        }
        foreach (var t in trainingsView)
        {
            timeline.Add(new RecordEvent(t.StartDate, "培训", $"{t.CohortName}（{t.TrainingTypeName}）", $"{t.StartDate:yyyy-MM-dd}至{t.EndDate:yyyy-MM-dd}；报名状态：{t.StatusName}"));
            if (t.Result is { Completion: not Completion.Pending } result)
            {
                var on = result.CompletedOn ?? t.EndDate;
                var detail = $"出勤{result.DaysAttended}/{result.DaysScheduled}天";
                if (result.AssessmentPassed is { } passed)
                {
                    detail += $"；考核{(passed ? "合格" : "不合格")}（{result.AssessingBody}，{result.AssessedOn:yyyy-MM-dd}）";
                }
                timeline.Add(new RecordEvent(on, "培训", $"{t.CohortName}：{result.CompletionName}", detail));
            }
        }
        foreach (var c in certificates.Where(c => c.IssuedOn is not null))
        {
            timeline.Add(new RecordEvent(c.IssuedOn!.Value, "证书", $"取得{c.TradeName}{c.LevelName}{c.TypeName}", c.Source == "recorded"
                ? $"证书编号{c.Number}，{c.IssuingProvinceName}颁发" : "登记时自报"));
        }
        foreach (var p in placementRows)
        {
            timeline.Add(new RecordEvent(p.StartDate, "就业", "就业安置", $"月工资{p.MonthlyWage}元" + (p.CohortId is { } cohort ? $"；培训班期{cohort}" : "")));
            foreach (var f in p.FollowUps.Where(f => f.FollowedUpOn is not null))
            {
                timeline.Add(new RecordEvent(f.FollowedUpOn!.Value, "回访", $"第{f.Month}个月回访", f.StillEmployed == true ? "仍在岗" : "已离岗"));
            }
        }
        foreach (var s in subsidies ?? [])
        {
            timeline.Add(new RecordEvent(s.ClaimedOn, "补贴", $"申领{s.CertificateTypeName}补贴{s.Total}元", s.StatusName));
        }
        return new LifelongRecord(worker.Id, caller.ShowName(worker.RealName, accepted), enterprise is null ? worker.IdNumberMasked : null,
            enterprise is null ? worker.SocialSecurityCardMasked : null, enterprise is null ? worker.VitalStatus : null, worker.CountyCode,
            catalogue.NameOf(worker.CountyCode), enterprise is null ? worker.CreatedAt : null, trainingsView, certificates, placementRows, subsidies,
            timeline.OrderBy(e => e.On).ToList());
    }

    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private static string TradeName(Catalogue catalogue, string id) => catalogue.TradesById.GetValueOrDefault(id)?.Name ?? id;

    private static string TypeName(Catalogue catalogue, string id) => catalogue.CertificateTypesById.GetValueOrDefault(id)?.Name ?? id;

    private static string? LevelName(Catalogue catalogue, int? level) => level is { } l ? catalogue.SkillLevelsByLevel.GetValueOrDefault(l)?.Name : null;
}
