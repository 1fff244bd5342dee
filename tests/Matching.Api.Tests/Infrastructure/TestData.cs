using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Matching.Api.Tests.Infrastructure;

/// <summary>
/// Resident ID numbers (居民身份证号码) built by the rule of GB 11643-1999 (MOD 11-2), written here from the standard
/// rather than borrowed from the product, so a wrong check in the product cannot agree with a wrong test.
/// </summary>
public static class IdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private static int _next;

    public static char CheckCharacter(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return "10X98765432"[sum % 11];
    }

    public static string Make(string areaCode, DateOnly birthDate, int sequence)
    {
        var first17 = areaCode + birthDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("D3", CultureInfo.InvariantCulture);
        return first17 + CheckCharacter(first17);
    }

    /// <summary>A number not used before in this test run: born 1986 onwards, odd sequence (male) or even (female).</summary>
    public static string Fresh(bool male = true, string areaCode = "520521")
    {
        var n = Interlocked.Increment(ref _next);
        return Make(areaCode, new DateOnly(1986, 1, 1).AddDays(n), male ? 101 : 102);
    }

    /// <summary>The first birth date from 1990 on that gives this area and sequence the wanted check character.</summary>
    public static string EndingWith(string areaCode, int sequence, char check)
    {
        for (var birth = new DateOnly(1990, 1, 1); ; birth = birth.AddDays(1))
        {
            var id = Make(areaCode, birth, sequence);
            if (id[17] == check)
            {
                return id;
            }
        }
    }

    /// <summary>The same number with a different, therefore wrong, check character.</summary>
    public static string WithWrongCheck(string id) => id[..17] + (id[17] == '1' ? '2' : '1');

    public static DateOnly BirthDateOf(string id) => DateOnly.ParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture);
}

/// <summary>Unified social credit codes (统一社会信用代码) by GB 32100-2015: MOD 31 over 0–9 and A–Z without I O Z S V.</summary>
public static class CreditCodes
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static int _next;

    public static char CheckCharacter(string first17)
    {
        var sum = 0;
        var weight = 1;
        for (var i = 0; i < 17; i++)
        {
            sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * weight;
            weight = weight * 3 % 31;
        }
        return Alphabet[(31 - sum % 31) % 31];
    }

    /// <summary>A company (91) registered in Shenzhen (440300), not used before in this test run.</summary>
    public static string Fresh()
    {
        var first17 = "91440300MA5" + Interlocked.Increment(ref _next).ToString("D6", CultureInfo.InvariantCulture);
        return first17 + CheckCharacter(first17);
    }

    public static string WithWrongCheck(string code) => code[..17] + (code[17] == '1' ? '2' : '1');
}

/// <summary>
/// Catalogue codes the tests use, from the shipped catalogues (seeds/catalogues) and the national division codes.
/// </summary>
public static class Codes
{
    public const string DafangCounty = "520521";      // 大方县, 毕节市
    public const string WeiningCounty = "520526";     // 威宁彝族回族苗族自治县, 毕节市
    public const string BijiePrefecture = "520500";   // 毕节市
    public const string Shenzhen = "440300";          // 深圳市, 广东省
    public const string Guangdong = "440000";
    public const string Zhejiang = "330000";
    public const string Ningbo = "330200";            // 宁波市, 浙江省

    public const string GeneralWorker = "T001";       // 普工
    public const string Welder = "T029";              // 焊工 (特种作业)
    public const string Electrician = "T035";         // 电工 (特种作业)
    public const string ChineseCook = "T071";         // 中式烹调师
    public const string ForkliftDriver = "T121";      // 叉车司机
}

/// <summary>Valid request bodies; each test changes what it needs.</summary>
public static class Bodies
{
    public static JsonObject Worker(string? idNumber = null, string countyCode = Codes.DafangCounty, string tradeId = Codes.Welder,
        string priorityGroup = "poverty-lifted")
    {
        idNumber ??= IdNumbers.Fresh();
        var male = (idNumber[16] - '0') % 2 == 1;
        return new JsonObject
        {
            ["realName"] = "王小勇",
            ["idNumber"] = idNumber,
            ["gender"] = male ? "male" : "female",
            ["birthDate"] = IdNumbers.BirthDateOf(idNumber).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["phone"] = "13985261234",
            ["countyCode"] = countyCode,
            ["education"] = "junior",
            ["trades"] = new JsonArray(new JsonObject { ["tradeId"] = tradeId, ["level"] = 3 }),
            ["certificates"] = new JsonArray(new JsonObject
            {
                ["type"] = "skill-level",
                ["tradeId"] = tradeId,
                ["level"] = 3,
                ["issuedOn"] = "2024-03-01",
                ["expiresOn"] = null,
            }),
            ["priorityGroups"] = new JsonArray(priorityGroup),
            ["preferredDestinations"] = new JsonArray(Codes.Shenzhen, Codes.Zhejiang),
            ["expectedMonthlyWage"] = 6500,
            ["availableFrom"] = "2026-07-01",
            ["trainingIntentions"] = new JsonArray("pre-job"),
            ["notes"] = "愿意去广东，\n希望包吃住",
        };
    }

    public static JsonObject Employer(string? creditCode = null) => new()
    {
        ["name"] = "深圳市鹏城电子科技有限公司",
        ["creditCode"] = creditCode ?? CreditCodes.Fresh(),
        ["cityCode"] = Codes.Shenzhen,
        ["industries"] = new JsonArray("equipment", "digital"),
        ["contactName"] = "李经理",
        ["contactPhone"] = "0755-26881234",
        ["address"] = "深圳市宝安区福永街道工业园8号",
    };

    public static JsonObject TrainingBase(long employerId) => new()
    {
        ["employerId"] = employerId,
        ["name"] = "鹏城电子深圳实训基地",
        ["kind"] = "enterprise",
        ["cityCode"] = Codes.Shenzhen,
        ["address"] = "深圳市宝安区福永街道工业园8号",
        ["trades"] = new JsonArray(Codes.GeneralWorker, Codes.Welder),
        ["trainingTypes"] = new JsonArray("pre-job", "on-the-job"),
    };

    public static JsonObject Opening(long baseId) => new()
    {
        ["baseId"] = baseId,
        ["title"] = "电子装配普工",
        ["tradeId"] = Codes.GeneralWorker,
        ["minLevel"] = 1,
        ["maxLevel"] = 4,
        ["headcount"] = 30,
        ["wageMin"] = 5500,
        ["wageMax"] = 7500,
        ["accommodation"] = true,
        ["meals"] = true,
        ["requiredCertificates"] = new JsonArray(),
        ["ageMin"] = 18,
        ["ageMax"] = 45,
        ["trainingType"] = "pre-job",
        ["requirements"] = "能适应两班倒",
        ["status"] = "open",
    };

    public static JsonObject Cohort(long baseId, params long[] openingIds) => new()
    {
        ["baseId"] = baseId,
        ["name"] = "2026年7月普工岗前培训班",
        ["trainingType"] = "pre-job",
        ["trades"] = new JsonArray(Codes.GeneralWorker),
        ["capacity"] = 40,
        ["minSize"] = 10,
        ["enrolmentDeadline"] = "2026-06-30",
        ["startDate"] = "2026-07-06",
        ["endDate"] = "2026-07-17",
        ["linkedOpeningIds"] = new JsonArray(openingIds.Select(id => (JsonNode)id).ToArray()),
        ["status"] = "planned",
    };

    public static JsonObject Placement(long workerId, long employerId, long? openingId = null, long? cohortId = null) => new()
    {
        ["workerId"] = workerId,
        ["employerId"] = employerId,
        ["openingId"] = openingId,
        ["cohortId"] = cohortId,
        ["startDate"] = "2026-01-10",
        ["monthlyWage"] = 6200,
    };

    public static JsonObject FollowUp(string followedUpOn = "2026-02-12", bool stillEmployed = true) => new()
    {
        ["followedUpOn"] = followedUpOn,
        ["stillEmployed"] = stillEmployed,
        ["monthlyWage"] = 6400,
        ["note"] = "适应良好",
    };

    /// <summary>A deep copy, so a shared template is never changed by a test.</summary>
    public static JsonObject Copy(this JsonObject body) => JsonNode.Parse(body.ToJsonString())!.AsObject();
}

/// <summary>
/// Creates the records a test needs through the API itself, as the user who would: an admin registers an employer,
/// that employer's enterprise its base, openings and cohorts, a county office its workers. Asserts each is created.
/// </summary>
public static class Seed
{
    /// <summary>An employer registered by an admin, and a client acting as its enterprise.</summary>
    public sealed record Enterprise(long EmployerId, HttpClient Client);

    /// <summary>An employer with a base, an opening there and a cohort linked to it, all posted by its enterprise.</summary>
    public sealed record EmployerChain(long EmployerId, long BaseId, long OpeningId, long CohortId, HttpClient Enterprise);

    public static async Task<JsonObject> CreateAsync(this HttpClient client, string path, JsonObject body)
    {
        using var response = await client.PostAsync(path, body);
        return await response.ReadObjectAsync(HttpStatusCode.Created);
    }

    /// <summary>A worker registered by the county office of the worker's county (大方县 unless the body says otherwise).</summary>
    public static Task<JsonObject> WorkerAsync(ApiFixture api, JsonObject? body = null)
    {
        body ??= Bodies.Worker();
        return api.AsCountyOffice(body["countyCode"]!.GetValue<string>()).CreateAsync("/api/workers", body);
    }

    public static Task<JsonObject> EmployerAsync(ApiFixture api) => api.AsAdmin().CreateAsync("/api/employers", Bodies.Employer());

    public static async Task<Enterprise> EnterpriseAsync(ApiFixture api)
    {
        var employerId = Http.IdOf(await EmployerAsync(api));
        return new Enterprise(employerId, api.AsEnterprise(employerId));
    }

    public static Task<JsonObject> TrainingBaseAsync(this Enterprise enterprise) =>
        enterprise.Client.CreateAsync("/api/bases", Bodies.TrainingBase(enterprise.EmployerId));

    public static Task<JsonObject> OpeningAsync(HttpClient enterprise, long baseId) => enterprise.CreateAsync("/api/openings", Bodies.Opening(baseId));

    public static Task<JsonObject> CohortAsync(HttpClient enterprise, long baseId, params long[] openingIds) =>
        enterprise.CreateAsync("/api/cohorts", Bodies.Cohort(baseId, openingIds));

    public static async Task<EmployerChain> EmployerChainAsync(ApiFixture api)
    {
        var enterprise = await EnterpriseAsync(api);
        var baseId = Http.IdOf(await enterprise.TrainingBaseAsync());
        var openingId = Http.IdOf(await OpeningAsync(enterprise.Client, baseId));
        var cohortId = Http.IdOf(await CohortAsync(enterprise.Client, baseId, openingId));
        return new EmployerChain(enterprise.EmployerId, baseId, openingId, cohortId, enterprise.Client);
    }
}
