namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Checks the queue through its store and writes one object of counts and ages for ops checks (Pester, a
/// monitoring agent) to compare with their limits: stale tasks, stale dispatcher claims, scheduled tasks due
/// and not sent, and workers alive or silent.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "TaskQueue")]
[OutputType(typeof(TaskQueueHealth))]
public sealed class TestTaskQueueCommand : StoreCmdlet
{
    /// <summary>Unfinished tasks not changed for longer than this are stale; an hour by default.</summary>
    [Parameter]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Dispatcher claims older than this are stale; ten minutes by default.</summary>
    [Parameter]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan ClaimStaleAfter { get; set; } = TimeSpan.FromMinutes(10);

    protected override void EndProcessing()
    {
        var now = Store.Options.Clock.GetUtcNow().UtcDateTime;
        int staleCount = 0, possiblyAborted = 0;
        foreach (var task in Stream(token => Store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = StaleAfter }, token), "Counting stale tasks"))
        {
            staleCount++;
            if (task.PossiblyAborted) possiblyAborted++;
        }
        // Due tasks come soonest first: the first one has waited longest.
        var oldestDue = Stream(token => Store.GetDueScheduledAsync(1, token)).FirstOrDefault();
        var workers = Await(new WorkerStore(Store).GetWorkersAsync).Where(worker => worker.StoppedAt is null).ToList();
        var silentBefore = now - Store.Options.HeartbeatTimeout;

        WriteObject(new TaskQueueHealth
        {
            CheckedAt = now,
            StaleAfter = StaleAfter,
            ClaimStaleAfter = ClaimStaleAfter,
            StaleCount = staleCount,
            PossiblyAbortedCount = possiblyAborted,
            StaleScheduledCount = Stream(token => Store.GetStaleScheduledAsync(ClaimStaleAfter, cancellationToken: token)).Count(),
            DueScheduledCount = Stream(token => Store.GetDueScheduledAsync(cancellationToken: token)).Count(),
            OldestDueAge = oldestDue?.Eta is { } eta ? now - eta : TimeSpan.Zero,
            WorkersAlive = workers.Count(worker => worker.LastHeartbeat >= silentBefore),
            WorkersSilent = workers.Count(worker => worker.LastHeartbeat < silentBefore),
        });
    }
}
