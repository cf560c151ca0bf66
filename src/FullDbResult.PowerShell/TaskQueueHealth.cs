namespace FullDbResult.PowerShell;

/// <summary>
/// Test-TaskQueue's findings: counts and ages that an ops check compares with its limits, e.g.
/// <c>(Test-TaskQueue).StaleCount | Should -Be 0</c>.
/// </summary>
public sealed class TaskQueueHealth
{
    public DateTime CheckedAt { get; init; }

    /// <summary>The age after which an unfinished task counted as stale.</summary>
    public TimeSpan StaleAfter { get; init; }

    /// <summary>The age after which a dispatcher's claim on a scheduled task counted as stale.</summary>
    public TimeSpan ClaimStaleAfter { get; init; }

    /// <summary>Unfinished tasks not changed for longer than <see cref="StaleAfter"/>, retried ones left out.</summary>
    public int StaleCount { get; init; }

    /// <summary>Stale STARTED tasks whose worker has gone silent or stopped.</summary>
    public int PossiblyAbortedCount { get; init; }

    /// <summary>Scheduled tasks claimed longer ago than <see cref="ClaimStaleAfter"/> and never marked sent.</summary>
    public int StaleScheduledCount { get; init; }

    /// <summary>Scheduled tasks due now that no dispatcher has claimed.</summary>
    public int DueScheduledCount { get; init; }

    /// <summary>How long the longest-waiting due task has been due; zero when none is due.</summary>
    public TimeSpan OldestDueAge { get; init; }

    /// <summary>Workers running and sending heartbeats (with -PingWorkers: or answering the ping).</summary>
    public int WorkersAlive { get; init; }

    /// <summary>Workers that did not stop but have sent no heartbeat within the store's heartbeat timeout.</summary>
    public int WorkersSilent { get; init; }

    /// <summary>With -PingWorkers, the workers (ours and Python's) that answered the ping; null without it.</summary>
    public int? WorkersAnswering { get; init; }
}
