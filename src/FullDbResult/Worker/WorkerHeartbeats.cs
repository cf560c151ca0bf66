using System.Net;

namespace FullDbResult.Worker;

/// <summary>
/// Writes the worker's heartbeat row: once when it starts, every <see cref="WorkerOptions.HeartbeatInterval"/>
/// while it runs, and once more, marked stopped, when it stops. A STARTED task whose worker's heartbeats have
/// stopped is reported as possibly aborted.
/// </summary>
internal sealed class WorkerHeartbeats(WorkerStore store, WorkerOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private DateTime _startedAt;
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = options.Clock.GetUtcNow().UtcDateTime;
        await WriteAsync(stopped: false, cancellationToken);
        _loop = LoopAsync();
    }

    /// <summary>Ends the loop and writes the last heartbeat, marked stopped; a failure to write it is logged, not thrown.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        try
        {
            await WriteAsync(stopped: true, cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogDebug("Worker {Worker}: last heartbeat not written: {Error}", options.WorkerName, ex.Message);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await WriteAsync(stopped: false, _stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Worker {Worker}: heartbeat not written: {Error}", options.WorkerName, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private Task WriteAsync(bool stopped, CancellationToken cancellationToken)
    {
        var now = options.Clock.GetUtcNow().UtcDateTime;
        return store.RecordHeartbeatAsync(new WorkerHeartbeat
        {
            WorkerName = options.WorkerName,
            Hostname = Dns.GetHostName(),
            Pid = Environment.ProcessId,
            Queues = string.Join(",", options.Queues),
            StartedAt = _startedAt,
            LastHeartbeat = now,
            StoppedAt = stopped ? now : null,
        }, cancellationToken);
    }
}
