namespace FullDbResult.Hosting;

/// <summary>The "FullDbResult:Worker" section: the worker that <c>AddWorker</c> runs.</summary>
public sealed class WorkerHostOptions
{
    /// <summary>Lets one configuration turn the worker off on some machines without a code change.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The queues to consume; empty is Celery's default queue, <c>celery</c>.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>How many tasks run at once; empty is the number of processors.</summary>
    public int? Concurrency { get; set; }

    /// <summary>How many unacknowledged messages the broker hands the worker; empty is four per task slot, at least 32.</summary>
    public int? Prefetch { get; set; }

    /// <summary>
    /// How long a stop waits for running tasks before it cancels them and returns them to the queue. Keep it
    /// below the host's own shutdown timeout (<c>HostOptions.ShutdownTimeout</c>, 30 s by default), which ends
    /// the wait whatever this says.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Writes STARTED before each task runs; see the worker's TrackStarted.</summary>
    public bool TrackStarted { get; set; } = true;

    /// <summary>Publishes Celery's task and worker events (Celery's <c>-E</c>); see the worker's SendEvents.</summary>
    public bool SendEvents { get; set; }
}
