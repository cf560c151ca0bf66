using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using FullDbResult.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Worker;

/// <summary>
/// Celery's <c>rpc://</c> result backend, worker side: a task message that carries <c>reply_to</c> and does not
/// ask to ignore its result gets its states published to that queue through the default exchange, correlation
/// id = task id, as Celery 5.2's <c>RPCBackend.store_result</c> does (STARTED with track_started, RETRY,
/// then SUCCESS, FAILURE or REVOKED), so Python's <c>AsyncResult.get()</c> returns or raises. Always in addition
/// to the store and after the state's row has committed: the caller acknowledges the message only after the
/// reply is out, and a redelivery whose outcome is already stored replies from the stored row, so a crash in
/// between costs a second identical reply, never a missing one.
/// </summary>
internal sealed class RpcReplies(IMessagePublisher? publisher, TaskStore store, WorkerOptions options, ILogger logger)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether <paramref name="message"/>'s sender waits for replies, and this worker can send them.</summary>
    public bool Wanted(TaskMessage message) => publisher is not null && message.ReplyTo is not null && !message.IgnoreResult;

    /// <summary>STARTED, with Celery's <c>{"pid", "hostname"}</c> as its result.</summary>
    public Task StartedAsync(TaskMessage message, CancellationToken cancellationToken) =>
        SendAsync(message, TaskStates.Started, TaskJson.Serialize(new Dictionary<string, object> { ["pid"] = Environment.ProcessId, ["hostname"] = options.WorkerName }), null, cancellationToken);

    /// <summary>Waits for <paramref name="storing"/> (the state's row), then replies; from the stored row when the write lost to a stronger state.</summary>
    public async Task AfterStoredAsync(Task<bool> storing, TaskMessage message, string status, string? result, string? traceback)
    {
        var applied = await storing;
        if (!Wanted(message)) return;
        if (applied) await SendAsync(message, status, result, traceback, CancellationToken.None);
        else await FromStoreAsync(message, CancellationToken.None);
    }

    /// <summary>Replies with the outcome the store holds for <paramref name="message"/>, if it holds one.</summary>
    public async Task FromStoreAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        if (!Wanted(message)) return;
        if (await store.GetAsync(message.Id, cancellationToken) is { } row && TaskStates.Ready.Contains(row.Status))
            await SendAsync(message, row.Status, row.Result, row.Traceback, cancellationToken);
    }

    public async Task SendAsync(TaskMessage message, string status, string? result, string? traceback, CancellationToken cancellationToken)
    {
        if (!Wanted(message)) return;
        await publisher!.PublishAsync(Reply(message.Id, message.ReplyTo!, status, result, traceback), cancellationToken);
        logger.LogDebug("Task {TaskName}[{TaskId}]: {Status} sent to {ReplyTo}", message.Name, message.Id, status, message.ReplyTo);
    }

    /// <summary>The reply as Celery's rpc backend writes it: body keys in its order, transient, priority 0, empty headers.</summary>
    internal static WireMessage Reply(string taskId, string replyTo, string status, string? result, string? traceback)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("task_id", taskId);
            json.WriteString("status", status);
            json.WritePropertyName("result");
            if (result is null) json.WriteNullValue();
            else json.WriteRawValue(result);
            json.WriteString("traceback", traceback);
            json.WriteStartArray("children");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new WireMessage
        {
            Body = body.WrittenMemory,
            ContentType = CeleryProtocol.ContentType,
            ContentEncoding = CeleryProtocol.ContentEncoding,
            CorrelationId = taskId,
            DeliveryMode = 1,
            Priority = 0,
            Exchange = "",
            RoutingKey = replyTo,
        };
    }
}
