using System.Data.Common;
using Matching.Api.Access;
using Matching.Api.Enrolments;
using Matching.Api.FollowUps;
using Matching.Api.Imports;
using Matching.Api.Infrastructure;
using Matching.Api.Placements;
using Matching.Api.Subsidies;
using Matching.Api.Workers;
using Matching.Data.Access;
using Matching.Data.Enrolments;
using Matching.Data.Placements;
using Matching.Data.Storage;
using Matching.Data.Subsidies;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Identity;
using Matching.Domain.Placements;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Matching.Api.Exports;

/// <summary>
/// .xlsx exports of the lists, with the same filters and the same scope as the lists themselves (the list's own
/// filter builder is used). Rows are read from the database one at a time and written to a temporary file, which is
/// then streamed to the client and deleted: a county's whole list never sits in memory. The columns are chosen per
/// role before any row is read (an enterprise's export has no ID number, phone, priority groups or notes).
/// </summary>
public static class ExportEndpoints
{
    public static RouteGroupBuilder MapExports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/exports").WithTags("Exports");
        group.MapGet("/workers", ExportWorkers).WithName("ExportWorkers").WithSummary("导出劳动者（.xlsx，筛选条件同列表）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("worker.export", "worker");
        group.MapGet("/enrolments", ExportEnrolments).WithName("ExportEnrolments").WithSummary("导出报名记录（.xlsx，筛选条件同列表）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("enrolment.export", "enrolment");
        group.MapGet("/placements", ExportPlacements).WithName("ExportPlacements").WithSummary("导出就业安置（.xlsx，筛选条件同列表）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("placement.export", "placement");
        group.MapGet("/follow-ups", ExportFollowUps).WithName("ExportFollowUps").WithSummary("导出待回访、逾期回访（.xlsx，筛选条件同列表）")
            .RequireRoles(RoleEndpointExtensions.AllButInstitutions).Audited("follow-up.export", "placement");
        group.MapGet("/subsidy-claims", ExportClaims).WithName("ExportSubsidyClaims").WithSummary("导出补贴申领及核查结果（.xlsx，筛选条件同列表）")
            .RequireRoles(SubsidyClaimEndpoints.Readers).Audited("subsidy-claim.export", "subsidy-claim");
        return group;
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem>> ExportWorkers(
        [AsParameters] WorkerListQuery query, Caller caller, WorkerStore store, Database database, Catalogue catalogue, TimeProvider time, AuditLog audit,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = WorkerEndpoints.Filter(query, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var today = ChinaTime.Today(time);
        string Names(IEnumerable<string> codes, Func<string, string?> name) => string.Join("、", codes.Select(c => name(c) ?? c));
        string Trades(Worker w) => string.Join("、", w.Trades.Select(t =>
            $"{(catalogue.TradesById.TryGetValue(t.TradeId, out var trade) ? trade.Name : t.TradeId)}（{(catalogue.SkillLevelsByLevel.TryGetValue(t.Level, out var level) ? level.Name : t.Level.ToString(System.Globalization.CultureInfo.InvariantCulture))}）"));
        if (caller.LinkedEmployer is { } employer)
        {
            // An enterprise: no ID number, phone, priority groups, household or notes; the name masked until the worker accepted its offer.
            // Clear names (accepted offers) are audited as reads of those workers, as in the list.
            var named = new HashSet<long>();
            var file = await FileAsync(database, "劳动者", "劳动者.xlsx", async connection =>
            {
                var accepted = await WorkerStore.AcceptedByEmployerAsync(connection, employer);
                bool InClear(long id)
                {
                    if (!accepted.Contains(id))
                    {
                        return false;
                    }
                    named.Add(id);
                    return true;
                }
                return store.Stream(connection, filter).Select(w => Row(
                    ("编号", w.Id), ("姓名", caller.ShowName(w.RealName, InClear(w.Id))), ("性别", w.Gender == Gender.Male ? "男" : "女"),
                    ("年龄", WorkerRules.AgeOn(w.BirthDate, today)), ("县（市、区）", catalogue.NameOf(w.CountyCode)), ("文化程度", EducationName(catalogue, w.Education)),
                    ("工种及等级", Trades(w)), ("意向务工地", Names(w.PreferredDestinations, catalogue.NameOf)), ("期望月薪", w.ExpectedMonthlyWage),
                    ("可到岗日期", w.AvailableFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))));
            }, cancellationToken);
            await PersonalDataReads.AuditAsync(audit, caller, named);
            return file;
        }
        return await FileAsync(database, "劳动者", "劳动者.xlsx", connection => Task.FromResult(store.Stream(connection, filter).Select(w => Row(
            ("编号", w.Id), ("姓名", w.RealName), ("性别", w.Gender == Gender.Male ? "男" : "女"),
            ("年龄", WorkerRules.AgeOn(w.BirthDate, today)), ("身份证号码（脱敏）", w.IdNumberMasked),
            ("联系电话（脱敏）", w.PhoneMasked), ("县（市、区）", catalogue.NameOf(w.CountyCode)), ("市州", catalogue.NameOf(w.PrefectureCode)),
            ("户编号", w.HouseholdNumber), ("户类型", w.HouseholdType is null ? null : SurveyCodes.NameOf(HouseholdTypes.All, w.HouseholdType)),
            ("当前就业状态", w.EmploymentStatus is null ? null : SurveyCodes.NameOf(EmploymentStatuses.All, w.EmploymentStatus)),
            ("文化程度", EducationName(catalogue, w.Education)), ("工种及等级", Trades(w)), ("证书数", w.Certificates.Count),
            ("重点群体", Names(w.PriorityGroups, g => catalogue.PriorityGroupsById.TryGetValue(g, out var p) ? p.Name : null)),
            ("意向务工地", Names(w.PreferredDestinations, catalogue.NameOf)), ("期望月薪", w.ExpectedMonthlyWage),
            ("可到岗日期", w.AvailableFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("培训意愿", Names(w.TrainingIntentions, t => catalogue.TrainingTypesById.TryGetValue(t, out var p) ? p.Name : null)),
            ("备注", w.Notes), ("登记时间", w.CreatedAt.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))))),
            cancellationToken);
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem>> ExportEnrolments(
        [AsParameters] EnrolmentListQuery query, Caller caller, EnrolmentStore store, Database database, Catalogue catalogue, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (query.Status is { } status && !Domain.Enrolments.EnrolmentStatus.All.Contains(status))
        {
            return ApiResults.Invalid("status", "应为 " + string.Join("、", Domain.Enrolments.EnrolmentStatus.All));
        }
        var filter = EnrolmentEndpoints.Filter(query, caller);
        // Names an enterprise sees in clear (accepted offers) are audited as reads of those workers, as in the list.
        var named = new HashSet<long>();
        var file = await FileAsync(database, "报名记录", "报名记录.xlsx", connection => Task.FromResult(store.Stream(connection, filter)
            .Select(e =>
            {
                if (e.Status == Domain.Enrolments.EnrolmentStatus.Accepted)
                {
                    named.Add(e.WorkerId);
                }
                return EnrolmentResponse.From(e, caller);
            }).Select(e => Row(
            ("编号", e.Id), ("培训班期编号", e.CohortId), ("培训班期", e.CohortName), ("开班日期", Day(e.CohortStart)), ("结业日期", Day(e.CohortEnd)),
            ("劳动者编号", e.WorkerId), ("姓名", e.WorkerName), ("县（市、区）", catalogue.NameOf(e.WorkerCounty)), ("状态", e.StatusName),
            ("来源", e.Source), ("候补序号", e.WaitlistPosition), ("说明", e.Note),
            ("报名时间", e.CreatedAt.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture))))), cancellationToken);
        await PersonalDataReads.AuditAsync(audit, caller, named);
        return file;
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem>> ExportPlacements(
        [AsParameters] PlacementListQuery query, Caller caller, PlacementStore store, Database database, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = PlacementEndpoints.Filter(query, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return await FileAsync(database, "就业安置", "就业安置.xlsx", connection => Task.FromResult(store.Stream(connection, filter).Select(p => Row(
            ("编号", p.Id), ("劳动者编号", p.WorkerId), ("企业编号", p.EmployerId), ("岗位编号", p.OpeningId), ("培训班期编号", p.CohortId),
            ("上岗日期", Day(p.StartDate)), ("月工资", p.MonthlyWage), ("状态", p.Status == PlacementRules.Active ? "在岗" : "已离岗"),
            ("离岗日期", p.LeftOn is { } left ? Day(left) : null)))), cancellationToken);
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem>> ExportFollowUps(
        [AsParameters] FollowUpListQuery query, Caller caller, FollowUpStore store, Database database, Catalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = FollowUpEndpoints.Filter(query, caller, catalogue, time, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        var enterprise = caller.LinkedEmployer is not null;
        return await FileAsync(database, "回访", "待回访与逾期回访.xlsx", connection => Task.FromResult(store.Stream(connection, filter).Select(f => Row(
            ("就业安置编号", f.PlacementId), ("劳动者编号", f.WorkerId), ("姓名", enterprise ? Masking.Name(f.WorkerName) : f.WorkerName),
            ("县（市、区）", catalogue.NameOf(f.CountyCode)), ("企业编号", f.EmployerId), ("回访月份", f.Month), ("应回访日期", Day(f.DueDate)),
            ("状态", f.State == FollowUpSchedule.Overdue ? "逾期" : "待回访"), ("已过天数", f.DaysLate)))), cancellationToken);
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem>> ExportClaims(
        [AsParameters] SubsidyClaimListQuery query, Caller caller, SubsidyClaimStore store, Database database, Catalogue catalogue, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = SubsidyClaimEndpoints.Filter(query, caller, catalogue, errors);
        if (!errors.IsValid)
        {
            return ApiResults.Invalid(errors);
        }
        return await FileAsync(database, "补贴申领", "补贴申领.xlsx", connection => Task.FromResult(store.Stream(connection, filter)
            .Select(c => SubsidyClaimResponse.From(c, catalogue)).Select(c => Row(
            ("编号", c.Id), ("劳动者编号", c.WorkerId), ("姓名", c.WorkerName), ("县（市、区）", c.CountyName), ("培训班期", c.CohortName),
            ("证书类型", c.CertificateTypeName), ("工种", c.TradeName), ("等级", c.Level), ("补贴金额", c.Amount), ("生活费补贴", c.LivingAllowance),
            ("合计", c.Total), ("依据", c.Basis), ("银行账号（脱敏）", c.BankAccountMasked), ("状态", c.StatusName),
            ("核查结果", string.Join("；", c.Findings.Select(f => $"【{f.SeverityName}】{f.Reason}"))), ("有不予通过项", c.Blocked ? "是" : "否"), ("申领日期", Day(c.ClaimedOn)),
            ("审核人", c.DecidedBy), ("审核意见", c.DecisionNote), ("拨付批次", c.PaymentBatchId)))), cancellationToken);
    }

    private static string EducationName(Catalogue catalogue, string id) => catalogue.EducationLevelsById.TryGetValue(id, out var e) ? e.Name : id;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> Row(params (string Header, object? Value)[] cells)
    {
        var row = new Dictionary<string, object?>(cells.Length, StringComparer.Ordinal);
        foreach (var (header, value) in cells)
        {
            row[header] = value;
        }
        return row;
    }

    /// <summary>Writes the rows (read lazily on an open connection) into a temporary .xlsx and streams it; the file is deleted when sent.</summary>
    private static async Task<FileStreamHttpResult> FileAsync(Database database, string sheet, string fileName,
        Func<DbConnection, Task<IEnumerable<Dictionary<string, object?>>>> rows, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"matching-export-{Guid.NewGuid():N}.xlsx");
        try
        {
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                var source = await rows(connection);
                await Task.Run(() =>
                {
                    using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
                    MiniExcel.SaveAs(file, source, sheetName: sheet, excelType: ExcelType.XLSX, configuration: new OpenXmlConfiguration { AutoFilter = false });
                }, cancellationToken);
            }
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            return TypedResults.Stream(stream, ImportEndpoints.XlsxContentType, fileName);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }
}
