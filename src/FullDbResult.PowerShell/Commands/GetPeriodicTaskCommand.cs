namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Gets periodic task definitions by name (case-sensitive, * and ? as wildcards: the rule of task names),
/// with their schedule and last run.
/// </summary>
[Cmdlet(VerbsCommon.Get, "PeriodicTask")]
[OutputType(typeof(PeriodicTask))]
public sealed class GetPeriodicTaskCommand : StoreCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PeriodicTaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only the enabled definitions.</summary>
    [Parameter]
    public SwitchParameter Enabled { get; set; }

    protected override void ProcessRecord()
    {
        var all = Await(token => PeriodicTasks.ListAsync(Enabled, token));
        if (Name is null)
        {
            WriteObject(all, enumerateCollection: true);
            return;
        }
        foreach (var name in Name)
        {
            var pattern = NamePattern.ToRegex(name);
            var matches = all.Where(task => pattern.IsMatch(task.Name)).ToList();
            WriteObject(matches, enumerateCollection: true);
            // As Get-Item does: a wildcard that matches nothing is no error, a plain name that matches nothing is.
            if (matches.Count == 0 && !NamePattern.HasWildcards(name))
                WriteError(TaskErrors.PeriodicTaskNotFound(name));
        }
    }
}
