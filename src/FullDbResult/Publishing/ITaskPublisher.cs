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

    /// <summary>
    /// Whether the broker can be reached now, checked cheaply (an open connection), never waiting long. The
    /// dispatcher and the periodic scheduler claim nothing while it is false: a claimed row whose publish then
    /// fails needs an operator. A transport that cannot tell says true.
    /// </summary>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);
}
