using FullDbResult.Workflows;

namespace FullDbResult.Publishing;

/// <summary>Where and when to send one task. Everything is optional; Celery's defaults apply.</summary>
public sealed record SendOptions
{
    /// <summary>Null generates a new id (a UUID, as Celery does).</summary>
    public string? TaskId { get; init; }

    /// <summary>The queue to route to through the default exchange; ignored when <see cref="RoutingKey"/> is given.</summary>
    public string? Queue { get; init; }

    /// <summary>"" (the default) is the default exchange, which routes by queue name.</summary>
    public string? Exchange { get; init; }

    public string? RoutingKey { get; init; }

    /// <summary>0 to 255; RabbitMQ uses it only on queues declared with x-max-priority.</summary>
    public byte? Priority { get; init; }

    /// <summary>A task that a worker receives after this time is recorded REVOKED and not run.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Not before this time. Exclusive with <see cref="Countdown"/>.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Not before now plus this. Exclusive with <see cref="Eta"/>.</summary>
    public TimeSpan? Countdown { get; init; }

    /// <summary>Celery's hard time limit: the worker kills the task after this long.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Celery's soft time limit: the task is told to stop after this long.</summary>
    public TimeSpan? SoftTimeLimit { get; init; }

    /// <summary>Celery's <c>link</c>: sent after the task succeeds, with its result in front of their args.</summary>
    public IReadOnlyList<TaskSignature>? Link { get; init; }

    /// <summary>Celery's <c>link_error</c>: sent after the task fails, with its id in front of their args.</summary>
    public IReadOnlyList<TaskSignature>? LinkError { get; init; }

    /// <summary>The rest of a chain (JSON, last step first), set by <see cref="TaskClient.SendChainAsync"/>.</summary>
    internal string? Chain { get; init; }

    internal string? GroupId { get; init; }

    internal int? GroupIndex { get; init; }
}
