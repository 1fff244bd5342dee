using System.Collections.Concurrent;
using Matching.Api.Tests.Infrastructure;
using Matching.Data.Notifications;
using Matching.Scheduling.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Matching.Api.Tests.Alerts;

/// <summary>
/// The webhook channel against a real HTTP server (Kestrel on 127.0.0.1, a free port): signed requests, retries with
/// back-off on failures, and a message that outlives a restart of the sender until it is delivered.
/// </summary>
public sealed class WebhookChannelTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Secret = "a-shared-secret-of-the-gateway";

    private sealed record Received(string Body, string? Signature, string? Timestamp, string? MessageId, string? Attempt);

    /// <summary>A gateway that answers 503 to the first <paramref name="failures"/> requests of each message, then 200, and keeps every request.</summary>
    private static async Task<(WebApplication Server, string Url, ConcurrentQueue<Received> Requests)> GatewayAsync(int failures)
    {
        var requests = new ConcurrentQueue<Received>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = builder.Build();
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        server.MapPost("/sms", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            requests.Enqueue(new Received(body, request.Headers[WebhookSignature.SignatureHeader], request.Headers[WebhookSignature.TimestampHeader],
                request.Headers[WebhookSignature.MessageIdHeader], request.Headers[WebhookSignature.AttemptHeader]));
            return seen.AddOrUpdate(request.Headers[WebhookSignature.MessageIdHeader].ToString(), 1, (_, n) => n + 1) <= failures ? Results.StatusCode(503) : Results.Ok();
        });
        await server.StartAsync();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (server, address + "/sms", requests);
    }

    private WebhookSender Sender(string url, TimeProvider time) => new(api.Services.GetRequiredService<WebhookOutbox>(),
        new WebhookOptions { Url = url, Secret = Secret, BaseDelaySeconds = 10, MaxAttempts = 5 }, time, NullLogger<WebhookSender>.Instance);

    [Fact]
    public async Task A_message_is_signed_retried_with_back_off_and_delivered_after_a_restart_of_the_sender()
    {
        var (server, url, requests) = await GatewayAsync(failures: 2);
        const string key = "job-loss-alert:alert:test-1";
        await using var _ = server;
        var time = new FakeTimeProvider(api.Now);
        var outbox = api.Services.GetRequiredService<WebhookOutbox>();
        Assert.True(await outbox.EnqueueAsync(key, "job-loss-alert", """{"messageId":"job-loss-alert:alert:test-1","title":"防返贫就业预警"}""", time.GetUtcNow()));

        // Other tests' messages may share the outbox: only this message's requests are looked at.
        List<Received> Mine() => [.. requests.Where(r => r.MessageId == key)];
        var sender = Sender(url, time);
        await sender.DeliverDueAsync();                                      // 503
        await sender.DeliverDueAsync();                                      // not due again yet: back-off
        Assert.Single(Mine());
        time.Advance(TimeSpan.FromSeconds(10));
        await sender.DeliverDueAsync();                                      // 503 again; next after 20 s
        var pending = (await outbox.FindAsync(key))!;
        Assert.Equal((2, "HTTP 503"), (pending.Attempts, pending.LastError));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(20), pending.NextAttemptAt);
        sender.Dispose();

        // A new sender (the service restarted) finds the message in the outbox and delivers it when due.
        var restarted = Sender(url, time);
        time.Advance(TimeSpan.FromSeconds(20));
        await restarted.DeliverDueAsync();
        restarted.Dispose();
        Assert.NotNull((await outbox.FindAsync(key))!.DeliveredAt);

        Assert.Equal(3, Mine().Count);
        foreach (var (request, attempt) in Mine().Select((r, i) => (r, i + 1)))
        {
            Assert.Equal(key, request.MessageId);
            Assert.Equal(attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Attempt);
            Assert.True(WebhookSignature.Verify(Secret, request.Timestamp!, request.Body, request.Signature), "signature must verify with the shared secret");
            Assert.False(WebhookSignature.Verify("another-secret-entirely", request.Timestamp!, request.Body, request.Signature));
        }
    }

    [Fact]
    public async Task A_gateway_that_is_down_costs_an_attempt_not_the_message()
    {
        var (server, url, _) = await GatewayAsync(failures: 0);
        await server.StopAsync();
        await server.DisposeAsync();
        var time = new FakeTimeProvider(api.Now);
        var outbox = api.Services.GetRequiredService<WebhookOutbox>();
        const string key = "follow-up-due:placement:test:1";
        await outbox.EnqueueAsync(key, "follow-up-due", "{}", time.GetUtcNow());
        using var sender = Sender(url, time);
        await sender.DeliverDueAsync();
        var message = (await outbox.FindAsync(key))!;
        Assert.Equal(1, message.Attempts);
        Assert.Null(message.DeliveredAt);
        Assert.Null(message.GaveUpAt);
        Assert.NotNull(message.LastError);
    }
}
