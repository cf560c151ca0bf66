using FullDbResult.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FullDbResult.Hosting;

/// <summary>
/// A <see cref="PollingLoop"/> (the dispatcher's or the periodic scheduler's) as a hosted service: it starts
/// with the host and stops with it; a graceful stop lets the pass in hand finish. A null loop is one that
/// configuration turned off.
/// </summary>
internal sealed class PollingLoopService(string name, PollingLoop? loop, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (loop is null)
        {
            logger.LogInformation("{Loop} is turned off by configuration", name);
            return;
        }
        // Let the host finish starting before the first pass.
        await Task.Yield();
        await loop.RunAsync(stoppingToken);
    }
}
