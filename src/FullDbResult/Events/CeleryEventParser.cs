using System.Text.Json;

namespace FullDbResult.Events;

/// <summary>
/// Reads the body of a message from the <c>celeryev</c> exchange. Celery publishes one event as a JSON object,
/// and a worker with an event loop (prefork) buffers its task events and publishes them as a JSON list under
/// the routing key <c>task.multi</c> (<c>celery.events.dispatcher.EventDispatcher.flush</c>).
/// </summary>
internal static class CeleryEventParser
{
    /// <summary>
    /// The events of one message, and why each element that is not an event was refused (with its index in
    /// the list). Only a body that cannot be read at all throws, a <see cref="FormatException"/>.
    /// </summary>
    public static (IReadOnlyList<CeleryEvent> Events, IReadOnlyList<string> Refused) Parse(ReadOnlyMemory<byte> body, string? contentType)
    {
        // Celery's event_serializer is json unless changed; anything else (pickle above all) is never read.
        if (!string.IsNullOrEmpty(contentType) && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"The event is serialized as {contentType}; only JSON events are read (Celery's event_serializer = 'json', the default).");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The body is not JSON: {ex.Message}", ex);
        }

        var events = new List<CeleryEvent>();
        var refused = new List<string>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                Add(root, null);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var element in root.EnumerateArray()) Add(element, index++);
                break;
            default:
                throw new FormatException($"The body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an event object or a list of them.");
        }
        return (events, refused);

        void Add(JsonElement element, int? index)
        {
            var where = index is null ? "" : $"element {index}: ";
            if (element.ValueKind != JsonValueKind.Object)
                refused.Add($"{where}a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not an event object");
            else if (!element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(type.GetString()))
                refused.Add($"{where}no \"type\"");
            else
                events.Add(new CeleryEvent(type.GetString()!, element));
        }
    }
}
