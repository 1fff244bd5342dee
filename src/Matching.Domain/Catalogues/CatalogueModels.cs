namespace Matching.Domain.Catalogues;

/// <summary>Administrative division (行政区划) with its 6-digit statistical code.</summary>
public sealed record Division(string Code, string Name, DivisionLevel Level, string? ParentCode);

public enum DivisionLevel { Province, Prefecture, County }

/// <summary>A retired division code still printed on older ID cards (e.g. 5224xx of the former 毕节地区).</summary>
public sealed record HistoricDivision(string OldCode, string OldName, string CurrentCode);

/// <summary>Key industry (重点产业) named by the provincial policy.</summary>
public sealed record Industry(string Id, string Name);

/// <summary>Trade family (工种大类).</summary>
public sealed record TradeFamily(string Id, string Name);

/// <summary>Trade or occupation (工种/职业) with a stable id.</summary>
public sealed record Trade(
    string Id,
    string Name,
    string FamilyId,
    IReadOnlyList<string> Brands,
    IReadOnlyList<string> Industries,
    bool SpecialOperation,
    string? OccupationCode,
    string Pinyin,
    IReadOnlyList<string> Related,
    string? Notes);

public enum SynonymKind { Colloquial, Traditional, Miswriting }

/// <summary>A word people type for a trade (俗称, 繁体, 常见错写) mapped to the trade concept.</summary>
public sealed record TradeSynonym(string Term, string TradeId, SynonymKind Kind);

/// <summary>
/// What a row of <c>trade-phrases.csv</c> describes: <see cref="Activity"/> and <see cref="Workplace"/> pair a word with
/// an object near it (开 … 货车, 饭店 … 后厨), or stand alone when there are no objects; <see cref="Word"/> is an everyday or
/// regional word too loose for the synonym list; <see cref="Verb"/>, <see cref="Place"/> and <see cref="Agent"/> combine
/// with the stem of any catalogue word that ends in one of the row's endings (货车|司机 → 开货车, 电子|装配工 → 电子厂,
/// 油漆|工 → 油漆匠); <see cref="Alone"/> is such a stem typed on its own, the ending left off (钢筋|工 → 钢筋, 叉车|司机 → 叉车).
/// </summary>
public enum PhraseKind { Activity, Workplace, Word, Verb, Place, Agent, Alone }

/// <summary>
/// A text-to-concept pattern (活动/场所说法): <see cref="Words"/> near one of <see cref="Objects"/> (either order, a few
/// characters apart) means one of <see cref="TradeIds"/>; for the stem kinds, <see cref="Objects"/> are the endings a
/// catalogue word must have for its stem to combine ("*" for any ending), and the trades come from that word.
/// </summary>
public sealed record TradePhraseRule(PhraseKind Kind, IReadOnlyList<string> Words, IReadOnlyList<string> Objects, IReadOnlyList<string> TradeIds);

/// <summary>Skill level on the 新八级工 ladder; 高级工 and above count as high-skilled talent (高技能人才).</summary>
public sealed record SkillLevel(int Level, string Name, bool HighSkilled);

/// <summary>Certificate type (证书类型).</summary>
public sealed record CertificateType(string Id, string Name, string Description);

/// <summary>Priority group (重点群体).</summary>
public sealed record PriorityGroup(string Id, string Name, string Description);

/// <summary>Training type (培训类型): 岗前, 转岗, 在岗提升, 新型学徒制.</summary>
public sealed record TrainingType(string Id, string Name, string Description);

public sealed record EducationLevel(string Id, string Name);

/// <summary>The four brand programmes (品牌工程) of the provincial policy.</summary>
public static class BrandProgrammes
{
    public static readonly IReadOnlyList<string> All = ["贵州技工", "黔菜师傅", "黔灵家政", "黔旅工匠"];
}
