using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Tests.Protocol;

namespace FullDbResult.Tests.Workflows;

/// <summary>One message of a vectors/workflows/*.json capture: what Celery 5.2 sent for a workflow.</summary>
internal static class WorkflowVector
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors", "workflows");

    public static JsonElement Message(string file, int index = 0) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, file + ".json"))).RootElement.GetProperty("messages")[index];

    /// <summary>The captured message as a transport would deliver it.</summary>
    public static WireMessage Delivered(string file, int index = 0) => CeleryVector.FromMessage(file, Message(file, index)).AsDelivered();

    /// <summary>The body as sent (its raw text keeps Python's layout).</summary>
    public static JsonElement Body(string file, int index = 0) => JsonDocument.Parse(Message(file, index).GetProperty("body_utf8").GetString()!).RootElement;

    public static string Header(string file, string name, int index = 0) => Message(file, index).GetProperty("headers").GetProperty(name).GetString()!;
}
