namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Gets SCHEDULED tasks that a dispatcher claimed longer ago than an age (ten minutes by default) and never
/// marked sent: the dispatcher probably died between its claim and its bookkeeping. Oldest claim first.
/// </summary>
[Cmdlet(VerbsCommon.Get, "StaleScheduledTask", DefaultParameterSetName = OlderThanSet)]
[OutputType(typeof(TaskRecord))]
public sealed class GetStaleScheduledTaskCommand : AgeCmdlet
{
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? First { get; set; }

    protected override void EndProcessing()
    {
        var olderThan = AgeOr(TimeSpan.FromMinutes(10));
        foreach (var task in Stream(token => Store.GetStaleScheduledAsync(olderThan, First, token))) WriteObject(task);
    }
}
