using System.Text;
using System.Text.Json;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

/// <summary>One send_task_*.json: a message Celery 5.2 published, read back raw from RabbitMQ.</summary>
internal sealed class CeleryVector
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors");

    private CeleryVector(string name, JsonElement root)
    {
        Name = name;
        Root = root;
    }

    public string Name { get; }

    public JsonElement Root { get; }

    public JsonElement Properties => Root.GetProperty("properties");

    public JsonElement Headers => Root.GetProperty("headers");

    /// <summary>Header name to the Python type it decoded to: str, int, bool, NoneType, list...</summary>
    public JsonElement HeaderTypes => Root.GetProperty("header_types");

    public byte[] Body => Convert.FromBase64String(Root.GetProperty("body_b64").GetString()!);

    public string Exchange => Root.GetProperty("delivery_info").GetProperty("exchange").GetString()!;

    public string RoutingKey => Root.GetProperty("delivery_info").GetProperty("routing_key").GetString()!;

    public static IReadOnlyList<string> SendTaskNames() =>
        Directory.GetFiles(Folder, "send_task_*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList()!;

    public static CeleryVector Load(string name) =>
        new(name, JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json"))).RootElement);

    /// <summary>One message of a capture file that holds several (vectors/workflows).</summary>
    public static CeleryVector FromMessage(string name, JsonElement message) => new(name, message);

    public string? Property(string name) => Properties.TryGetProperty(name, out var value) ? value.ToString() : null;

    public string Header(string name) => Headers.GetProperty(name).GetString()!;

    /// <summary>The message as RabbitMQ.Client hands it to a consumer: strings in the header table as UTF-8 bytes.</summary>
    public WireMessage AsDelivered() => new()
    {
        Body = Body,
        ContentType = Property("content_type"),
        ContentEncoding = Property("content_encoding"),
        CorrelationId = Property("correlation_id"),
        ReplyTo = Property("reply_to"),
        DeliveryMode = Property("delivery_mode") is { } mode ? byte.Parse(mode) : null,
        Priority = Property("priority") is { } priority ? byte.Parse(priority) : null,
        Expiration = Property("expiration"),
        Headers = Headers.EnumerateObject().ToDictionary(header => header.Name, header => AsDelivered(header.Value)),
        Exchange = Exchange,
        RoutingKey = RoutingKey,
    };

    private static object? AsDelivered(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Encoding.UTF8.GetBytes(value.GetString()!),
        JsonValueKind.Number => value.TryGetInt32(out int small) ? small : value.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(AsDelivered).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(item => item.Name, item => AsDelivered(item.Value)),
        _ => null,
    };
}
