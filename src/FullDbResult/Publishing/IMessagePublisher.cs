using FullDbResult.Protocol;

namespace FullDbResult.Publishing;

/// <summary>
/// Sends a message that is not a task: an rpc result to a caller's <c>reply_to</c> queue, or a Celery event.
/// The message says where it goes (<see cref="WireMessage.Exchange"/>, <see cref="WireMessage.RoutingKey"/>).
/// Not mandatory, as Celery publishes these: a reply queue whose caller has gone, or an event exchange nobody
/// listens to, drops the message. A transport (FullDbResult.RabbitMq) implements this.
/// </summary>
public interface IMessagePublisher
{
    /// <summary>Returns once the broker has taken the message; throws when it could not be sent.</summary>
    Task PublishAsync(WireMessage message, CancellationToken cancellationToken);
}
