using Matching.Data.Alerts;
using Matching.Data.Notifications;
using Matching.Data.Placements;
using Matching.Scheduling.Alerts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Matching.Scheduling.Notifications;

public static class NotificationSetup
{
    /// <summary>
    /// Staff notifications (inbox always; webhook when <c>Matching:Webhook:Url</c> is set, else the log channel as a
    /// development default), worker notifications through the webhook when configured, the follow-up watch and the
    /// webhook sender. Call before <see cref="SchedulingSetup.AddMatchingScheduling"/> so the webhook replaces the
    /// log channel for worker messages too. An <see cref="IRematchAdvisor"/> registered earlier is kept.
    /// </summary>
    public static IServiceCollection AddMatchingNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        var webhook = configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        if (webhook.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("Webhook 配置有误：" + string.Join("；", problems));
        }
        var alerts = configuration.GetSection(AlertOptions.Section).Get<AlertOptions>() ?? new AlertOptions();
        services.AddSingleton(webhook);
        services.AddSingleton(alerts);
        services.TryAddSingleton<InboxStore>();
        services.TryAddSingleton<WebhookOutbox>();
        services.TryAddSingleton<FollowUpStore>();
        services.TryAddSingleton<JobLossAlertStore>();
        services.AddSingleton<IStaffChannel, InboxChannel>();
        if (webhook.Enabled)
        {
            services.AddSingleton<IStaffChannel, WebhookChannel>();
            services.AddSingleton<INotificationChannel, WebhookNotificationChannel>();
        }
        else
        {
            services.AddSingleton<IStaffChannel, LogStaffChannel>();
        }
        services.TryAddSingleton<StaffNotifier>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<AlertSignal>();
        services.TryAddSingleton<IRematchAdvisor, NoRematchAdvisor>();
        services.TryAddSingleton<FollowUpWatch>();
        services.AddHostedService<WebhookSenderService>();
        services.AddHostedService<FollowUpWatchService>();
        return services;
    }
}
