using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Worker;

namespace FullDbResult.Control;

/// <summary>
/// A worker's side of Celery's remote control, without its transport: answers <c>ping</c>, <c>active</c>,
/// <c>registered</c> and <c>active_queues</c> as a Celery 5.2 worker does, and acts on <c>revoke</c> (and
/// <c>terminate</c>): revoked ids are never run when they arrive, and with terminate a running task's
/// handler is cancelled through its <see cref="CancellationToken"/>. Any other command is logged and ignored;
/// no command runs a task. The transport (RabbitMQ's pidbox consumer) hands each command to
/// <see cref="HandleAsync"/> and sends back what it returns.
/// </summary>
public sealed class WorkerControl
{
    private readonly TaskStore _store;
    private readonly WorkerOptions _options;
    private readonly Func<IReadOnlyCollection<string>> _taskNames;
    private readonly ILogger _logger;

    internal WorkerControl(TaskStore store, WorkerOptions options, Func<IReadOnlyCollection<string>> taskNames, ILogger logger)
    {
        _store = store;
        _options = options;
        _taskNames = taskNames;
        _logger = logger;
        Revoked = new RevokedTasks(options.Clock);
    }

    /// <summary>The worker's node name: its pidbox queue is <c>&lt;name&gt;.celery.pidbox</c>, and replies are keyed by it.</summary>
    public string WorkerName => _options.WorkerName;

    internal RevokedTasks Revoked { get; }

    internal RunningTasks Running { get; } = new();

    /// <summary>
    /// Acts on <paramref name="command"/> if it is addressed to this worker, and returns the reply body to send
    /// (<c>{"&lt;worker&gt;": reply}</c>) when the sender asked for one; null when there is nothing to send.
    /// Never throws for a bad command: it is logged, and answered with Celery's <c>{"error": ...}</c> if a reply is wanted.
    /// </summary>
    public async Task<byte[]?> HandleAsync(ControlCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.IsFor(WorkerName)) return null;
        object? reply;
        try
        {
            reply = command.Method switch
            {
                ControlMethods.Ping => Ok("pong"),
                ControlMethods.Revoke => await RevokeAsync(command.StringsArgument("task_id"), command.BoolArgument("terminate"), command.StringArgument("signal"), cancellationToken),
                ControlMethods.Terminate => await RevokeAsync(command.StringsArgument("task_id"), true, command.StringArgument("signal"), cancellationToken),
                ControlMethods.Active => Running.All().Select(ActiveInfo).ToList(),
                // As Celery's registered leaves out its celery.* builtins.
                ControlMethods.Registered => _taskNames().Where(name => !name.StartsWith(Workflows.ChordParts.BuiltinPrefix, StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal).ToList(),
                ControlMethods.ActiveQueues => _options.Queues.Select(QueueInfo).ToList(),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            _logger.LogWarning("Worker {Worker}: control command {Method} failed: {Error}", WorkerName, command.Method, ex.Message);
            reply = new Dictionary<string, string> { ["error"] = ex.Message };
        }
        if (reply is null)
        {
            // As a Celery worker does: no such command is logged, and no reply is sent.
            _logger.LogWarning("Worker {Worker}: no such control command: {Method}; ignored", WorkerName, command.Method);
            return null;
        }
        return command.WantsReply ? JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { [WorkerName] = reply }) : null;
    }

    /// <summary>Whether a task must not run: it was revoked by a command, or was REVOKED in the store when the worker started.</summary>
    internal bool IsRevoked(string taskId) => Revoked.Contains(taskId);

    /// <summary>Registers a task as running until the returned handle is disposed; a terminate cancels <paramref name="cancellation"/>.</summary>
    internal RunningTask Track(TaskMessage message, string queue, bool redelivered, DateTimeOffset started, CancellationTokenSource cancellation) =>
        Running.Add(message, queue, redelivered, started, cancellation);

    /// <summary>
    /// Reads the ids revoked within Celery's revoke expiry from the store, so that a worker started after a
    /// revoke skips the task as the workers that heard it do (a Celery worker keeps them with <c>--statedb</c>).
    /// </summary>
    internal async Task LoadRevokedAsync(CancellationToken cancellationToken)
    {
        var query = new TaskQuery
        {
            Statuses = [TaskStates.Revoked],
            Since = (_options.Clock.GetUtcNow() - RevokedTasks.Expiry).UtcDateTime,
            First = RevokedTasks.MaxCount,
        };
        await foreach (var task in _store.QueryAsync(query, cancellationToken)) Revoked.Add(task.TaskId);
        if (Revoked.Count > 0) _logger.LogInformation("Worker {Worker}: {Count} recently revoked tasks will not run", WorkerName, Revoked.Count);
    }

    private async Task<object> RevokeAsync(IReadOnlyList<string> taskIds, bool terminate, string? signal, CancellationToken cancellationToken)
    {
        var ids = taskIds.Where(id => id.Length is > 0 and <= TaskValidation.MaxIdLength).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) throw new ArgumentException("revoke needs task_id: a task id or a list of them.");
        foreach (var id in ids) Revoked.Add(id);

        var terminated = new List<string>();
        if (terminate)
        {
            var reason = $"Terminated by remote control (signal {signal ?? ControlMethods.DefaultSignal}).";
            foreach (var id in ids)
            {
                foreach (var running in Running.Find(id))
                {
                    if (!running.Terminate(reason, _options.TerminateTimeout, _logger)) continue;
                    _logger.LogInformation("Terminating {TaskName}[{TaskId}]: its handler's token is cancelled", running.Message.Name, id);
                    terminated.Add(id);
                }
            }
        }
        // Rows that exist become REVOKED now, so a worker that starts later skips them too. A task this worker
        // runs is left to its own ending: a terminate records REVOKED when its handler returns.
        var notRunning = ids.Where(id => Running.Find(id).Count == 0).ToList();
        if (notRunning.Count > 0) await RecordRevokedAsync(notRunning, cancellationToken);

        if (terminate)
            return Ok(terminated.Count == 0 ? "terminate: tasks unknown" : "terminate: " + string.Join(", ", terminated.Distinct()));
        var text = string.Join(", ", ids);
        _logger.LogInformation("Tasks flagged as revoked: {TaskIds}", text);
        return Ok($"tasks {text} flagged as revoked");
    }

    private async Task RecordRevokedAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var now = _options.Clock.GetUtcNow().UtcDateTime;
        // No task name: only an existing row is updated, so an unknown id leaves nothing behind in the store.
        var changes = ids.Select(id => new TaskStateChange
        {
            TaskId = id,
            Status = TaskStates.Revoked,
            Result = TaskProcessor.ExceptionJson("TaskRevokedError", "Revoked by remote control before it ran.", "celery.exceptions"),
            DateDone = now,
        }).ToList();
        try
        {
            await _store.ApplyStateChangesAsync(changes, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The revoke still holds in memory; only a worker started later could miss it.
            _logger.LogWarning("Worker {Worker}: revoked tasks {TaskIds} not recorded in the store: {Error}", WorkerName, string.Join(", ", ids), ex.Message);
        }
    }

    private Dictionary<string, object?> ActiveInfo(RunningTask task) => new()
    {
        ["id"] = task.Message.Id,
        ["name"] = task.Message.Name,
        ["args"] = JsonSerializer.Deserialize<JsonElement>(task.Message.Args),
        ["kwargs"] = JsonSerializer.Deserialize<JsonElement>(task.Message.Kwargs),
        ["type"] = task.Message.Name,
        ["hostname"] = WorkerName,
        ["time_start"] = task.Started.ToUnixTimeMilliseconds() / 1000.0,
        // Acknowledged only once its outcome is stored (acks late), as Celery reports with task_acks_late.
        ["acknowledged"] = false,
        ["delivery_info"] = new Dictionary<string, object?>
        {
            ["exchange"] = task.Message.Exchange,
            ["routing_key"] = task.Message.RoutingKey,
            ["priority"] = task.Message.Priority,
            ["redelivered"] = task.Redelivered,
        },
        ["worker_pid"] = Environment.ProcessId,
    };

    private static Dictionary<string, object?> QueueInfo(string queue) => new()
    {
        ["name"] = queue,
        ["exchange"] = new Dictionary<string, object?> { ["name"] = "", ["type"] = "direct", ["durable"] = true, ["auto_delete"] = false },
        ["routing_key"] = queue,
        ["durable"] = true,
        ["exclusive"] = false,
        ["auto_delete"] = false,
        ["no_ack"] = false,
    };

    private static Dictionary<string, string> Ok(string value) => new() { ["ok"] = value };
}
