using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FullDbResult.Hosting;

/// <summary>
/// The RabbitMQ worker as a hosted service. It starts with the host when handlers are registered (a host with
/// none would consume tasks only to dead-letter them), and the host's shutdown stops it gracefully: running
/// tasks finish and their outcomes are stored, what is not yet running goes back to the queue.
/// </summary>
internal sealed class TaskWorkerService(
    RabbitMqConnection connection,
    TaskStore store,
    TaskHandlers handlers,
    IOptions<FullDbResultOptions> options,
    ILogger<TaskWorker> logger) : IHostedService, IAsyncDisposable
{
    private TaskWorker? _worker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Worker;
        if (!settings.Enabled)
        {
            logger.LogInformation("The worker is turned off ({Section}:Worker:Enabled)", FullDbResultOptions.SectionName);
            return;
        }
        if (handlers.All.Count == 0)
        {
            logger.LogInformation("The worker does not start: no task handlers are registered (register them with AddWorker)");
            return;
        }
        var workerOptions = new TaskWorkerOptions
        {
            ShutdownTimeout = settings.ShutdownTimeout,
            TrackStarted = settings.TrackStarted,
            SendEvents = settings.SendEvents,
            Prefetch = settings.Prefetch,
        };
        if (settings.Queues.Count > 0) workerOptions = workerOptions with { Queues = settings.Queues.ToList() };
        if (settings.Concurrency is { } concurrency) workerOptions = workerOptions with { Concurrency = concurrency };
        var worker = new TaskWorker(connection, store, workerOptions, logger);
        foreach (var (name, handler) in handlers.All) worker.Register(name, handler);
        await worker.StartAsync(cancellationToken);
        _worker = worker;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_worker is not null) await _worker.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null) await _worker.DisposeAsync();
    }
}
