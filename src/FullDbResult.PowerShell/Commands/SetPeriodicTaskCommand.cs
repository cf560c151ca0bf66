namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Changes periodic tasks by name (from the pipeline too, e.g. Get-PeriodicTask 'report-*'): enables or
/// disables them, replaces their schedule, arguments, routing or description. Only the parameters given
/// change; the run history stays. A bad cron expression is refused with its reason before anything is written.
/// </summary>
[Cmdlet(VerbsCommon.Set, "PeriodicTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PeriodicTask))]
public sealed class SetPeriodicTaskCommand : PeriodicTaskDefinitionCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("Name")]
    [ArgumentCompleter(typeof(PeriodicTaskNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>The registered name of the task it sends.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskNameCompleter))]
    public string? TaskName { get; set; }

    /// <summary>Lets the scheduler send it again.</summary>
    [Parameter]
    public SwitchParameter Enable { get; set; }

    /// <summary>Makes the scheduler skip it; Start-PeriodicTask still sends it by hand.</summary>
    [Parameter]
    public SwitchParameter Disable { get; set; }

    /// <summary>Writes each changed definition.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing()
    {
        if (Enable && Disable)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Enable and -Disable cannot be given together."),
                "EnableAndDisable", ErrorCategory.InvalidArgument, null));
    }

    protected override void ProcessRecord()
    {
        foreach (var name in Name) Change(name);
    }

    private void Change(string name)
    {
        var task = Await(token => PeriodicTasks.GetAsync(name, token));
        if (task is null)
        {
            WriteError(TaskErrors.PeriodicTaskNotFound(name));
            return;
        }
        var definitionChanges = DefinitionParametersGiven.Count > 0 || TaskName is not null;
        try
        {
            if (TaskName is not null) task.TaskName = TaskName;
            Apply(task);
        }
        catch (ArgumentException exception)
        {
            WriteError(InvalidDefinition(exception, name));
            return;
        }
        if (Enable || Disable) task.Enabled = Enable;
        if (!ShouldProcess(name, $"Change the periodic task to {task}{(task.Enabled ? "" : ", disabled")}")) return;
        // Enabling or disabling alone touches that column only, so it never undoes another operator's change.
        var changed = definitionChanges
            ? Await(token => PeriodicTasks.ChangeAsync(task, token))
            : !(Enable || Disable) || Await(token => Enable ? PeriodicTasks.EnableAsync(name, token) : PeriodicTasks.DisableAsync(name, token));
        if (!changed) WriteError(TaskErrors.PeriodicTaskNotFound(name));
        else if (PassThru) WriteObject(Await(token => PeriodicTasks.GetAsync(name, token)));
    }
}
