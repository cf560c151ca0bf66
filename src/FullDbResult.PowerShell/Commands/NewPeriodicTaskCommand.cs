namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Defines a periodic task: a task name with its arguments, sent on a cron schedule or at a fixed interval by
/// the periodic scheduler. A bad cron expression or time zone is refused with its reason, before anything is
/// written; a name in use is a ResourceExists error. Writes the new definition.
/// </summary>
[Cmdlet(VerbsCommon.New, "PeriodicTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PeriodicTask))]
public sealed class NewPeriodicTaskCommand : PeriodicTaskDefinitionCmdlet
{
    /// <summary>The definition's unique name, e.g. nightly-report.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The registered name of the task it sends, e.g. reports.nightly.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskNameCompleter))]
    public string TaskName { get; set; } = "";

    /// <summary>Adds the definition disabled: the scheduler skips it until Set-PeriodicTask -Enable.</summary>
    [Parameter]
    public SwitchParameter Disabled { get; set; }

    protected override void ProcessRecord()
    {
        var definition = new PeriodicTask { Name = Name, TaskName = TaskName, Enabled = !Disabled };
        try
        {
            Apply(definition);
        }
        catch (ArgumentException exception)
        {
            WriteError(InvalidDefinition(exception, Name));
            return;
        }
        if (!ShouldProcess(Name, $"Define the periodic task {definition}")) return;
        try
        {
            // A name in use is this item's error, not the store's: the pipeline goes on.
            var added = Await(async token =>
            {
                try { return await PeriodicTasks.AddAsync(definition, token); }
                catch (DuplicatePeriodicTaskException) { return null; }
            });
            if (added is null)
                WriteError(new ErrorRecord(new InvalidOperationException($"A periodic task named '{Name}' already exists; change it with Set-PeriodicTask."),
                    "PeriodicTaskExists", ErrorCategory.ResourceExists, Name));
            else
                WriteObject(added);
        }
        catch (ArgumentException exception)
        {
            WriteError(InvalidDefinition(exception, Name));
        }
    }
}
