namespace FullDbResult.Control;

/// <summary>
/// One worker as <see cref="WorkerDirectory"/> knows it: from its heartbeat row (ours, and Python's once an
/// event monitor records them), from its answer to a ping, or both.
/// </summary>
public sealed record TaskWorkerInfo
{
    public required string Name { get; init; }

    /// <summary>The host part of the name, or the heartbeat row's host name.</summary>
    public required string Hostname { get; init; }

    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>Tasks it runs now, from its answer to <c>inspect active</c>; null when it did not answer.</summary>
    public int? ActiveTasks { get; init; }

    /// <summary>Its last heartbeat in the store (UTC); null for a worker known only from its answer.</summary>
    public DateTime? LastHeartbeat { get; init; }

    /// <summary>When its heartbeat row says it stopped (UTC).</summary>
    public DateTime? StoppedAt { get; init; }

    /// <summary>It answered the ping.</summary>
    public bool Answered { get; init; }

    /// <summary>Its heartbeat is older than the store's heartbeat timeout, and it did not answer.</summary>
    public bool Silent { get; init; }
}
