namespace FullDbResult.Worker;

/// <summary>
/// Celery's autoretry: an exception the handler's options name becomes a <see cref="TaskRetryException"/>
/// carrying it, with the delay of <c>get_exponential_backoff_interval</c> (celery/utils/time.py) or the default
/// delay, and from there takes the same path as a handler's own <see cref="TaskContext.Retry"/>.
/// </summary>
internal static class AutoRetry
{
    public static bool Applies(TaskHandlerOptions options, Exception exception) =>
        exception is not (TaskRetryException or OperationCanceledException)
        && options.AutoRetryFor.Any(type => type.IsInstanceOfType(exception));

    public static TaskRetryException Retry(TaskHandlerOptions options, Exception exception, int retries) =>
        new(Delay(options, retries, Random.Shared), options.MaxRetries, $"{exception.GetType().Name}: {exception.Message}", exception);

    /// <summary>The delay before retry number <paramref name="retries"/> + 1.</summary>
    public static TimeSpan Delay(TaskHandlerOptions options, int retries, Random random)
    {
        if (options.RetryBackoff is not { } factor) return options.DefaultRetryDelay;
        var capped = Math.Min(options.RetryBackoffMax.TotalSeconds, factor.TotalSeconds * Math.Pow(2, Math.Min(retries, 62)));
        return TimeSpan.FromSeconds(options.RetryJitter ? random.NextDouble() * capped : capped);
    }
}
