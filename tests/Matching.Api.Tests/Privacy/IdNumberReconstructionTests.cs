using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Workers;
using Matching.Domain.Access;
using Matching.Domain.Catalogues;
using Matching.Domain.Workers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Matching.Api.Tests.Privacy;

/// <summary>
/// The demo world (60 workers with their history), read by one user of every role through every GET route the
/// OpenAPI document gives that role — lists, details, search, matching, recall, reviews, downloads — as an attacker
/// would collect it. For each worker, the attacker rebuilds the ID number from what it got: the mask's visible
/// characters, the county code (and every area code the mask's prefix allows), every date seen beside the worker, the
/// ages, and the check character. Nowhere may the full number or the birth date appear, and at least
/// <see cref="MinimumCandidates"/> numbers must remain equally likely for every worker: the number cannot be derived
/// without the audited reveal.
/// </summary>
public sealed partial class IdNumberReconstructionTests(IdNumberReconstructionTests.World world, ITestOutputHelper output)
    : IClassFixture<IdNumberReconstructionTests.World>
{
    public const int MinimumCandidates = 10;

    public sealed class World : ApiFixture
    {
        protected override int DemoWorkers => 60;
    }

    private sealed record Truth(long Id, string IdNumber, DateOnly BirthDate, string CountyCode);

    /// <summary>What the attacker holds about one worker.</summary>
    private sealed class Evidence
    {
        public HashSet<string> Masks { get; } = [];
        public HashSet<int> Ages { get; } = [];
        public HashSet<string> Dates { get; } = [];
        public HashSet<string> Counties { get; } = [];
    }

    [Fact]
    public async Task No_role_without_the_reveal_can_rebuild_a_workers_id_number_from_what_it_receives()
    {
        var truths = await TruthAsync();
        // The stored summaries are downloads too: write them, so they are read like every other answer.
        var reports = world.Services.GetRequiredService<Matching.Scheduling.Reports.SummaryReports>();
        await reports.WriteAsync(Matching.Data.Reports.ReportKinds.Quarterly);
        await reports.WriteAsync(Matching.Data.Reports.ReportKinds.Annual);
        Assert.True(truths.Count >= 50, $"only {truths.Count} workers in the world");
        var catalogue = world.Services.GetRequiredService<Catalogue>();
        var counties = catalogue.GuizhouCounties.Select(c => c.Code).ToArray();
        var employer = await EmployerWithPlacementsAsync();
        var institution = await BusiestInstitutionAsync();
        // Every role of the product, each with the scope that sees the most: a role added later is read here too.
        var readers = Roles.All.Select(role => (Role: role, Scope: role switch
        {
            Roles.CountyOffice => counties,
            Roles.PrefectureOffice => [truths.GroupBy(t => t.CountyCode[..4]).OrderByDescending(g => g.Count()).First().Key + "00"],
            Roles.RuralRevitalisation or Roles.Admin => [],
            Roles.Enterprise => [employer.ToString(CultureInfo.InvariantCulture)],
            Roles.TrainingInstitution => [institution.ToString(CultureInfo.InvariantCulture)],
            _ => throw new InvalidOperationException($"no reader scope for role {role}"),
        })).ToList();
        using var anonymous = world.CreateClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var byId = truths.ToDictionary(t => t.Id);
        var failures = new List<string>();

        foreach (var (role, scope) in readers)
        {
            using var client = world.CreateClient(role, scope);
            var evidence = truths.ToDictionary(t => t.Id, _ => new Evidence());
            var responses = 0;
            foreach (var url in await UrlsAsync(document, role, truths, client))
            {
                using var response = await client.GetAsync(url);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    continue;
                }
                responses++;
                var text = await response.Content.ReadAsStringAsync();
                foreach (var truth in truths)
                {
                    if (text.Contains(truth.IdNumber, StringComparison.OrdinalIgnoreCase))
                    {
                        failures.Add($"{role} GET {url}: the full ID number of worker {truth.Id}");
                    }
                }
                var routeWorker = WorkerInPath().Match(url) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : (long?)null;
                if (response.Content.Headers.ContentType?.MediaType == "application/json")
                {
                    Collect(JsonNode.Parse(text), routeWorker, evidence, inWorker: null);
                }
                else if (routeWorker is null)
                {
                    // A download (CSV…): every worker id it names gets every date in it.
                    foreach (var truth in truths.Where(t => text.Contains(t.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
                    {
                        AddDates(text, evidence[truth.Id]);
                    }
                }
            }
            var candidatesSeen = new List<int>();
            var rebuiltWithBirthDate = 0;
            foreach (var (id, seen) in evidence)
            {
                var truth = byId[id];
                if (seen.Dates.Contains(truth.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
                {
                    failures.Add($"{role}: worker {id}'s birth date appears beside it");
                    continue;
                }
                foreach (var mask in seen.Masks)
                {
                    if (mask.Length != 18 || mask[6..14].Any(c => c != '*'))
                    {
                        failures.Add($"{role}: worker {id}'s mask {mask} shows birth-date digits");
                    }
                }
                var candidates = Candidates(truth, seen, catalogue);
                if (seen.Masks.Count > 0)
                {
                    candidatesSeen.Add(candidates);
                    // The attack is real: had the birth date been shown beside the mask, it would have rebuilt the number.
                    rebuiltWithBirthDate += Candidates(truth, seen, catalogue, truth.BirthDate) == 1 ? 1 : 0;
                }
                if (candidates < MinimumCandidates)
                {
                    failures.Add($"{role}: worker {id}'s ID number narrows to {candidates} candidates (masks {string.Join(",", seen.Masks)}, ages {string.Join(",", seen.Ages)})");
                }
            }
            output.WriteLine($"{role}: {responses} answers read; {candidatesSeen.Count} workers seen with a mask ({rebuiltWithBirthDate} would be rebuilt given the birth date), fewest candidates {(candidatesSeen.Count == 0 ? "-" : candidatesSeen.Min())}, median {(candidatesSeen.Count == 0 ? "-" : candidatesSeen.Order().ElementAt(candidatesSeen.Count / 2))}");
            Assert.True(responses > 20, $"{role} read only {responses} answers");
            Assert.True(rebuiltWithBirthDate >= candidatesSeen.Count * 9 / 10,
                $"{role}: with the birth date the attack rebuilds only {rebuiltWithBirthDate} of {candidatesSeen.Count} numbers; the attack itself is broken");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(50)));
    }

    /// <summary>
    /// The ID numbers consistent with everything seen: a mask's visible characters, an area code the mask's prefix
    /// allows (the county first), a birth date giving every age seen (or a seen date), an odd or even sequence as the
    /// mask shows, and a right check character. With no mask, every number of the county and ages is a candidate.
    /// </summary>
    private static int Candidates(Truth truth, Evidence seen, Catalogue catalogue, DateOnly? knownBirth = null)
    {
        var mask = seen.Masks.FirstOrDefault();
        var prefix = mask?[..4] ?? truth.CountyCode[..4];
        // Knowing the birth date, the attacker only fills in the county code; otherwise it tries every area the prefix allows.
        var areas = knownBirth is not null
            ? seen.Counties.Where(c => c.StartsWith(prefix, StringComparison.Ordinal)).ToList()
            : Enumerable.Range(0, 100).Select(i => prefix + i.ToString("D2", CultureInfo.InvariantCulture))
                .Where(a => catalogue.IsKnownIdAreaCode(a) || seen.Counties.Contains(a)).ToList();
        var births = knownBirth is { } known ? [known] : BirthDatesGiving(seen.Ages);
        if (mask is null)
        {
            // Nothing of the number itself: any sequence, one in eleven with the right check character.
            return areas.Count * births.Count * (1000 / 11);
        }
        var count = 0;
        foreach (var area in areas)
        {
            foreach (var birth in births)
            {
                var first17 = area + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + mask[14..17];
                if (first17.All(char.IsAsciiDigit) && IdNumbers.CheckCharacter(first17) == mask[17])
                {
                    count++;
                }
            }
        }
        return count;
    }

    /// <summary>Every birth date of a worker aged 16 to 65 that gives each of the ages seen, on the service's today.</summary>
    private static List<DateOnly> BirthDatesGiving(IReadOnlyCollection<int> ages)
    {
        var today = TestClock.Today;
        var births = new List<DateOnly>();
        for (var day = today.AddYears(-WorkerRules.MaxAge - 1); day <= today.AddYears(-WorkerRules.MinAge); day = day.AddDays(1))
        {
            if (ages.All(age => WorkerRules.AgeOn(day, today) == age))
            {
                births.Add(day);
            }
        }
        return births;
    }

    /// <summary>Walks an answer: objects about a worker (its id in a worker view, or a workerId) give their masks, ages, dates and counties.</summary>
    private static void Collect(JsonNode? node, long? routeWorker, Dictionary<long, Evidence> evidence, Evidence? inWorker)
    {
        switch (node)
        {
            case JsonObject o:
                var about = inWorker;
                if (o["workerId"] is JsonValue w && w.TryGetValue<long>(out var workerId) && evidence.TryGetValue(workerId, out var e1))
                {
                    about = e1;
                }
                // A teacher's engagement (id, teacherId, realName, idNumberMasked) is about a teacher, not the worker of that id.
                else if (o["id"] is JsonValue i && i.TryGetValue<long>(out var id) && (o.ContainsKey("idNumberMasked") || o.ContainsKey("age") || o.ContainsKey("realName"))
                    && !o.ContainsKey("teacherId") && evidence.TryGetValue(id, out var e2))
                {
                    about = e2;
                }
                else if (routeWorker is { } r && inWorker is null && evidence.TryGetValue(r, out var e3))
                {
                    about = e3;
                }
                foreach (var (name, child) in o)
                {
                    if (about is not null && child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        if (MaskPattern().IsMatch(text))
                        {
                            about.Masks.Add(text.ToUpperInvariant());
                        }
                        if (name.EndsWith("countyCode", StringComparison.OrdinalIgnoreCase) || name == "workerCounty")
                        {
                            about.Counties.Add(text);
                        }
                        AddDates(text, about);
                    }
                    if (about is not null && name == "age" && child is JsonValue ageValue && ageValue.TryGetValue<int>(out var age))
                    {
                        about.Ages.Add(age);
                    }
                    if (about is not null && child is JsonValue reason && reason.TryGetValue<string>(out var line) && AgeInWords().Match(line) is { Success: true } said)
                    {
                        about.Ages.Add(int.Parse(said.Groups[1].Value, CultureInfo.InvariantCulture));
                    }
                    Collect(child, routeWorker, evidence, about);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Collect(item, routeWorker, evidence, inWorker);
                }
                break;
        }
    }

    private static void AddDates(string text, Evidence evidence)
    {
        foreach (System.Text.RegularExpressions.Match m in DatePattern().Matches(text))
        {
            var (y, mo, d) = (m.Groups["y"].Value, m.Groups["m"].Value.PadLeft(2, '0'), m.Groups["d"].Value.PadLeft(2, '0'));
            evidence.Dates.Add($"{y}-{mo}-{d}");
        }
    }

    /// <summary>
    /// Every GET route the role may call, with ids of the world put in: every worker; of other resources the first 12
    /// rows and the first 12 the role's own list of that resource names (as an attacker would open what it is shown).
    /// </summary>
    private async Task<List<string>> UrlsAsync(JsonObject document, string role, IReadOnlyList<Truth> truths, HttpClient client)
    {
        var urls = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={world.DatabasePath};Mode=ReadOnly;Pooling=False");
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            var get = item?["get"];
            if (!template.StartsWith("/api/", StringComparison.Ordinal) || get is null
                || !(get["x-roles"]?.AsArray().Any(r => r!.GetValue<string>() == role) ?? false))
            {
                continue;
            }
            var parameters = Parameter().Matches(template).Select(p => p.Groups[1].Value).ToList();
            if (parameters.Count == 0)
            {
                urls.Add(template + "?pageSize=200");
                continue;
            }
            if (parameters.Count > 1 || parameters[0] != "id")
            {
                continue;
            }
            var segments = template.Split('/');
            var resource = segments[Array.IndexOf(segments, "{id}") - 1];
            IEnumerable<long> ids = resource == "workers"
                ? truths.Select(t => t.Id)
                : (await IdsAsync(connection, resource switch { "bases" => "training_bases", "institutions" => "training_institutions", _ => resource.Replace('-', '_') }))
                    .Union(await ListedIdsAsync(client, document, "/api/" + resource));
            urls.AddRange(ids.Select(id => template.Replace("{id}", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + "?pageSize=200"));
        }
        return urls;
    }

    private static async Task<IEnumerable<long>> IdsAsync(SqliteConnection connection, string table) =>
        await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @Table", new { Table = table }) == 0
            ? []
            : await connection.QueryAsync<long>($"SELECT id FROM \"{table}\" ORDER BY id LIMIT 12");

    private async Task<IReadOnlyList<Truth>> TruthAsync()
    {
        var store = world.Services.GetRequiredService<WorkerStore>();
        var truths = new List<Truth>();
        foreach (var worker in (await store.ListAsync(new WorkerFilter(), 1, 500)).Items)
        {
            truths.Add(new Truth(worker.Id, (await store.RevealIdNumberAsync(worker.Id))!, worker.BirthDate, worker.CountyCode));
        }
        return truths;
    }

    /// <summary>The first 12 ids the role's list of a resource answers with (none when it has no such list or may not read it).</summary>
    private static async Task<IEnumerable<long>> ListedIdsAsync(HttpClient client, JsonObject document, string list)
    {
        if (!document["paths"]!.AsObject().ContainsKey(list) && !document["paths"]!.AsObject().ContainsKey(list + "/"))
        {
            return [];
        }
        using var response = await client.GetAsync(list + "?pageSize=12");
        if (response.StatusCode != HttpStatusCode.OK || JsonNode.Parse(await response.Content.ReadAsStringAsync())?["items"] is not JsonArray items)
        {
            return [];
        }
        return items.Select(i => i?["id"]?.GetValue<long>()).OfType<long>().ToList();
    }

    private async Task<long> BusiestInstitutionAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={world.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.ExecuteScalarAsync<long>(
            "SELECT institution_id FROM cohorts WHERE institution_id IS NOT NULL GROUP BY institution_id ORDER BY COUNT(*) DESC, institution_id LIMIT 1");
    }

    private async Task<long> EmployerWithPlacementsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={world.DatabasePath};Mode=ReadOnly;Pooling=False");
        return await connection.ExecuteScalarAsync<long>("SELECT employer_id FROM placements GROUP BY employer_id ORDER BY COUNT(*) DESC, employer_id LIMIT 1");
    }

    [GeneratedRegex(@"^\d{4}\*+[0-9Xx*]{0,4}$|^(?=.*\*)[0-9Xx*]{18}$")]
    private static partial Regex MaskPattern();

    [GeneratedRegex(@"(?<!\d)(?<y>(19|20)\d{2})(-|/|年|)(?<m>[01]?\d)(-|/|月|)(?<d>[0-3]?\d)(?!\d)日?")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"年龄(\d{1,2})岁")]
    private static partial Regex AgeInWords();

    [GeneratedRegex(@"^/api/(?:match/)?workers/(\d+)")]
    private static partial Regex WorkerInPath();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();
}
