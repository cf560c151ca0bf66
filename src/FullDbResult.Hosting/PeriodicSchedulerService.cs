using FullDbResult.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FullDbResult.Hosting;

/// <summary>The periodic scheduler's loop as a hosted service. Run it on several machines for high availability: each run is sent once.</summary>
internal sealed class PeriodicSchedulerService(PeriodicScheduler scheduler, IOptions<FullDbResultOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.PeriodicScheduler;
        if (!settings.Enabled) return;
        await Task.Yield();
        await scheduler.RunAsync(settings.PollInterval, stoppingToken);
    }
}
