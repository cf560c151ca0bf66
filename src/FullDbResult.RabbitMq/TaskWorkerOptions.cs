using FullDbResult.Worker;

namespace FullDbResult.RabbitMq;

/// <summary>The worker's settings: how it runs tasks (<see cref="WorkerOptions"/>) and how it holds RabbitMQ messages.</summary>
public sealed record TaskWorkerOptions : WorkerOptions
{
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
    /// Answers Celery's remote control (<c>celery inspect ping/active/registered</c>, <c>control revoke</c>,
    /// <c>Stop-Task</c>) on the worker's own <c>&lt;WorkerName&gt;.celery.pidbox</c> queue.
    /// </summary>
    public bool RemoteControl { get; init; } = true;
}
