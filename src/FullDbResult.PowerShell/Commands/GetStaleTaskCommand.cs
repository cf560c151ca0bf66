namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Gets tasks that are not finished and have not changed for longer than an age (an hour by default),
/// oldest first. A STARTED task whose worker stopped sending heartbeats is marked PossiblyAborted. Tasks
/// already retried are left out unless -IncludeRetried, so that a scheduled
/// <c>Get-StaleTask | Invoke-TaskRetry</c> sends each task once.
/// </summary>
[Cmdlet(VerbsCommon.Get, "StaleTask", DefaultParameterSetName = OlderThanSet)]
[OutputType(typeof(StaleTask))]
public sealed class GetStaleTaskCommand : AgeCmdlet
{
    /// <summary>The states that count as finished; replaces SUCCESS, FAILURE, REVOKED and SCHEDULED_SENT.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskStateCompleter))]
    public string[]? TerminalState { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskNameCompleter))]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter IncludeRetried { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? First { get; set; }

    protected override void EndProcessing()
    {
        var query = new StaleTaskQuery
        {
            OlderThan = AgeOr(TimeSpan.FromHours(1)),
            TerminalStates = TerminalState,
            Name = Name,
            IncludeRetried = IncludeRetried,
            First = First,
        };
        foreach (var task in Stream(token => Store.GetStaleTasksAsync(query, token), "Reading stale tasks")) WriteObject(task);
    }
}
