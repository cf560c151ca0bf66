using FullDbResult.Protocol;
using FullDbResult.Publishing;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The worker's <see cref="IMessagePublisher"/>: rpc results and events on one channel of the worker's
/// connection, not mandatory (as Celery sends them). With <paramref name="confirm"/> each publish waits for the
/// broker's confirm, so the worker acknowledges a task only once its reply is on the broker; without it
/// (events) the publish returns when the frames are written. A broken channel is replaced on the next publish.
/// </summary>
internal sealed class RabbitMqMessagePublisher(RabbitMqConnection connection, bool confirm) : IMessagePublisher, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;

    public async Task PublishAsync(WireMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RabbitMqTaskPublisher.DefaultTimeout);
        await _gate.WaitAsync(deadline.Token);
        try
        {
            if (_channel is not { IsOpen: true })
            {
                await DiscardAsync();
                _channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: confirm, publisherConfirmationTrackingEnabled: confirm), deadline.Token);
            }
            await _channel.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: false, RabbitMqWire.ToProperties(message), message.Body, deadline.Token);
        }
        catch
        {
            await DiscardAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await DiscardAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DiscardAsync()
    {
        if (_channel is null) return;
        try
        {
            await _channel.DisposeAsync();
        }
        catch (Exception)
        {
            // Already broken; nothing more to release.
        }
        _channel = null;
    }
}
