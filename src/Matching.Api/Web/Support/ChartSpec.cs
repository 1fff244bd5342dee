using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matching.Api.Web;

/// <summary>One named row of figures of a chart.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values);

/// <summary>
/// A chart as data: bar, line or pie over categories. The page renders it as an ECharts option (JSON in a data
/// attribute, drawn by the application's own script) and as a table of the same figures.
/// </summary>
public sealed record ChartSpec(string Title, string Kind, string CategoryTitle, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>Values are percentages (0–100): the axis and the table say so.</summary>
    public bool Percent { get; init; }

    /// <summary>Bars laid horizontally (long category names, e.g. counties).</summary>
    public bool Horizontal { get; init; }

    public static string Show(double? value) => value is { } v ? v.ToString(v % 1 == 0 ? "N0" : "N1", CultureInfo.InvariantCulture) : "—";

    public string Summary() => $"{Title}：" + string.Join("；", Categories.Take(12).Select((c, i) =>
        c + " " + string.Join("、", Series.Select(s => $"{s.Name}{Show(s.Values[i])}{(Percent ? "%" : "")}"))));

    public string OptionJson()
    {
        var palette = new JsonArray("#1f5fbf", "#2e9e6b", "#e08a1e", "#c2410c", "#7c3aed", "#0891b2");
        var option = new JsonObject
        {
            ["animation"] = false,
            ["color"] = palette,
            ["textStyle"] = new JsonObject { ["fontFamily"] = "\"Noto Sans CJK SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif" },
            ["tooltip"] = new JsonObject { ["trigger"] = Kind == "pie" ? "item" : "axis", ["renderMode"] = "richText" },
        };
        if (Series.Count > 1)
        {
            option["legend"] = new JsonObject { ["top"] = 0, ["type"] = "scroll" };
        }
        if (Kind == "pie")
        {
            var s = Series[0];
            option["series"] = new JsonArray(new JsonObject
            {
                ["type"] = "pie",
                ["name"] = s.Name,
                ["radius"] = new JsonArray("35%", "65%"),
                ["top"] = 24,
                ["data"] = new JsonArray(Categories.Select((c, i) => (JsonNode)new JsonObject { ["name"] = c, ["value"] = s.Values[i] }).ToArray()),
            });
            return option.ToJsonString();
        }
        var categoryAxis = new JsonObject { ["type"] = "category", ["data"] = new JsonArray(Categories.Select(c => (JsonNode?)c).ToArray()) };
        var valueAxis = new JsonObject { ["type"] = "value" };
        if (Percent)
        {
            valueAxis["max"] = 100;
            valueAxis["axisLabel"] = new JsonObject { ["formatter"] = "{value}%" };
        }
        if (Horizontal)
        {
            categoryAxis["inverse"] = true;
        }
        option["grid"] = new JsonObject { ["left"] = 8, ["right"] = 16, ["top"] = Series.Count > 1 ? 32 : 16, ["bottom"] = 8, ["containLabel"] = true };
        option[Horizontal ? "yAxis" : "xAxis"] = categoryAxis;
        option[Horizontal ? "xAxis" : "yAxis"] = valueAxis;
        option["series"] = new JsonArray(Series.Select(s => (JsonNode)new JsonObject
        {
            ["type"] = Kind,
            ["name"] = s.Name,
            ["data"] = new JsonArray(s.Values.Select(v => (JsonNode?)(v is { } x ? JsonValue.Create(Math.Round(x, 1)) : null)).ToArray()),
        }).ToArray());
        return option.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
