using System.Globalization;
using Matching.Domain.Bases;
using Matching.Domain.Catalogues;
using Matching.Domain.Cohorts;
using Matching.Domain.Employers;
using Matching.Domain.Identity;
using Matching.Domain.Openings;
using Matching.Domain.Workers;

namespace Matching.Data.Demo;

/// <summary>An employer of the demo set with its bases, each base with its openings and cohorts.</summary>
public sealed record DemoEmployer(EmployerDraft Employer, IReadOnlyList<DemoBase> Bases);

/// <summary>Openings and cohorts reference their base through the draft's BaseId = 0 placeholder; the seeder fills it.</summary>
public sealed record DemoBase(TrainingBaseDraft Base, IReadOnlyList<OpeningDraft> Openings, IReadOnlyList<DemoCohort> Cohorts);

/// <summary>A cohort and the indexes (in the base's opening list) of the openings it trains for.</summary>
public sealed record DemoCohort(CohortDraft Cohort, IReadOnlyList<int> OpeningIndexes);

/// <summary>
/// Deterministic demo data (fixed seed): workers over all 88 Guizhou counties with plausible ages, genders, trades,
/// levels, priority groups, destination preferences and wages; partner employers with valid credit codes and
/// training bases in real cities of the four partner provinces, with openings and cohorts. The same seed and sizes
/// give the same data on every machine.
/// </summary>
public sealed class DemoData(Catalogue catalogue, DateOnly today, int seed = DemoData.DefaultSeed)
{
    public const int DefaultSeed = 20_261_130;

    private static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高", "林",
        "龙", "石", "潘", "韦", "田", "陆", "安", "蒙", "姚", "冉", "谢", "宋", "邓", "彭", "曾", "肖", "袁", "付", "任", "熊",
    ];
    private static readonly string[] MaleGiven = ["伟", "强", "军", "勇", "磊", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "斌", "波", "林", "杰", "兴", "贵", "富", "成", "龙", "江", "海", "发", "国", "金", "文", "云"];
    private static readonly string[] FemaleGiven = ["芳", "娟", "敏", "静", "丽", "艳", "燕", "霞", "玲", "梅", "琴", "英", "红", "兰", "萍", "娜", "秀", "慧", "莉", "珍", "婷", "雪", "琳", "花", "春", "仙", "凤", "月", "妹", "菊"];

    /// <summary>Trade families and how often workers registered by county offices have them (by gender).</summary>
    private static readonly (string Family, double Male, double Female)[] FamilyWeights =
    [
        ("general", 16, 16), ("assembly", 10, 14), ("machining", 7, 1.5), ("welding", 6, 0.5), ("electrical", 6, 0.5),
        ("maintenance", 4, 0.5), ("construction", 14, 2), ("catering", 7, 10), ("domestic", 1, 10), ("care", 1, 9),
        ("tourism", 2, 5), ("crafts", 0.5, 3), ("textile", 1.5, 8), ("logistics", 12, 3), ("digital", 3, 4),
        ("food-processing", 3, 4), ("tcm", 1, 2), ("chemical", 3, 1), ("mining-energy", 2, 0.2), ("services", 2, 6),
    ];

    /// <summary>Employer profiles: what kind of partner enterprise, which trade families it trains for.</summary>
    private static readonly (string Word, string[] Families, string[] Industries, double Weight)[] EmployerProfiles =
    [
        ("电子科技", ["assembly", "general", "digital"], ["digital", "equipment"], 22),
        ("服饰", ["textile", "general"], [], 8),
        ("建设工程", ["construction", "electrical", "welding"], ["materials"], 10),
        ("餐饮管理", ["catering", "services"], ["food"], 9),
        ("家政服务", ["domestic", "care"], ["eldercare"], 9),
        ("物流", ["logistics", "general"], ["logistics"], 9),
        ("新能源科技", ["assembly", "chemical", "electrical"], ["batteries"], 8),
        ("精密机械", ["machining", "welding", "maintenance"], ["equipment"], 9),
        ("酒店管理", ["tourism", "catering", "services"], [], 5),
        ("食品", ["food-processing", "general"], ["food"], 5),
        ("医药", ["tcm", "general"], ["tcm"], 3),
        ("化工", ["chemical", "general"], ["chemicals"], 3),
    ];

    private static readonly string[] BrandWords = ["华", "创", "鑫", "盛", "达", "源", "泰", "恒", "信", "宏", "联", "嘉", "海", "明", "德", "利", "昌", "通", "新", "兴"];

    private static readonly (string Province, double Weight)[] ProvinceWeights =
        [("440000", 45), ("330000", 28), ("350000", 14), ("320000", 13)];

    private readonly IReadOnlyList<Division> _counties = catalogue.GuizhouCounties;

    private IReadOnlyList<Trade> TradesOf(string family) => catalogue.Trades.Where(t => t.FamilyId == family).ToList();

    private IReadOnlyList<Division> CitiesOf(string province) =>
        catalogue.Divisions.Where(d => d.Level == DivisionLevel.Prefecture && d.ParentCode == province).ToList();

    /// <summary>Employers with bases, openings and cohorts; roughly one employer per 200 workers, at least 30.</summary>
    public IReadOnlyList<DemoEmployer> Employers(int count)
    {
        var random = new Random(seed);
        var result = new List<DemoEmployer>(count);
        var usedCodes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var profile = Pick(random, EmployerProfiles, p => p.Weight);
            var province = Pick(random, ProvinceWeights, p => p.Weight).Province;
            var cities = CitiesOf(province);
            var city = cities[random.Next(cities.Count)];
            var cityShort = city.Name.TrimEnd('市');
            var name = $"{cityShort}{BrandWords[random.Next(BrandWords.Length)]}{BrandWords[random.Next(BrandWords.Length)]}{profile.Word}有限公司";
            string code;
            do
            {
                code = CreditCode.Compose("91" + city.Code + RandomChars(random, 9));
            }
            while (!usedCodes.Add(code));
            var employer = new EmployerDraft(name, code, city.Code, province, profile.Industries,
                $"{Surnames[random.Next(Surnames.Length)]}经理", $"0{random.Next(200, 999)}-{random.Next(2000_0000, 8999_9999)}",
                $"{city.Name}{BrandWords[random.Next(BrandWords.Length)]}{BrandWords[random.Next(BrandWords.Length)]}工业园{random.Next(1, 40)}号");

            var bases = new List<DemoBase>();
            var baseCount = random.NextDouble() < 0.3 ? 2 : 1;
            for (var b = 0; b < baseCount; b++)
            {
                var trades = profile.Families.SelectMany(TradesOf).OrderBy(_ => random.Next()).Take(random.Next(3, 7)).Select(t => t.Id).ToList();
                var baseCity = b == 0 ? city : cities[random.Next(cities.Count)];
                var trainingBase = new TrainingBaseDraft(0, $"{name.Replace("有限公司", "", StringComparison.Ordinal)}东西部协作实训基地{(b == 0 ? "" : "（二）")}",
                    "enterprise", baseCity.Code, province, $"{baseCity.Name}职教园{random.Next(1, 30)}号", trades,
                    ["pre-job", "job-transfer", "on-the-job"]);
                var openings = new List<OpeningDraft>();
                foreach (var tradeId in trades.Take(random.Next(2, Math.Min(5, trades.Count) + 1)))
                {
                    openings.Add(Opening(random, tradeId));
                }
                var cohorts = new List<DemoCohort>();
                for (var c = 0; c < random.Next(1, 4); c++)
                {
                    var openingIndex = random.Next(openings.Count);
                    cohorts.Add(new DemoCohort(Cohort(random, openings[openingIndex].TradeId, c), [openingIndex]));
                }
                bases.Add(new DemoBase(trainingBase, openings, cohorts));
            }
            result.Add(new DemoEmployer(employer, bases));
        }
        return result;
    }

    private OpeningDraft Opening(Random random, string tradeId)
    {
        var trade = catalogue.TradesById[tradeId];
        var minLevel = random.NextDouble() < 0.6 ? 1 : random.Next(2, 4);
        var baseWage = 4200 + (minLevel - 1) * 700 + random.Next(0, 12) * 100;
        var certificates = trade.SpecialOperation ? new List<string> { "special-operation" } : [];
        return new OpeningDraft(0, $"{trade.Name}（{(minLevel == 1 ? "可培训上岗" : catalogue.SkillLevelsByLevel[minLevel].Name + "及以上")}）",
            tradeId, minLevel, 8, random.Next(1, 17) * 5, baseWage, baseWage + random.Next(10, 31) * 100,
            random.NextDouble() < 0.8, random.NextDouble() < 0.6, certificates, 18, random.NextDouble() < 0.5 ? 45 : 55,
            "pre-job", "吃苦耐劳，服从安排；包吃住者优先安排脱贫劳动力", "open");
    }

    private CohortDraft Cohort(Random random, string tradeId, int index)
    {
        var start = today.AddDays(14 + random.Next(0, 100));
        var capacity = random.Next(2, 7) * 10;
        var trade = catalogue.TradesById[tradeId];
        var status = start <= today.AddDays(45) ? CohortStatus.Open : CohortStatus.Planned;
        return new CohortDraft(0, $"{trade.Name}岗前培训{start:yyyy年M月}{(index > 0 ? $"第{index + 1}期" : "")}", "pre-job", [tradeId],
            capacity, Math.Max(5, capacity / 3), start.AddDays(-7), start, start.AddDays(random.Next(7, 31)), [], status);
    }

    /// <summary>Workers, generated lazily so a million never sit in memory at once.</summary>
    public IEnumerable<WorkerDraft> Workers(int count)
    {
        var random = new Random(seed + 1);
        var usedIds = new HashSet<long>();
        var counties = new WeightedChoice<Division>(_counties.Select(c => (c, 0.5 + random.NextDouble())));
        var maleFamilies = new WeightedChoice<IReadOnlyList<Trade>>(FamilyWeights.Select(f => (TradesOf(f.Family), f.Male)).Where(f => f.Item1.Count > 0));
        var femaleFamilies = new WeightedChoice<IReadOnlyList<Trade>>(FamilyWeights.Select(f => (TradesOf(f.Family), f.Female)).Where(f => f.Item1.Count > 0));
        var provinces = new WeightedChoice<string>(ProvinceWeights.Select(p => (p.Province, p.Weight)));
        var educations = new WeightedChoice<string>(Education);
        var destinationCities = ProvinceWeights.ToDictionary(p => p.Province, p => CitiesOf(p.Province));
        // The survey fields draw from their own stream, so the rest of the world (and the history learnt from it) stays as it was.
        var survey = new Random(seed + 3);

        for (var i = 0; i < count; i++)
        {
            var county = counties.Next(random);
            var gender = random.NextDouble() < 0.58 ? Gender.Male : Gender.Female;
            var age = Age(random);
            var birth = today.AddYears(-age).AddDays(-random.Next(0, 365));
            string idNumber;
            while (true)
            {
                var sequence = random.Next(0, 500) * 2 + (gender == Gender.Male ? 1 : 0);
                idNumber = ResidentIdNumber.Compose(county.Code, birth, sequence);
                if (usedIds.Add(long.Parse(idNumber.AsSpan(0, 17), CultureInfo.InvariantCulture)))
                {
                    break;
                }
            }
            var givenPool = gender == Gender.Male ? MaleGiven : FemaleGiven;
            var name = Surnames[random.Next(Surnames.Length)] + givenPool[random.Next(givenPool.Length)]
                + (random.NextDouble() < 0.7 ? givenPool[random.Next(givenPool.Length)] : "");
            var phone = string.Create(CultureInfo.InvariantCulture, $"1{"35789"[random.Next(5)]}{random.Next(0, 1_0000_0000_0):D9}");

            var education = educations.Next(random);
            if (age <= 24 && random.NextDouble() < 0.25)
            {
                education = random.NextDouble() < 0.7 ? "college" : "bachelor";
            }

            var families = gender == Gender.Male ? maleFamilies : femaleFamilies;
            var trades = new List<WorkerTrade>();
            var tradeCount = random.NextDouble() < 0.3 ? 2 : 1;
            while (trades.Count < tradeCount)
            {
                var family = families.Next(random);
                var trade = family[random.Next(family.Count)];
                if (trades.Count == 0 || trades[0].TradeId != trade.Id)
                {
                    trades.Add(new WorkerTrade(trade.Id, Level(random, age)));
                }
            }

            var certificates = new List<WorkerCertificate>();
            foreach (var t in trades)
            {
                if (catalogue.TradesById[t.TradeId].SpecialOperation && random.NextDouble() < 0.55)
                {
                    var issued = today.AddDays(-random.Next(30, 2000));
                    certificates.Add(new WorkerCertificate("special-operation", t.TradeId, null, issued, issued.AddYears(6)));
                }
                if (t.Level >= 2 && random.NextDouble() < 0.5)
                {
                    certificates.Add(new WorkerCertificate("skill-level", t.TradeId, t.Level, today.AddDays(-random.Next(30, 3000)), null));
                }
            }

            var groups = new List<string>();
            var povertyLifted = random.NextDouble() < 0.32;
            if (povertyLifted) groups.Add("poverty-lifted");
            if (povertyLifted && random.NextDouble() < 0.14) groups.Add("monitored");
            if (random.NextDouble() < 0.10) groups.Add("relocated");
            if (random.NextDouble() < 0.03) groups.Add("hard-to-employ");
            if (gender == Gender.Female && random.NextDouble() < 0.45) groups.Add("rural-woman");
            if (age <= 24 && education is "college" or "bachelor") groups.Add("graduate");

            var destinations = new List<string>(3);
            for (var d = random.Next(1, 4); d > 0; d--)
            {
                var province = provinces.Next(random);
                var code = random.NextDouble() < 0.4
                    ? destinationCities[province][random.Next(destinationCities[province].Count)].Code
                    : province;
                if (!destinations.Contains(code)) destinations.Add(code);
            }

            var topLevel = Math.Max(trades[0].Level, trades[^1].Level);
            var wage = (int)Math.Round((3600 + topLevel * 550 + (gender == Gender.Male ? 300 : 0) + random.Next(-6, 12) * 100) / 100.0) * 100;
            var intentions = new List<string>();
            if (random.NextDouble() < 0.7) intentions.Add("pre-job");
            if (random.NextDouble() < 0.15) intentions.Add("job-transfer");
            if (random.NextDouble() < 0.10) intentions.Add("on-the-job");
            if (age <= 30 && random.NextDouble() < 0.15) intentions.Add("apprenticeship");

            yield return new WorkerDraft(name, idNumber, gender, birth, phone, county.Code, county.ParentCode!, education, trades,
                certificates, groups, destinations, wage, today.AddDays(random.Next(-30, 121)), intentions,
                random.NextDouble() < 0.2 ? Notes[random.Next(Notes.Length)] : null,
                HouseholdNumber(county.Code, survey), HouseholdTypeOf(groups), EmploymentStatusOf(survey));
        }
    }

    /// <summary>户编号 as survey sheets carry it: the county code, township, village and household (16 digits).</summary>
    private static string HouseholdNumber(string countyCode, Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"{countyCode}{random.Next(1, 30):D3}{random.Next(1, 40):D3}{random.Next(1, 1000):D4}");

    /// <summary>The household type the worker's priority groups imply (monitored before poverty-lifted before relocated).</summary>
    private static string HouseholdTypeOf(IReadOnlyCollection<string> groups) =>
        groups.Contains(HouseholdTypes.Monitored) ? HouseholdTypes.Monitored
        : groups.Contains(HouseholdTypes.PovertyLifted) ? HouseholdTypes.PovertyLifted
        : groups.Contains(HouseholdTypes.Relocated) ? HouseholdTypes.Relocated
        : HouseholdTypes.Ordinary;

    /// <summary>Registrants mostly look for work; some already work near home or away and want better.</summary>
    private static string EmploymentStatusOf(Random random) => random.NextDouble() switch
    {
        < 0.62 => EmploymentStatuses.Unemployed,
        < 0.82 => EmploymentStatuses.EmployedInProvince,
        _ => EmploymentStatuses.EmployedOutside,
    };

    private static readonly (string Id, double Weight)[] Education =
        [("none", 2), ("primary", 15), ("junior", 45), ("senior", 15), ("vocational", 12), ("college", 8), ("bachelor", 3)];

    private static readonly string[] Notes =
    [
        "希望与同村老乡一起外出务工", "家中有老人需照顾，希望春节能回家", "有驾照C1", "之前在东莞电子厂做过两年",
        "希望包吃包住", "想学一门技术", "愿意服从调剂", "曾在浙江做过建筑工地小工", "普通话交流没问题", "希望夫妻同厂",
    ];

    /// <summary>Working ages, most between 25 and 45.</summary>
    private static int Age(Random random)
    {
        var u = random.NextDouble() + random.NextDouble() + random.NextDouble();
        return Math.Clamp((int)(18 + u / 3 * 40), 18, 58);
    }

    /// <summary>新八级工 levels: most rural workers are apprentices or junior; older workers somewhat higher.</summary>
    private static int Level(Random random, int age)
    {
        var r = random.NextDouble() + (age > 35 ? 0.08 : 0);
        return r switch
        {
            < 0.30 => 1,
            < 0.65 => 2,
            < 0.87 => 3,
            < 0.96 => 4,
            < 0.99 => 5,
            _ => 6,
        };
    }

    private static string RandomChars(Random random, int length)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[r.Next(alphabet.Length)];
        });
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = items.Sum(weight);
        var x = random.NextDouble() * total;
        foreach (var item in items)
        {
            x -= weight(item);
            if (x < 0) return item;
        }
        return items[^1];
    }

    /// <summary>Draws items by weight in O(log n): cumulative weights and a binary search.</summary>
    private sealed class WeightedChoice<T>
    {
        private readonly T[] _items;
        private readonly double[] _cumulative;

        public WeightedChoice(IEnumerable<(T Item, double Weight)> items)
        {
            var list = items.ToList();
            _items = list.Select(i => i.Item).ToArray();
            _cumulative = new double[list.Count];
            var sum = 0.0;
            for (var i = 0; i < list.Count; i++)
            {
                sum += list[i].Weight;
                _cumulative[i] = sum;
            }
        }

        public T Next(Random random)
        {
            var x = random.NextDouble() * _cumulative[^1];
            var index = Array.BinarySearch(_cumulative, x);
            return _items[Math.Min(index < 0 ? ~index : index + 1, _items.Length - 1)];
        }
    }
}
