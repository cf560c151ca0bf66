namespace FullDbResult.Protocol;

/// <summary>Carries a decode failure out of the depths of the decoder to the one place that turns it into a result.</summary>
internal sealed class DecodeFailedException(DecodeFailureReason reason, string message) : Exception(message)
{
    public DecodeFailureReason Reason { get; } = reason;
}
