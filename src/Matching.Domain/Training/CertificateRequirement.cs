using Matching.Domain.Catalogues;
using Matching.Domain.Matching;
using Matching.Domain.Workers;

namespace Matching.Domain.Training;

/// <summary>How one certificate meets a requirement for a certificate type in a trade, in a province, on a day.</summary>
public enum CertificateOutcome
{
    /// <summary>Another type of certificate.</summary>
    OtherType = 0,

    /// <summary>Of the type, but past its expiry date.</summary>
    Expired = 1,

    /// <summary>Of the type, valid, but for a trade outside the opening's trade family (or no trade on a special-operation certificate).</summary>
    OtherTrade = 2,

    /// <summary>Of the type and trade, valid, issued in another province and not recognised where it is required.</summary>
    NotRecognised = 3,

    /// <summary>Satisfies: issued in the province where it is required.</summary>
    IssuedThere = 4,

    /// <summary>Satisfies: issued elsewhere and recognised there by the recognition catalogue (证书互认).</summary>
    Recognised = 5,
}

/// <summary>The best certificate of a worker against one requirement: the outcome and where it was issued.</summary>
public readonly record struct CertificateMatch(string RequiredType, CertificateOutcome Outcome, string? IssuedIn, string? RequiredIn)
{
    public bool Satisfies => Outcome >= CertificateOutcome.IssuedThere;
}

/// <summary>
/// Does a certificate satisfy a requirement, and why (证书是否满足岗位要求): the type, the expiry date, the trade (same
/// trade family as the opening's, as the hard constraints read it), and, when the province of the requirement is
/// known, whether a certificate issued elsewhere is recognised there (<see cref="TrainingPolicy.Recognises"/>).
/// Outcomes are computed without text so hot loops stay cheap; <see cref="Reason"/> words them in Chinese.
/// </summary>
public static class CertificateRequirement
{
    /// <summary>The province a certificate was issued in; certificates without one recorded are taken as Guizhou's (where workers register).</summary>
    public static string IssuingProvinceOf(WorkerCertificate certificate) => certificate.IssuingProvince ?? Catalogue.GuizhouProvinceCode;

    public static CertificateOutcome Check(Catalogue catalogue, WorkerCertificate certificate, string requiredType, string openingTradeId, DateOnly on, string? requiredIn)
    {
        if (certificate.Type != requiredType)
        {
            return CertificateOutcome.OtherType;
        }
        if (certificate.ExpiresOn is { } expires && expires < on)
        {
            return CertificateOutcome.Expired;
        }
        if (!Eligibility.CoversTrade(catalogue, certificate, requiredType, openingTradeId))
        {
            return CertificateOutcome.OtherTrade;
        }
        if (requiredIn is null)
        {
            return CertificateOutcome.IssuedThere;
        }
        var issuedIn = IssuingProvinceOf(certificate);
        if (issuedIn == requiredIn)
        {
            return CertificateOutcome.IssuedThere;
        }
        return catalogue.Policy.Recognises(requiredType, issuedIn, requiredIn) ? CertificateOutcome.Recognised : CertificateOutcome.NotRecognised;
    }

    /// <summary>The worker's best certificate for the requirement: a satisfying one if any, else the nearest miss.</summary>
    public static CertificateMatch Best(Catalogue catalogue, IReadOnlyList<WorkerCertificate> certificates, string requiredType, string openingTradeId, DateOnly on, string? requiredIn)
    {
        var best = new CertificateMatch(requiredType, CertificateOutcome.OtherType, null, requiredIn);
        foreach (var certificate in certificates)
        {
            var outcome = Check(catalogue, certificate, requiredType, openingTradeId, on, requiredIn);
            if (outcome > best.Outcome)
            {
                best = new CertificateMatch(requiredType, outcome, IssuingProvinceOf(certificate), requiredIn);
            }
        }
        return best;
    }

    /// <summary>Why the requirement is met or not, in Chinese, e.g. "贵州省颁发的专项职业能力证书经证书互认在广东省有效".</summary>
    public static string Reason(Catalogue catalogue, CertificateMatch match)
    {
        var type = catalogue.CertificateTypesById.TryGetValue(match.RequiredType, out var t) ? t.Name : match.RequiredType;
        var issuedIn = match.IssuedIn is { } i ? ProvinceName(catalogue, i) : "";
        var requiredIn = match.RequiredIn is { } r ? ProvinceName(catalogue, r) : "";
        return match.Outcome switch
        {
            CertificateOutcome.OtherType => $"没有{type}",
            CertificateOutcome.Expired => $"{type}已过期",
            CertificateOutcome.OtherTrade => $"{type}的工种与岗位工种不同类",
            CertificateOutcome.NotRecognised => $"{issuedIn}颁发的{type}未列入{requiredIn}的证书互认目录，不能满足要求",
            CertificateOutcome.Recognised => catalogue.Policy.RecognitionOf(match.RequiredType, match.IssuedIn!, match.RequiredIn!) is { IssuedIn: "*", RecognisedIn: "*" }
                ? $"{type}全国通用（{issuedIn}颁发）"
                : $"{issuedIn}颁发的{type}经证书互认在{requiredIn}有效",
            _ => match.RequiredIn is null ? $"持有有效的{type}" : $"持有{requiredIn}颁发的{type}",
        };
    }

    private static string ProvinceName(Catalogue catalogue, string code) =>
        catalogue.DivisionsByCode.TryGetValue(code, out var d) ? d.Name : $"省级代码{code}";
}
