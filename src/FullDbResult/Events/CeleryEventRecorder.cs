namespace FullDbResult.Events;

/// <summary>
/// Persists Celery's events: task events move each task's row through Celery's states (never back, whatever
/// order they arrive in), worker events feed the worker table that tells a STARTED task on a dead worker.
/// Transport-neutral: a consumer (such as FullDbResult.RabbitMq's CeleryEventMonitor) hands it the bodies of
/// a batch of messages and acknowledges them once <see cref="RecordAsync"/> returns.
/// </summary>
public sealed class CeleryEventRecorder
{
    private readonly TaskStore _store;

    public CeleryEventRecorder(TaskStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>
    /// Reads every message and writes all their events in one transaction. A malformed message or event is
    /// skipped and reported in the result, never thrown; a store failure throws and writes nothing, so the
    /// caller may retry the same batch.
    /// </summary>
    public async Task<CeleryEventBatchResult> RecordAsync(IReadOnlyList<CeleryEventMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var tasks = new List<TaskEventChange>();
        var workers = new List<WorkerHeartbeat>();
        var malformed = new List<MalformedCeleryEvent>();
        var ignored = 0;
        for (var index = 0; index < messages.Count; index++)
        {
            try
            {
                var (events, refused) = CeleryEventParser.Parse(messages[index].Body, messages[index].ContentType);
                malformed.AddRange(refused.Select(reason => new MalformedCeleryEvent(index, reason)));
                foreach (var e in events)
                {
                    try
                    {
                        if (CeleryEventMapping.ToTaskChange(e) is { } task) tasks.Add(task);
                        else if (CeleryEventMapping.ToWorkerHeartbeat(e) is { } worker) workers.Add(worker);
                        else ignored++;
                    }
                    catch (FormatException ex)
                    {
                        malformed.Add(new MalformedCeleryEvent(index, ex.Message));
                    }
                }
            }
            catch (FormatException ex)
            {
                malformed.Add(new MalformedCeleryEvent(index, ex.Message));
            }
        }
        await _store.ApplyEventsAsync(tasks, workers, cancellationToken);
        return new CeleryEventBatchResult { TaskEvents = tasks.Count, WorkerEvents = workers.Count, Ignored = ignored, Malformed = malformed };
    }
}
