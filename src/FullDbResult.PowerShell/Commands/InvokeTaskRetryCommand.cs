using FullDbResult.Protocol;
using FullDbResult.Publishing;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Sends tasks again under new ids, to their original exchange and routing key (or, with -DefaultRouting,
/// Celery's default queue), and writes the new tasks. The old row is claimed first, so of two operators
/// retrying one task at once only one sends it; a task already retried gets an error record.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "TaskRetry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaskRecord))]
public sealed class InvokeTaskRetryCommand : BrokerCmdlet
{
    private int _retried;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("TaskId")]
    public string[] TaskId { get; set; } = [];

    /// <summary>Sends to Celery's default queue through the default exchange, instead of the original routing.</summary>
    [Parameter]
    public SwitchParameter DefaultRouting { get; set; }

    protected override void ProcessRecord() => ForEachTaskId(TaskId, id =>
    {
        if (!ShouldProcess(id, "Send the task again under a new id")) return;
        WriteProgress(new ProgressRecord(0, "Retrying tasks", $"{_retried} sent; now {id}"));
        try
        {
            Retry(id);
        }
        catch (TaskPublishException exception)
        {
            // The new row stays PENDING with the publish error in its meta, where Get-StaleTask finds it.
            WritePublishError(exception, id);
        }
    });

    protected override void EndProcessing() =>
        WriteProgress(new ProgressRecord(0, "Retrying tasks", $"{_retried} sent") { RecordType = ProgressRecordType.Completed });

    private void Retry(string id)
    {
        // A claimed SCHEDULED row is its dispatcher's: a retry would leave the claim stale for good, and a live
        // dispatcher would send the task a second time. Reset-ScheduledTask releases the claim instead.
        if (Await(token => Store.GetAsync(id, token)) is { Status: TaskStates.Scheduled, ScheduledId: { } claim })
        {
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"Task '{id}' is claimed by dispatcher '{claim}'. To send it, release the claim: Reset-ScheduledTask -TaskId '{id}', then the next dispatch pass sends it once."),
                "ScheduledTaskClaimed", ErrorCategory.InvalidOperation, id));
            return;
        }
        var result = DefaultRouting
            ? Await(token => Client.RetryAsync(id, exchange: "", routingKey: CeleryProtocol.DefaultQueue, token))
            : Await(token => Client.RetryAsync(id, cancellationToken: token));
        switch (result.Claim)
        {
            case RetryClaim.Claimed:
                _retried++;
                WriteObject(result.NewTask);
                break;
            case RetryClaim.AlreadyRetried:
                WriteError(new ErrorRecord(new InvalidOperationException($"Task '{id}' was already retried."),
                    "TaskAlreadyRetried", ErrorCategory.ResourceExists, id));
                break;
            case RetryClaim.ClaimedByDispatcher:
                WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Scheduled task '{id}' is being sent by a dispatcher that claimed it; if that dispatcher stopped, Get-StaleScheduledTask reports the row."),
                    "ScheduledTaskClaimed", ErrorCategory.ResourceBusy, id));
                break;
            default:
                WriteError(TaskErrors.NotFound(id));
                break;
        }
    }
}
