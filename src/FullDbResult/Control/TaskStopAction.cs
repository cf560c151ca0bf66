namespace FullDbResult.Control;

/// <summary>What <see cref="TaskControl.StopAsync"/> did to one task.</summary>
public enum TaskStopAction
{
    /// <summary>A SCHEDULED row no dispatcher had claimed became REVOKED: it is never sent.</summary>
    CancelledScheduled,

    /// <summary>A task on its way (PENDING, RECEIVED, RETRY) was recorded REVOKED and a revoke was broadcast: workers skip it when it arrives.</summary>
    RevokedQueued,

    /// <summary>A running task: a revoke with terminate was broadcast and the row recorded REVOKED.</summary>
    TerminateSent,

    /// <summary>A running task without terminate: a revoke was broadcast, which keeps a redelivery from running it, but this run goes on.</summary>
    RevokeSentRunning,

    /// <summary>The store has no row: a revoke was broadcast, and workers skip the id if it arrives.</summary>
    RevokeSentUnknown,

    /// <summary>The task already has its outcome (or was sent on as another id): nothing done.</summary>
    AlreadyFinished,

    /// <summary>A SCHEDULED row a dispatcher has claimed and may be sending now: nothing done (see Reset-ScheduledTask).</summary>
    ClaimedByDispatcher,
}
