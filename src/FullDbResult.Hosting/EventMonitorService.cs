using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FullDbResult.Hosting;

/// <summary>
/// The Celery event monitor as a hosted service, when FullDbResult:EventMonitor:Enabled is set. The host's
/// shutdown stops it: what has arrived is written, the rest stays in its queue for the next start.
/// </summary>
internal sealed class EventMonitorService(
    RabbitMqConnection connection,
    TaskStore store,
    IOptions<FullDbResultOptions> options,
    ILogger<CeleryEventMonitor> logger) : IHostedService, IAsyncDisposable
{
    private CeleryEventMonitor? _monitor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.EventMonitor;
        if (!settings.Enabled)
        {
            logger.LogInformation("The Celery event monitor is off ({Section}:EventMonitor:Enabled)", FullDbResultOptions.SectionName);
            return;
        }
        var monitorOptions = new CeleryEventMonitorOptions();
        if (!string.IsNullOrWhiteSpace(settings.Queue)) monitorOptions = monitorOptions with { Queue = settings.Queue };
        if (!string.IsNullOrWhiteSpace(settings.Exchange)) monitorOptions = monitorOptions with { Exchange = settings.Exchange };
        if (settings.BatchSize is { } batchSize) monitorOptions = monitorOptions with { BatchSize = batchSize };
        var monitor = new CeleryEventMonitor(connection, store, monitorOptions, logger);
        await monitor.StartAsync(cancellationToken);
        _monitor = monitor;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_monitor is not null) await _monitor.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_monitor is not null) await _monitor.DisposeAsync();
    }
}
