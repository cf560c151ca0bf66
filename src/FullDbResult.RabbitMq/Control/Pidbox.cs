using System.Text;
using FullDbResult.Protocol;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq.Control;

/// <summary>
/// kombu's Mailbox on RabbitMQ, declared exactly as Celery 5.2 declares it (RabbitMQ refuses a second
/// declaration with other arguments): the <c>celery.pidbox</c> fanout exchange and the
/// <c>reply.celery.pidbox</c> direct exchange, neither durable; each worker's <c>&lt;name&gt;.celery.pidbox</c>
/// queue and each caller's reply queue, auto-deleted, with Celery's control_queue_expires (10 s) and
/// control_queue_ttl (300 s).
/// </summary>
internal static class Pidbox
{
    public const string Exchange = "celery.pidbox";
    public const string ReplyExchange = "reply.celery.pidbox";

    private static readonly Dictionary<string, object?> QueueArguments = new()
    {
        ["x-expires"] = 10_000,
        ["x-message-ttl"] = 300_000,
    };

    public static string WorkerQueue(string workerName) => $"{workerName}.{Exchange}";

    public static string ReplyQueue(string routingKey) => $"{routingKey}.{ReplyExchange}";

    public static Task DeclareExchangeAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: cancellationToken);

    public static Task DeclareReplyExchangeAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(ReplyExchange, ExchangeType.Direct, durable: false, autoDelete: false, cancellationToken: cancellationToken);

    public static async Task DeclareQueueAsync(IChannel channel, string queue, string exchange, string routingKey, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true, arguments: QueueArguments, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, exchange, routingKey, cancellationToken: cancellationToken);
    }

    /// <summary>The properties kombu gives a JSON control message or reply; <paramref name="headers"/> carry the clock and the ticket or expiry.</summary>
    public static BasicProperties Properties(DeliveryModes deliveryMode, Dictionary<string, object?> headers) => new()
    {
        ContentType = CeleryProtocol.ContentType,
        ContentEncoding = CeleryProtocol.ContentEncoding,
        DeliveryMode = deliveryMode,
        Priority = 0,
        Headers = headers,
    };

    /// <summary>A string header as RabbitMQ.Client hands it over (bytes), or null.</summary>
    public static string? StringHeader(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value)
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), string text => text, _ => null }
            : null;
}
