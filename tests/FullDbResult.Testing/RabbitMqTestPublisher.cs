using FullDbResult.Protocol;
using FullDbResult.Publishing;
using RabbitMQ.Client;

namespace FullDbResult.Testing;

/// <summary>
/// A small confirming publisher over RabbitMQ.Client, for tests and benchmarks to reach a real broker
/// without depending on the transport project: publishes a batch, then awaits every confirm.
/// </summary>
public sealed class RabbitMqTestPublisher : ITaskPublisher, IAsyncDisposable
{
    private readonly IConnection connection;
    private readonly IChannel channel;

    private RabbitMqTestPublisher(IConnection connection, IChannel channel) => (this.connection, this.channel) = (connection, channel);

    public static async Task<RabbitMqTestPublisher> ConnectAsync(Uri broker)
    {
        var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        return new RabbitMqTestPublisher(connection, channel);
    }

    public async Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default)
    {
        var publishes = new List<(string Id, ValueTask Confirm)>(messages.Count);
        foreach (var message in messages)
        {
            var wire = CeleryProtocol.Encode(message);
            var properties = new BasicProperties
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
            publishes.Add((message.Id, channel.BasicPublishAsync(wire.Exchange, wire.RoutingKey, mandatory: true, properties, wire.Body, cancellationToken)));
        }
        var failed = new List<string>();
        Exception? first = null;
        foreach (var (id, confirm) in publishes)
        {
            try
            {
                await confirm;
            }
            catch (Exception ex)
            {
                failed.Add(id);
                first ??= ex;
            }
        }
        if (failed.Count > 0) throw new TaskPublishException($"{failed.Count} messages were not confirmed: {first!.Message}", failed, first);
    }

    public async ValueTask DisposeAsync()
    {
        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}
