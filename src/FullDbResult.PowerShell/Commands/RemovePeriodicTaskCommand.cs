namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Removes periodic task definitions by name (from the pipeline too); the tasks their runs sent stay in the
/// store. An unknown name is an ObjectNotFound error, and the pipeline goes on.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PeriodicTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemovePeriodicTaskCommand : StoreCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("Name")]
    [ArgumentCompleter(typeof(PeriodicTaskNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord() => ForEachConfirmedName(Name, "Remove the periodic task definition", Remove);

    private void Remove(string name)
    {
        if (!Await(token => PeriodicTasks.RemoveAsync(name, token)))
            WriteError(TaskErrors.PeriodicTaskNotFound(name));
    }
}
