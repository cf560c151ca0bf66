namespace FullDbResult.Worker;

/// <summary>
/// What the worker does with a delivered message once its outcome is stored. <see cref="Storing"/> is an
/// outcome write still in flight: the message is settled when it commits, and the next message need not wait.
/// </summary>
internal sealed record MessageDisposition(MessageDisposition.Kind Action, string? Reason = null, string? Error = null, Task? Storing = null)
{
    public enum Kind { Ack, Requeue, DeadLetter }

    public static readonly MessageDisposition Ack = new(Kind.Ack);
    public static readonly MessageDisposition Requeue = new(Kind.Requeue);

    public static MessageDisposition AckOnceStored(Task storing) => new(Kind.Ack, Storing: storing);

    public static MessageDisposition DeadLetter(string reason, string error) => new(Kind.DeadLetter, reason, error);
}
