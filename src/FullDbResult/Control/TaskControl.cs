namespace FullDbResult.Control;

/// <summary>
/// Stops tasks wherever they are, as <c>Stop-Task</c> does: a SCHEDULED row is cancelled in the store; a task
/// on its way to a worker is recorded REVOKED and revoked on the <c>celery.pidbox</c> exchange, so Celery's
/// workers and ours skip it when it arrives; a running task is terminated on request (Celery's
/// <c>revoke(terminate=True, signal=...)</c>: our worker cancels the handler's token, a Python worker signals the
/// pool process). A finished task is left alone.
/// </summary>
public sealed class TaskControl
{
    /// <summary>How long a terminate waits for workers to say they stopped the task.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(1);

    private readonly TaskStore _store;
    private readonly IControlBroadcaster _broadcaster;
    private readonly ILogger _logger;

    public TaskControl(TaskStore store, IControlBroadcaster broadcaster, ILogger? logger = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _broadcaster = broadcaster ?? throw new ArgumentNullException(nameof(broadcaster));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Stops <paramref name="taskId"/>; <paramref name="terminate"/> also stops it if it runs, with
    /// <paramref name="signal"/> for Python workers (SIGTERM by default). A broker that cannot be reached throws;
    /// what was written to the store before stays.
    /// </summary>
    public async Task<TaskStopResult> StopAsync(string taskId, bool terminate = false, string? signal = null, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateTaskId(taskId, nameof(taskId));
        var task = await _store.GetAsync(taskId, cancellationToken);
        if (task is null)
        {
            await _broadcaster.BroadcastAsync(ControlCommand.Revoke([taskId], terminate, signal), cancellationToken);
            return new TaskStopResult(taskId, TaskStopAction.RevokeSentUnknown, null, "Not in the store: revoke sent; workers skip it if it arrives.");
        }
        if (task.Status == TaskStates.Scheduled)
        {
            if (await _store.CancelScheduledAsync(taskId, cancellationToken))
                return new TaskStopResult(taskId, TaskStopAction.CancelledScheduled, TaskStates.Revoked, "Scheduled task cancelled: it will not be sent.");
            task = await _store.GetAsync(taskId, cancellationToken) ?? task;
            if (task.Status == TaskStates.Scheduled)
                return new TaskStopResult(taskId, TaskStopAction.ClaimedByDispatcher, task.Status, "A dispatcher has claimed it and may be sending it now: nothing done.");
        }
        if (TaskStates.Ready.Contains(task.Status) || task.Status == TaskStates.ScheduledSent)
            return Finished(task);
        if (task.Status == TaskStates.Started)
            return await StopRunningAsync(task, terminate, signal, cancellationToken);

        if (!await RecordRevokedAsync(taskId, "Revoked before it ran.", cancellationToken))
        {
            // Its state moved on meanwhile: say what it is now, and stop a run that just began if asked.
            task = await _store.GetAsync(taskId, cancellationToken) ?? task;
            return task.Status == TaskStates.Started ? await StopRunningAsync(task, terminate, signal, cancellationToken) : Finished(task);
        }
        await _broadcaster.BroadcastAsync(ControlCommand.Revoke([taskId], terminate, signal), cancellationToken);
        _logger.LogInformation("Task {TaskId} revoked ({Status} to REVOKED); workers skip it when it arrives", taskId, task.Status);
        return new TaskStopResult(taskId, TaskStopAction.RevokedQueued, TaskStates.Revoked, $"Revoked ({task.Status} to REVOKED): workers skip it when it arrives.");
    }

    private async Task<TaskStopResult> StopRunningAsync(TaskRecord task, bool terminate, string? signal, CancellationToken cancellationToken)
    {
        if (!terminate)
        {
            await _broadcaster.BroadcastAsync(ControlCommand.Revoke([task.TaskId]), cancellationToken);
            return new TaskStopResult(task.TaskId, TaskStopAction.RevokeSentRunning, task.Status,
                $"Running on {task.Worker}: revoke sent, so it will not run again, but this run goes on (use -Terminate to stop it).");
        }
        var signalName = signal ?? ControlMethods.DefaultSignal;
        var replies = await _broadcaster.CallAsync(ControlCommand.Revoke([task.TaskId], terminate: true, signalName), ReplyTimeout, cancellationToken);
        var stoppedBy = replies.Where(reply => reply.OkText?.StartsWith("terminate: ", StringComparison.Ordinal) == true
            && reply.OkText != "terminate: tasks unknown").Select(reply => reply.Worker).ToList();
        await RecordRevokedAsync(task.TaskId, $"Terminated (signal {signalName}).", cancellationToken);
        _logger.LogInformation("Task {TaskId} terminated with {Signal}; stopped by {Workers}", task.TaskId, signalName, stoppedBy.Count == 0 ? "(no worker answered)" : string.Join(", ", stoppedBy));
        var who = stoppedBy.Count == 0 ? $"no worker answered within {ReplyTimeout.TotalSeconds:0.#} s" : "stopped by " + string.Join(", ", stoppedBy);
        return new TaskStopResult(task.TaskId, TaskStopAction.TerminateSent, TaskStates.Revoked, $"Terminate sent ({signalName}): {who}.") { TerminatedBy = stoppedBy };
    }

    private static TaskStopResult Finished(TaskRecord task) =>
        new(task.TaskId, TaskStopAction.AlreadyFinished, task.Status, $"Already {task.Status}: nothing done.");

    private Task<bool> RecordRevokedAsync(string taskId, string reason, CancellationToken cancellationToken) =>
        _store.ApplyStateChangeAsync(new TaskStateChange
        {
            TaskId = taskId,
            Status = TaskStates.Revoked,
            Result = Worker.TaskProcessor.ExceptionJson("TaskRevokedError", reason, "celery.exceptions"),
            DateDone = _store.Options.Clock.GetUtcNow().UtcDateTime,
        }, cancellationToken);
}
