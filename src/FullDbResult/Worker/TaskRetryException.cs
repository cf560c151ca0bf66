namespace FullDbResult.Worker;

/// <summary>Thrown by a handler (see <see cref="TaskContext.Retry"/>) to run the task again later.</summary>
public sealed class TaskRetryException : Exception
{
    public TaskRetryException(TimeSpan countdown, int maxRetries, string reason)
        : base(reason)
    {
        Countdown = countdown;
        MaxRetries = maxRetries;
    }

    /// <summary>An automatic retry (<see cref="TaskHandlerOptions.AutoRetryFor"/>) of <paramref name="cause"/>.</summary>
    internal TaskRetryException(TimeSpan countdown, int maxRetries, string reason, Exception cause)
        : base(reason, cause)
    {
        Countdown = countdown;
        MaxRetries = maxRetries;
    }

    public TimeSpan Countdown { get; }
    public int MaxRetries { get; }
}
