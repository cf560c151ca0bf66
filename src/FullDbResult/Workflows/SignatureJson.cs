using System.Text.Json.Nodes;
using FullDbResult.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Workflows;

/// <summary><see cref="TaskSignature"/>s as the signature dicts Celery puts in a message's callbacks, errbacks and chain.</summary>
internal static class SignatureJson
{
    /// <summary>A JSON list of signatures, or null for none (what Celery sends for no callbacks).</summary>
    public static string? List(IEnumerable<TaskSignature>? signatures)
    {
        var list = signatures?.ToList() ?? [];
        return list.Count == 0 ? null : SignatureMessages.Python(new JsonArray(list.Select(s => (JsonNode)Node(s)).ToArray()));
    }

    /// <summary>The signature's own id: the one its options fix, or a new one written into them.</summary>
    public static TaskSignature WithId(TaskSignature signature) =>
        signature.Options?.TaskId is not null
            ? signature
            : signature with { Options = (signature.Options ?? new SendOptions()) with { TaskId = TaskClient.NewTaskId() } };

    public static JsonObject Node(TaskSignature signature)
    {
        TaskValidation.ValidateTaskName(signature.Name, nameof(signature.Name));
        var context = $"signature {signature.Name}";
        var args = signature.Args ?? "[]";
        var kwargs = signature.Kwargs ?? "{}";
        TaskJson.ValidateArgs(args, context);
        TaskJson.ValidateKwargs(kwargs, context);
        var o = signature.Options ?? new SendOptions();
        var options = new JsonObject();
        void Set(string name, JsonNode? value)
        {
            if (value is not null) options[name] = value;
        }
        Set("task_id", o.TaskId);
        Set("queue", o.RoutingKey is null ? o.Queue : null);
        Set("exchange", o.Exchange);
        Set("routing_key", o.RoutingKey);
        Set("priority", o.Priority is { } priority ? JsonValue.Create((int)priority) : null);
        Set("countdown", o.Countdown is { } countdown ? JsonValue.Create(countdown.TotalSeconds) : null);
        Set("eta", o.Eta is { } eta ? CeleryTimestamp.Format(eta) : null);
        Set("expires", o.Expires is { } expires ? CeleryTimestamp.Format(expires) : null);
        Set("time_limit", o.TimeLimit is { } hard ? JsonValue.Create(hard.TotalSeconds) : null);
        Set("soft_time_limit", o.SoftTimeLimit is { } soft ? JsonValue.Create(soft.TotalSeconds) : null);
        Set("link", List(signature.Link) is { } link ? JsonNode.Parse(link) : null);
        Set("link_error", List(signature.LinkError) is { } linkError ? JsonNode.Parse(linkError) : null);
        return new JsonObject
        {
            ["task"] = signature.Name,
            ["args"] = JsonNode.Parse(args),
            ["kwargs"] = JsonNode.Parse(kwargs),
            ["options"] = options,
            ["subtask_type"] = null,
            ["immutable"] = signature.Immutable,
        };
    }
}
