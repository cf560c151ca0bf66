using FullDbResult.Publishing;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Sends periodic tasks now, by hand, enabled or not, and records the run: the next scheduled run counts from
/// this one. Takes names and definitions from the pipeline (Get-PeriodicTask). Writes the tasks sent.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "PeriodicTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaskRecord))]
public sealed class StartPeriodicTaskCommand : BrokerCmdlet
{
    private PeriodicScheduler? _scheduler;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("Name")]
    [ArgumentCompleter(typeof(PeriodicTaskNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord() => ForEachConfirmedName(Name, "Send the periodic task now", Send);

    private void Send(string name)
    {
        var scheduler = _scheduler ??= Log.Create<PeriodicScheduler>(PeriodicTasks, Publisher);
        try
        {
            // An unknown name is this item's error, not the store's: the pipeline goes on.
            var taskId = Await(async token =>
            {
                try { return await scheduler.TriggerNowAsync(name, token); }
                catch (PeriodicTaskNotFoundException) { return null; }
            });
            if (taskId is null)
                WriteError(TaskErrors.PeriodicTaskNotFound(name));
            else
                WriteObject(Await(token => Store.GetAsync(taskId, token)));
        }
        catch (TaskPublishException exception)
        {
            // The run and its PENDING row stay recorded, where Get-StaleTask finds the task.
            WritePublishError(exception, name);
        }
    }
}
