namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Cancels scheduled tasks that no dispatcher has claimed yet: SCHEDULED becomes REVOKED and the task is
/// never sent. A task that is not waiting in the store (already sent, claimed, finished or unknown) gets an
/// error record, and the pipeline goes on with the next one.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Task", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaskRecord))]
public sealed class StopTaskCommand : TaskIdsCmdlet
{
    /// <summary>Writes each cancelled task, now REVOKED.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachTaskId(TaskId, Cancel);

    private void Cancel(string id)
    {
        if (!ShouldProcess(id, "Cancel the scheduled task (SCHEDULED to REVOKED)")) return;
        var cancelled = Await(token => Store.CancelScheduledAsync(id, token));
        if (cancelled && !PassThru) return;
        // Read back: the revoked row for -PassThru, or the reason the cancel did not apply.
        var task = Await(token => Store.GetAsync(id, token));
        if (task is null) WriteError(TaskErrors.NotFound(id));
        else if (!cancelled) WriteError(TaskErrors.NotCancellable(task));
        else WriteObject(task);
    }
}
