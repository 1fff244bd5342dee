using Matching.Data.Access;
using Matching.Data.Institutions;
using Matching.Domain.Access;

namespace Matching.Api.Access;

/// <summary>
/// One account per role on the demo data, with one known password, so a newcomer can sign in as each kind of user.
/// Created only in the Development environment beside the demo data (never in a production configuration), and
/// printed in the log at start. An account that already exists is left as it is (its password too).
/// </summary>
public static class DemoAccounts
{
    public const string Password = "Guizhou@2026";

    /// <summary>The demo training institution's account; its scope is found in the demo data (<see cref="EnsureAsync"/>).</summary>
    public const string InstitutionAccount = "demo-institution";

    /// <summary>大方县 (毕节市): one of the counties with the most demo workers; 毕节市 is its prefecture; employer 1 is a demo partner enterprise.</summary>
    public static readonly IReadOnlyList<(string Name, string Role, string[] Scopes, bool ManagesAccounts, string Description)> All =
    [
        ("demo-county", Roles.CountyOffice, ["520521"], true, "县人社局（大方县），本县账号管理员"),
        ("demo-prefecture", Roles.PrefectureOffice, ["520500"], true, "市州人社局（毕节市），本市账号管理员"),
        ("demo-enterprise", Roles.Enterprise, ["1"], true, "协作企业（企业编号 1），本企业账号管理员"),
        ("demo-rural", Roles.RuralRevitalisation, [], false, "乡村振兴部门（全省）"),
        ("demo-admin", Roles.Admin, [], true, "省级管理员"),
        (InstitutionAccount, Roles.TrainingInstitution, [], true, "培训机构（承训演示班期最多的定点培训机构），本机构账号管理员"),
    ];

    /// <summary>
    /// Creates the missing accounts. The training institution's is scoped to the institution delivering the most demo
    /// cohorts (ids of generated institutions are not fixed in advance), and skipped when no institution delivers any.
    /// </summary>
    public static async Task EnsureAsync(UserStore users, InstitutionStore institutions, CancellationToken cancellationToken = default)
    {
        foreach (var (name, role, given, manages, _) in All)
        {
            if (await users.GetByNameAsync(name, cancellationToken) is not null)
            {
                continue;
            }
            var scopes = given;
            if (role == Roles.TrainingInstitution)
            {
                if (await institutions.BusiestAsync(cancellationToken) is not { } institution)
                {
                    continue;
                }
                scopes = [institution.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            }
            var created = await users.CreateAsync(new UserDraft(name, role, scopes, true) { ManagesAccounts = manages }, cancellationToken);
            await users.SetPasswordAsync(created.Id, AccountService.Hash(Password), cancellationToken: cancellationToken);
        }
    }

    public static void Log(ILogger logger, string address)
    {
        logger.LogInformation("Web application (网页端): {Url}/  Demo accounts (演示账号, password/密码 {Password}):", address, Password);
        foreach (var (name, _, _, _, description) in All)
        {
            logger.LogInformation("  {Name,-16} {Description}", name, description);
        }
    }
}
