using System.Security.Cryptography;
using Matching.Api.Access;
using Matching.Data.Idempotency;
using Matching.Domain.Access;

namespace Matching.Api.Infrastructure;

/// <summary>Marks a write endpoint that honours the Idempotency-Key header.</summary>
public sealed record IdempotentWrite;

public static class IdempotencyEndpointExtensions
{
    public const string Header = "Idempotency-Key";

    /// <summary>A client may send <c>Idempotency-Key</c>; a retry then gets the first response instead of a second write.</summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder) => builder.WithMetadata(new IdempotentWrite());
}

/// <summary>
/// Idempotency-Key per the IETF draft (draft-ietf-httpapi-idempotency-key-header), for endpoints marked
/// <see cref="IdempotentWrite"/>, keyed per caller: the first request runs and its response (status, body, Location,
/// ETag) is stored; a retry with the same key and the same request (method, path, body) gets that response again with
/// <c>Idempotent-Replayed: true</c>; the same key with a different request is 422; while the first is still in flight
/// a retry is 409. Server errors are not stored, so a retry after one runs again. Runs after authorisation.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    private const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context, IdempotencyStore store, IProblemDetailsService problems)
    {
        var key = context.Request.Headers[IdempotencyEndpointExtensions.Header].ToString();
        if (context.GetEndpoint()?.Metadata.GetMetadata<IdempotentWrite>() is null || string.IsNullOrEmpty(key)
            || context.Items[AccessSetup.CallerItem] is not Caller caller)
        {
            await next(context);
            return;
        }
        if (key.Length > MaxKeyLength || key.Any(char.IsControl))
        {
            await WriteProblemAsync(context, problems, 400, "Idempotency-Key 无效", $"Idempotency-Key 应为不超过{MaxKeyLength}个字符的字符串");
            return;
        }
        context.Request.EnableBuffering();
        var fingerprint = await FingerprintAsync(context.Request);
        var (start, stored) = await store.BeginAsync(caller.UserId, key, fingerprint, context.RequestAborted);
        switch (start)
        {
            case IdempotencyStart.Mismatch:
                await WriteProblemAsync(context, problems, 422, "Idempotency-Key 已用于另一个请求", "同一个 Idempotency-Key 只能用于同一个请求；新的请求请换一个键");
                return;
            case IdempotencyStart.InFlight:
                await WriteProblemAsync(context, problems, 409, "相同 Idempotency-Key 的请求正在处理中", "请稍后重试");
                return;
            case IdempotencyStart.Replay:
                await ReplayAsync(context, stored!);
                return;
        }

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            context.Response.Body = original;
            if (completed && context.Response.StatusCode < 500)
            {
                await store.CompleteAsync(caller.UserId, key, new StoredResponse(context.Response.StatusCode, context.Response.ContentType,
                    context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    context.Response.Headers.ETag.ToString() is { Length: > 0 } etag ? etag : null, buffer.ToArray()), CancellationToken.None);
            }
            else
            {
                await store.AbandonAsync(caller.UserId, key, CancellationToken.None);
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.StatusCode;
        if (stored.ContentType is not null)
        {
            context.Response.ContentType = stored.ContentType;
        }
        if (stored.Location is not null)
        {
            context.Response.Headers.Location = stored.Location;
        }
        if (stored.ETag is not null)
        {
            context.Response.Headers.ETag = stored.ETag;
        }
        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    private static async Task WriteProblemAsync(HttpContext context, IProblemDetailsService problems, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status, Title = title, Detail = detail } });
    }
}
