using System.Globalization;
using Matching.Api.Workers;
using Matching.Domain.Catalogues;
using Matching.Domain.Validation;
using Matching.Domain.Workers;
using Matching.Search.Recall;

namespace Matching.Api.Web;

/// <summary>
/// The worker form as typed: text per field, trades by name (as people say them), rows kept in place. It becomes the
/// API's <see cref="WorkerInput"/>, which the API's own handler validates; errors come back keyed by the API's paths
/// (<c>trades[1].level</c>), which <see cref="TradeKey"/> maps back to the row they belong to.
/// </summary>
public sealed class WorkerFormModel
{
    public const int TradeRows = 3;
    public const int CertificateRows = 2;

    public sealed record TradeRow(string? Name, string? Level);

    public sealed record CertificateRow(string? Type, string? Trade, string? Level, string? IssuedOn, string? ExpiresOn);

    public string? RealName { get; private init; }
    public string? IdNumber { get; private init; }
    public string? Phone { get; private init; }
    public string? CountyCode { get; private init; }
    public string? Education { get; private init; }
    public List<TradeRow> Trades { get; private init; } = [];
    public List<CertificateRow> Certificates { get; private init; } = [];
    public IReadOnlyList<string> PriorityGroups { get; private init; } = [];
    public IReadOnlyList<string> Destinations { get; private init; } = [];
    public string? Wage { get; private init; }
    public string? AvailableFrom { get; private init; }
    public IReadOnlyList<string> TrainingIntentions { get; private init; } = [];
    public string? Notes { get; private init; }

    // Row i of the form is item RowIndex[i] of the API input (blank rows are not sent).
    private readonly Dictionary<int, int> _tradeIndex = [];
    private readonly Dictionary<int, int> _certificateIndex = [];

    public string TradeKey(int row) => _tradeIndex.TryGetValue(row, out var i) ? $"trades[{i}]" : $"-trades-row-{row}";

    public string CertificateKey(int row) => _certificateIndex.TryGetValue(row, out var i) ? $"certificates[{i}]" : $"-certificates-row-{row}";

    public static WorkerFormModel Empty(string county, TimeProvider time) => new()
    {
        CountyCode = county,
        Trades = [.. Enumerable.Repeat(new TradeRow(null, null), TradeRows)],
        Certificates = [.. Enumerable.Repeat(new CertificateRow(null, null, null, null, null), CertificateRows)],
        AvailableFrom = ChinaTime.Today(time).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    public static WorkerFormModel From(WorkerResponse w, WorkerRevealed? clear, Catalogue catalogue) => new()
    {
        RealName = w.RealName,
        IdNumber = clear?.IdNumber,
        Phone = clear?.Phone,
        CountyCode = w.CountyCode,
        Education = w.Education,
        Trades = [.. w.Trades.Select(t => new TradeRow(t.TradeName, t.Level.ToString(CultureInfo.InvariantCulture))).Concat(Enumerable.Repeat(new TradeRow(null, null), TradeRows)).Take(Math.Max(TradeRows, w.Trades.Count))],
        Certificates = [.. w.Certificates.Select(c => new CertificateRow(c.Type, c.TradeId is null ? null : Show.Trade(catalogue, c.TradeId),
                c.Level?.ToString(CultureInfo.InvariantCulture), c.IssuedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.ExpiresOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
            .Append(new CertificateRow(null, null, null, null, null))],
        PriorityGroups = w.PriorityGroups ?? [],
        Destinations = w.PreferredDestinations,
        Wage = w.ExpectedMonthlyWage.ToString(CultureInfo.InvariantCulture),
        AvailableFrom = w.AvailableFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TrainingIntentions = w.TrainingIntentions,
        Notes = w.Notes,
    };

    public static WorkerFormModel Read(FormData form)
    {
        var names = form.Rows("tradeName");
        var levels = form.Rows("tradeLevel");
        var types = form.Rows("certType");
        var certTrades = form.Rows("certTrade");
        var certLevels = form.Rows("certLevel");
        var issued = form.Rows("certIssued");
        var expires = form.Rows("certExpires");
        return new WorkerFormModel
        {
            RealName = form.Text("realName"),
            IdNumber = form.Text("idNumber"),
            Phone = form.Text("phone"),
            CountyCode = form.Text("countyCode"),
            Education = form.Text("education"),
            Trades = [.. Enumerable.Range(0, Math.Max(names.Count, levels.Count)).Select(i => new TradeRow(names.ElementAtOrDefault(i), levels.ElementAtOrDefault(i)))],
            Certificates = [.. Enumerable.Range(0, types.Count).Select(i => new CertificateRow(types[i], certTrades.ElementAtOrDefault(i), certLevels.ElementAtOrDefault(i),
                issued.ElementAtOrDefault(i), expires.ElementAtOrDefault(i)))],
            PriorityGroups = form.All("priorityGroups"),
            Destinations = form.All("preferredDestinations"),
            Wage = form.Text("expectedMonthlyWage"),
            AvailableFrom = form.Text("availableFrom"),
            TrainingIntentions = form.All("trainingIntentions"),
            Notes = form.Text("notes"),
        };
    }

    /// <summary>The API input, and what the page itself could not read (keyed like the API's errors).</summary>
    public (WorkerInput Input, ValidationErrors Errors) ToInput(TradeSuggester trades, Catalogue catalogue)
    {
        var errors = new ValidationErrors();
        var tradeInputs = new List<WorkerTradeInput>();
        for (var row = 0; row < Trades.Count; row++)
        {
            var (name, level) = (Trades[row].Name, Trades[row].Level);
            if (name is null && level is null)
            {
                continue;
            }
            _tradeIndex[row] = tradeInputs.Count;
            var id = TradeId(trades, catalogue, name);
            if (name is not null && id is null)
            {
                errors.Add($"trades[{tradeInputs.Count}].tradeId", "没有找到该工种，请从输入提示中选择");
            }
            tradeInputs.Add(new WorkerTradeInput(id, ParseInt(level)));
        }
        var certificateInputs = new List<WorkerCertificateInput>();
        for (var row = 0; row < Certificates.Count; row++)
        {
            var c = Certificates[row];
            if (c.Type is null && c.Trade is null && c.Level is null && c.IssuedOn is null && c.ExpiresOn is null)
            {
                continue;
            }
            var key = $"certificates[{certificateInputs.Count}]";
            _certificateIndex[row] = certificateInputs.Count;
            var tradeId = TradeId(trades, catalogue, c.Trade);
            if (c.Trade is not null && tradeId is null)
            {
                errors.Add(key + ".tradeId", "没有找到该工种，请从输入提示中选择");
            }
            certificateInputs.Add(new WorkerCertificateInput(c.Type, tradeId, ParseInt(c.Level), ParseDate(c.IssuedOn, key + ".issuedOn", errors), ParseDate(c.ExpiresOn, key + ".expiresOn", errors)));
        }
        int? wage = null;
        if (Wage is not null)
        {
            wage = ParseInt(Wage);
            if (wage is null)
            {
                errors.Add("expectedMonthlyWage", "请填写整数金额（元）");
            }
        }
        var input = new WorkerInput(RealName, IdNumber, null, null, Phone, CountyCode, Education, tradeInputs, certificateInputs,
            [.. PriorityGroups], [.. Destinations], wage, ParseDate(AvailableFrom, "availableFrom", errors), [.. TrainingIntentions], Notes);
        return (input, errors);
    }

    /// <summary>A trade as typed: its exact name, else the best suggestion for the word (月嫂 → 母婴护理员); null when nothing matches.</summary>
    private static string? TradeId(TradeSuggester trades, Catalogue catalogue, string? text)
    {
        if (text is null)
        {
            return null;
        }
        var exact = catalogue.Trades.FirstOrDefault(t => t.Name == text);
        return exact?.Id ?? TradeOf(trades, text);
    }

    /// <summary>The trade the suggester puts first for what was typed (the same typeahead the field offers), or null.</summary>
    public static string? TradeOf(TradeSuggester trades, string text) =>
        trades.Suggest(text.Length > TradeSuggester.MaxLength ? text[..TradeSuggester.MaxLength] : text, 1) is [var first, ..] ? first.TradeId : null;

    private static int? ParseInt(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static DateOnly? ParseDate(string? text, string key, ValidationErrors errors)
    {
        if (text is null)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        errors.Add(key, "日期格式应为 年-月-日，如 2026-03-01");
        return null;
    }
}
