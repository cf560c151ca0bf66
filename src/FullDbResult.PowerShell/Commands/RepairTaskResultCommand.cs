namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Rewrites results that old result backends stored as bare strings (<c>done</c> instead of <c>"done"</c>)
/// as the JSON strings they meant, so that every reader can parse them. Valid JSON is left alone. Writes the
/// number of results repaired.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "TaskResult", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(long))]
public sealed class RepairTaskResultCommand : StoreCmdlet
{
    protected override void EndProcessing()
    {
        if (!ShouldProcess(Store.Connection.Redacted, "Store the results kept as bare strings as JSON strings")) return;
        var repaired = AwaitCounting("Repairing task results", Store.RepairResultsAsync);
        WriteVerbose($"Repaired {repaired} task results.");
        WriteObject(repaired);
    }
}
