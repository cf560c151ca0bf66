using System.Threading.Channels;

namespace FullDbResult.Storage;

/// <summary>
/// Writes state changes in batches (group commit): each caller waits for its own change, and whatever arrives
/// while a batch is being written goes into the next one. A few batches may be in flight at once, so one
/// task's STARTED does not wait behind another task's outcome. This is how a worker with many short tasks
/// writes a row per task without a database round trip per task.
/// </summary>
public sealed class TaskStateWriter : IAsyncDisposable
{
    private readonly TaskStore store;
    private readonly int maxBatchSize;
    private readonly int maxBatchesInFlight;
    private readonly SemaphoreSlim batchSlots;
    private readonly Channel<PendingChange> pending = Channel.CreateUnbounded<PendingChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task writeLoop;

    public TaskStateWriter(TaskStore store, int maxBatchSize = 100, int maxBatchesInFlight = 2)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchesInFlight, 1);
        this.maxBatchSize = maxBatchSize;
        this.maxBatchesInFlight = maxBatchesInFlight;
        batchSlots = new SemaphoreSlim(maxBatchesInFlight, maxBatchesInFlight);
        writeLoop = Task.Run(WriteLoopAsync);
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
        if (!pending.Writer.TryWrite(new PendingChange(change, completion)))
            throw new ObjectDisposedException(nameof(TaskStateWriter), "The state writer is stopped.");
        return completion.Task;
    }

    /// <summary>Stops taking changes and waits until every queued one is written.</summary>
    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await writeLoop;
        for (var slot = 0; slot < maxBatchesInFlight; slot++) await batchSlots.WaitAsync();
        batchSlots.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            await batchSlots.WaitAsync();
            var batch = new List<PendingChange>();
            while (batch.Count < maxBatchSize && reader.TryRead(out var change)) batch.Add(change);
            _ = WriteBatchAsync(batch);
        }
    }

    private async Task WriteBatchAsync(List<PendingChange> batch)
    {
        try
        {
            var applied = await store.ApplyStateChangesAsync(batch.Select(item => item.Change).ToList());
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
            batchSlots.Release();
        }
    }

    private async Task WriteAloneAsync(PendingChange item)
    {
        try
        {
            item.Completion.TrySetResult(await store.ApplyStateChangeAsync(item.Change));
        }
        catch (Exception ex)
        {
            item.Completion.TrySetException(ex);
        }
    }

    private sealed record PendingChange(TaskStateChange Change, TaskCompletionSource<bool> Completion);
}
