using FullDbResult.Json;
using FullDbResult.Protocol;

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
    ILogger logger)
{
    public async Task<MessageDisposition> ProcessAsync(IDelivery delivery, CancellationToken forceStop)
    {
        var (wire, queue) = (delivery.Message, delivery.Queue);
        var decoded = CeleryProtocol.Decode(wire, options.MaxBodyBytes);
        if (!decoded.Succeeded)
            return await RejectAsync(decoded.TaskId, HeaderTaskName(wire), null, delivery, decoded.Reason.ToString(), decoded.Error!);

        var message = decoded.Message;
        var now = options.Clock.GetUtcNow();
        if (message.Expires is { } expires && expires <= now)
        {
            logger.LogInformation("Task {TaskName}[{TaskId}] expired at {Expires:O}; recorded REVOKED, not run", message.Name, message.Id, expires);
            return MessageDisposition.AckOnceStored(RecordAsync(message, queue, TaskStates.Revoked, now,
                result: ExceptionJson("TaskRevokedError", $"Expired at {expires:O} before it ran.", "celery.exceptions")));
        }
        if (message.Eta is { } eta && eta > now)
        {
            // Kept in the database, not in this process: the dispatcher sends it when it is due.
            return MessageDisposition.AckOnceStored(RecordAsync(message, queue, TaskStates.Scheduled, now));
        }
        if (!handlers.TryGetValue(message.Name, out var handler))
            return await RejectAsync(message.Id, message.Name, message, delivery, "UnknownTask", $"No handler is registered for task '{message.Name}'.");

        if (!await ClaimAsync(message, queue, delivery.Redelivered, now))
        {
            logger.LogInformation("Task {TaskName}[{TaskId}] already has its outcome stored; acknowledged without running it again", message.Name, message.Id);
            return MessageDisposition.Ack;
        }
        return await RunAsync(handler, message, queue, now, forceStop);
    }

    /// <summary>
    /// False when the task's outcome is already stored (a redelivery after a lost ack): it must not run twice.
    /// With <see cref="WorkerOptions.TrackStarted"/> the STARTED write tells; without it only a redelivered
    /// message can have run before, and only it costs a read.
    /// </summary>
    private async Task<bool> ClaimAsync(TaskMessage message, string queue, bool redelivered, DateTimeOffset now)
    {
        if (options.TrackStarted)
            return await RecordAsync(message, queue, TaskStates.Started, now, dateStarted: now.UtcDateTime);
        if (!redelivered) return true;
        return await store.GetAsync(message.Id) is not { } stored || !TaskStates.Ready.Contains(stored.Status);
    }

    private async Task<MessageDisposition> RunAsync(TaskHandler handler, TaskMessage message, string queue, DateTimeOffset started, CancellationToken forceStop)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(forceStop);
        if ((message.TimeLimitSoft ?? message.TimeLimitHard) is { } seconds) limit.CancelAfter(TimeSpan.FromSeconds(seconds));
        var context = new TaskContext(message.Id, message.Name, message.Retries, options.WorkerName, limit.Token);
        var run = FullDbResultMetrics.TaskStarted(message.Name);
        try
        {
            var value = await handler.InvokeAsync(message.Args, message.Kwargs, context);
            var result = TaskJson.SerializeResult(value, options.ForceJsonResults);
            FullDbResultMetrics.TaskSucceeded(run);
            return MessageDisposition.AckOnceStored(RecordAsync(message, queue, TaskStates.Success, options.Clock.GetUtcNow(),
                result: result, dateStarted: started.UtcDateTime));
        }
        catch (OperationCanceledException) when (forceStop.IsCancellationRequested)
        {
            logger.LogWarning("Task {TaskName}[{TaskId}] was cancelled by the worker's stop; it goes back to the queue", message.Name, message.Id);
            FullDbResultMetrics.TaskRequeued(run);
            return MessageDisposition.Requeue;
        }
        catch (TaskRetryException retry) when (message.Retries < retry.MaxRetries)
        {
            FullDbResultMetrics.TaskRetried(run);
            await RetryAsync(message, queue, retry);
            return MessageDisposition.Ack;
        }
        catch (Exception ex)
        {
            var (type, text) = ex switch
            {
                TaskRetryException => ("MaxRetriesExceededError", $"Can't retry {message.Name}[{message.Id}] again: {message.Retries} retries. {ex.Message}"),
                OperationCanceledException when limit.IsCancellationRequested => ("TimeLimitExceeded", $"Time limit exceeded: {ex.Message}"),
                _ => (ex.GetType().Name, ex.Message),
            };
            logger.LogWarning(ex, "Task {TaskName}[{TaskId}] failed: {Type}: {Message}", message.Name, message.Id, type, text);
            FullDbResultMetrics.TaskFailed(run);
            return MessageDisposition.AckOnceStored(RecordAsync(message, queue, TaskStates.Failure, options.Clock.GetUtcNow(),
                result: ExceptionJson(type, text, ex.GetType().Namespace), traceback: ex.ToString(), dateStarted: started.UtcDateTime));
        }
    }

    private async Task RetryAsync(TaskMessage message, string queue, TaskRetryException retry)
    {
        var now = options.Clock.GetUtcNow();
        var again = message with { Retries = message.Retries + 1, Eta = now + retry.Countdown };
        if (options.ScheduleDelayedTasks)
        {
            await RecordAsync(again, queue, TaskStates.Scheduled, now);
            return;
        }
        // RETRY first: the new message may run on another worker before this one writes anything more.
        await RecordAsync(again, queue, TaskStates.Retry, now,
            result: ExceptionJson("Retry", $"Retry in {retry.Countdown.TotalSeconds:0.###}s: {retry.Message}", "celery.exceptions"));
        await publisher.PublishAsync([again]);
    }

    private async Task<MessageDisposition> RejectAsync(string? taskId, string? taskName, TaskMessage? message, IDelivery delivery, string reason, string error)
    {
        var (queue, deadLetterQueue) = (delivery.Queue, delivery.DeadLetterQueue);
        logger.LogError("Rejected message {TaskId} ({TaskName}) from {Queue} to {DeadLetterQueue}: {Reason}: {Error}",
            taskId ?? "(no id)", taskName ?? "(no name)", queue, deadLetterQueue, reason, error);
        if (taskId is not null && IsStorableId(taskId))
        {
            // Without a readable task name only an existing row (our own producer's) is updated.
            await writer.ApplyAsync(new TaskStateChange
            {
                TaskId = taskId,
                TaskName = string.IsNullOrWhiteSpace(taskName) || taskName.Length > TaskValidation.MaxNameLength ? null : taskName,
                Status = TaskStates.Failure,
                Args = message?.Args,
                Kwargs = message?.Kwargs,
                Queue = queue,
                Result = ExceptionJson(reason, error, "fulldbresult"),
                DateDone = options.Clock.GetUtcNow().UtcDateTime,
                Worker = options.WorkerName,
                Meta = TaskJson.Serialize(new Dictionary<string, string> { ["rejected"] = reason, ["dead_letter_queue"] = deadLetterQueue }),
            });
        }
        return MessageDisposition.DeadLetter(reason, error);
    }

    private Task<bool> RecordAsync(TaskMessage message, string queue, string status, DateTimeOffset now,
        string? result = null, string? traceback = null, DateTime? dateStarted = null) =>
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
        });

    /// <summary>Celery's form of an exception in a result: what its result backends store for a FAILURE.</summary>
    private static string ExceptionJson(string type, string text, string? module) =>
        TaskJson.Serialize(new Dictionary<string, string?> { ["exc_type"] = type, ["exc_message"] = text, ["exc_module"] = module });

    private static bool IsStorableId(string taskId) => taskId.Length is > 0 and <= TaskValidation.MaxIdLength;

    private static string? HeaderTaskName(WireMessage wire) =>
        AmqpHeaderValues.NormalizeValue(wire.Headers.TryGetValue("task", out var value) ? value : null) as string;
}
