using FullDbResult.Protocol;
using FullDbResult.Worker;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FullDbResult.RabbitMq;

/// <summary>A message delivered on the worker's consume channel, settled as the <see cref="WorkerEngine"/> decides.</summary>
internal sealed class RabbitMqDelivery(IChannel channel, BasicDeliverEventArgs delivery, string queue, string deadLetterQueue, DeadLetterPublisher deadLetters)
    : IDelivery
{
    public WireMessage Message { get; } = RabbitMqWire.FromDelivery(delivery);
    public string Queue => queue;
    public string DeadLetterQueue => deadLetterQueue;
    public bool Redelivered => delivery.Redelivered;

    public Task AckAsync() => channel.BasicAckAsync(delivery.DeliveryTag, multiple: false).AsTask();

    public Task RequeueAsync() => channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true).AsTask();

    public async Task DeadLetterAsync(string reason, string error)
    {
        await deadLetters.PublishAsync(Message, queue, deadLetterQueue, reason, error);
        await AckAsync();
    }
}
