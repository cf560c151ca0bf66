namespace FullDbResult.RabbitMq;

/// <summary>What the worker does with a delivered message once its outcome is stored.</summary>
internal sealed record MessageDisposition(MessageDisposition.Kind Action, string? Reason = null, string? Error = null)
{
    public enum Kind { Ack, Requeue, DeadLetter }

    public static readonly MessageDisposition Ack = new(Kind.Ack);
    public static readonly MessageDisposition Requeue = new(Kind.Requeue);

    public static MessageDisposition DeadLetter(string reason, string error) => new(Kind.DeadLetter, reason, error);
}
