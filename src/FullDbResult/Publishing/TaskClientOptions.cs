namespace FullDbResult.Publishing;

public sealed record TaskClientOptions
{
    /// <summary>Write the PENDING row before publishing (on by default): a lost publish is then visible as a stale task.</summary>
    public bool TrackPublish { get; init; } = true;

    /// <summary>
    /// A task with an eta or countdown becomes a SCHEDULED row, sent later by the dispatcher, instead of a
    /// message that a worker or the broker has to hold.
    /// </summary>
    public bool ScheduleDelayedTasks { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
