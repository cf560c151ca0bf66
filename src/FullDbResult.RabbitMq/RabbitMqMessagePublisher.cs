using FullDbResult.Protocol;
using FullDbResult.Publishing;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The worker's <see cref="IMessagePublisher"/>: rpc results and events on one confirmed channel of the worker's
/// connection, not mandatory (as Celery sends them). Each publish returns once the broker confirmed it, so the
/// worker acknowledges a task only once its reply is on the broker; publishes from many tasks share the channel
/// and its confirm window. A broken channel is replaced on the next publish.
/// </summary>
internal sealed class RabbitMqMessagePublisher(RabbitMqConnection connection) : IMessagePublisher, IAsyncDisposable
{
    private static readonly CreateChannelOptions ConfirmedChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    public async Task PublishAsync(WireMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RabbitMqTaskPublisher.DefaultTimeout);
        var channel = await ChannelAsync(deadline.Token);
        try
        {
            await channel.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: false, RabbitMqWire.ToProperties(message), message.Body, deadline.Token);
        }
        catch
        {
            await DiscardAsync(channel);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel) await DiscardAsync(channel);
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open) return open;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } opened) return opened;
            if (_channel is { } broken) await DiscardAsync(broken);
            return _channel = await connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DiscardAsync(IChannel channel)
    {
        Interlocked.CompareExchange(ref _channel, null, channel);
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception)
        {
            // Already broken; nothing more to release.
        }
    }
}
