using System.Text.Json;
using FullDbResult.Events;

namespace FullDbResult.Tests.Events;

/// <summary>
/// The real event messages in vectors/celery_events.json: what a Celery 5.2 worker started with -E and a
/// producer with task_send_sent_event sent to RabbitMQ here (vectors/celery_events_capture/ made them).
/// </summary>
internal static class CapturedEvents
{
    public sealed record Message(string RoutingKey, string ContentType, byte[] Body)
    {
        public CeleryEventMessage ToEventMessage() => new(Body, ContentType);
    }

    public static IReadOnlyList<Message> All { get; } = Load();

    /// <summary>Every message split into its single events, each as a message of its own, in the order sent.</summary>
    public static IReadOnlyList<CeleryEventMessage> SingleEvents() => All
        .SelectMany(m =>
        {
            using var document = JsonDocument.Parse(m.Body);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().Select(e => JsonSerializer.SerializeToUtf8Bytes(e)).ToList()
                : [m.Body];
        })
        .Select(body => new CeleryEventMessage(body, "application/json"))
        .ToList();

    private static List<Message> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "celery_events.json")));
        return document.RootElement.EnumerateArray()
            .Select(m => new Message(m.GetProperty("routing_key").GetString()!, m.GetProperty("content_type").GetString()!,
                Convert.FromBase64String(m.GetProperty("body").GetString()!)))
            .ToList();
    }
}
