namespace FullDbResult.Worker;

/// <summary>
/// A task's time limits: the message's <c>timelimit</c> header [hard, soft], else the handler's options, and a
/// hard limit never past <see cref="WorkerOptions.MaxTaskTime"/>, so no message stays unacknowledged until
/// RabbitMQ's consumer_timeout closes the channel. The soft limit (or the hard one when there is none) cancels
/// the handler's token; the hard limit fails the task and frees its slot whether or not the handler stops.
/// A handler that ignores its token runs on in the background after that: its result is dropped, and it
/// holds its thread and whatever it uses until it returns.
/// </summary>
internal sealed record TimeLimits(TimeSpan Hard, TimeSpan? Soft)
{
    public static TimeLimits For(Protocol.TaskMessage message, TaskHandlerOptions handler, WorkerOptions worker)
    {
        var hard = Seconds(message.TimeLimitHard) ?? handler.TimeLimit ?? worker.MaxTaskTime;
        var soft = Seconds(message.TimeLimitSoft) ?? handler.SoftTimeLimit;
        return new TimeLimits(hard < worker.MaxTaskTime ? hard : worker.MaxTaskTime, soft < hard ? soft : null);
    }

    /// <summary>When the handler's token is cancelled.</summary>
    public TimeSpan CancelAfter => Soft ?? Hard;

    /// <summary>What a cancellation at <see cref="CancelAfter"/> is called in the task's FAILURE.</summary>
    public string CancelledType => Soft is null ? "TimeLimitExceeded" : "SoftTimeLimitExceeded";

    /// <summary>
    /// Runs <paramref name="run"/> on the thread pool (so that a synchronous handler cannot hold the caller past
    /// the hard limit) and returns its result, or throws <see cref="TimeLimitExceededException"/> at the hard limit.
    /// </summary>
    public async Task<object?> RunAsync(Func<Task<object?>> run, TimeProvider clock)
    {
        var running = Task.Run(run);
        using var timer = new CancellationTokenSource();
        var first = await Task.WhenAny(running, Task.Delay(Hard, clock, timer.Token));
        if (first == running)
        {
            await timer.CancelAsync();
            return await running;
        }
        // Abandoned: whatever it throws later is no one's to handle.
        _ = running.ContinueWith(static task => task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        throw new TimeLimitExceededException(Hard);
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is > 0 and { } value ? TimeSpan.FromSeconds(value) : null;
}

/// <summary>The hard time limit passed before the handler returned.</summary>
internal sealed class TimeLimitExceededException(TimeSpan limit)
    : Exception($"TimeLimitExceeded({limit.TotalSeconds:0.###}): the hard time limit passed; the handler was abandoned, not stopped.");
