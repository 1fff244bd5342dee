using System.Globalization;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;

namespace Matching.Api.Web;

/// <summary>How values read on a page: codes as Chinese names, numbers and money in the usual form.</summary>
public static class Show
{
    public static string Scope(string role, IReadOnlyList<string> scopes, Catalogue catalogue) => role switch
    {
        Roles.Enterprise => "企业编号 " + string.Join("、", scopes),
        Roles.TrainingInstitution => "培训机构编号 " + string.Join("、", scopes),
        Roles.CountyOffice or Roles.PrefectureOffice => string.Join("、", scopes.Select(s => $"{catalogue.NameOf(s)}（{s}）")),
        _ => "全省",
    };

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double? ratio) => ratio is { } r && double.IsFinite(r) ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Yuan(int value) => value.ToString("N0", CultureInfo.InvariantCulture) + " 元";

    public static string WageRange(int min, int max) => $"{min.ToString("N0", CultureInfo.InvariantCulture)}–{max.ToString("N0", CultureInfo.InvariantCulture)} 元/月";

    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";

    public static string Trade(Catalogue catalogue, string tradeId) => catalogue.TradesById.TryGetValue(tradeId, out var t) ? t.Name : tradeId;

    public static string Level(Catalogue catalogue, int level) => catalogue.SkillLevelsByLevel.TryGetValue(level, out var l) ? l.Name : level.ToString(CultureInfo.InvariantCulture);

    public static string Group(Catalogue catalogue, string groupId) => catalogue.PriorityGroupsById.TryGetValue(groupId, out var g) ? g.Name : groupId;

    public static string TrainingType(Catalogue catalogue, string? id) => id is null ? "—" : catalogue.TrainingTypesById.TryGetValue(id, out var t) ? t.Name : id;

    public static string Education(Catalogue catalogue, string id) => catalogue.EducationLevelsById.TryGetValue(id, out var e) ? e.Name : id;

    public static string Certificate(Catalogue catalogue, string id) => catalogue.CertificateTypesById.TryGetValue(id, out var c) ? c.Name : id;

    public static string Division(Catalogue catalogue, string code) => catalogue.NameOf(code);

    public static string YesNo(bool? value) => value switch { true => "是", false => "否", null => "—" };

    /// <summary>A page link keeping the other query values: <paramref name="query"/> pairs with null values left out.</summary>
    public static string Link(string path, params (string Name, object? Value)[] query)
    {
        var parts = query.Where(q => q.Value is not null && (q.Value is not string s || s.Length > 0))
            .SelectMany(q => q.Value is System.Collections.IEnumerable items and not string
                ? items.Cast<object>().Select(i => (q.Name, Value: (object?)i))
                : [(q.Name, q.Value)])
            .Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(Convert.ToString(q.Value, CultureInfo.InvariantCulture) ?? "")}");
        var joined = string.Join('&', parts);
        return joined.Length == 0 ? path : path + "?" + joined;
    }
}
