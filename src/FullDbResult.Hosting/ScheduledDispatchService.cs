using FullDbResult.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FullDbResult.Hosting;

/// <summary>The scheduled-task dispatcher's loop as a hosted service. A graceful stop finishes the batch in hand.</summary>
internal sealed class ScheduledDispatchService(ScheduledDispatcher dispatcher, IOptions<FullDbResultOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Dispatcher;
        if (!settings.Enabled) return;
        // Let the host finish starting before the first pass.
        await Task.Yield();
        await dispatcher.RunAsync(settings.Interval, new DispatchOptions { BatchSize = settings.BatchSize, Limit = settings.Limit }, stoppingToken);
    }
}
