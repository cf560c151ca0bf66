namespace FullDbResult.Scheduling;

/// <summary>
/// A task sent on a schedule: a cron expression in a time zone, or a fixed interval. Names are unique.
/// Times are UTC.
/// </summary>
public sealed class PeriodicTask
{
    /// <summary>The store's surrogate key.</summary>
    public long Id { get; set; }
    /// <summary>The unique name operators use for it.</summary>
    public string Name { get; set; } = "";
    /// <summary>The task it sends.</summary>
    public string TaskName { get; set; } = "";
    /// <summary>Positional arguments as a JSON array.</summary>
    public string Args { get; set; } = "[]";
    /// <summary>Keyword arguments as a JSON object.</summary>
    public string Kwargs { get; set; } = "{}";
    public string? Exchange { get; set; }
    public string? RoutingKey { get; set; }
    public string? Queue { get; set; }
    public int? Priority { get; set; }
    /// <summary>Five fields (minute to day of week) or six (seconds first); Cronos syntax, macros such as @hourly too.</summary>
    public string? CronExpression { get; set; }
    /// <summary>The cron expression's time zone, an IANA or Windows id; UTC when empty.</summary>
    public string? TimeZone { get; set; }
    /// <summary>The interval between runs, for a task without a cron expression.</summary>
    public long? IntervalSeconds { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime? LastRunAt { get; set; }
    public long RunCount { get; set; }
    /// <summary>The id of the task the last run sent.</summary>
    public string? LastTaskId { get; set; }
    public string? Description { get; set; }
    /// <summary>When the definition was added or last changed; a task that never ran counts its schedule from here.</summary>
    public DateTime DateChanged { get; set; }

    public override string ToString() => $"{Name} ({TaskName}, {(CronExpression is null ? $"every {IntervalSeconds} s" : CronExpression)})";
}
