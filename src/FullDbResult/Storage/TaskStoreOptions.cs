namespace FullDbResult.Storage;

public sealed class TaskStoreOptions
{
    /// <summary>Create or upgrade the schema on first use. On by default so the embedded default needs no set-up.</summary>
    public bool AutoMigrate { get; set; } = true;

    /// <summary>How long a worker may go without a heartbeat before its STARTED tasks count as possibly aborted.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows read per round trip by the streaming queries.</summary>
    public int PageSize { get; set; } = 500;

    public TimeProvider Clock { get; set; } = TimeProvider.System;
}
