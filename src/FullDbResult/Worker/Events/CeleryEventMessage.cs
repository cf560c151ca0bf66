using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Worker.Events;

/// <summary>
/// Celery 5.2 events as its <c>EventDispatcher</c> publishes them on the <c>celeryev</c> topic exchange: each event
/// a JSON object with keys in Celery's order (hostname, utcoffset, pid, clock, the event's own fields, timestamp,
/// type); header <c>hostname</c>; transient. A worker event goes alone, routing key = its type with dots
/// (<c>worker-heartbeat</c> → <c>worker.heartbeat</c>); task events go as a JSON list under <c>task.multi</c>, as a
/// Celery worker with an event loop buffers them. vectors/worker_sent_events.json holds what a real worker sent.
/// </summary>
internal static class CeleryEventMessage
{
    public const string Exchange = "celeryev";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="fields">The event's own fields, in order; values are string, bool, int, long, double, double[] or null.</param>
    public static byte[] Event(string type, string hostname, long clock, DateTimeOffset now, IEnumerable<KeyValuePair<string, object?>> fields)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("hostname", hostname);
            json.WriteNumber("utcoffset", UtcOffset(now));
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteNumber("clock", clock);
            foreach (var (name, value) in fields)
            {
                json.WritePropertyName(name);
                WriteValue(json, value);
            }
            json.WriteNumber("timestamp", now.ToUnixTimeMilliseconds() / 1000.0);
            json.WriteString("type", type);
            json.WriteEndObject();
        }
        return body.WrittenSpan.ToArray();
    }

    /// <summary>One event in its own message, routed by its type.</summary>
    public static WireMessage Single(string type, string hostname, byte[] @event) => Message(type.Replace('-', '.'), hostname, @event);

    /// <summary>Events of one group (<c>task</c>) as one list, routed <c>&lt;group&gt;.multi</c>.</summary>
    public static WireMessage Multi(string group, string hostname, IReadOnlyList<byte[]> events)
    {
        var body = new ArrayBufferWriter<byte>();
        body.Write("["u8);
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0) body.Write(", "u8);
            body.Write(events[i]);
        }
        body.Write("]"u8);
        return Message(group + ".multi", hostname, body.WrittenSpan.ToArray());
    }

    /// <summary>
    /// celery.utils.time.utcoffset: whole hours west of UTC (Python's <c>time.timezone // 3600</c>, floored), which a
    /// receiver uses to turn the timestamp into its own local time.
    /// </summary>
    internal static int UtcOffset(DateTimeOffset now) =>
        (int)Math.Floor(-TimeZoneInfo.Local.GetUtcOffset(now).TotalSeconds / 3600);

    private static WireMessage Message(string routingKey, string hostname, byte[] body) => new()
    {
        Body = body,
        ContentType = CeleryProtocol.ContentType,
        ContentEncoding = CeleryProtocol.ContentEncoding,
        DeliveryMode = 1,
        Priority = 0,
        Headers = new Dictionary<string, object?> { ["hostname"] = hostname },
        Exchange = Exchange,
        RoutingKey = routingKey,
    };

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string text: json.WriteStringValue(text); break;
            case bool flag: json.WriteBooleanValue(flag); break;
            case int number: json.WriteNumberValue(number); break;
            case long number: json.WriteNumberValue(number); break;
            case double number: json.WriteNumberValue(number); break;
            case double[] numbers:
                json.WriteStartArray();
                foreach (var number in numbers) json.WriteNumberValue(number);
                json.WriteEndArray();
                break;
            default: throw new ArgumentException($"An event field cannot hold a {value.GetType().Name}.", nameof(value));
        }
    }
}
