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

    /// <summary>A retry with a countdown becomes a SCHEDULED row (sent by the dispatcher) instead of a message with an eta.</summary>
    public bool ScheduleDelayedTasks { get; init; }

    /// <summary>A result that System.Text.Json cannot serialize is stored as its string form instead of failing the task.</summary>
    public bool ForceJsonResults { get; init; } = true;

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
