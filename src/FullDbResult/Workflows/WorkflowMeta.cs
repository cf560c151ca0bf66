using System.Text.Json;
using System.Text.Json.Nodes;
using FullDbResult.Protocol;

namespace FullDbResult.Workflows;

/// <summary>
/// A SCHEDULED row keeps its message's callbacks, errbacks, chain and chord in meta (<c>{"workflow": {...}}</c>),
/// so that the dispatcher's send, which is built from the row, carries them on: a retried or delayed step of
/// a workflow does not end it.
/// </summary>
internal static class WorkflowMeta
{
    private const string Key = "workflow";

    private static readonly (string Name, Func<TaskMessage, string?> Get)[] Parts =
    [
        ("callbacks", m => m.Callbacks),
        ("errbacks", m => m.Errbacks),
        ("chain", m => m.Chain),
        ("chord", m => m.Chord),
    ];

    /// <summary>The meta that carries <paramref name="message"/>'s workflow, or null when it has none.</summary>
    public static string? Of(TaskMessage message) => AddTo(null, message);

    /// <summary>
    /// <paramref name="meta"/> (a JSON object or null) with <paramref name="message"/>'s workflow beside what it
    /// holds already (the same-id dispatch's reply, say); unchanged when the message has none.
    /// </summary>
    public static string? AddTo(string? meta, TaskMessage message)
    {
        var workflow = new JsonObject();
        foreach (var (name, get) in Parts)
            if (get(message) is { } json) workflow[name] = JsonNode.Parse(json);
        if (workflow.Count == 0) return meta;
        var root = meta is null ? new JsonObject() : JsonNode.Parse(meta)!.AsObject();
        root[Key] = workflow;
        return root.ToJsonString();
    }

    /// <summary>Only the workflow part of <paramref name="meta"/>: what a re-send of the row carries on.</summary>
    public static string? Carry(string? meta) =>
        Read(meta) is { } workflow ? new JsonObject { [Key] = workflow.DeepClone() }.ToJsonString() : null;

    /// <summary><paramref name="message"/> with the workflow that <paramref name="meta"/> carries, if any.</summary>
    public static TaskMessage Restore(TaskMessage message, string? meta)
    {
        if (Read(meta) is not { } workflow) return message;
        string? Part(string name) => workflow[name] is { } node ? SignatureMessages.Python(node) : null;
        return message with { Callbacks = Part("callbacks"), Errbacks = Part("errbacks"), Chain = Part("chain"), Chord = Part("chord") };
    }

    private static JsonObject? Read(string? meta)
    {
        // Meta holds other notes too (a publish error, a rejection); only a workflow object counts.
        if (meta is null || !meta.Contains($"\"{Key}\"", StringComparison.Ordinal)) return null;
        try
        {
            return JsonNode.Parse(meta) is JsonObject root && root[Key] is JsonObject workflow ? workflow : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
