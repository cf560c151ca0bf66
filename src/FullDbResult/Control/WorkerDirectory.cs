using System.Text.Json;

namespace FullDbResult.Control;

/// <summary>
/// Lists the workers there are, as <c>Get-TaskWorker</c> does: the heartbeat rows of the store, joined with a
/// ping, <c>inspect active</c> and <c>inspect active_queues</c> broadcast on the <c>celery.pidbox</c> exchange,
/// which Celery's workers and ours answer. A worker that answers but writes no heartbeats (a Python worker
/// without an event monitor) is listed too.
/// </summary>
public sealed class WorkerDirectory
{
    /// <summary>How long the broadcasts wait for answers: Celery's own inspect waits one second.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    private readonly TaskStore _store;
    private readonly IControlBroadcaster _broadcaster;

    public WorkerDirectory(TaskStore store, IControlBroadcaster broadcaster)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _broadcaster = broadcaster ?? throw new ArgumentNullException(nameof(broadcaster));
    }

    /// <summary>
    /// Every worker with a heartbeat row or an answer; <paramref name="includeStopped"/> keeps the rows of
    /// workers that said they stopped. Answers are awaited for <paramref name="timeout"/> (null: one second).
    /// </summary>
    public async Task<IReadOnlyList<TaskWorkerInfo>> GetWorkersAsync(TimeSpan? timeout = null, bool includeStopped = false, CancellationToken cancellationToken = default)
    {
        var wait = timeout ?? DefaultTimeout;
        var heartbeatsTask = new WorkerStore(_store).GetWorkersAsync(cancellationToken);
        var pingTask = _broadcaster.CallAsync(ControlCommand.Inspect(ControlMethods.Ping), wait, cancellationToken);
        var activeTask = _broadcaster.CallAsync(ControlCommand.Inspect(ControlMethods.Active), wait, cancellationToken);
        var queuesTask = _broadcaster.CallAsync(ControlCommand.Inspect(ControlMethods.ActiveQueues), wait, cancellationToken);
        var heartbeats = await heartbeatsTask;
        var answered = (await pingTask).Select(reply => reply.Worker).ToHashSet(StringComparer.Ordinal);
        var active = (await activeTask).Where(reply => reply.Value.ValueKind == JsonValueKind.Array)
            .ToDictionary(reply => reply.Worker, reply => reply.Value.GetArrayLength(), StringComparer.Ordinal);
        var queues = (await queuesTask).Where(reply => reply.Value.ValueKind == JsonValueKind.Array)
            .ToDictionary(reply => reply.Worker, reply => QueueNames(reply.Value), StringComparer.Ordinal);

        var silentBefore = _store.Options.Clock.GetUtcNow().UtcDateTime - _store.Options.HeartbeatTimeout;
        var workers = new List<TaskWorkerInfo>();
        foreach (var row in heartbeats)
        {
            var isAnswered = answered.Remove(row.WorkerName);
            if (row.StoppedAt is not null && !includeStopped && !isAnswered) continue;
            workers.Add(new TaskWorkerInfo
            {
                Name = row.WorkerName,
                Hostname = row.Hostname,
                Queues = queues.GetValueOrDefault(row.WorkerName) ?? row.Queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                ActiveTasks = active.TryGetValue(row.WorkerName, out var count) ? count : null,
                LastHeartbeat = row.LastHeartbeat,
                StoppedAt = row.StoppedAt,
                Answered = isAnswered,
                Silent = !isAnswered && row.LastHeartbeat < silentBefore,
            });
        }
        foreach (var name in answered)
        {
            workers.Add(new TaskWorkerInfo
            {
                Name = name,
                Hostname = name.Contains('@', StringComparison.Ordinal) ? name[(name.IndexOf('@', StringComparison.Ordinal) + 1)..] : name,
                Queues = queues.GetValueOrDefault(name) ?? [],
                ActiveTasks = active.TryGetValue(name, out var count) ? count : null,
                Answered = true,
            });
        }
        return workers.OrderBy(worker => worker.Name, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyList<string> QueueNames(JsonElement queues) =>
        queues.EnumerateArray()
            .Where(queue => queue.ValueKind == JsonValueKind.Object && queue.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            .Select(queue => queue.GetProperty("name").GetString()!)
            .ToList();
}
