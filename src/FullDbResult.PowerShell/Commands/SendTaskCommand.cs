using FullDbResult.Publishing;
using FullDbResult.Workflows;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Sends a task by name, with its arguments as values or as JSON, and writes its record. A task with -Eta or -Countdown
/// is kept in the store as SCHEDULED until a dispatcher sends it (Invoke-ScheduledDispatch), instead of
/// waiting in a worker's memory.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "Task", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = NowSet)]
[OutputType(typeof(TaskRecord))]
public sealed class SendTaskCommand : BrokerCmdlet
{
    private const string NowSet = "Now";
    private const string EtaSet = "Eta";
    private const string CountdownSet = "Countdown";

    /// <summary>The task's registered name, e.g. email.send.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("TaskName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>
    /// The positional arguments: values, e.g. 1, 'two', or a JSON array as text, e.g. '[1, "two"]'. Text is
    /// always read as JSON, so one string argument is @('text') or '["text"]'.
    /// </summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public object? Args { get; set; }

    /// <summary>The keyword arguments: a hashtable, e.g. @{to = 'ops@example.com'}, or a JSON object as text.</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    public object? Kwargs { get; set; }

    /// <summary>Not before this time; a time without a zone is local.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EtaSet)]
    public DateTime Eta { get; set; }

    /// <summary>Not before now plus this.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CountdownSet)]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan Countdown { get; set; }

    /// <summary>The queue to send to through the default exchange; Celery's "celery" by default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Queue { get; set; }

    /// <summary>Tasks to send after this one succeeds, each given its result as the first argument (Celery's link), to the same queue.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Link { get; set; }

    /// <summary>Tasks to send after this one fails, each given its task id as the first argument (Celery's link_error), to the same queue.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LinkError { get; set; }

    protected override TaskClientOptions ClientOptions => new() { ScheduleDelayedTasks = true };

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, "Send the task")) return;
        var options = new SendOptions
        {
            Queue = Queue,
            Eta = ParameterSetName == EtaSet ? new DateTimeOffset(Eta.ToUniversalTime()) : null,
            Countdown = ParameterSetName == CountdownSet ? Countdown : null,
            Link = Signatures(Link),
            LinkError = Signatures(LinkError),
        };
        try
        {
            var (args, kwargs) = (TaskArgumentsJson.Args(Args), TaskArgumentsJson.Kwargs(Kwargs));
            var id = Await(token => Client.SendAsync(Name, args, kwargs, options, token));
            WriteObject(Await(token => Store.GetAsync(id, token)));
        }
        catch (ArgumentException exception)
        {
            WriteError(new ErrorRecord(exception, "InvalidTask", ErrorCategory.InvalidArgument, Name));
        }
        catch (TaskPublishException exception)
        {
            // The row stays PENDING with the publish error in its meta, where Get-StaleTask finds it.
            WritePublishError(exception, Name);
        }
    }

    private List<TaskSignature>? Signatures(string[]? names) =>
        names?.Select(name => new TaskSignature(name) { Options = new SendOptions { Queue = Queue } }).ToList();
}
