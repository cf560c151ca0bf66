namespace FullDbResult.RabbitMq;

/// <summary>Where <see cref="CeleryEventMonitor"/> reads Celery's events from, and how many it writes at once.</summary>
public sealed record CeleryEventMonitorOptions
{
    /// <summary>
    /// The monitor's own durable queue, bound to <see cref="Exchange"/> with <c>#</c>: events wait there while the
    /// monitor is down. Every monitor process sharing it shares the work; each queue gets every event.
    /// </summary>
    public string Queue { get; init; } = "fulldbresult.celeryev";

    /// <summary>Celery's event_exchange (<c>celeryev</c> unless changed), declared as Celery declares it: a durable topic exchange.</summary>
    public string Exchange { get; init; } = "celeryev";

    /// <summary>The most messages written in one transaction; their acknowledgement is one multiple-ack.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Unacknowledged messages the broker hands the monitor: at least two batches, so one fills while one is written.</summary>
    public int Prefetch { get; init; } = 2000;

    /// <summary>Malformed messages are republished to the queue named by <see cref="Queue"/> plus this suffix, with the reason.</summary>
    public string DeadLetterSuffix { get; init; } = ".dead_letter";
}
