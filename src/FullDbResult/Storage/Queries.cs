namespace FullDbResult.Storage;

/// <summary>A filtered listing, newest change first.</summary>
public sealed class TaskQuery
{
    /// <summary>An exact task name, or a pattern with * and ? wildcards.</summary>
    public string? Name { get; set; }
    public IReadOnlyCollection<string>? Statuses { get; set; }
    /// <summary>Only tasks last changed at or after this time (UTC).</summary>
    public DateTime? Since { get; set; }
    /// <summary>Only tasks last changed before this time (UTC).</summary>
    public DateTime? Until { get; set; }
    /// <summary>At most this many rows in all; null for no limit.</summary>
    public int? First { get; set; }
    /// <summary>Only the members of this group (Celery's group id; a chord's members share one).</summary>
    public string? GroupId { get; set; }
}

/// <summary>What counts as stale: not terminal, and not changed for longer than <see cref="OlderThan"/>.</summary>
public sealed class StaleTaskQuery
{
    public TimeSpan OlderThan { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Replaces the default terminal states (SUCCESS, FAILURE, REVOKED, SCHEDULED_SENT).</summary>
    public IReadOnlyCollection<string>? TerminalStates { get; set; }
    /// <summary>An exact task name, or a pattern with * and ? wildcards.</summary>
    public string? Name { get; set; }
    /// <summary>Also report tasks that were already retried (RetriedAs set).</summary>
    public bool IncludeRetried { get; set; }
    public int? First { get; set; }
}

/// <summary>Old results to delete, in batches.</summary>
public sealed class PurgeRequest
{
    public TimeSpan OlderThan { get; set; } = TimeSpan.FromDays(30);
    /// <summary>The states to purge; the default terminal states when null. SCHEDULED is never purged.</summary>
    public IReadOnlyCollection<string>? States { get; set; }
    public int BatchSize { get; set; } = 1000;
}

/// <summary>What a claim for a retry found.</summary>
public enum RetryClaim
{
    Claimed,
    AlreadyRetried,
    NotFound,

    /// <summary>A SCHEDULED row a dispatcher has claimed: it sends it, or Get-StaleScheduledTask reports it.</summary>
    ClaimedByDispatcher,
}
