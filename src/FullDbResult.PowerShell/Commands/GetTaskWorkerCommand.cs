using FullDbResult.Control;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Lists the workers there are: the heartbeat rows of the store (our workers, and Python's once an event
/// monitor records them) joined with a ping, <c>inspect active</c> and <c>inspect active_queues</c> broadcast on
/// the broker, which Celery's workers and ours answer. The library call is <see cref="WorkerDirectory.GetWorkersAsync"/>.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TaskWorker")]
[OutputType(typeof(TaskWorkerInfo))]
public sealed class GetTaskWorkerCommand : BrokerCmdlet
{
    /// <summary>Wildcard patterns of worker names to show; all when not given.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>How long to wait for answers; one second by default, as Celery's inspect waits.</summary>
    [Parameter]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan Timeout { get; set; } = WorkerDirectory.DefaultTimeout;

    /// <summary>Also lists workers whose last heartbeat said they stopped.</summary>
    [Parameter]
    public SwitchParameter IncludeStopped { get; set; }

    protected override void EndProcessing()
    {
        var patterns = (Name ?? ["*"]).Select(name => new WildcardPattern(name, WildcardOptions.IgnoreCase)).ToList();
        var workers = AwaitBroker(token => new WorkerDirectory(Store, Broadcaster).GetWorkersAsync(Timeout, IncludeStopped, token));
        foreach (var worker in workers.Where(worker => patterns.Any(pattern => pattern.IsMatch(worker.Name))))
            WriteObject(worker);
    }
}
