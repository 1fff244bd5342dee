using System.Data.Common;
using System.Text.Json;
using Matching.Data.Notifications;
using Matching.Data.Storage;
using Microsoft.Extensions.Logging;

namespace Matching.Scheduling.Notifications;

/// <summary>
/// A message for staff about something in a county (a follow-up reminder, a job-loss alert). It carries no ID number,
/// phone or name: the inbox links to the record, which the reader opens within their own access rights.
/// </summary>
public sealed record StaffMessage(string Kind, string SubjectKey, string Title, string Body, string? Link, string CountyCode, string PrefectureCode,
    bool ToRuralRevitalisation);

/// <summary>
/// SEAM: one way of delivering staff messages. Channels write in the transaction of what caused the message, so a
/// message exists exactly when its cause does; the webhook channel's sender delivers later from its outbox.
/// </summary>
public interface IStaffChannel
{
    string Name { get; }

    Task DeliverAsync(DbConnection connection, DbTransaction transaction, StaffMessage message, IReadOnlyList<StaffRecipient> recipients,
        DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The in-app inbox: one row per recipient, once per subject.</summary>
public sealed class InboxChannel(Database database) : IStaffChannel
{
    public string Name => "inbox";

    public async Task DeliverAsync(DbConnection connection, DbTransaction transaction, StaffMessage message, IReadOnlyList<StaffRecipient> recipients,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var recipient in recipients)
        {
            await InboxStore.InsertAsync(database.Dialect, connection, transaction, recipient.UserId, message.Kind, message.SubjectKey, message.Title, message.Body,
                message.Link, message.CountyCode, now);
        }
    }
}

/// <summary>The HTTP webhook (provincial SMS or messaging gateway): the message goes into the durable outbox.</summary>
public sealed class WebhookChannel(Database database) : IStaffChannel
{
    public string Name => "webhook";

    public async Task DeliverAsync(DbConnection connection, DbTransaction transaction, StaffMessage message, IReadOnlyList<StaffRecipient> recipients,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = $"{message.Kind}:{message.SubjectKey}";
        var payload = JsonSerializer.Serialize(new
        {
            messageId = key,
            kind = message.Kind,
            title = message.Title,
            body = message.Body,
            link = message.Link,
            countyCode = message.CountyCode,
            recipients = recipients.Select(r => new { userId = r.UserId, name = r.Name, role = r.Role }),
            createdAt = now,
        });
        await WebhookOutbox.EnqueueAsync(database.Dialect, connection, transaction, key, message.Kind, payload, now);
    }
}

/// <summary>
/// DEVELOPMENT DEFAULT, used only while no webhook is configured: writes one log line per message (kind, subject and
/// recipient count; no personal data). The inbox is written either way.
/// </summary>
public sealed class LogStaffChannel(ILogger<LogStaffChannel> logger) : IStaffChannel
{
    public string Name => "log";

    public Task DeliverAsync(DbConnection connection, DbTransaction transaction, StaffMessage message, IReadOnlyList<StaffRecipient> recipients,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        logger.LogInformation("Staff message {Kind} {Subject} for {Recipients} recipients (log channel: no webhook configured)",
            message.Kind, message.SubjectKey, recipients.Count);
        return Task.CompletedTask;
    }
}

/// <summary>Finds who a staff message goes to and hands it to every channel, inside the caller's transaction.</summary>
public sealed class StaffNotifier(IEnumerable<IStaffChannel> channels)
{
    private readonly IReadOnlyList<IStaffChannel> _channels = [.. channels];

    public IReadOnlyList<string> ChannelNames => [.. _channels.Select(c => c.Name)];

    /// <summary>Delivers to the county's office users (and its rural revitalisation staff when asked); the number of recipients.</summary>
    public async Task<int> SendAsync(DbConnection connection, DbTransaction transaction, StaffMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var recipients = await StaffDirectory.ForCountyAsync(connection, transaction, message.CountyCode, message.PrefectureCode, message.ToRuralRevitalisation);
        foreach (var channel in _channels)
        {
            await channel.DeliverAsync(connection, transaction, message, recipients, now, cancellationToken);
        }
        return recipients.Count;
    }
}
