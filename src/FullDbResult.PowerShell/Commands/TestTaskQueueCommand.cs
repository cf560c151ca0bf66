using FullDbResult.Control;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Checks the queue through its store and writes one object of counts and ages for ops checks (Pester, a
/// monitoring agent) to compare with their limits: stale tasks, stale dispatcher claims, scheduled tasks due
/// and not sent, and workers alive or silent. With -PingWorkers it also asks the broker which workers answer
/// (as Get-TaskWorker does), so a worker counts as alive when it answers, and Python workers without heartbeat
/// rows are counted too.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "TaskQueue")]
[OutputType(typeof(TaskQueueHealth))]
public sealed class TestTaskQueueCommand : BrokerCmdlet
{
    /// <summary>Unfinished tasks not changed for longer than this are stale; an hour by default.</summary>
    [Parameter]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Dispatcher claims older than this are stale; ten minutes by default.</summary>
    [Parameter]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan ClaimStaleAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Pings the workers through the broker (Get-TaskWorker) and counts those that answer.</summary>
    [Parameter]
    public SwitchParameter PingWorkers { get; set; }

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
        var silentBefore = now - Store.Options.HeartbeatTimeout;
        var workers = PingWorkers
            ? AwaitBroker(token => new WorkerDirectory(Store, Broadcaster).GetWorkersAsync(cancellationToken: token))
            : Await(new WorkerStore(Store).GetWorkersAsync).Where(row => row.StoppedAt is null)
                .Select(row => new TaskWorkerInfo { Name = row.WorkerName, Hostname = row.Hostname, LastHeartbeat = row.LastHeartbeat, Silent = row.LastHeartbeat < silentBefore })
                .ToList();

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
            WorkersAlive = workers.Count(worker => worker.StoppedAt is null && !worker.Silent),
            WorkersSilent = workers.Count(worker => worker.Silent),
            WorkersAnswering = PingWorkers ? workers.Count(worker => worker.Answered) : null,
        });
    }
}
