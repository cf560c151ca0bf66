namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Runs one dispatch pass: claims the due SCHEDULED tasks batch by batch, records each as sent under a new id
/// and publishes the new tasks with confirms, then writes a summary (claimed, sent, failed). Safe beside
/// running dispatchers: each row goes to one of them. -WhatIf lists the due tasks without claiming them.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ScheduledDispatch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DispatchSummary))]
[OutputType(typeof(TaskRecord))]
public sealed class InvokeScheduledDispatchCommand : BrokerCmdlet
{
    /// <summary>Tasks claimed, recorded and published together.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>The most tasks this pass sends; every due task when not given.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Limit { get; set; }

    protected override void EndProcessing()
    {
        var target = Store.Connection.Redacted;
        if (!ShouldProcess($"Dispatching the due scheduled tasks of {target}.", $"Dispatch the due scheduled tasks of {target}?",
                "Invoke-ScheduledDispatch", out var reason))
        {
            if (reason == ShouldProcessReason.WhatIf)
                foreach (var due in Stream(token => Store.GetDueScheduledAsync(Limit, token))) WriteObject(due);
            return;
        }
        // A pass that finds nothing due never publishes: without this, a refused login would pass as success.
        VerifyBroker();
        var dispatcher = Log.Create<ScheduledDispatcher>(Store, Publisher);
        var options = new DispatchOptions { BatchSize = BatchSize, Limit = Limit };
        var summary = AwaitReporting<DispatchSummary, DispatchSummary>("Dispatching scheduled tasks",
            (progress, token) => dispatcher.RunOnceAsync(options, progress, token),
            sofar => $"{sofar?.Sent ?? 0} sent", done => $"{done.Sent} sent");
        if (summary.Failed > 0)
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"{summary.Failed} tasks were recorded but not confirmed by the broker: {summary.PublishError}"),
                "TasksNotPublished", ErrorCategory.ConnectionError, summary.FailedTaskIds));
        if (summary.BrokerUnavailable)
            WriteError(new ErrorRecord(new InvalidOperationException(
                    $"The broker is not reachable: {(summary.Claimed == 0 ? "no" : "no further")} scheduled task was claimed; the due tasks stay scheduled."),
                "BrokerUnavailable", ErrorCategory.ConnectionError, target));
        WriteObject(summary);
    }
}
