using System.Net;
using FullDbResult.Protocol;

namespace FullDbResult.Worker;

/// <summary>
/// How the worker runs tasks, whatever carries them: what it consumes, how many at once, what it writes and
/// when. A transport adds its own settings in a derived record (RabbitMQ's <c>TaskWorkerOptions</c>).
/// </summary>
public record WorkerOptions
{
    /// <summary>The queues to consume; a transport declares each as Celery declares it.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [CeleryProtocol.DefaultQueue];

    /// <summary>How many tasks run at once.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Writes STARTED as each task starts (Celery's task_track_started; on here, off in Celery), which shows
    /// which worker runs it. The write is queued beside the task, not awaited, and never lands after its
    /// outcome; a redelivered message waits for it, and its answer stops a task whose outcome is already
    /// stored from running again. Off, a task's row is written once, with its outcome, and only a redelivered
    /// message is checked against the store before it runs: the fastest setting for many short tasks.
    /// </summary>
    public bool TrackStarted { get; init; } = true;

    /// <summary>
    /// With <see cref="TrackStarted"/>, every task waits for its STARTED write before it runs, not only a
    /// redelivered one: a second message with the id of a task whose outcome is stored (a producer that sent
    /// it twice) is then acknowledged without running too. Costs a database round trip before each task.
    /// </summary>
    public bool StartedBeforeRun { get; init; }

    /// <summary>Larger bodies are dead-lettered unread.</summary>
    public int MaxBodyBytes { get; init; } = CeleryProtocol.DefaultMaxBodyBytes;

    /// <summary>Written to each task it runs and to its heartbeat row: Celery's node-name form, unique per process.</summary>
    public string WorkerName { get; init; } = $"fulldbresult{Environment.ProcessId}@{Dns.GetHostName()}";

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a graceful stop waits for running tasks before it cancels them and returns them to the queue.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a task terminated by remote control (<c>Stop-Task -Terminate</c>, Celery's
    /// <c>revoke(terminate=True)</c>) has to end after its token is cancelled. A handler that ignores its token
    /// is then abandoned: recorded REVOKED, its message acknowledged and its slot freed, though it may still run
    /// in the background; its result is never stored.
    /// </summary>
    public TimeSpan TerminateTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The hard time limit of a task that names none, and the cap of any: the task fails (TimeLimitExceeded) and
    /// its message is acknowledged. Keep it under RabbitMQ's consumer_timeout (30 minutes by default), which
    /// closes the channel of a message held longer, so that the message comes back and runs again.
    /// </summary>
    public TimeSpan MaxTaskTime { get; init; } = TimeSpan.FromMinutes(25);

    /// <summary>A retry with a countdown becomes a SCHEDULED row (sent by the dispatcher) instead of a message with an eta.</summary>
    public bool ScheduleDelayedTasks { get; init; }

    /// <summary>A result that System.Text.Json cannot serialize is stored as its string form instead of failing the task.</summary>
    public bool ForceJsonResults { get; init; } = true;

    /// <summary>
    /// Publishes Celery's task and worker events on the <c>celeryev</c> exchange (Celery's <c>-E</c>,
    /// worker_send_task_events; off by default, as there), so <c>celery events</c>, Flower and the event monitor
    /// see this worker. Needs a transport that can publish them (RabbitMQ's does).
    /// </summary>
    public bool SendEvents { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
