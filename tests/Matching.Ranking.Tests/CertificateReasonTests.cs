using Matching.Domain.Matching;
using Matching.Domain.Workers;
using Matching.Ranking.Features;
using Matching.Ranking.Serving;

namespace Matching.Ranking.Tests;

/// <summary>
/// An opening in Guangdong that requires a 专项职业能力 certificate: the pair's facts are built as serving builds them,
/// and the reasons say which certificate counted — Guizhou's through the recognition catalogue (证书互认), Sichuan's not.
/// </summary>
[Collection(RankingCollection.Name)]
public sealed class CertificateReasonTests(RankingFixture fixture)
{
    private static readonly DateOnly Today = new(2026, 6, 15);

    private static OpeningProfile Opening() => new(1, 2, 3, "电子厂普工", 4500, 6500, true, true, "open", Today.AddDays(20),
        new OpeningTerms("T001", 1, 8, ["special-ability"], 18, 50, "440000", "440300", null));

    private static WorkerProfile Worker(string issuedIn) => new(1, "520502", "520500", "junior", Today.AddDays(-30), 5000, [],
        new WorkerTerms(new DateOnly(1995, 3, 1), [new WorkerTrade("T001", 2)],
            [new WorkerCertificate("special-ability", "T001", null, Today.AddYears(-1), null, issuedIn)], ["440000"], Today, []));

    [Fact]
    public void A_recognised_certificate_from_Guizhou_satisfies_and_says_so_and_one_from_Sichuan_is_named_as_not_recognised()
    {
        var recognised = fixture.Features.Facts(Worker("520000"), Opening(), RetentionHistory.Empty, Today);
        Assert.Empty(recognised.MissingCertificates);
        var said = Explanations.Reason(Feature.MissingCertificates, recognised, fixture.Environment.Catalogue);
        Assert.Contains("贵州省颁发的专项职业能力证书经证书互认在广东省有效", said, StringComparison.Ordinal);
        Assert.DoesNotContain(Explanations.UnmetRequirements(recognised, fixture.Environment.Catalogue), u => u.Contains("专项职业能力", StringComparison.Ordinal));

        var unrecognised = fixture.Features.Facts(Worker("510000"), Opening(), RetentionHistory.Empty, Today);
        Assert.Equal(["special-ability"], unrecognised.MissingCertificates);
        var unmet = Assert.Single(Explanations.UnmetRequirements(unrecognised, fixture.Environment.Catalogue), u => u.Contains("专项职业能力", StringComparison.Ordinal));
        Assert.Contains("未列入广东省的证书互认目录", unmet, StringComparison.Ordinal);
        Assert.NotEqual(said, Explanations.Reason(Feature.MissingCertificates, unrecognised, fixture.Environment.Catalogue));
    }
}
