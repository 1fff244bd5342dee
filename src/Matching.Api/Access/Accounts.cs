using Matching.Data.Access;
using Matching.Domain.Access;
using Matching.Domain.Validation;
using Microsoft.AspNetCore.Identity;

namespace Matching.Api.Access;

public enum SignInOutcome { Success, WrongCredentials, LockedOut, Inactive }

/// <summary>How a sign-in ended; <see cref="LockedUntil"/> when the account is (now) locked.</summary>
public sealed record SignInResult(SignInOutcome Outcome, User? User = null, DateTimeOffset? LockedUntil = null)
{
    /// <summary>The message a person reads. A wrong name and a wrong password read the same, so names cannot be probed.</summary>
    public string Message => Outcome switch
    {
        SignInOutcome.Success => "已登录",
        SignInOutcome.LockedOut => $"连续输错密码次数过多，账号已锁定，请于 {ChinaTime.Format(LockedUntil)} 后再试或联系账号管理员",
        SignInOutcome.Inactive => "账号已停用，请联系账号管理员",
        _ => "用户名或密码错误",
    };
}

/// <summary>
/// Password sign-in for the web application (cookie) and for scripts (token endpoint): passwords hashed with ASP.NET
/// Core Identity's <see cref="PasswordHasher{TUser}"/>, the password rule (<see cref="PasswordPolicy"/>), lockout
/// after <see cref="AuthOptions.MaxFailedSignIns"/> wrong passwords, and every attempt in the audit log.
/// </summary>
public sealed class AccountService(UserStore users, AuditLog audit, AuthOptions options, CallerResolver callers, TimeProvider time)
{
    private static readonly PasswordHasher<User> Hasher = new();

    // Checked against when the name is unknown, so an unknown name takes as long as a wrong password.
    private static readonly string UnknownUserHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    /// <summary>Checks the name and password; records the attempt (audit action <paramref name="action"/>) and any lockout.</summary>
    public async Task<SignInResult> SignInAsync(string userName, string password, string action, CancellationToken cancellationToken = default)
    {
        var account = await users.GetCredentialsAsync(userName.Trim(), cancellationToken);
        if (account is null)
        {
            Hasher.VerifyHashedPassword(null!, UnknownUserHash, password);
            await audit.AppendAsync(null, null, null, action, "user", null, "denied", 401, cancellationToken);
            return new SignInResult(SignInOutcome.WrongCredentials);
        }
        var user = account.User;
        var now = time.GetUtcNow();
        if (Lockout.IsLocked(user.LockedUntil, now))
        {
            await AuditAsync(user, action, "denied", 423, cancellationToken);
            return new SignInResult(SignInOutcome.LockedOut, user, user.LockedUntil);
        }
        var verified = account.PasswordHash is { } hash ? Hasher.VerifyHashedPassword(user, hash, password) : PasswordVerificationResult.Failed;
        if (verified == PasswordVerificationResult.Failed)
        {
            var locked = await users.RecordFailedSignInAsync(user.Id, options.MaxFailedSignIns, TimeSpan.FromMinutes(options.LockoutMinutes), cancellationToken);
            await AuditAsync(user, action, "denied", 401, cancellationToken);
            if (locked is not null)
            {
                await AuditAsync(user, "auth.lockout", "denied", 423, cancellationToken);
                return new SignInResult(SignInOutcome.LockedOut, user, locked);
            }
            return new SignInResult(SignInOutcome.WrongCredentials);
        }
        if (!user.Active)
        {
            await AuditAsync(user, action, "denied", 403, cancellationToken);
            return new SignInResult(SignInOutcome.Inactive, user);
        }
        if (verified == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // A hash made with older settings is replaced while the password is at hand.
            await users.SetPasswordAsync(user.Id, Hash(password), cancellationToken: cancellationToken);
            callers.Forget(user.Name);
            user = await users.GetAsync(user.Id, cancellationToken) ?? user;
        }
        await users.RecordSignInAsync(user.Id, cancellationToken);
        await AuditAsync(user, action, "success", 200, cancellationToken);
        return new SignInResult(SignInOutcome.Success, user);
    }

    /// <summary>The caller's own password: the current one, then a new one that keeps the rule. Field errors keyed currentPassword / newPassword.</summary>
    public async Task<ValidationErrors> ChangeOwnPasswordAsync(Caller caller, string? currentPassword, string? newPassword, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var account = await users.GetCredentialsAsync(caller.Name, cancellationToken);
        if (account?.PasswordHash is not { } hash || string.IsNullOrEmpty(currentPassword)
            || Hasher.VerifyHashedPassword(account.User, hash, currentPassword) == PasswordVerificationResult.Failed)
        {
            errors.Add("currentPassword", account?.PasswordHash is null ? "本账号未设置密码，请联系账号管理员设置" : "当前密码不正确");
        }
        PasswordPolicy.Check(errors, "newPassword", newPassword, caller.Name);
        if (errors.IsValid && newPassword == currentPassword)
        {
            errors.Add("newPassword", "新密码不能与当前密码相同");
        }
        if (errors.IsValid)
        {
            await users.SetPasswordAsync(account!.User.Id, Hash(newPassword!), cancellationToken: cancellationToken);
            callers.Forget(caller.Name);
        }
        return errors;
    }

    /// <summary>An administrator sets an account's password (a first password, or a reset); the account's other sessions end.</summary>
    public async Task<ValidationErrors> SetPasswordAsync(User user, string? password, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        PasswordPolicy.Check(errors, "password", password, user.Name);
        if (errors.IsValid)
        {
            await users.SetPasswordAsync(user.Id, Hash(password!), cancellationToken: cancellationToken);
            callers.Forget(user.Name);
        }
        return errors;
    }

    private Task AuditAsync(User user, string action, string outcome, int status, CancellationToken cancellationToken) =>
        audit.AppendAsync(user.Id, user.Name, user.Role, action, "user", user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), outcome, status, cancellationToken);
}
