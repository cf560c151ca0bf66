using System.Net;

namespace FullDbResult.Protocol;

/// <summary>
/// Celery message protocol v2: a <see cref="TaskMessage"/> to and from the <see cref="WireMessage"/>
/// that Celery 5.2 sends and reads. Only JSON bodies; protocol v1 (no <c>task</c> header) is refused, not read.
/// </summary>
public static class CeleryProtocol
{
    public const string ContentType = "application/json";

    public const string ContentEncoding = "utf-8";

    /// <summary>Celery's default queue, reached through the default exchange by this routing key.</summary>
    public const string DefaultQueue = "celery";

    /// <summary>A guard against a body that would exhaust a worker's memory; RabbitMQ 3.10 itself allows 128 MiB.</summary>
    public const int DefaultMaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>Celery's anonymous node name for a sender: <c>gen&lt;pid&gt;@&lt;host name&gt;</c>.</summary>
    public static string DefaultOrigin { get; } = $"gen{Environment.ProcessId}@{Dns.GetHostName()}";

    /// <summary>The properties, headers and body Celery 5.2's <c>send_task</c> would publish for <paramref name="message"/>.</summary>
    /// <param name="clock">Measures the AMQP expiration (milliseconds until <see cref="TaskMessage.Expires"/>); the system clock by default.</param>
    /// <exception cref="ArgumentException">Args, kwargs or an embedded signature is not valid JSON of its shape, the id or name is empty,
    /// or a custom header has a reserved name or a value with no AMQP form.</exception>
    public static WireMessage Encode(TaskMessage message, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return TaskMessageEncoder.Encode(message, clock ?? TimeProvider.System);
    }

    /// <summary>Reads a delivered message. Never throws for what the message holds: a bad one gives a failed result with a reason.</summary>
    /// <param name="wire">Its headers may be the raw table RabbitMQ.Client delivers (strings as UTF-8 bytes).</param>
    /// <param name="maxBodyBytes">A larger body is refused before it is parsed.</param>
    public static DecodeResult Decode(WireMessage wire, int maxBodyBytes = DefaultMaxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(wire);
        return TaskMessageDecoder.Decode(wire, maxBodyBytes);
    }
}
