namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Releases a dispatcher's stale claim on scheduled tasks, so that the next dispatch pass sends each of them
/// once: <c>Get-StaleScheduledTask -Minutes 10 | Reset-ScheduledTask</c>. Releases only the claim the operator
/// saw (ScheduledId from the pipeline, else the row's claim when read), only while the row is still SCHEDULED
/// under it; a dispatcher that still holds it then records and sends nothing. Any other row is an error record.
/// </summary>
[Cmdlet(VerbsCommon.Reset, "ScheduledTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaskRecord))]
public sealed class ResetScheduledTaskCommand : TaskIdsCmdlet
{
    private int _released;

    /// <summary>The claim to release, as Get-StaleScheduledTask showed it; the row's current claim when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ScheduledId { get; set; }

    /// <summary>Writes each released task, SCHEDULED and unclaimed again.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForEachTaskId(TaskId, Release);

    protected override void EndProcessing() =>
        WriteVerbose($"Released {_released} claims; the next dispatch pass (Invoke-ScheduledDispatch, or a running dispatcher) sends the tasks.");

    private void Release(string id)
    {
        var claim = ScheduledId;
        if (claim is null)
        {
            var task = Await(token => Store.GetAsync(id, token));
            if (task is null)
            {
                WriteError(TaskErrors.NotFound(id));
                return;
            }
            if (task.Status != TaskStates.Scheduled || task.ScheduledId is null)
            {
                WriteError(NotClaimed(id, task.Status == TaskStates.Scheduled ? "no dispatcher has claimed it" : $"it is {task.Status}"));
                return;
            }
            claim = task.ScheduledId;
        }
        if (!ShouldProcess(id, $"Release the dispatcher claim '{claim}' so that the next dispatch pass sends the task")) return;
        if (Await(token => Store.ReleaseScheduledClaimAsync(id, claim, token)))
        {
            _released++;
            if (PassThru) WriteObject(Await(token => Store.GetAsync(id, token)));
            return;
        }
        var now = Await(token => Store.GetAsync(id, token));
        if (now is null) WriteError(TaskErrors.NotFound(id));
        else WriteError(NotClaimed(id, now.Status != TaskStates.Scheduled ? $"it is {now.Status} now"
            : now.ScheduledId is null ? "its claim was released meanwhile" : $"it is claimed by '{now.ScheduledId}' now, not '{claim}'"));
    }

    private static ErrorRecord NotClaimed(string id, string reason) =>
        new(new InvalidOperationException($"Task '{id}' was not released: {reason}."), "TaskClaimNotReleased", ErrorCategory.InvalidOperation, id);
}
