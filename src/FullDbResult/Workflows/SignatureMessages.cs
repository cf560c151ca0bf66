using System.Text.Json;
using System.Text.Json.Nodes;
using FullDbResult.Protocol;

namespace FullDbResult.Workflows;

/// <summary>
/// Celery's signature dicts (<c>{"task", "args", "kwargs", "options", "subtask_type", "immutable"}</c>) as the
/// task messages that send them, the way Celery's <c>Signature.apply_async</c> reads their options.
/// </summary>
internal static class SignatureMessages
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <summary>The signatures of a list (callbacks, errbacks, chain): a JSON array, or one signature alone.</summary>
    public static List<JsonObject> ParseList(string json, string what)
    {
        var node = Parse(json, what);
        return node switch
        {
            JsonArray array => array.Select((item, i) => item as JsonObject
                ?? throw new WorkflowException($"{what}[{i}] is not a signature object: {Shorten(item?.ToJsonString() ?? "null")}")).ToList(),
            JsonObject single => [single],
            _ => throw new WorkflowException($"{what} is neither a signature nor a list of them: {Shorten(json)}"),
        };
    }

    public static JsonObject ParseOne(string json, string what) =>
        Parse(json, what) as JsonObject ?? throw new WorkflowException($"{what} is not a signature object: {Shorten(json)}");

    /// <summary>
    /// The message that applies <paramref name="signature"/>: <paramref name="prepend"/> (JSON) goes before its
    /// args unless it is immutable, as Celery's partial args do; its options route it and name its id, link,
    /// link_error, group and chord. Parent and root are the task whose outcome sends it.
    /// </summary>
    public static TaskMessage ToMessage(JsonObject signature, string? prepend, string parentId, string rootId, byte? parentPriority, DateTimeOffset now)
    {
        var name = signature["task"] is JsonValue task && task.TryGetValue(out string? text) && text.Length > 0
            ? text
            : throw new WorkflowException($"A signature names no task: {Shorten(signature.ToJsonString())}");
        if (signature["subtask_type"] is JsonValue type && type.TryGetValue(out string? subtask))
            throw new WorkflowException($"A {subtask} signature ({name}) as a callback or chain step is not supported; send its tasks as plain signatures.");

        var args = signature["args"] is JsonArray given ? (JsonArray)given.DeepClone() : [];
        var immutable = signature["immutable"] is JsonValue flag && flag.TryGetValue(out bool isImmutable) && isImmutable;
        if (prepend is not null && !immutable) args.Insert(0, JsonNode.Parse(prepend, NodeOptions));
        var kwargs = signature["kwargs"] as JsonObject ?? [];
        var options = signature["options"] as JsonObject ?? [];
        var queue = String(options, "queue");
        return new TaskMessage
        {
            Id = String(options, "task_id") ?? Guid.NewGuid().ToString(),
            Name = name,
            Args = Python(args),
            Kwargs = Python(kwargs),
            Exchange = String(options, "exchange") ?? "",
            RoutingKey = String(options, "routing_key") ?? queue ?? CeleryProtocol.DefaultQueue,
            Priority = Number(options, "priority") is { } priority ? (byte)Math.Clamp(priority, 0, 255) : parentPriority,
            Eta = Time(options, "eta", "countdown", now),
            Expires = Time(options, "expires", "expires", now),
            TimeLimitHard = Number(options, "time_limit"),
            TimeLimitSoft = Number(options, "soft_time_limit"),
            RootId = rootId,
            ParentId = parentId,
            GroupId = String(options, "group_id"),
            GroupIndex = Number(options, "group_index") is { } index ? (int)index : null,
            ReplyTo = String(options, "reply_to"),
            Callbacks = List(options["link"]),
            Errbacks = List(options["link_error"]),
            Chord = options["chord"] is JsonObject chord ? Python(chord) : null,
        };
    }

    private static JsonNode Parse(string json, string what)
    {
        try
        {
            return JsonNode.Parse(json, NodeOptions) ?? throw new WorkflowException($"{what} is null.");
        }
        catch (JsonException ex)
        {
            throw new WorkflowException($"{what} is not valid JSON ({ex.Message}): {Shorten(json)}");
        }
    }

    /// <summary>JSON laid out as Python's json.dumps lays it out, as rows from Python producers hold it.</summary>
    public static string Python(JsonNode node) => PythonJson.Format(node.ToJsonString());

    private static string? List(JsonNode? node) => node switch
    {
        JsonArray { Count: > 0 } array => Python(array),
        JsonObject single => Python(new JsonArray(single.DeepClone())),
        _ => null,
    };

    private static string? String(JsonObject options, string name) =>
        options[name] is JsonValue value && value.TryGetValue(out string? text) && text.Length > 0 ? text : null;

    private static double? Number(JsonObject options, string name) =>
        options[name] is JsonValue value && value.TryGetValue(out double number) ? number : null;

    /// <summary>An absolute time (ISO 8601) in <paramref name="absolute"/>, or seconds from now in <paramref name="relative"/>.</summary>
    private static DateTimeOffset? Time(JsonObject options, string absolute, string relative, DateTimeOffset now)
    {
        if (String(options, absolute) is { } text)
        {
            return CeleryTimestamp.TryParse(text, out var at)
                ? at
                : throw new WorkflowException($"Signature option {absolute} = '{text}' is not an ISO 8601 time.");
        }
        return Number(options, relative) is { } seconds ? now.AddSeconds(seconds) : null;
    }

    private static string Shorten(string json) => json.Length <= 120 ? json : json[..117] + "...";
}
