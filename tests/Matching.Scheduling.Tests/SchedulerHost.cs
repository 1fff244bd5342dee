using Matching.Domain.Catalogues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matching.Scheduling.Tests;

/// <summary>The scheduler as the service runs it (hosted Quartz on the world's database file), on the world's fake clock.</summary>
public static class SchedulerHost
{
    public static async Task<IHost> StartAsync(TestWorld world)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(world.Time);
        builder.Services.AddSingleton(world.Database);
        builder.Services.AddSingleton<Catalogue>(world.Environment.Catalogue);
        builder.Services.AddMatchingScheduling(world.Database.ConnectionString);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
