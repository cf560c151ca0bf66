namespace FullDbResult.Worker;

/// <summary>
/// How one registered task runs, as Celery's task options say it: which exceptions retry it automatically
/// (<c>autoretry_for</c>), how often (<c>max_retries</c>), after how long (<c>default_retry_delay</c>, or an
/// exponential <c>retry_backoff</c> capped at <c>retry_backoff_max</c>, with <c>retry_jitter</c>), and its
/// time limits when a message names none.
/// </summary>
public sealed record TaskHandlerOptions
{
    /// <summary>An exception of one of these types (or derived) retries the task instead of failing it.</summary>
    public IReadOnlyList<Type> AutoRetryFor { get; init; } = [];

    /// <summary>Past this many retries the task fails: FAILURE with the last exception, "Retries exhausted".</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The delay before each retry when <see cref="RetryBackoff"/> is null.</summary>
    public TimeSpan DefaultRetryDelay { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Exponential back-off: retry n (from 0) waits this times 2^n, capped at <see cref="RetryBackoffMax"/>.</summary>
    public TimeSpan? RetryBackoff { get; init; }

    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>A back-off delay becomes a random one between zero and itself (full jitter), so that retries spread out.</summary>
    public bool RetryJitter { get; init; } = true;

    /// <summary>Hard limit when the message's <c>timelimit</c> header names none: the task fails and its slot is freed.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Soft limit when the message's <c>timelimit</c> header names none: the handler's token is cancelled.</summary>
    public TimeSpan? SoftTimeLimit { get; init; }
}
