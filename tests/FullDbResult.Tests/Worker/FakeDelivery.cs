using FullDbResult.Protocol;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Worker;

namespace FullDbResult.Tests.Worker;

/// <summary>
/// A delivered message held in memory: remembers how the engine settled it, how often, and what the task's
/// committed row said at that moment, which is what a transport's acknowledgement would have stood on.
/// </summary>
public sealed class FakeDelivery(WireMessage message, TaskStore store, string queue = "celery", bool redelivered = false) : IDelivery
{
    private readonly TaskCompletionSource<Settlement> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _settlements;

    /// <summary>The transport cannot move it to the dead-letter queue (a returned or refused publish).</summary>
    public bool DeadLetterFails { get; init; }

    public WireMessage Message => message;
    public string Queue => queue;
    public string DeadLetterQueue => queue + ".dead_letter";
    public bool Redelivered => redelivered;

    /// <summary>How many times the engine settled it: exactly once is the contract.</summary>
    public int Settlements => Volatile.Read(ref _settlements);

    /// <summary>The first settlement, when it comes.</summary>
    public Task<Settlement> Settled => _settled.Task;

    public Task AckAsync() => SettleAsync("ack");
    public Task RequeueAsync() => SettleAsync("requeue");
    public Task DeadLetterAsync(string reason, string error) =>
        DeadLetterFails ? throw new IOException("the dead-letter publish was refused") : SettleAsync("dead-letter", reason, error);

    private async Task SettleAsync(string action, string? reason = null, string? error = null)
    {
        Interlocked.Increment(ref _settlements);
        var row = message.CorrelationId is { } id ? await store.GetAsync(id) : null;
        _settled.TrySetResult(new Settlement(action, reason, error, row));
    }

    public sealed record Settlement(string Action, string? Reason, string? Error, TaskRecord? RowAtSettle);
}
