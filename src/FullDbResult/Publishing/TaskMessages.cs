using FullDbResult.Protocol;
using FullDbResult.Workflows;

namespace FullDbResult.Publishing;

/// <summary>Between the stored task and the message that sends it: one mapping for producer, retry and dispatcher.</summary>
public static class TaskMessages
{
    /// <summary>
    /// The message that sends <paramref name="record"/>, to the exchange and routing key it records, with the
    /// workflow and the <c>reply_to</c> its meta kept (<see cref="Workflows.WorkflowMeta"/>,
    /// <see cref="Scheduling.SameIdDispatch"/>).
    /// </summary>
    public static TaskMessage ToMessage(TaskRecord record)
    {
        var (replyTo, ignoreResult) = Scheduling.SameIdDispatch.Reply(record.Meta);
        return WorkflowMeta.Restore(new TaskMessage
        {
            Id = record.TaskId,
            Name = record.TaskName,
            Args = record.Args,
            Kwargs = record.Kwargs,
            Eta = AsOffset(record.Eta),
            Expires = AsOffset(record.Expires),
            Retries = record.Retries,
            RootId = record.RootId,
            ParentId = record.ParentId,
            GroupId = record.GroupId,
            Priority = record.Priority is { } priority ? (byte)Math.Clamp(priority, 0, 255) : null,
            Exchange = record.Exchange ?? "",
            RoutingKey = record.RoutingKey ?? record.Queue ?? CeleryProtocol.DefaultQueue,
            ReplyTo = replyTo,
            IgnoreResult = ignoreResult,
        }, record.Meta);
    }

    /// <summary>The row that records <paramref name="message"/> in <paramref name="status"/>.</summary>
    public static TaskRecord ToRecord(TaskMessage message, string status, string? queue = null) => new()
    {
        TaskId = message.Id,
        TaskName = message.Name,
        Status = status,
        Args = message.Args,
        Kwargs = message.Kwargs,
        Exchange = message.Exchange,
        RoutingKey = message.RoutingKey,
        Queue = queue ?? (message.Exchange.Length == 0 ? message.RoutingKey : null),
        Priority = message.Priority,
        Eta = message.Eta?.UtcDateTime,
        Expires = message.Expires?.UtcDateTime,
        Retries = message.Retries,
        RootId = message.RootId ?? message.Id,
        ParentId = message.ParentId,
        GroupId = message.GroupId,
    };

    /// <summary>
    /// A new task that sends <paramref name="original"/> again under <paramref name="newTaskId"/>: same name,
    /// arguments and routing (unless <paramref name="routingKey"/> is given), PENDING, due now, lineage kept.
    /// The retry count is kept too: the resend is the same task's next attempt (a countdown retry comes back
    /// through a SCHEDULED row and this), so a handler's max_retries still ends it.
    /// </summary>
    public static TaskRecord Resend(TaskRecord original, string newTaskId, string? exchange = null, string? routingKey = null) => new()
    {
        TaskId = newTaskId,
        TaskName = original.TaskName,
        Status = TaskStates.Pending,
        Args = original.Args,
        Kwargs = original.Kwargs,
        Exchange = exchange ?? original.Exchange,
        RoutingKey = routingKey ?? original.RoutingKey,
        Queue = routingKey is null ? original.Queue : null,
        Priority = original.Priority,
        Expires = original.Expires,
        Retries = original.Retries,
        RootId = original.RootId ?? original.TaskId,
        ParentId = original.ParentId,
        GroupId = original.GroupId,
        RetriedFrom = original.TaskId,
        Meta = WorkflowMeta.Carry(original.Meta),
    };

    private static DateTimeOffset? AsOffset(DateTime? utc) =>
        utc is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
}
