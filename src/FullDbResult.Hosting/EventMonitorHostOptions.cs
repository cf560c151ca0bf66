namespace FullDbResult.Hosting;

/// <summary>The "FullDbResult:EventMonitor" section: the Celery event monitor that <c>AddEventMonitor</c> runs.</summary>
public sealed class EventMonitorHostOptions
{
    /// <summary>
    /// Off unless configured: the monitor's durable queue receives every event of every Celery worker and grows
    /// while nothing consumes it, so it is created only where a monitor is meant to run.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>The monitor's own queue on the celeryev exchange; empty is <c>fulldbresult.celeryev</c>.</summary>
    public string Queue { get; set; } = "";

    /// <summary>Celery's event_exchange; empty is <c>celeryev</c>.</summary>
    public string Exchange { get; set; } = "";

    /// <summary>The most messages written in one transaction; empty is 500.</summary>
    public int? BatchSize { get; set; }
}
