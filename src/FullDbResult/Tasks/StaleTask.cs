namespace FullDbResult.Tasks;

/// <summary>A task found by a stale query.</summary>
public sealed class StaleTask : TaskRecord
{
    /// <summary>
    /// True when the task is STARTED and the worker that runs it has stopped sending heartbeats:
    /// the worker probably died with the task in hand.
    /// </summary>
    public bool PossiblyAborted { get; set; }

    /// <summary>The worker's last heartbeat, when the worker is known to the store.</summary>
    public DateTime? WorkerLastSeen { get; set; }

    /// <summary>When the worker stopped, if it stopped gracefully with this task still STARTED.</summary>
    public DateTime? WorkerStoppedAt { get; set; }
}
