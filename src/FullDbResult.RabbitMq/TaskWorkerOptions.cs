using System.Net;
using FullDbResult.Protocol;

namespace FullDbResult.RabbitMq;

public sealed record TaskWorkerOptions
{
    /// <summary>The queues to consume. Each is declared as Celery declares it (durable, no arguments).</summary>
    public IReadOnlyList<string> Queues { get; init; } = [CeleryProtocol.DefaultQueue];

    /// <summary>How many tasks run at once.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How many unacknowledged messages the broker hands this worker: those running, waiting to run, and
    /// waiting for their outcome's row to commit. Null is <see cref="DefaultPrefetch"/>. Lower it for long
    /// tasks, so that other workers get the waiting messages. A message held longer than RabbitMQ's
    /// consumer_timeout (30 minutes by default) closes the channel and is redelivered: tasks that run longer
    /// need a larger consumer_timeout on the broker.
    /// </summary>
    public int? Prefetch { get; init; }

    /// <summary>
    /// Four per task slot (Celery's worker_prefetch_multiplier), and at least 32: a message is acknowledged only
    /// when its outcome's batch commits, so a worker with short tasks needs that many in hand to keep running
    /// while the rows are written.
    /// </summary>
    public int DefaultPrefetch => Math.Max(Concurrency * 4, 32);

    /// <summary>
    /// Writes STARTED before each task runs (Celery's task_track_started; on here, off in Celery), which also
    /// shows which worker runs it and stops a task whose outcome is already stored from running again. Off,
    /// a task's row is written once, with its outcome, and only a redelivered message is checked against the
    /// store before it runs: the fastest setting for many short tasks.
    /// </summary>
    public bool TrackStarted { get; init; } = true;

    /// <summary>Larger bodies are dead-lettered unread.</summary>
    public int MaxBodyBytes { get; init; } = CeleryProtocol.DefaultMaxBodyBytes;

    /// <summary>Written to each task it runs and to its heartbeat row: Celery's node-name form, unique per process.</summary>
    public string WorkerName { get; init; } = $"fulldbresult{Environment.ProcessId}@{Dns.GetHostName()}";

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a graceful stop waits for running tasks before it cancels them and returns them to the queue.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A retry with a countdown becomes a SCHEDULED row (sent by the dispatcher) instead of a message with an eta.</summary>
    public bool ScheduleDelayedTasks { get; init; }

    /// <summary>A message that cannot be run goes to the queue named by its queue plus this suffix, which the worker declares.</summary>
    public string DeadLetterSuffix { get; init; } = ".dead_letter";

    /// <summary>A result that System.Text.Json cannot serialize is stored as its string form instead of failing the task.</summary>
    public bool ForceJsonResults { get; init; } = true;

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
