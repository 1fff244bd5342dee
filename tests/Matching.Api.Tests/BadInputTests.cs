using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>
/// Every bad input is refused with 400, a problem naming the field in camelCase with a Chinese message, and nothing
/// is written. Each row changes one field of an otherwise valid request.
/// </summary>
public sealed class BadInputTests(BadInputTests.Fixture api) : IClassFixture<BadInputTests.Fixture>
{

    /// <summary>resource, what is wrong, field path, new JSON value (null removes the field), expected error key.</summary>
    public static TheoryData<string, string, string, string?, string> FieldRows() => new()
    {
        // Workers (劳动者)
        { "workers", "ID check character wrong", "idNumber", S(IdNumbers.WithWrongCheck(IdNumbers.Make("520521", new DateOnly(1990, 5, 5), 101))), "idNumber" },
        { "workers", "15-digit old ID", "idNumber", S("520521900505101"), "idNumber" },
        { "workers", "letter inside the ID", "idNumber", S("52052119900505A01X"), "idNumber" },
        { "workers", "ID with 30 February", "idNumber", S(WithCheck("52052119900230101")), "idNumber" },
        { "workers", "ID area code unknown", "idNumber", S(IdNumbers.Make("529999", new DateOnly(1990, 5, 5), 101)), "idNumber" },
        { "workers", "ID born in the future", "idNumber", S(IdNumbers.Make("520521", new DateOnly(2027, 1, 1), 101)), "idNumber" },
        { "workers", "ID of an 11-year-old", "idNumber", S(IdNumbers.Make("520521", new DateOnly(2015, 1, 1), 101)), "idNumber" },
        { "workers", "ID missing", "idNumber", null, "idNumber" },
        { "workers", "gender contradicts the ID", "gender", S("female"), "gender" },
        { "workers", "birth date contradicts the ID", "birthDate", S("1970-01-01"), "birthDate" },
        { "workers", "name with a control character", "realName", S("王\u0007勇"), "realName" },
        { "workers", "name over 30 characters", "realName", "@text:31", "realName" },
        { "workers", "name with digits", "realName", S("王123"), "realName" },
        { "workers", "phone not a mobile number", "phone", S("0857-1234567"), "phone" },
        { "workers", "county code unknown", "countyCode", S("520599"), "countyCode" },
        { "workers", "county outside Guizhou", "countyCode", S(Codes.Shenzhen), "countyCode" },
        { "workers", "education unknown", "education", S("phd-candidate"), "education" },
        { "workers", "no trade", "trades", "[]", "trades" },
        { "workers", "trade id unknown", "trades[0].tradeId", S("T999"), "trades[0].tradeId" },
        { "workers", "skill level 9", "trades[0].level", "9", "trades[0].level" },
        { "workers", "skill level 0", "trades[0].level", "0", "trades[0].level" },
        { "workers", "certificate type unknown", "certificates[0].type", S("driving-licence"), "certificates[0].type" },
        { "workers", "certificate issued tomorrow", "certificates[0].issuedOn", S("2026-06-16"), "certificates[0].issuedOn" },
        { "workers", "priority group unknown", "priorityGroups[0]", S("veteran"), "priorityGroups[0]" },
        { "workers", "destination in Guizhou", "preferredDestinations[0]", S("520100"), "preferredDestinations[0]" },
        { "workers", "destination code unknown", "preferredDestinations[1]", S("339999"), "preferredDestinations[1]" },
        { "workers", "destination twice", "preferredDestinations[1]", S(Codes.Shenzhen), "preferredDestinations[1]" },
        { "workers", "wage below the floor", "expectedMonthlyWage", "999", "expectedMonthlyWage" },
        { "workers", "wage above the ceiling", "expectedMonthlyWage", "100001", "expectedMonthlyWage" },
        { "workers", "available date missing", "availableFrom", null, "availableFrom" },
        { "workers", "available date in 2030", "availableFrom", S("2030-01-01"), "availableFrom" },
        { "workers", "training type unknown", "trainingIntentions[0]", S("night-school"), "trainingIntentions[0]" },
        { "workers", "notes over 2000 characters", "notes", "@text:2001", "notes" },
        { "workers", "notes with a NUL character", "notes", S("备注\u0000"), "notes" },
        { "workers", "wage as text", "expectedMonthlyWage", S("六千"), "expectedMonthlyWage" },
        { "workers", "level as text", "trades[0].level", S("三级"), "trades[0].level" },
        { "workers", "gender not a known value", "gender", S("unknown"), "gender" },
        { "workers", "gender as a number", "gender", "1", "gender" },
        { "workers", "date in another format", "availableFrom", S("2026/07/01"), "availableFrom" },
        { "workers", "list given as a single string", "preferredDestinations", S(Codes.Shenzhen), "preferredDestinations" },
        { "workers", "unknown property", "nickname", S("小王"), "nickname" },
        { "workers", "unknown property inside a trade", "trades[0].grade", "3", "trades[0].grade" },

        // Employers (协作企业)
        { "employers", "credit code check character wrong", "creditCode", S(CreditCodes.WithWrongCheck(CreditCodes.Fresh())), "creditCode" },
        { "employers", "credit code with the letter O", "creditCode", S("91440300MA5O00001X"), "creditCode" },
        { "employers", "credit code of 17 characters", "creditCode", S("91440300MA5000001"), "creditCode" },
        { "employers", "credit code missing", "creditCode", null, "creditCode" },
        { "employers", "credit code as a number", "creditCode", "914403001234567890", "creditCode" },
        { "employers", "city code unknown", "cityCode", S("449999"), "cityCode" },
        { "employers", "city code is a province", "cityCode", S(Codes.Guangdong), "cityCode" },
        { "employers", "city code missing", "cityCode", null, "cityCode" },
        { "employers", "name over 100 characters", "name", "@text:101", "name" },
        { "employers", "name with an escape character", "name", S("鹏城\u001b电子"), "name" },
        { "employers", "industry unknown", "industries[0]", S("steel"), "industries[0]" },
        { "employers", "industries as a single string", "industries", S("equipment"), "industries" },
        { "employers", "contact phone with letters", "contactPhone", S("call me"), "contactPhone" },
        { "employers", "address over 200 characters", "address", "@text:201", "address" },
        { "employers", "unknown property", "website", S("https://example.com"), "website" },

        // Training bases (实训基地)
        { "bases", "employer missing", "employerId", null, "employerId" },
        { "bases", "employer id zero", "employerId", "0", "employerId" },
        { "bases", "employer id as text", "employerId", S("abc"), "employerId" },
        { "bases", "kind unknown", "kind", S("factory"), "kind" },
        { "bases", "city code unknown", "cityCode", S("999999"), "cityCode" },
        { "bases", "no trade", "trades", "[]", "trades" },
        { "bases", "trade unknown", "trades[0]", S("T999"), "trades[0]" },
        { "bases", "training type unknown", "trainingTypes[0]", S("evening"), "trainingTypes[0]" },
        { "bases", "name with a NUL character", "name", S("基地\u0000"), "name" },

        // Openings (岗位)
        { "openings", "wage minimum above maximum", "wageMin", "8000", "wageMax" },
        { "openings", "wage minimum below the floor", "wageMin", "999", "wageMin" },
        { "openings", "headcount zero", "headcount", "0", "headcount" },
        { "openings", "minimum level above maximum", "minLevel", "5", "maxLevel" },
        { "openings", "minimum age above maximum", "ageMin", "50", "ageMax" },
        { "openings", "minimum age 15", "ageMin", "15", "ageMin" },
        { "openings", "trade unknown", "tradeId", S("T999"), "tradeId" },
        { "openings", "training type unknown", "trainingType", S("night"), "trainingType" },
        { "openings", "status unknown", "status", S("paused"), "status" },
        { "openings", "certificate type unknown", "requiredCertificates", "[\"driving-licence\"]", "requiredCertificates[0]" },
        { "openings", "title over 100 characters", "title", "@text:101", "title" },
        { "openings", "requirements over 2000 characters", "requirements", "@text:2001", "requirements" },
        { "openings", "base missing", "baseId", null, "baseId" },
        { "openings", "accommodation as text", "accommodation", S("yes"), "accommodation" },
        { "openings", "headcount with a fraction", "headcount", "30.5", "headcount" },

        // Cohorts (培训班期)
        { "cohorts", "capacity below the minimum size", "capacity", "5", "minSize" },
        { "cohorts", "capacity zero", "capacity", "0", "capacity" },
        { "cohorts", "capacity over 1000", "capacity", "1001", "capacity" },
        { "cohorts", "end before start", "endDate", S("2026-07-01"), "endDate" },
        { "cohorts", "training over a year", "endDate", S("2027-08-01"), "endDate" },
        { "cohorts", "enrolment deadline after start", "enrolmentDeadline", S("2026-07-10"), "enrolmentDeadline" },
        { "cohorts", "start date missing", "startDate", null, "startDate" },
        { "cohorts", "start date in words", "startDate", S("下周一"), "startDate" },
        { "cohorts", "trade unknown", "trades[0]", S("T999"), "trades[0]" },
        { "cohorts", "training type unknown", "trainingType", S("weekend"), "trainingType" },
        { "cohorts", "status unknown", "status", S("running"), "status" },
        { "cohorts", "negative opening id", "linkedOpeningIds", "[-1]", "linkedOpeningIds" },
        { "cohorts", "opening id as text", "linkedOpeningIds", "[\"a\"]", "linkedOpeningIds[0]" },
        { "cohorts", "name with a bell character", "name", S("培训班\u0007"), "name" },
        { "cohorts", "capacity as text", "capacity", S("四十"), "capacity" },

        // Placements (就业安置)
        { "placements", "worker missing", "workerId", null, "workerId" },
        { "placements", "worker id as a boolean", "workerId", "true", "workerId" },
        { "placements", "start more than a year ahead", "startDate", S("2027-07-01"), "startDate" },
        { "placements", "start date missing", "startDate", null, "startDate" },
        { "placements", "wage zero", "monthlyWage", "0", "monthlyWage" },
        { "placements", "opening id zero", "openingId", "0", "openingId" },
        { "placements", "cohort id negative", "cohortId", "-1", "cohortId" },

        // Follow-ups (跟踪回访)
        { "follow-ups", "still-employed missing", "stillEmployed", null, "stillEmployed" },
        { "follow-ups", "still-employed as text", "stillEmployed", S("是"), "stillEmployed" },
        { "follow-ups", "follow-up date missing", "followedUpOn", null, "followedUpOn" },
        { "follow-ups", "wage below the floor", "monthlyWage", "999", "monthlyWage" },
        { "follow-ups", "note with a control character", "note", S("回访\u0007"), "note" },
        { "follow-ups", "note over 1000 characters", "note", "@text:1001", "note" },
    };

    [Theory]
    [MemberData(nameof(FieldRows))]
    public async Task A_bad_field_is_refused_by_name_in_Chinese_and_nothing_is_written(
        string resource, string wrong, string path, string? value, string expectedKey)
    {
        var body = api.Template(resource);
        SetPath(body, path, value);
        var before = await api.SnapshotAsync(resource);

        using var response = await api.SendAsync(resource, Http.Json(body));

        var messages = await response.ReadFieldErrorAsync(expectedKey);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(problem["errors"]!.AsObject().Count == 1,
            $"{wrong}: expected only '{expectedKey}' to be named, got {problem["errors"]!.ToJsonString()}");
        if (value is not null && value.StartsWith('"') && JsonNode.Parse(value)!.GetValue<string>() is { Length: >= 4 } typed)
        {
            // Messages never repeat what was typed: it may be personal data.
            Assert.All(messages, m => Assert.DoesNotContain(typed, m, StringComparison.Ordinal));
        }
        Assert.Equal(before, await api.SnapshotAsync(resource));
    }

    /// <summary>The same rows against replacing an existing record (PUT) of the resources that can be replaced.</summary>
    public static TheoryData<string, string, string, string?, string> ReplacementRows()
    {
        var rows = new TheoryData<string, string, string, string?, string>();
        foreach (var row in FieldRows())
        {
            var resource = (string)row[0];
            if (Fixture.Replaceable.Contains(resource))
            {
                rows.Add(resource, (string)row[1], (string)row[2], (string?)row[3], (string)row[4]);
            }
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(ReplacementRows))]
    public async Task A_bad_replacement_is_refused_by_name_and_the_record_is_unchanged(
        string resource, string wrong, string path, string? value, string expectedKey)
    {
        var body = api.Template(resource);
        SetPath(body, path, value);
        var before = await api.Reader.GetObjectAsync(api.RecordPath(resource));

        using var response = await api.Writer(resource, replacing: true).PutAsync(api.RecordPath(resource), body);

        await response.ReadFieldErrorAsync(expectedKey);
        var after = await api.Reader.GetObjectAsync(api.RecordPath(resource));
        Assert.True(JsonNode.DeepEquals(before, after), $"{wrong}: the record changed to {after.ToJsonString()}");
    }

    /// <summary>resource, what is sent as the whole body.</summary>
    public static TheoryData<string, string> BodyRows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var resource in Fixture.Resources)
        {
            rows.Add(resource, "");
            rows.Add(resource, "{");
            rows.Add(resource, "{\"name\": \"x\",}");
            rows.Add(resource, "not json at all");
            rows.Add(resource, "null");
            rows.Add(resource, "[]");
            rows.Add(resource, "\"text\"");
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(BodyRows))]
    public async Task A_body_that_is_not_a_json_object_is_refused_and_nothing_is_written(string resource, string body)
    {
        var before = await api.SnapshotAsync(resource);

        using var response = await api.SendAsync(resource, Http.Json(body));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var detail = problem["detail"]?.GetValue<string>() ?? "";
        Assert.True(Http.HasChinese(detail), $"no Chinese explanation of what is wrong: {problem.ToJsonString()}");
        Assert.Equal(before, await api.SnapshotAsync(resource));
    }

    [Theory]
    [InlineData("workers", new[] { "realName", "idNumber", "phone", "countyCode", "education", "trades", "expectedMonthlyWage", "availableFrom" })]
    [InlineData("employers", new[] { "name", "creditCode", "cityCode" })]
    [InlineData("bases", new[] { "employerId", "name", "cityCode", "trades", "trainingTypes" })]
    [InlineData("openings", new[] { "baseId", "title", "tradeId", "headcount", "wageMin", "wageMax" })]
    [InlineData("cohorts", new[] { "baseId", "name", "trainingType", "trades", "capacity", "enrolmentDeadline", "startDate", "endDate" })]
    [InlineData("placements", new[] { "workerId", "employerId", "startDate", "monthlyWage" })]
    [InlineData("follow-ups", new[] { "followedUpOn", "stillEmployed" })]
    public async Task An_empty_object_names_every_required_field_at_once(string resource, string[] required)
    {
        var before = await api.SnapshotAsync(resource);

        using var response = await api.SendAsync(resource, Http.Json("{}"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var named = problem["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        Assert.Superset(required.ToHashSet(), named);
        Assert.Equal(before, await api.SnapshotAsync(resource));
    }

    [Fact]
    public async Task Every_template_is_accepted_as_is_so_each_row_fails_only_for_its_own_change()
    {
        foreach (var resource in Fixture.Resources)
        {
            using var response = await api.SendAsync(resource, Http.Json(api.Template(resource)));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"POST {resource}: {(int)response.StatusCode} {text}");
        }
        foreach (var resource in Fixture.Replaceable)
        {
            using var response = await api.Writer(resource, replacing: true).PutAsync(api.RecordPath(resource), api.Template(resource));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"PUT {resource}: {(int)response.StatusCode} {text}");
        }
    }

    private static string S(string text) => JsonSerializer.Serialize(text);

    private static string WithCheck(string first17) => first17 + IdNumbers.CheckCharacter(first17);

    /// <summary>Sets (or with a null value removes) the field at a path like <c>trades[0].level</c>.</summary>
    private static void SetPath(JsonObject body, string path, string? value)
    {
        var node = value switch
        {
            null => null,
            _ when value.StartsWith("@text:", StringComparison.Ordinal) => JsonValue.Create(new string('工', int.Parse(value[6..], System.Globalization.CultureInfo.InvariantCulture))),
            _ => JsonNode.Parse(value),
        };
        var segments = path.Split('.');
        JsonNode parent = body;
        for (var i = 0; i < segments.Length; i++)
        {
            var (name, index) = Split(segments[i]);
            var last = i == segments.Length - 1;
            if (index is null)
            {
                if (last)
                {
                    if (value is null)
                    {
                        parent.AsObject().Remove(name);
                    }
                    else
                    {
                        parent[name] = node;
                    }
                    return;
                }
                parent = parent[name]!;
            }
            else if (last)
            {
                parent[name]![index.Value] = node;
                return;
            }
            else
            {
                parent = parent[name]![index.Value]!;
            }
        }
    }

    private static (string Name, int? Index) Split(string segment)
    {
        var open = segment.IndexOf('[', StringComparison.Ordinal);
        return open < 0
            ? (segment, null)
            : (segment[..open], int.Parse(segment[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// One service with an employer, base, opening, cohort, worker and placement to refer to. Each resource is sent by
    /// the user who would write it; what is stored is read by an admin, who sees everything.
    /// </summary>
    public sealed class Fixture : ApiFixture
    {
        public static readonly IReadOnlyList<string> Resources = ["workers", "employers", "bases", "openings", "cohorts", "placements", "follow-ups"];

        public static readonly IReadOnlyList<string> Replaceable = ["workers", "employers", "bases", "openings", "cohorts"];

        private long _employerId;
        private long _baseId;
        private long _openingId;
        private long _cohortId;
        private long _placedWorkerId;
        private long _placementId;
        private long _unplacedWorkerId;
        private HttpClient? _admin;
        private HttpClient? _countyOffice;
        private HttpClient? _enterprise;

        /// <summary>An admin, who sees every record.</summary>
        public HttpClient Reader => _admin!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            _admin = AsAdmin();
            (_employerId, _baseId, _openingId, _cohortId, _enterprise) = await Seed.EmployerChainAsync(this);
            // Bodies.Worker registers in 大方县.
            _countyOffice = AsCountyOffice(Codes.DafangCounty);
            _placedWorkerId = Http.IdOf(await Seed.WorkerAsync(this));
            _placementId = Http.IdOf(await _countyOffice.CreateAsync("/api/placements", Bodies.Placement(_placedWorkerId, _employerId)));
            _unplacedWorkerId = Http.IdOf(await Seed.WorkerAsync(this));
        }

        /// <summary>
        /// Who writes the resource: the county office its workers and placements, an admin registers employers, the
        /// enterprise keeps its own employer record, bases, openings and cohorts.
        /// </summary>
        public HttpClient Writer(string resource, bool replacing = false) => resource switch
        {
            "workers" or "placements" or "follow-ups" => _countyOffice!,
            "employers" when !replacing => _admin!,
            _ => _enterprise!,
        };

        /// <summary>A valid request for the resource (a new worker ID number and credit code each time).</summary>
        public JsonObject Template(string resource)
        {
            switch (resource)
            {
                case "workers":
                    // Gender and birth date are optional (the ID number says them); rows add them to test agreement.
                    var worker = Bodies.Worker();
                    worker.Remove("gender");
                    worker.Remove("birthDate");
                    return worker;
                case "employers": return Bodies.Employer();
                case "bases": return Bodies.TrainingBase(_employerId);
                case "openings": return Bodies.Opening(_baseId);
                case "cohorts": return Bodies.Cohort(_baseId, _openingId);
                case "placements": return Bodies.Placement(_unplacedWorkerId, _employerId);
                case "follow-ups": return Bodies.FollowUp();
                default: throw new ArgumentOutOfRangeException(nameof(resource), resource, null);
            }
        }

        /// <summary>The existing record a replacement (PUT) of the resource goes to.</summary>
        public string RecordPath(string resource) => resource switch
        {
            "workers" => $"/api/workers/{_placedWorkerId}",
            "employers" => $"/api/employers/{_employerId}",
            "bases" => $"/api/bases/{_baseId}",
            "openings" => $"/api/openings/{_openingId}",
            "cohorts" => $"/api/cohorts/{_cohortId}",
            _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, null),
        };

        /// <summary>Creates (POST) the resource, or records the placement's first follow-up, as its writer.</summary>
        public Task<HttpResponseMessage> SendAsync(string resource, HttpContent content) => resource == "follow-ups"
            ? Writer(resource).PutAsync($"/api/placements/{_placementId}/follow-ups/1", content)
            : Writer(resource).PostAsync($"/api/{resource}", content);

        /// <summary>What can be seen of the stored state: the list total, or the placement followed up.</summary>
        public async Task<string> SnapshotAsync(string resource) => resource == "follow-ups"
            ? (await Reader.GetObjectAsync($"/api/placements/{_placementId}")).ToJsonString()
            : (await Reader.TotalAsync($"/api/{resource}")).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
