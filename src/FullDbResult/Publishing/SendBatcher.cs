using System.Collections.Concurrent;

namespace FullDbResult.Publishing;

/// <summary>
/// Group commit for <see cref="TaskClient.SendAsync"/>: the sends of callers that arrive together share one
/// multi-row INSERT and one confirm wait, as the worker's <see cref="TaskStateWriter"/> shares outcome writes.
/// The contract of a single send is kept for each caller: its row commits before its message is published,
/// it returns only once its own message is confirmed, and a failure reaches exactly the callers it concerns
/// (a duplicate id fails its own send, a nack fails the nacked ones). A lone caller is written at once; whoever
/// arrives while every batch slot is taken goes into the next batch. Eight batches may be in flight, so a few
/// callers keep the parallelism they had unbatched (with two or four slots, eight callers ran at 0.41x to
/// 0.57x of unbatched sends under heavy load), and many callers share batches (docs/benchmarks.md, section 7).
/// No thread of its own.
/// </summary>
internal sealed class SendBatcher(TaskStore store, ITaskPublisher publisher, bool trackPublish, int maxBatchSize = 500, int maxBatchesInFlight = 8)
{
    private readonly ConcurrentQueue<PendingSend> _queue = new();
    private int _inFlight;

    /// <summary>
    /// Completes when <paramref name="send"/> is stored (and, unless it is SCHEDULED, confirmed), or fails with
    /// its own error. The token cancels only until the send joins a batch: from then on the row may be written
    /// and the message on its way, and the caller learns the outcome (the publisher's wait is bounded).
    /// </summary>
    public async Task SendAsync(PlannedSend send, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingSend(send);
        await using var registration = cancellationToken.Register(static (state, token) => ((PendingSend)state!).TryCancel(token), pending);
        _queue.Enqueue(pending);
        Pump();
        await pending.Completion.Task;
    }

    /// <summary>
    /// Starts batches while sends wait and a batch slot is free, on the calling thread: a caller that finds a
    /// slot free, or a batch that has just finished, writes the next batch itself, with no hand-over to
    /// another thread. A send queued while every slot is taken is picked up by the next batch to finish.
    /// </summary>
    private void Pump()
    {
        while (!_queue.IsEmpty)
        {
            var inFlight = Volatile.Read(ref _inFlight);
            if (inFlight >= maxBatchesInFlight) return;
            if (Interlocked.CompareExchange(ref _inFlight, inFlight + 1, inFlight) != inFlight) continue;
            var batch = new List<PendingSend>();
            while (batch.Count < maxBatchSize && _queue.TryDequeue(out var pending))
                if (pending.TryTake()) batch.Add(pending);
            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref _inFlight);
                continue;
            }
            _ = WriteBatchAsync(batch);
        }
    }

    private async Task WriteBatchAsync(List<PendingSend> batch)
    {
        try
        {
            var written = await WriteRowsAsync(batch);
            foreach (var pending in written.Where(p => p.Send.Scheduled)) pending.Completion.TrySetResult();
            await PublishAsync(written.Where(p => !p.Send.Scheduled).ToList());
        }
        catch (Exception ex)
        {
            // Each step answers its own callers; this is for the unforeseen, so that nobody waits for ever.
            foreach (var pending in batch) pending.Completion.TrySetException(ex);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Pump();
        }
    }

    /// <summary>The sends whose rows are written (or that need none); the others have their error.</summary>
    private async Task<List<PendingSend>> WriteRowsAsync(List<PendingSend> batch)
    {
        var tracked = batch.Where(p => trackPublish || p.Send.Scheduled).ToList();
        if (tracked.Count == 0) return batch;
        try
        {
            // One row alone fails as a single send does: a duplicate id is a DuplicateTaskException naming it.
            if (tracked.Count == 1) await store.InsertAsync(tracked[0].Send.Record, CancellationToken.None);
            else await store.InsertManyAsync(tracked.Select(p => p.Send.Record).ToList(), CancellationToken.None);
            return batch;
        }
        catch (Exception ex)
        {
            if (tracked.Count == 1)
            {
                tracked[0].Completion.TrySetException(ex);
                return batch.Where(p => p != tracked[0]).ToList();
            }
        }
        // Nothing of the batch was written. One bad row (an id already stored, or sent twice at once) must not
        // fail the others: each is written alone, and each caller gets its own answer.
        var written = batch.Where(p => !tracked.Contains(p)).ToList();
        foreach (var pending in tracked)
        {
            try
            {
                await store.InsertAsync(pending.Send.Record, CancellationToken.None);
                written.Add(pending);
            }
            catch (Exception ex)
            {
                pending.Completion.TrySetException(ex);
            }
        }
        return written;
    }

    private async Task PublishAsync(List<PendingSend> sends)
    {
        if (sends.Count == 0) return;
        try
        {
            await TrackedPublish.PublishAsync(publisher, trackPublish ? store : null, sends.Select(p => p.Send.Message).ToList(), CancellationToken.None);
            foreach (var pending in sends) pending.Completion.TrySetResult();
        }
        catch (TaskPublishException ex) when (sends.Count > 1)
        {
            // Only the unconfirmed messages' callers fail, each with an error that names its own task alone.
            var failed = ex.FailedTaskIds.ToHashSet(StringComparer.Ordinal);
            foreach (var pending in sends)
            {
                var id = pending.Send.Message.Id;
                if (failed.Contains(id)) pending.Completion.TrySetException(new TaskPublishException(ex.Message, [id], ex.InnerException));
                else pending.Completion.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in sends) pending.Completion.TrySetException(ex);
        }
    }

    private sealed class PendingSend(PlannedSend send)
    {
        private const int Queued = 0, Taken = 1, Cancelled = 2;
        private int _state;

        public PlannedSend Send { get; } = send;

        // The caller's continuation (its next send, say) must not run on the batch's thread.
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>False when the caller cancelled first: the send is dropped unwritten.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        public void TryCancel(CancellationToken cancellationToken)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued) Completion.TrySetCanceled(cancellationToken);
        }
    }
}
