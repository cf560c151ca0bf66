using System.Text.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Events;

/// <summary>
/// What each Celery event means for the store: a task event becomes a <see cref="TaskEventChange"/>, a worker's
/// online, heartbeat and offline events its row in the worker table. Field names and meanings are Celery 5.2's
/// (<c>celery.events.state</c>, <c>celery.worker.strategy</c>, <c>celery.worker.request</c>, <c>celery.app.amqp</c>).
/// </summary>
internal static class CeleryEventMapping
{
    /// <summary>Celery's <c>celery.events.state.TASK_EVENT_TO_STATE</c>.</summary>
    private static readonly Dictionary<string, string> TaskStateByType = new(StringComparer.Ordinal)
    {
        ["task-sent"] = TaskStates.Pending,
        ["task-received"] = TaskStates.Received,
        ["task-started"] = TaskStates.Started,
        ["task-succeeded"] = TaskStates.Success,
        ["task-failed"] = TaskStates.Failure,
        ["task-retried"] = TaskStates.Retry,
        ["task-rejected"] = TaskStates.Rejected,
        ["task-revoked"] = TaskStates.Revoked,
    };

    /// <summary>
    /// The change a task event makes, or null for an event the store has no use for (another group, or a task
    /// event Celery's state machine does not know either). Throws <see cref="FormatException"/> when a field
    /// the event needs is missing or of the wrong type.
    /// </summary>
    public static TaskEventChange? ToTaskChange(CeleryEvent e)
    {
        if (!TaskStateByType.TryGetValue(e.Type, out var status)) return null;
        var taskId = RequiredString(e, "uuid");
        Check(() => TaskValidation.ValidateTaskId(taskId, "uuid"));
        var name = String(e, "name");
        if (name is not null) Check(() => TaskValidation.ValidateTaskName(name, "name"));
        var timestamp = Timestamp(e);
        var fromWorker = e.Type != "task-sent";
        return new TaskEventChange
        {
            TaskId = taskId,
            Status = status,
            TaskName = name,
            ArgsRepr = String(e, "args"),
            KwargsRepr = String(e, "kwargs"),
            ResultRepr = String(e, "result") ?? String(e, "exception"),
            Traceback = String(e, "traceback"),
            Exchange = Limited(e, "exchange"),
            RoutingKey = Limited(e, "routing_key"),
            Queue = Limited(e, "queue"),
            Eta = Time(e, "eta"),
            Expires = Time(e, "expires"),
            SentAt = fromWorker ? null : timestamp,
            DateStarted = status == TaskStates.Started ? timestamp : null,
            DateDone = TaskStates.Ready.Contains(status) ? timestamp : null,
            // task-sent's hostname is the producer's, not a worker's.
            Worker = fromWorker ? Limited(e, "hostname") : null,
            Retries = Int(e, "retries"),
            RootId = Limited(e, "root_id"),
            ParentId = Limited(e, "parent_id"),
        };
    }

    /// <summary>
    /// The worker row that worker-online, worker-heartbeat and worker-offline write, or null for any other
    /// event. The name is Celery's node name (<c>celery@host</c>), which task events carry as their hostname.
    /// </summary>
    public static WorkerHeartbeat? ToWorkerHeartbeat(CeleryEvent e)
    {
        if (e.Type is not ("worker-online" or "worker-heartbeat" or "worker-offline")) return null;
        var nodeName = RequiredString(e, "hostname");
        CheckLength(e, "hostname", nodeName);
        var timestamp = Timestamp(e) ?? throw new FormatException($"{e.Type} has no \"timestamp\".");
        return new WorkerHeartbeat
        {
            WorkerName = nodeName,
            Hostname = nodeName[(nodeName.IndexOf('@') + 1)..],
            Pid = Int(e, "pid") ?? 0,
            StartedAt = timestamp,
            LastHeartbeat = timestamp,
            StoppedAt = e.Type == "worker-offline" ? timestamp : null,
        };
    }

    private static void Check(Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    private static JsonElement? Field(CeleryEvent e, string name) =>
        e.Fields.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string RequiredString(CeleryEvent e, string name) =>
        String(e, name) is { Length: > 0 } value ? value : throw new FormatException($"{e.Type} has no \"{name}\".");

    private static string? String(CeleryEvent e, string name) => Field(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        var value => throw new FormatException($"{e.Type}: \"{name}\" is a JSON {value.Value.ValueKind.ToString().ToLowerInvariant()}, not a string."),
    };

    // Routing, lineage and worker columns hold at most 255 characters, as task ids do.
    private static string? Limited(CeleryEvent e, string name)
    {
        var value = String(e, name);
        if (value is not null) CheckLength(e, name, value);
        return value;
    }

    private static void CheckLength(CeleryEvent e, string name, string value)
    {
        if (value.Length > TaskValidation.MaxIdLength)
            throw new FormatException($"{e.Type}: \"{name}\" is {value.Length} characters long; at most {TaskValidation.MaxIdLength} are stored.");
    }

    private static int? Int(CeleryEvent e, string name) => Field(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        _ => throw new FormatException($"{e.Type}: \"{name}\" is not a whole number."),
    };

    /// <summary>Celery's timestamps are <c>time.time()</c>: seconds since the epoch, in UTC whatever utcoffset says.</summary>
    private static DateTime? Timestamp(CeleryEvent e) => Field(e, "timestamp") switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetDouble(out var seconds) && seconds is >= 0 and < 253402300799 =>
            DateTime.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond)),
        _ => throw new FormatException($"{e.Type}: \"timestamp\" is not a time in seconds since the epoch."),
    };

    /// <summary>eta and expires: <c>datetime.isoformat()</c> or null.</summary>
    private static DateTime? Time(CeleryEvent e, string name) => String(e, name) switch
    {
        null => null,
        var text when CeleryTimestamp.TryParse(text, out var time) => time.UtcDateTime,
        var text => throw new FormatException($"{e.Type}: \"{name}\" is not an ISO 8601 time: {text}"),
    };
}
