using System.Text.Json;
using FullDbResult.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Scheduling;

/// <summary>
/// A SCHEDULED row whose id someone else holds: a message that reached our worker with a future eta (native ETA
/// from a Python producer, say), stored by the worker instead of kept in memory. Its sender waits on that id
/// (<c>AsyncResult(id).get()</c>, a lookup by id), so the dispatcher sends it under the same id: the row goes
/// SCHEDULED → PENDING (claim kept) and then through the worker's states, instead of SCHEDULED_SENT plus a new
/// task. The row's meta marks it and keeps what the message carried beyond the row: <c>reply_to</c> and
/// <c>ignore_result</c>, for the rpc result. Rows our own producer schedules keep the new-id dispatch.
/// </summary>
internal static class SameIdDispatch
{
    private const string Marker = "dispatch_same_id";
    private const string ReplyToKey = "reply_to";
    private const string IgnoreResultKey = "ignore_result";

    /// <summary>The meta the worker stores on the SCHEDULED row of <paramref name="message"/>.</summary>
    internal static string MetaFor(TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return TaskJson.Serialize(new Dictionary<string, object?> { [Marker] = true, [ReplyToKey] = message.ReplyTo, [IgnoreResultKey] = message.IgnoreResult });
    }

    /// <summary>Whether the dispatcher sends <paramref name="row"/> under its own id.</summary>
    internal static bool Applies(TaskRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Read(row.Meta) is { } meta && meta.TryGetProperty(Marker, out var marker) && marker.ValueKind == JsonValueKind.True;
    }

    /// <summary>The <c>reply_to</c> and <c>ignore_result</c> a row's meta kept from its message, for the message that sends it.</summary>
    internal static (string? ReplyTo, bool IgnoreResult) Reply(string? meta) =>
        Read(meta) is { } root && root.TryGetProperty(Marker, out _)
            ? (root.TryGetProperty(ReplyToKey, out var replyTo) && replyTo.ValueKind == JsonValueKind.String ? replyTo.GetString() : null,
               root.TryGetProperty(IgnoreResultKey, out var ignore) && ignore.ValueKind == JsonValueKind.True)
            : (null, false);

    /// <summary>The record the dispatcher publishes for <paramref name="row"/>: the same id, PENDING, due now, meta kept.</summary>
    internal static TaskRecord Send(TaskRecord row)
    {
        var send = TaskMessages.Resend(row, row.TaskId);
        send.RetriedFrom = null;
        send.Meta = row.Meta;
        return send;
    }

    private static JsonElement? Read(string? meta)
    {
        if (meta is null || !meta.Contains(Marker, StringComparison.Ordinal)) return null;
        try
        {
            using var document = JsonDocument.Parse(meta);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
