using FullDbResult.Protocol;

namespace FullDbResult.Publishing;

/// <summary>
/// Sends task messages to the broker. The core decides what to send and records it; a transport
/// (FullDbResult.RabbitMq) implements this.
/// </summary>
public interface ITaskPublisher
{
    /// <summary>
    /// Publishes every message and returns once the broker has confirmed all of them. Throws
    /// <see cref="TaskPublishException"/> naming the messages that were not confirmed; it never waits
    /// without bound.
    /// </summary>
    Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default);
}
