namespace FullDbResult.Storage;

/// <summary>A worker's row in the heartbeat table.</summary>
public sealed class WorkerHeartbeat
{
    public string WorkerName { get; set; } = "";
    public string Hostname { get; set; } = "";
    public int Pid { get; set; }
    /// <summary>The queues it consumes, comma-separated.</summary>
    public string Queues { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime LastHeartbeat { get; set; }
    /// <summary>Set when the worker stopped gracefully.</summary>
    public DateTime? StoppedAt { get; set; }
}
