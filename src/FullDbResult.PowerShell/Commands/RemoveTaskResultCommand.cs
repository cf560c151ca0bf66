namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Deletes finished tasks that have not changed for longer than an age (30 days by default), in batches so
/// that no statement locks millions of rows. Only SUCCESS, FAILURE, REVOKED and SCHEDULED_SENT by default;
/// SCHEDULED tasks are never removed. -WhatIf and the confirmation say how many rows would go. Writes the
/// number of tasks removed.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "TaskResult", DefaultParameterSetName = OlderThanSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(long))]
public sealed class RemoveTaskResultCommand : AgeCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskStateCompleter))]
    public string[]? Status { get; set; }

    /// <summary>Rows deleted per statement.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int BatchSize { get; set; } = 1000;

    protected override void EndProcessing()
    {
        var request = new PurgeRequest { OlderThan = AgeOr(TimeSpan.FromDays(30)), States = Status, BatchSize = BatchSize };
        var states = string.Join(", ", TaskStates.Normalize(request.States) ?? TaskStates.DefaultTerminal);
        try
        {
            // Counted first, so that -WhatIf and the confirmation say how many rows would go.
            var count = Await(token => Store.CountPurgeableAsync(request, token));
            if (!ShouldProcess(Store.Connection.Redacted, $"Remove {count} {(count == 1 ? "task" : "tasks")} in {states} not changed for {request.OlderThan}")) return;
            var removed = AwaitCounting("Removing task results", (progress, token) => Store.PurgeAsync(request, progress, token));
            WriteVerbose($"Removed {removed} task results.");
            WriteObject(removed);
        }
        catch (ArgumentException exception)
        {
            // SCHEDULED among -Status: a mistake in the arguments, not in the store.
            ThrowTerminatingError(new ErrorRecord(exception, "InvalidPurge", ErrorCategory.InvalidArgument, Status));
        }
    }
}
