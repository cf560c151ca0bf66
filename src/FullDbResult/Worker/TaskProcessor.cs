using FullDbResult.Control;
using FullDbResult.Json;
using FullDbResult.Protocol;
using FullDbResult.Scheduling;
using FullDbResult.Worker.Events;
using FullDbResult.Workflows;

namespace FullDbResult.Worker;

/// <summary>
/// One delivered message, start to stored outcome: decode, skip what is done or expired, store what is due
/// later, run the handler and record SUCCESS, FAILURE or RETRY. Returns what to do with the message, and the
/// outcome write still in flight; the caller acknowledges only after that commits, so a crash before it
/// redelivers. Every write goes through the worker's <see cref="TaskStateWriter"/>, batched with other tasks'.
/// </summary>
internal sealed class TaskProcessor(
    TaskStore store,
    TaskStateWriter writer,
    IReadOnlyDictionary<string, TaskHandler> handlers,
    ITaskPublisher publisher,
    WorkerOptions options,
    ILogger logger,
    RpcReplies replies,
    WorkerControl control,
    WorkerEvents events)
{
    private readonly FollowUpSender _followUps = new(store, writer, publisher, options.Clock, logger);

    public async Task<MessageDisposition> ProcessAsync(IDelivery delivery, CancellationToken forceStop)
    {
        var (wire, queue) = (delivery.Message, delivery.Queue);
        var decoded = CeleryProtocol.Decode(wire, options.MaxBodyBytes);
        if (!decoded.Succeeded)
            return await RejectAsync(decoded.TaskId, HeaderTaskName(wire), null, delivery, decoded.Reason.ToString(), decoded.Error!);

        var message = decoded.Message;
        var now = options.Clock.GetUtcNow();
        if (control.IsRevoked(message.Id))
        {
            logger.LogInformation("Task {TaskName}[{TaskId}] was revoked; recorded REVOKED, not run", message.Name, message.Id);
            events.TaskRevoked(message.Id, terminated: false, expired: false);
            return MessageDisposition.AckOnceStored(RecordOutcomeAsync(message, queue, TaskStates.Revoked, now,
                result: ExceptionJson("TaskRevokedError", "Revoked before it ran.", "celery.exceptions")));
        }
        if (message.Expires is { } expires && expires <= now)
        {
            logger.LogInformation("Task {TaskName}[{TaskId}] expired at {Expires:O}; recorded REVOKED, not run", message.Name, message.Id, expires);
            events.TaskRevoked(message.Id, terminated: false, expired: true);
            return MessageDisposition.AckOnceStored(RecordOutcomeAsync(message, queue, TaskStates.Revoked, now,
                result: ExceptionJson("TaskRevokedError", $"Expired at {expires:O} before it ran.", "celery.exceptions")));
        }
        events.TaskReceived(message);
        if (message.Eta is not null && delivery.Redelivered && await ScheduledRowAsync(message) is { } scheduled)
        {
            // Stored SCHEDULED on an earlier delivery whose ack was lost: the dispatcher sends it under this id, once.
            logger.LogInformation("Task {TaskName}[{TaskId}] was stored for the dispatcher before ({Status}); acknowledged, not run", message.Name, message.Id, scheduled.Status);
            await replies.FromStoreAsync(message, CancellationToken.None);
            return MessageDisposition.Ack;
        }
        if (message.Eta is { } eta && eta > now)
        {
            // Kept in the database, not in this process: the dispatcher sends it when it is due, under this id.
            return MessageDisposition.AckOnceStored(RecordAsync(message, queue, TaskStates.Scheduled, now, meta: SameIdDispatch.MetaFor(message)));
        }
        if (!handlers.TryGetValue(message.Name, out var handler))
            return await RejectAsync(message.Id, message.Name, message, delivery, "UnknownTask", $"No handler is registered for task '{message.Name}'.");

        if (!await ClaimAsync(message, queue, delivery.Redelivered, now))
        {
            logger.LogInformation("Task {TaskName}[{TaskId}] already has its outcome stored; acknowledged without running it again", message.Name, message.Id);
            await replies.FromStoreAsync(message, CancellationToken.None);
            return MessageDisposition.Ack;
        }
        if (options.TrackStarted) await replies.StartedAsync(message, CancellationToken.None);
        events.TaskStarted(message);
        return await RunAsync(handler, message, queue, delivery.Redelivered, now, forceStop);
    }

    /// <summary>The task's row if it went to the dispatcher (SCHEDULED, or claimed by a dispatcher since).</summary>
    private async Task<TaskRecord?> ScheduledRowAsync(TaskMessage message) =>
        await store.GetAsync(message.Id) is { } row && (row.Status == TaskStates.Scheduled || row.ScheduledId is not null) ? row : null;

    /// <summary>
    /// False when the task's outcome is already stored (a redelivery after a lost ack): it must not run twice.
    /// Only a redelivered message can have run before, so only it waits (unless
    /// <see cref="WorkerOptions.StartedBeforeRun"/>): for its STARTED write with
    /// <see cref="WorkerOptions.TrackStarted"/> (which tells), else for a read. A fresh message's STARTED is
    /// queued without waiting, off the task's critical path; the state writer applies a task's changes in
    /// order, so it never lands after the outcome.
    /// </summary>
    private async Task<bool> ClaimAsync(TaskMessage message, string queue, bool redelivered, DateTimeOffset now)
    {
        if (options.TrackStarted)
        {
            var started = RecordAsync(message, queue, TaskStates.Started, now, dateStarted: now.UtcDateTime);
            if (redelivered || options.StartedBeforeRun) return await started;
            _ = StartedAsync(message, started);
            return true;
        }
        if (!redelivered) return true;
        return await store.GetAsync(message.Id) is not { } stored || !TaskStates.Ready.Contains(stored.Status);
    }

    // Nobody awaits a fresh message's STARTED: its failure is logged here. The task runs meanwhile; its outcome,
    // queued after it, is what settles the message (and requeues it if the store is down).
    private async Task StartedAsync(TaskMessage message, Task<bool> started)
    {
        try
        {
            if (!await started)
                logger.LogInformation("Task {TaskName}[{TaskId}] had its outcome stored before its STARTED: another message with its id ran", message.Name, message.Id);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Task {TaskName}[{TaskId}]: its STARTED was not stored: {Error}", message.Name, message.Id, ex.Message);
        }
    }

    private async Task<MessageDisposition> RunAsync(TaskHandler handler, TaskMessage message, string queue, bool redelivered, DateTimeOffset started, CancellationToken forceStop)
    {
        var limits = TimeLimits.For(message, handler.Options, options);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(forceStop);
        using var running = control.Track(message, queue, redelivered, started, limit);
        limit.CancelAfter(limits.CancelAfter);
        var context = new TaskContext(message.Id, message.Name, message.Retries, options.WorkerName, limit.Token);
        var run = FullDbResultMetrics.TaskStarted(message.Name);
        try
        {
            var value = await running.RunAsync(limits.RunAsync(() => handler.InvokeAsync(message.Args, message.Kwargs, context), options.Clock));
            var (result, done) = (TaskJson.SerializeResult(value, options.ForceJsonResults), options.Clock.GetUtcNow());
            events.TaskSucceeded(message, result, done - started);
            FullDbResultMetrics.TaskSucceeded(run);
            var storing = _followUps.AfterSuccessAsync(message, result, meta =>
                RecordAsync(message, queue, TaskStates.Success, done, result: result, dateStarted: started.UtcDateTime, meta: meta));
            return MessageDisposition.AckOnceStored(replies.AfterStoredAsync(storing, message, TaskStates.Success, result, null));
        }
        catch (Exception) when (running.TerminateReason is { } reason)
        {
            // Terminated by remote control: whatever the handler did after its token was cancelled, it is REVOKED.
            logger.LogInformation("Task {TaskName}[{TaskId}] was terminated; recorded REVOKED", message.Name, message.Id);
            events.TaskRevoked(message.Id, terminated: true, expired: false);
            FullDbResultMetrics.TaskStopped(run);
            return MessageDisposition.AckOnceStored(RecordOutcomeAsync(message, queue, TaskStates.Revoked, options.Clock.GetUtcNow(),
                result: ExceptionJson("TaskRevokedError", reason, "celery.exceptions"), dateStarted: started.UtcDateTime));
        }
        catch (OperationCanceledException) when (forceStop.IsCancellationRequested)
        {
            logger.LogWarning("Task {TaskName}[{TaskId}] was cancelled by the worker's stop; it goes back to the queue", message.Name, message.Id);
            FullDbResultMetrics.TaskStopped(run);
            return MessageDisposition.Requeue;
        }
        catch (TaskRetryException retry) when (message.Retries < retry.MaxRetries)
        {
            events.TaskRetried(message, "Retry", retry.Message, retry.ToString());
            FullDbResultMetrics.TaskRetried(run);
            await RetryAsync(message, queue, retry);
            return MessageDisposition.Ack;
        }
        catch (Exception ex)
        {
            var (type, text) = ex switch
            {
                TaskRetryException { InnerException: { } cause } => (cause.GetType().Name, $"Retries exhausted ({message.Retries} of {((TaskRetryException)ex).MaxRetries}): {cause.Message}"),
                TaskRetryException => ("MaxRetriesExceededError", $"Can't retry {message.Name}[{message.Id}] again: {message.Retries} retries. {ex.Message}"),
                TimeLimitExceededException => ("TimeLimitExceeded", ex.Message),
                OperationCanceledException when limit.IsCancellationRequested => (limits.CancelledType, $"{limits.CancelledType}: {ex.Message}"),
                _ => (ex.GetType().Name, ex.Message),
            };
            logger.LogWarning(ex, "Task {TaskName}[{TaskId}] failed: {Type}: {Message}", message.Name, message.Id, type, text);
            events.TaskFailed(message, type, text, ex.ToString());
            FullDbResultMetrics.TaskFailed(run);
            var (failure, traceback) = (ExceptionJson(type, text, ex.GetType().Namespace), ex.ToString());
            var storing = _followUps.AfterFailureAsync(message, meta =>
                RecordAsync(message, queue, TaskStates.Failure, options.Clock.GetUtcNow(),
                    result: failure, traceback: traceback, dateStarted: started.UtcDateTime, meta: meta));
            return MessageDisposition.AckOnceStored(replies.AfterStoredAsync(storing, message, TaskStates.Failure, failure, traceback));
        }
    }

    private async Task RetryAsync(TaskMessage message, string queue, TaskRetryException retry)
    {
        var now = options.Clock.GetUtcNow();
        var again = message with { Retries = message.Retries + 1, Eta = now + retry.Countdown };
        // RETRY with the reason first: the new message may run on another worker before this one writes anything more.
        var reason = ExceptionJson("Retry", $"Retry in {retry.Countdown.TotalSeconds:0.###}s: {retry.Message}", "celery.exceptions");
        await RecordAsync(again, queue, TaskStates.Retry, now, result: reason);
        await replies.SendAsync(again, TaskStates.Retry, reason, retry.ToString(), CancellationToken.None);
        if (options.ScheduleDelayedTasks)
        {
            // The reason stays in the result: SCHEDULED carries no outcome of its own.
            await RecordAsync(again, queue, TaskStates.Scheduled, now);
            return;
        }
        await publisher.PublishAsync([again]);
    }

    private async Task<MessageDisposition> RejectAsync(string? taskId, string? taskName, TaskMessage? message, IDelivery delivery, string reason, string error)
    {
        var (queue, deadLetterQueue) = (delivery.Queue, delivery.DeadLetterQueue);
        logger.LogError("Rejected message {TaskId} ({TaskName}) from {Queue} to {DeadLetterQueue}: {Reason}: {Error}",
            taskId ?? "(no id)", taskName ?? "(no name)", queue, deadLetterQueue, reason, error);
        if (taskId is not null && message is not null) events.TaskNotRegistered(taskId, message.Name);
        else if (taskId is not null) events.TaskRejected(taskId);
        if (taskId is not null && IsStorableId(taskId))
        {
            var result = ExceptionJson(reason, error, "fulldbresult");
            // Without a readable task name only an existing row (our own producer's) is updated.
            var applied = writer.ApplyAsync(new TaskStateChange
            {
                TaskId = taskId,
                TaskName = string.IsNullOrWhiteSpace(taskName) || taskName.Length > TaskValidation.MaxNameLength ? null : taskName,
                Status = TaskStates.Failure,
                Args = message?.Args,
                Kwargs = message?.Kwargs,
                Queue = queue,
                Result = result,
                DateDone = options.Clock.GetUtcNow().UtcDateTime,
                Worker = options.WorkerName,
                Meta = TaskJson.Serialize(new Dictionary<string, string> { ["rejected"] = reason, ["dead_letter_queue"] = deadLetterQueue }),
            });
            // A decoded message was rejected for its unknown name: Celery replies FAILURE (NotRegistered) then too.
            if (message is null) await applied;
            else await replies.AfterStoredAsync(applied, message, TaskStates.Failure, result, null);
        }
        return MessageDisposition.DeadLetter(reason, error);
    }

    /// <summary>An outcome's row, then its rpc reply when the sender waits for one.</summary>
    private Task RecordOutcomeAsync(TaskMessage message, string queue, string status, DateTimeOffset now,
        string? result = null, string? traceback = null, DateTime? dateStarted = null) =>
        replies.AfterStoredAsync(RecordAsync(message, queue, status, now, result, traceback, dateStarted), message, status, result, traceback);

    private Task<bool> RecordAsync(TaskMessage message, string queue, string status, DateTimeOffset now,
        string? result = null, string? traceback = null, DateTime? dateStarted = null, string? meta = null) =>
        writer.ApplyAsync(new TaskStateChange
        {
            TaskId = message.Id,
            TaskName = message.Name,
            Status = status,
            Args = message.Args,
            Kwargs = message.Kwargs,
            Result = result,
            Traceback = traceback,
            Exchange = message.Exchange,
            RoutingKey = message.RoutingKey,
            Queue = queue,
            Priority = message.Priority,
            Eta = message.Eta?.UtcDateTime,
            Expires = message.Expires?.UtcDateTime,
            DateStarted = dateStarted,
            DateDone = TaskStates.Ready.Contains(status) ? now.UtcDateTime : null,
            Worker = status == TaskStates.Scheduled ? null : options.WorkerName,
            Retries = message.Retries,
            RootId = message.RootId,
            ParentId = message.ParentId,
            GroupId = message.GroupId,
            Meta = status == TaskStates.Scheduled ? WorkflowMeta.AddTo(meta, message) : meta,
        });

    /// <summary>Celery's form of an exception in a result: what its result backends store for a FAILURE.</summary>
    internal static string ExceptionJson(string type, string text, string? module) =>
        TaskJson.Serialize(new Dictionary<string, string?> { ["exc_type"] = type, ["exc_message"] = text, ["exc_module"] = module });

    private static bool IsStorableId(string taskId) => taskId.Length is > 0 and <= TaskValidation.MaxIdLength;

    private static string? HeaderTaskName(WireMessage wire) =>
        AmqpHeaderValues.NormalizeValue(wire.Headers.TryGetValue("task", out var value) ? value : null) as string;
}
