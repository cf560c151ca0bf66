namespace FullDbResult.Protocol;

/// <summary>
/// A task message as a broker carries it: AMQP basic properties, the header table, the body bytes,
/// and where it was published. Transport-neutral: a RabbitMQ adapter copies these to and from its own types.
/// </summary>
public sealed record WireMessage
{
    public ReadOnlyMemory<byte> Body { get; init; }

    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    public string? CorrelationId { get; init; }

    public string? ReplyTo { get; init; }

    /// <summary>2 is persistent.</summary>
    public byte? DeliveryMode { get; init; }

    public byte? Priority { get; init; }

    /// <summary>Per-message TTL in milliseconds, as the decimal string AMQP wants.</summary>
    public string? Expiration { get; init; }

    /// <summary>
    /// From <see cref="CeleryProtocol.Encode"/>: only string, bool, int, long (outside the int range),
    /// double, null, <c>List&lt;object?&gt;</c> and <c>Dictionary&lt;string, object?&gt;</c>.
    /// Into <see cref="CeleryProtocol.Decode"/>: also what RabbitMQ.Client hands a consumer (see <see cref="AmqpHeaderValues"/>).
    /// </summary>
    public IDictionary<string, object?> Headers { get; init; } = new Dictionary<string, object?>();

    public string Exchange { get; init; } = "";

    public string RoutingKey { get; init; } = "";
}
