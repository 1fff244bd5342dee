using System.Collections.Frozen;
using System.Text;

namespace Matching.Search.Analysis;

/// <summary>
/// Normalises Chinese text before segmentation, the same way for documents and queries: full-width to half-width,
/// traditional to simplified (a compact table of common characters plus pairs learnt from the catalogue's traditional
/// synonyms), Latin letters to lower case, control characters to spaces.
/// </summary>
public sealed class ChineseText
{
    // Common traditional characters of job adverts, trades, places and everyday words, with their simplified form.
    private const string CommonPairs =
        "電电業业務务員员師师廠厂裝装機机維维護护養养廚厨飯饭館馆間间車车駕驾駛驶運运輸输貨货倉仓庫库設设備备" +
        "嬰婴織织紡纺縫缝紉纫製制鋼钢鐵铁鋁铝銅铜錫锡銲焊鉗钳鍛锻鑄铸鑽钻銑铣磨磨噴喷塗涂漆漆築筑鋪铺磚砖瓦瓦" +
        "塊块層层樓楼門门窗窗燈灯線线纜缆網网絡络資资訊讯碼码腦脑軟软體体學学習习練练培培訓训課课證证書书級级" +
        "技技藝艺術术專专項项營营銷销售售賣卖買买價价錢钱薪薪資资費费補补貼贴險险醫医藥药療疗診诊師师護护" +
        "長长張张陳陈劉刘楊杨黃黄趙赵吳吴週周孫孙馬马朱朱胡胡郭郭何何羅罗高高林林龍龙鄭郑謝谢韋韦陸陆蘇苏" +
        "東东廣广興兴貴贵陽阳畢毕節节遵遵義义銅铜仁仁凱凯裡里黔黔閩闽浙浙蘇苏灣湾區区縣县鄉乡鎮镇村村組组" +
        "個个們们來来這这說说話话時时會会對对發发為为與与開开關关從从還还進进過过動动產产實实現现點点" +
        "應应當当樣样經经濟济據据問问題题種种麼么頭头臉脸腳脚髮发鬍胡飛飞雞鸡鴨鸭魚鱼鳥鸟蟲虫豬猪牛牛羊羊" +
        "湯汤麵面餅饼餃饺饅馒頭头菜菜燒烧烤烤炒炒煮煮蒸蒸滷卤醬酱鹽盐糧粮穀谷釀酿酒酒廠厂場场園园農农" +
        "環环境境衛卫潔洁掃扫擦擦洗洗熨熨燙烫髮发剪剪美美容容甲甲按按摩摩導导遊游旅旅飯饭店店賓宾民民宿宿" +
        "爾尔無无雙双單单齊齐蓋盖壓压積积檢检驗验測测試试標标準准質质量量計计劃划調调導导處处理理辦办" +
        "變变壞坏舊旧新新號号碼码數数據据庫库統统億亿萬万歲岁齡龄兒儿婦妇幫帮傭佣勞劳僱雇擇择選选優优" +
        "寫写讀读聽听視视認认識识記记憶忆氣气溫温熱热涼凉冷冷燃燃爐炉鍋锅碗碗盤盘筷筷杯杯瓶瓶罐罐箱箱" +
        "搬搬擔担擋挡攤摊撥拨擁拥據据揀拣撿捡揚扬換换損损搶抢掛挂摺折疊叠輕轻鬆松緊紧綁绑繩绳纖纤維维" +
        "錯错鏈链鎖锁鑰钥匙匙針针釘钉鋸锯錘锤鏟铲鍵键盤盘螢荧幕幕顯显訂订單单預预約约準准確确總总" +
        "鐘钟錶表辭辞職职聘聘崗岗位位員员工工領领導导監监督督殘残疾疾貧贫脫脱遷迁搬搬婦妇畢毕";

    private readonly FrozenDictionary<char, char> _toSimplified;

    public ChineseText(IEnumerable<KeyValuePair<char, char>> learntPairs)
    {
        var map = new Dictionary<char, char>();
        for (var i = 0; i + 1 < CommonPairs.Length; i += 2)
        {
            if (CommonPairs[i] != CommonPairs[i + 1])
            {
                map.TryAdd(CommonPairs[i], CommonPairs[i + 1]);
            }
        }
        foreach (var (traditional, simplified) in learntPairs)
        {
            map.TryAdd(traditional, simplified);
        }
        _toSimplified = map.ToFrozenDictionary();
    }

    /// <summary>How many traditional characters the table knows.</summary>
    public int KnownTraditionalCharacters => _toSimplified.Count;

    public string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var builder = new StringBuilder(text.Length);
        foreach (var original in text)
        {
            var c = original;
            if (c == '\u3000')
            {
                c = ' ';
            }
            else if (c is >= '\uFF01' and <= '\uFF5E')
            {
                c = (char)(c - 0xFEE0);
            }
            if (char.IsControl(c))
            {
                c = ' ';
            }
            else if (c is >= 'A' and <= 'Z')
            {
                c = (char)(c + 32);
            }
            else if (_toSimplified.TryGetValue(c, out var simplified))
            {
                c = simplified;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    public static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF';
}
