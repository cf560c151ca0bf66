namespace FullDbResult.Scheduling;

/// <summary>
/// Sends due SCHEDULED rows in batches: claim a batch under a fresh claim id, record each new task
/// (SCHEDULED_SENT on the old row, a PENDING row for the new id) in one transaction, then publish the batch
/// with confirms. Any number of dispatchers may run against one database: the claim gives each row to one
/// of them, so a task is sent at most once, never before its eta, and a crash between the steps leaves a
/// row that the stale queries report. Holds two batches in memory at most: the one being published and the
/// next.
/// </summary>
public sealed class ScheduledDispatcher(TaskStore store, ITaskPublisher publisher, ILogger? logger = null)
{
    private readonly TaskStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ITaskPublisher _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>What the next pass would send (the -WhatIf listing): due, unclaimed rows, soonest first.</summary>
    public IAsyncEnumerable<TaskRecord> PreviewAsync(int? first = null, CancellationToken cancellationToken = default) =>
        _store.GetDueScheduledAsync(first, cancellationToken);

    /// <summary>
    /// One pass: sends due rows batch by batch until none is due or the limit is reached. While one batch waits
    /// for the broker's confirms, the next is claimed, so the database's work and the broker's overlap; it is
    /// recorded only once the batch before it is confirmed. Nothing is claimed while the publisher says the
    /// broker is unreachable (<see cref="DispatchSummary.BrokerUnavailable"/>), and a failed publish stops the
    /// pass and puts the batch claimed meanwhile back unsent, so a broker outage leaves at most one batch of
    /// PENDING rows with a publish error, never more. Cancellation stops the pass between batches; a batch
    /// already claimed is always finished.
    /// </summary>
    public async Task<DispatchSummary> RunOnceAsync(DispatchOptions? options = null, IProgress<DispatchSummary>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new DispatchOptions();
        options.Validate();
        var summary = new DispatchSummary();
        var claimedSoFar = 0;
        Task<BatchOutcome>? publishing = null;

        async Task FinishAsync(Task<BatchOutcome> batch)
        {
            var (claimed, recorded, failedIds, publishError) = await batch;
            summary = summary with
            {
                Batches = summary.Batches + 1,
                Claimed = summary.Claimed + claimed,
                Sent = summary.Sent + recorded - failedIds.Count,
                Failed = summary.Failed + failedIds.Count,
                Skipped = summary.Skipped + claimed - recorded,
                FailedTaskIds = failedIds.Count == 0 ? summary.FailedTaskIds : [.. summary.FailedTaskIds, .. failedIds],
                PublishError = publishError ?? summary.PublishError,
            };
            progress?.Report(summary);
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested && summary.Failed == 0)
            {
                var wanted = options.Limit is { } limit ? Math.Min(options.BatchSize, limit - claimedSoFar) : options.BatchSize;
                if (wanted <= 0) break;
                if (!await _publisher.IsReadyAsync(cancellationToken))
                {
                    summary = summary with { BrokerUnavailable = true };
                    break;
                }
                var claimId = NewId();
                var claimed = await _store.ClaimDueScheduledAsync(wanted, claimId, cancellationToken);
                if (claimed.Count == 0) break;
                FullDbResultMetrics.ScheduledClaimed(claimed, _store.Options.Clock.GetUtcNow());
                claimedSoFar += claimed.Count;

                // From here on the batch is finished whatever the caller's token says: stopping now would leave
                // claimed rows for an operator to release, or recorded tasks unsent.
                if (publishing is not null)
                {
                    await FinishAsync(publishing);
                    publishing = null;
                    if (summary.Failed > 0)
                    {
                        await ReleaseAsync(claimId, claimed);
                        break;
                    }
                }
                var recorded = await RecordAsync(claimId, claimed);
                publishing = PublishAsync(claimed.Count, recorded);
                if (claimed.Count < wanted) break;
            }
        }
        finally
        {
            // Never return, or throw, with a batch still being published behind the caller's back.
            if (publishing is not null) await FinishAsync(publishing);
        }
        return summary;
    }

    /// <summary>
    /// The loop a hosted service runs: a pass every <paramref name="interval"/>, backing off after a pass that
    /// failed or found the broker unreachable, until its token is cancelled.
    /// </summary>
    public PollingLoop CreateLoop(TimeSpan interval, DispatchOptions? options = null, TimeSpan? maxBackoff = null)
    {
        options ??= new DispatchOptions();
        options.Validate();
        return new PollingLoop("Scheduled dispatch", token => PassAsync(options, token), interval, maxBackoff, _logger, _store.Options.Clock);
    }

    private async Task<bool> PassAsync(DispatchOptions options, CancellationToken cancellationToken)
    {
        var summary = await RunOnceAsync(options, null, cancellationToken);
        if (summary.Claimed > 0)
            _logger.LogInformation("Dispatched scheduled tasks: {Sent} sent, {Failed} failed, {Skipped} skipped", summary.Sent, summary.Failed, summary.Skipped);
        if (summary.BrokerUnavailable)
            _logger.LogWarning("The broker is not reachable: no scheduled task was claimed; they stay SCHEDULED until it is");
        return summary.Failed == 0 && !summary.BrokerUnavailable;
    }

    /// <summary>
    /// Puts a claimed batch back unsent, for the next pass, when the batch before it failed to publish: the
    /// broker is probably down, and recording this one too would leave a second batch for an operator. A
    /// crash in here leaves claims that GetStaleScheduledAsync reports, as any crash after a claim does.
    /// </summary>
    private async Task ReleaseAsync(string claimId, IReadOnlyList<TaskRecord> claimed)
    {
        foreach (var row in claimed) await _store.ReleaseScheduledClaimAsync(row.TaskId, claimId, CancellationToken.None);
        _logger.LogWarning("Put {Count} claimed scheduled tasks back unsent after a failed publish", claimed.Count);
    }

    /// <summary>
    /// The bookkeeping for a claimed batch: rows sent under a new id (SCHEDULED_SENT and the new PENDING row) in
    /// one transaction, rows sent under their own id (<see cref="SameIdDispatch"/>: PENDING) in another; each,
    /// when it fails because a row lost its claim meanwhile (released or cancelled), row by row so the rest are
    /// still sent.
    /// </summary>
    private async Task<IReadOnlyList<TaskRecord>> RecordAsync(string claimId, IReadOnlyList<TaskRecord> claimed)
    {
        var sends = claimed.Select(row => SameIdDispatch.Applies(row) ? SameIdDispatch.Send(row) : TaskMessages.Resend(row, NewId())).ToList();
        return [
            .. await RecordEachAsync(claimId, sends.Where(s => s.RetriedFrom is not null).ToList(), _store.MarkScheduledSentAsync),
            .. await RecordEachAsync(claimId, sends.Where(s => s.RetriedFrom is null).ToList(), _store.MarkScheduledDispatchedAsync),
        ];
    }

    private async Task<IReadOnlyList<TaskRecord>> RecordEachAsync(
        string claimId, IReadOnlyList<TaskRecord> sends, Func<string, IReadOnlyList<TaskRecord>, CancellationToken, Task<bool>> mark)
    {
        if (await mark(claimId, sends, CancellationToken.None)) return sends;

        var recorded = new List<TaskRecord>(sends.Count);
        foreach (var send in sends)
        {
            if (await mark(claimId, [send], CancellationToken.None)) recorded.Add(send);
            else _logger.LogWarning("Scheduled task {TaskId} lost its claim before it was sent; skipped", send.RetriedFrom ?? send.TaskId);
        }
        return recorded;
    }

    private async Task<BatchOutcome> PublishAsync(int claimed, IReadOnlyList<TaskRecord> recorded)
    {
        var (failedIds, publishError) = await ConfirmedPublish.PublishAsync(_publisher, _store, recorded, _logger);
        return new BatchOutcome(claimed, recorded.Count, failedIds, publishError);
    }

    private static string NewId() => Guid.NewGuid().ToString();

    private sealed record BatchOutcome(int Claimed, int Recorded, IReadOnlyList<string> FailedIds, string? PublishError);
}
