namespace FullDbResult.RabbitMq;

/// <summary>RabbitMQ's queue types that a task queue may be declared as.</summary>
public enum QueueType
{
    /// <summary>A classic queue, declared as Celery declares its queues by default (durable, no arguments).</summary>
    Classic,

    /// <summary>
    /// A quorum queue (x-queue-type=quorum): replicated over the cluster's nodes by Raft, so a confirmed message
    /// survives the loss of a minority of nodes, leader included.
    /// </summary>
    Quorum,
}

/// <summary>
/// How every client on a connection declares task queues and their dead-letter queues: the publisher before its
/// first publish to a queue, the worker when it starts. RabbitMQ refuses a second declaration of a queue with other
/// arguments (406 PRECONDITION_FAILED), so the publisher and the worker of a process, and Python Celery sharing the
/// queue, must declare it alike; they share these settings through <see cref="RabbitMqConnection.Queues"/>.
/// </summary>
/// <remarks>
/// A quorum task queue carries <c>x-delivery-limit</c>: a message delivered more often than that (a task that
/// crashes every worker that takes it) is dead-lettered by the broker to <c>&lt;queue&gt;</c> + <see cref="DeadLetterSuffix"/>
/// through the default exchange (<c>x-dead-letter-exchange</c> "", <c>x-dead-letter-routing-key</c>), a second
/// guard beside the worker's own dead letters. Every requeue counts as a delivery, including the worker's own
/// requeue of a message whose row could not be written: a database outage of more than about
/// <see cref="DeliveryLimit"/> seconds moves the messages in hand to the dead-letter queue instead of losing them
/// (their rows stay PENDING, so Get-StaleTask reports them). Python Celery must declare the same arguments
/// (docs/cluster.md).
/// </remarks>
public sealed record QueueDeclarations
{
    /// <summary>The type of every task queue not named in <see cref="Types"/>.</summary>
    public QueueType DefaultType { get; init; } = QueueType.Classic;

    /// <summary>The type of each named task queue, where it differs from <see cref="DefaultType"/>. A dead-letter queue has its task queue's type.</summary>
    public IReadOnlyDictionary<string, QueueType> Types { get; init; } = new Dictionary<string, QueueType>();

    /// <summary>
    /// RabbitMQ's x-delivery-limit for quorum task queues: deliveries after which the broker dead-letters a message.
    /// Null declares none (the message is redelivered for ever, as on a classic queue).
    /// </summary>
    public int? DeliveryLimit { get; init; } = 100;

    /// <summary>A message that cannot be run goes to the queue named by its queue plus this suffix, declared beside it.</summary>
    public string DeadLetterSuffix { get; init; } = ".dead_letter";

    /// <summary>The type <paramref name="queue"/> is declared as.</summary>
    public QueueType TypeOf(string queue) => Types.TryGetValue(queue, out var type) ? type : DefaultType;

    /// <summary>The dead-letter queue of <paramref name="queue"/>.</summary>
    public string DeadLetterQueueOf(string queue) => queue + DeadLetterSuffix;

    /// <summary>The arguments of a task queue's declaration; null for a classic queue, as Celery declares it.</summary>
    internal Dictionary<string, object?>? TaskQueueArguments(string queue)
    {
        if (TypeOf(queue) == QueueType.Classic) return null;
        var arguments = QuorumArguments();
        if (DeliveryLimit is { } limit)
        {
            arguments["x-delivery-limit"] = limit;
            arguments["x-dead-letter-exchange"] = "";
            arguments["x-dead-letter-routing-key"] = DeadLetterQueueOf(queue);
        }

        return arguments;
    }

    /// <summary>The arguments of the dead-letter queue of <paramref name="queue"/>: its task queue's type, nothing else.</summary>
    internal Dictionary<string, object?>? DeadLetterQueueArguments(string queue) =>
        TypeOf(queue) == QueueType.Classic ? null : QuorumArguments();

    private static Dictionary<string, object?> QuorumArguments() => new() { ["x-queue-type"] = "quorum" };
}
