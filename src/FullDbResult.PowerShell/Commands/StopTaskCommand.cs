using FullDbResult.Control;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Stops tasks wherever they are and says per task what it did (a <see cref="TaskStopResult"/>): a SCHEDULED
/// task no dispatcher has claimed is cancelled in the store; a task on its way to a worker is recorded REVOKED
/// and a Celery revoke is broadcast, so Celery's workers and ours skip it; a running task is terminated with
/// -Terminate (our worker cancels the handler's token, a Python worker signals its pool process with -Signal).
/// A finished task is left alone. A scheduled task a dispatcher has claimed is an error, and the pipeline goes on.
/// The library call is <see cref="TaskControl.StopAsync"/>.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Task", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaskStopResult))]
public sealed class StopTaskCommand : BrokerCmdlet
{
    private TaskControl? _control;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("TaskId")]
    public string[] TaskId { get; set; } = [];

    /// <summary>Also stops a task that is running now.</summary>
    [Parameter]
    public SwitchParameter Terminate { get; set; }

    /// <summary>The signal a Python worker sends the process running the task with -Terminate: SIGTERM by default.</summary>
    [Parameter]
    [ValidatePattern("^SIG[A-Z0-9]+$")]
    public string Signal { get; set; } = ControlMethods.DefaultSignal;

    protected override void ProcessRecord() => ForEachTaskId(TaskId, Stop);

    private void Stop(string id)
    {
        var action = Terminate
            ? "Stop the task: cancel it if scheduled, revoke it if queued, terminate it if running"
            : "Stop the task: cancel it if scheduled, revoke it if queued";
        if (!ShouldProcess(id, action)) return;
        _control ??= Log.Create<TaskControl>(Store, Broadcaster);
        var result = AwaitBroker(token => _control.StopAsync(id, Terminate, Terminate ? Signal : null, token));
        if (result.Action == TaskStopAction.ClaimedByDispatcher)
        {
            WriteError(TaskErrors.NotCancellable(Await(token => Store.GetAsync(id, token))!));
            return;
        }
        WriteVerbose($"{id}: {result.Message}");
        WriteObject(result);
    }
}
