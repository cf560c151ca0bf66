using FullDbResult.Protocol;

namespace FullDbResult.Control;

/// <summary>
/// A task a worker runs now, as remote control sees it: what <c>inspect active</c> lists, and what a
/// terminate stops by cancelling the token its handler was given.
/// </summary>
internal sealed class RunningTask(TaskMessage message, string queue, bool redelivered, DateTimeOffset started, CancellationTokenSource cancellation, RunningTasks owner) : IDisposable
{
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _terminateReason;

    public TaskMessage Message { get; } = message;
    public string Queue { get; } = queue;
    public bool Redelivered { get; } = redelivered;
    public DateTimeOffset Started { get; } = started;

    /// <summary>Why it was terminated; null while it was not.</summary>
    public string? TerminateReason => Volatile.Read(ref _terminateReason);

    public bool Terminated => TerminateReason is not null;

    /// <summary>
    /// Awaits the handler's task. After a terminate, a handler that has not ended within
    /// <paramref name="grace"/> is abandoned: it may go on in the background, but its slot is freed, its result
    /// is never stored, and <see cref="TaskTerminatedException"/> is thrown here; so it is when a terminated handler
    /// returns a value.
    /// </summary>
    public async Task<object?> RunAsync(Task<object?> handler)
    {
        if (!handler.IsCompleted && await Task.WhenAny(handler, _abandoned.Task) != handler)
        {
            _ = handler.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw new TaskTerminatedException(TerminateReason!);
        }
        var value = await handler;
        // A handler that finished its work after the terminate still counts as terminated, as a killed process would.
        return Terminated ? throw new TaskTerminatedException(TerminateReason!) : value;
    }

    /// <summary>Cancels the handler's token; true the first time.</summary>
    internal bool Terminate(string reason, TimeSpan grace, ILogger logger)
    {
        if (Interlocked.CompareExchange(ref _terminateReason, reason, null) is not null) return false;
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
        _ = AbandonAfterAsync(grace, logger);
        return true;
    }

    public void Dispose()
    {
        owner.Remove(this);
        _abandoned.TrySetCanceled();
    }

    private async Task AbandonAfterAsync(TimeSpan grace, ILogger logger)
    {
        await Task.Delay(grace);
        if (_abandoned.Task.IsCompleted) return;
        logger.LogWarning("Task {TaskName}[{TaskId}] ignored its cancellation for {Grace} after a terminate; its slot is freed and it is recorded REVOKED, "
            + "but its handler may still run in the background, and its result will not be stored", Message.Name, Message.Id, grace);
        _abandoned.TrySetResult();
    }
}
