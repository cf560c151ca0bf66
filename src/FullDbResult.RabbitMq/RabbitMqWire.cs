using FullDbResult.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FullDbResult.RabbitMq;

/// <summary>Copies the transport-neutral <see cref="WireMessage"/> to and from RabbitMQ.Client's types.</summary>
internal static class RabbitMqWire
{
    public static BasicProperties ToProperties(WireMessage wire) => new()
    {
        ContentType = wire.ContentType,
        ContentEncoding = wire.ContentEncoding,
        CorrelationId = wire.CorrelationId,
        ReplyTo = wire.ReplyTo,
        DeliveryMode = wire.DeliveryMode == 2 ? DeliveryModes.Persistent : DeliveryModes.Transient,
        Priority = wire.Priority ?? 0,
        Expiration = wire.Expiration,
        Headers = wire.Headers,
    };

    /// <summary>The delivered message. The body is copied: the client reuses its buffer once the handler returns.</summary>
    public static WireMessage FromDelivery(BasicDeliverEventArgs delivery)
    {
        var p = delivery.BasicProperties;
        return new WireMessage
        {
            Body = delivery.Body.ToArray(),
            ContentType = p.IsContentTypePresent() ? p.ContentType : null,
            ContentEncoding = p.IsContentEncodingPresent() ? p.ContentEncoding : null,
            CorrelationId = p.IsCorrelationIdPresent() ? p.CorrelationId : null,
            ReplyTo = p.IsReplyToPresent() ? p.ReplyTo : null,
            DeliveryMode = p.IsDeliveryModePresent() ? (byte)p.DeliveryMode : null,
            Priority = p.IsPriorityPresent() ? p.Priority : null,
            Expiration = p.IsExpirationPresent() ? p.Expiration : null,
            Headers = p.Headers ?? new Dictionary<string, object?>(),
            Exchange = delivery.Exchange,
            RoutingKey = delivery.RoutingKey,
        };
    }
}
