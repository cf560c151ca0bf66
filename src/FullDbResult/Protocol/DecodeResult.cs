using System.Diagnostics.CodeAnalysis;

namespace FullDbResult.Protocol;

/// <summary>A decoded task, or why there is none and, when it could be read, the task id to record it under.</summary>
public sealed class DecodeResult
{
    private DecodeResult(TaskMessage? message, DecodeFailureReason reason, string? error, string? taskId)
    {
        Message = message;
        Reason = reason;
        Error = error;
        TaskId = taskId;
    }

    [MemberNotNullWhen(true, nameof(Message))]
    public bool Succeeded => Message is not null;

    public TaskMessage? Message { get; }

    public DecodeFailureReason Reason { get; }

    /// <summary>A sentence for a log or a FAILURE row; null on success.</summary>
    public string? Error { get; }

    /// <summary>The task id: on failure from the <c>id</c> header or else the correlation id, when either is readable.</summary>
    public string? TaskId { get; }

    public static DecodeResult Success(TaskMessage message) => new(message, DecodeFailureReason.None, null, message.Id);

    public static DecodeResult Failure(DecodeFailureReason reason, string error, string? taskId) =>
        new(null, reason, error, taskId);
}
