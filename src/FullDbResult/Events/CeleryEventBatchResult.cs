namespace FullDbResult.Events;

/// <summary>What <see cref="CeleryEventRecorder.RecordAsync"/> did with a batch of messages.</summary>
public sealed class CeleryEventBatchResult
{
    /// <summary>Task events written into task rows.</summary>
    public int TaskEvents { get; init; }

    /// <summary>worker-online, worker-heartbeat and worker-offline events written into the worker table.</summary>
    public int WorkerEvents { get; init; }

    /// <summary>Well-formed events the store has no use for (other groups, task events of custom types).</summary>
    public int Ignored { get; init; }

    /// <summary>The messages (or events within a message) that could not be read, and why; nothing else of them is lost.</summary>
    public IReadOnlyList<MalformedCeleryEvent> Malformed { get; init; } = [];
}

/// <summary>A message, or an event in it, that is not a Celery event the monitor can read.</summary>
/// <param name="MessageIndex">The message's position in the batch given to <see cref="CeleryEventRecorder.RecordAsync"/>.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record MalformedCeleryEvent(int MessageIndex, string Reason);
