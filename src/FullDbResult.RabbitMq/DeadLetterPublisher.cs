using FullDbResult.Protocol;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Republishes a message the worker cannot run to its dead-letter queue, with confirms, carrying why and from
/// where in <see cref="TaskWorker.ReasonHeader"/>, <see cref="TaskWorker.ErrorHeader"/> and <see cref="TaskWorker.QueueHeader"/>.
/// </summary>
internal sealed class DeadLetterPublisher(IChannel channel)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task PublishAsync(WireMessage wire, string queue, string deadLetterQueue, string reason, string error)
    {
        var properties = RabbitMqWire.ToProperties(wire with { Expiration = null });
        // Header values as the client delivered them (strings as bytes) are turned back into strings.
        var headers = AmqpHeaderValues.Normalize(wire.Headers);
        headers[TaskWorker.ReasonHeader] = reason;
        headers[TaskWorker.ErrorHeader] = error;
        headers[TaskWorker.QueueHeader] = queue;
        properties.Headers = headers;
        await _gate.WaitAsync();
        try
        {
            await channel.BasicPublishAsync("", deadLetterQueue, mandatory: true, properties, wire.Body);
        }
        finally
        {
            _gate.Release();
        }
    }
}
