namespace FullDbResult.PowerShell;

/// <summary>
/// The base of store cmdlets that act on tasks by id, taken from the pipeline too
/// (<c>Get-StaleScheduledTask | Reset-ScheduledTask</c>); each id goes through <see cref="StoreCmdlet.ForEachTaskId"/>.
/// </summary>
public abstract class TaskIdsCmdlet : StoreCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("TaskId")]
    public string[] TaskId { get; set; } = [];
}
