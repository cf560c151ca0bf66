namespace FullDbResult.Control;

/// <summary>
/// Sends remote-control commands to every worker (Celery's and ours), as <c>app.control</c> does; implemented
/// by a transport (RabbitMQ's <c>RabbitMqControlBroadcaster</c>, over the <c>celery.pidbox</c> exchange).
/// </summary>
public interface IControlBroadcaster
{
    /// <summary>Sends <paramref name="command"/> without waiting for replies.</summary>
    Task BroadcastAsync(ControlCommand command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="command"/> with a ticket and collects the replies that arrive within
    /// <paramref name="timeout"/> (fewer if <see cref="ControlCommand.Destination"/> names workers and all answered).
    /// </summary>
    Task<IReadOnlyList<ControlReply>> CallAsync(ControlCommand command, TimeSpan timeout, CancellationToken cancellationToken = default);
}
