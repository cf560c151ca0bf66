using System.Text.Json;

namespace FullDbResult.Events;

/// <summary>
/// One event as Celery publishes it on the <c>celeryev</c> exchange: a JSON object with <c>type</c> (such as
/// <c>task-succeeded</c> or <c>worker-heartbeat</c>), <c>hostname</c>, <c>timestamp</c> (seconds since the epoch),
/// and the fields of its type.
/// </summary>
internal sealed class CeleryEvent(string type, JsonElement fields)
{
    public string Type { get; } = type;

    /// <summary>The whole event object (detached from the parsed document).</summary>
    public JsonElement Fields { get; } = fields;

    /// <summary>"task" for <c>task-succeeded</c>, "worker" for <c>worker-heartbeat</c>: Celery's event group.</summary>
    public string Group => Type.Split('-', 2)[0];

    public override string ToString() => Type;
}
