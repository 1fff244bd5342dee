using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Matching.Data.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matching.Scheduling.Notifications;

/// <summary>The <c>Matching:Webhook</c> section: where staff and worker messages are posted, and how.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Matching:Webhook";

    /// <summary>The gateway's URL; empty keeps the webhook off (the log channel stands in, for development).</summary>
    public string? Url { get; set; }

    /// <summary>The shared secret for the HMAC-SHA256 signature (at least 16 characters); required with a URL.</summary>
    public string? Secret { get; set; }

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Attempts before a message is given up (logged as an error, kept in the outbox for inspection).</summary>
    public int MaxAttempts { get; set; } = 15;

    /// <summary>Back-off: the first retry after this many seconds, doubling each time up to <see cref="MaxDelaySeconds"/>.</summary>
    public int BaseDelaySeconds { get; set; } = 10;

    public int MaxDelaySeconds { get; set; } = 3600;

    public double PollSeconds { get; set; } = 2;

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>Problems with the settings, in Chinese; empty when they can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            return problems;
        }
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problems.Add("Matching:Webhook:Url 应为 http 或 https 地址");
        }
        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16)
        {
            problems.Add("Matching:Webhook:Secret 至少16个字符（用于请求签名）");
        }
        if (MaxAttempts is < 1 or > 100 || BaseDelaySeconds is < 1 or > 86_400 || MaxDelaySeconds < BaseDelaySeconds || TimeoutSeconds is < 1 or > 300)
        {
            problems.Add("Matching:Webhook 的重试或超时设置超出范围");
        }
        return problems;
    }

    /// <summary>Delay before the next attempt after <paramref name="attemptsMade"/> failed ones.</summary>
    public TimeSpan Backoff(int attemptsMade) =>
        TimeSpan.FromSeconds(Math.Min(MaxDelaySeconds, BaseDelaySeconds * Math.Pow(2, Math.Max(0, attemptsMade - 1))));
}

/// <summary>
/// The request signature: <c>X-Matching-Signature: sha256=HEX</c> where HEX is HMAC-SHA256 with the shared secret over
/// <c>{X-Matching-Timestamp}.{body}</c>. The receiver recomputes it and refuses old timestamps (replays).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Matching-Signature";
    public const string TimestampHeader = "X-Matching-Timestamp";
    public const string MessageIdHeader = "X-Matching-Message-Id";
    public const string AttemptHeader = "X-Matching-Attempt";

    public static string Sign(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    public static bool Verify(string secret, string timestamp, string body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}

/// <summary>
/// Sends what is due in the webhook outbox: a 2xx marks a message delivered; anything else (error status, timeout,
/// refused connection) schedules the next attempt with back-off, until <see cref="WebhookOptions.MaxAttempts"/>.
/// </summary>
public sealed class WebhookSender(WebhookOutbox outbox, WebhookOptions options, TimeProvider time, ILogger<WebhookSender> logger) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
    };
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Attempts every message due now; the number delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Enabled)
        {
            return 0;
        }
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var delivered = 0;
            foreach (var message in await outbox.DueAsync(time.GetUtcNow(), 100, cancellationToken))
            {
                var error = await PostAsync(message, cancellationToken);
                var now = time.GetUtcNow();
                if (error is null)
                {
                    await outbox.MarkDeliveredAsync(message.Id, now, CancellationToken.None);
                    delivered++;
                    continue;
                }
                var attempts = message.Attempts + 1;
                var next = attempts >= options.MaxAttempts ? (DateTimeOffset?)null : now + options.Backoff(attempts);
                await outbox.MarkFailedAsync(message.Id, now, next, error, CancellationToken.None);
                if (next is null)
                {
                    logger.LogError("Webhook message {Key} given up after {Attempts} attempts: {Error}", message.MessageKey, attempts, error);
                }
                else
                {
                    logger.LogWarning("Webhook message {Key} attempt {Attempts} failed ({Error}); next at {Next:u}", message.MessageKey, attempts, error, next);
                }
            }
            return delivered;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<string?> PostAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url)
        {
            Content = new StringContent(message.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(options.Secret!, timestamp, message.Payload));
        request.Headers.Add(WebhookSignature.MessageIdHeader, message.MessageKey);
        request.Headers.Add(WebhookSignature.AttemptHeader, (message.Attempts + 1).ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.HttpRequestError.ToString();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _oneAtATime.Dispose();
    }
}

/// <summary>Runs the webhook sender every few seconds while the service runs.</summary>
public sealed class WebhookSenderService(WebhookSender sender, WebhookOptions options, ILogger<WebhookSenderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.PollSeconds));
        do
        {
            try
            {
                await sender.DeliverDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Webhook sender run failed; the outbox keeps the messages");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>Messages to workers (start reminders…) through the webhook: the gateway looks up the worker's contact by id.</summary>
public sealed class WebhookNotificationChannel(WebhookOutbox outbox, TimeProvider time) : INotificationChannel
{
    public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
        outbox.EnqueueAsync($"worker-notification:{notification.Id}", notification.Kind, JsonSerializer.Serialize(new
        {
            messageId = $"worker-notification:{notification.Id}",
            kind = notification.Kind,
            workerId = notification.WorkerId,
            cohortId = notification.CohortId,
            body = notification.Message,
            createdAt = notification.CreatedAt,
        }), time.GetUtcNow(), cancellationToken);
}
