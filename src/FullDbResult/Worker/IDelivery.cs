using FullDbResult.Protocol;

namespace FullDbResult.Worker;

/// <summary>
/// One message as a transport delivered it to the worker, and the three ways to settle it. The
/// <see cref="WorkerEngine"/> calls exactly one of them, once, and only after the message's outcome row has
/// committed: a transport implements them and decides nothing.
/// </summary>
public interface IDelivery
{
    WireMessage Message { get; }

    /// <summary>The queue it was consumed from; recorded on the task's row.</summary>
    string Queue { get; }

    /// <summary>Where <see cref="DeadLetterAsync"/> puts it; recorded on a rejected task's row.</summary>
    string DeadLetterQueue { get; }

    /// <summary>The transport says it may have been delivered before (a lost acknowledgement).</summary>
    bool Redelivered { get; }

    /// <summary>Removes the message: its outcome is stored.</summary>
    Task AckAsync();

    /// <summary>Returns the message to its queue: nothing was stored, or the worker is stopping.</summary>
    Task RequeueAsync();

    /// <summary>
    /// Moves the message to <see cref="DeadLetterQueue"/>, carrying <paramref name="reason"/> and
    /// <paramref name="error"/>, and removes the original, as one step: when it completes the message is in
    /// exactly one place, the dead-letter queue. When it fails the original must still be there: the engine
    /// then returns it to its queue.
    /// </summary>
    Task DeadLetterAsync(string reason, string error);
}
