using System.Threading.Channels;

namespace FullDbResult.Storage;

/// <summary>
/// Writes state changes in batches (group commit): each caller waits for its own change, and whatever arrives
/// while a batch is being written goes into the next one. A few batches may be in flight at once, so one
/// task's STARTED does not wait behind another task's outcome. This is how a worker with many short tasks
/// writes a row per task without a database round trip per task. Changes to one task are applied in the order
/// they were queued, whatever batches they fall into: a caller may queue a task's STARTED and, without
/// waiting for it, its outcome, and the STARTED never lands after the outcome.
/// </summary>
public sealed class TaskStateWriter : IAsyncDisposable
{
    private readonly TaskStore _store;
    private readonly int _maxBatchSize;
    private readonly int _maxBatchesInFlight;
    private readonly SemaphoreSlim _batchSlots;
    private readonly Channel<PendingChange> _pending = Channel.CreateUnbounded<PendingChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writeLoop;
    // The batches being written and their task ids; read and changed by the write loop alone.
    private readonly List<(HashSet<string> TaskIds, Task Written)> _inFlight = [];

    public TaskStateWriter(TaskStore store, int maxBatchSize = 100, int maxBatchesInFlight = 2)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchesInFlight, 1);
        _maxBatchSize = maxBatchSize;
        _maxBatchesInFlight = maxBatchesInFlight;
        _batchSlots = new SemaphoreSlim(maxBatchesInFlight, maxBatchesInFlight);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Queues <paramref name="change"/> for the next batch; completes when it is committed, with what
    /// <see cref="TaskStore.ApplyStateChangeAsync"/> returns (false when the stored state won), or fails with
    /// the store's error for this change.
    /// </summary>
    public Task<bool> ApplyAsync(TaskStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        // Callers' continuations (acks, the next task) must not run on the write loop.
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new PendingChange(change, completion)))
            throw new ObjectDisposedException(nameof(TaskStateWriter), "The state writer is stopped.");
        return completion.Task;
    }

    /// <summary>Stops taking changes and waits until every queued one is written.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writeLoop;
        for (var slot = 0; slot < _maxBatchesInFlight; slot++) await _batchSlots.WaitAsync();
        _batchSlots.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            await _batchSlots.WaitAsync();
            var batch = new List<PendingChange>();
            while (batch.Count < _maxBatchSize && reader.TryRead(out var change)) batch.Add(change);
            // A later change to a task waits for the batch that holds its earlier one, so it is never overtaken
            // (a STARTED committed after the outcome would be refused by precedence, but one committed after a
            // SCHEDULED or RETRY would replace it). Within a batch the changes are applied in order.
            _inFlight.RemoveAll(written => written.Written.IsCompleted);
            foreach (var (taskIds, written) in _inFlight.ToList())
                if (batch.Exists(item => taskIds.Contains(item.Change.TaskId))) await written;
            _inFlight.Add((batch.Select(item => item.Change.TaskId).ToHashSet(StringComparer.Ordinal), WriteBatchAsync(batch)));
        }
    }

    // Never throws: every caller gets its answer here, and the write loop awaits this for ordering.
    private async Task WriteBatchAsync(List<PendingChange> batch)
    {
        try
        {
            var applied = await _store.ApplyStateChangesAsync(batch.Select(item => item.Change).ToList());
            for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(applied[i]);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // Nothing of the batch was written. One bad change must not fail the others: each is written
            // alone, and each caller gets its own answer.
            foreach (var item in batch) await WriteAloneAsync(item);
        }
        catch (Exception ex)
        {
            batch[0].Completion.TrySetException(ex);
        }
        finally
        {
            _batchSlots.Release();
        }
    }

    private async Task WriteAloneAsync(PendingChange item)
    {
        try
        {
            item.Completion.TrySetResult(await _store.ApplyStateChangeAsync(item.Change));
        }
        catch (Exception ex)
        {
            item.Completion.TrySetException(ex);
        }
    }

    private sealed record PendingChange(TaskStateChange Change, TaskCompletionSource<bool> Completion);
}
