namespace FullDbResult.Scheduling;

/// <summary>
/// The loop a service runs the dispatcher or the periodic scheduler in: a pass, a pause, until cancelled.
/// A pass that fails (it throws, or reports failure because the broker or the database is down) makes the
/// pause grow, doubling from the interval up to <see cref="MaxBackoff"/>, with jitter so that processes that
/// failed together do not all come back at the same instant; the first pass that succeeds resets it. So an
/// outage costs one failed pass, then a few cheap checks, not a pass every interval.
/// </summary>
public sealed class PollingLoop
{
    /// <summary>The longest pause after failed passes when none is given.</summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromMinutes(1);

    private readonly Func<CancellationToken, Task<bool>> _pass;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    /// <param name="name">What the logs call this loop, e.g. "Scheduled dispatch".</param>
    /// <param name="pass">One pass; returns false when it failed and the loop should back off.</param>
    /// <param name="interval">The pause after a pass that succeeded.</param>
    /// <param name="maxBackoff">The longest pause after failed passes; <see cref="DefaultMaxBackoff"/> (or the interval, if longer) when null.</param>
    public PollingLoop(string name, Func<CancellationToken, Task<bool>> pass, TimeSpan interval, TimeSpan? maxBackoff = null,
        ILogger? logger = null, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
        if (maxBackoff < interval) throw new ArgumentOutOfRangeException(nameof(maxBackoff), maxBackoff, "The longest backoff must be at least the interval.");
        Name = name;
        _pass = pass ?? throw new ArgumentNullException(nameof(pass));
        Interval = interval;
        MaxBackoff = maxBackoff ?? (interval > DefaultMaxBackoff ? interval : DefaultMaxBackoff);
        _logger = logger ?? NullLogger.Instance;
        _clock = clock ?? TimeProvider.System;
    }

    public string Name { get; }

    public TimeSpan Interval { get; }

    public TimeSpan MaxBackoff { get; }

    /// <summary>Runs passes until <paramref name="cancellationToken"/> is cancelled; returns then, without throwing.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("{Loop} started: a pass every {Interval}, backing off up to {MaxBackoff} after failures", Name, Interval, MaxBackoff);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool succeeded;
            try
            {
                succeeded = await _pass(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A {Loop} pass failed", Name);
                succeeded = false;
            }
            if (succeeded && failures > 0) _logger.LogInformation("{Loop} recovered after {Failures} failed passes", Name, failures);
            failures = succeeded ? 0 : failures + 1;
            var pause = failures == 0 ? Interval : Backoff(failures);
            if (failures > 0) _logger.LogWarning("{Loop}: {Failures} failed passes in a row; the next in {Pause}", Name, failures, pause);
            try
            {
                await Task.Delay(pause, _clock, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
        _logger.LogInformation("{Loop} stopped", Name);
    }

    /// <summary>
    /// The pause after <paramref name="failures"/> failed passes in a row: a ceiling of the interval doubled
    /// that many times, at most <see cref="MaxBackoff"/>, and a random point in its upper half, so the pause
    /// still grows while processes spread out.
    /// </summary>
    internal TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(MaxBackoff.Ticks, Interval.Ticks * Math.Pow(2, Math.Min(failures, 30)));
        return TimeSpan.FromTicks((long)(ceiling / 2 * (1 + Random.Shared.NextDouble())));
    }
}
