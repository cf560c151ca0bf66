namespace FullDbResult.Worker;

/// <summary>Thrown by a handler (see <see cref="TaskContext.Retry"/>) to run the task again later.</summary>
public sealed class TaskRetryException(TimeSpan countdown, int maxRetries, string reason) : Exception(reason)
{
    public TimeSpan Countdown { get; } = countdown;
    public int MaxRetries { get; } = maxRetries;
}
