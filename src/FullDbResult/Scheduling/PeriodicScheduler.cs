namespace FullDbResult.Scheduling;

/// <summary>
/// Sends each enabled periodic task when it is due. Several schedulers may run against one database for
/// high availability: each due run is claimed in the database (a conditional update of last_run_at) before
/// it is published, so one of them sends it. The run's PENDING row is written with the claim, so a crash
/// before the publish leaves a row the stale-task query reports. Misfire policy: see <see cref="PeriodicSchedule"/>.
/// </summary>
public sealed class PeriodicScheduler(PeriodicTaskStore tasks, ITaskPublisher publisher, ILogger? logger = null)
{
    private readonly PeriodicTaskStore _tasks = tasks ?? throw new ArgumentNullException(nameof(tasks));
    private readonly ITaskPublisher _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Sends every enabled task due at <paramref name="now"/> (the store's clock when not given) whose run
    /// this scheduler claims; returns those runs. Cancellation stops claiming; runs already claimed are sent.
    /// </summary>
    public async Task<IReadOnlyList<PeriodicRun>> RunOnceAsync(DateTimeOffset? now = null, CancellationToken cancellationToken = default)
    {
        var at = (now ?? _tasks.Tasks.Options.Clock.GetUtcNow()).UtcDateTime;
        var claimed = new List<(string Name, DateTime DueAt, TaskRecord Task)>();
        foreach (var task in await _tasks.ListAsync(enabledOnly: true, cancellationToken))
        {
            if (cancellationToken.IsCancellationRequested) break;
            DateTime? due;
            try
            {
                due = PeriodicSchedule.For(task).NextRun(task);
            }
            catch (ArgumentException ex)
            {
                // A definition edited in the database by hand; the others still run.
                _logger.LogError(ex, "Periodic task {Name} has an invalid schedule and is not sent", task.Name);
                continue;
            }
            if (due is null || due > at) continue;
            var send = NewTask(task);
            if (await _tasks.ClaimRunAsync(task, at, send, CancellationToken.None)) claimed.Add((task.Name, due.Value, send));
        }

        var (failed, error) = await ConfirmedPublish.PublishAsync(_publisher, _tasks.Tasks, claimed.Select(c => c.Task).ToList(), _logger);
        return claimed.Select(c => failed.Contains(c.Task.TaskId)
            ? new PeriodicRun(c.Name, c.Task.TaskId, c.DueAt, Sent: false, error)
            : new PeriodicRun(c.Name, c.Task.TaskId, c.DueAt, Sent: true)).ToList();
    }

    /// <summary>
    /// Sends the task named <paramref name="name"/> now, by hand, whether or not it is due or enabled, and
    /// records the run (run count, last run, last task id): the next scheduled run counts from this one.
    /// Returns the new task's id. Throws <see cref="PeriodicTaskNotFoundException"/> for an unknown name and
    /// <see cref="TaskPublishException"/> when the broker did not confirm (the run and its PENDING row stay recorded).
    /// </summary>
    public async Task<string> TriggerNowAsync(string name, CancellationToken cancellationToken = default)
    {
        var task = await _tasks.GetAsync(name, cancellationToken) ?? throw new PeriodicTaskNotFoundException(name);
        var send = NewTask(task);
        if (!await _tasks.RecordManualRunAsync(name, send, cancellationToken)) throw new PeriodicTaskNotFoundException(name);
        var (failed, error) = await ConfirmedPublish.PublishAsync(_publisher, _tasks.Tasks, [send], _logger);
        if (failed.Count > 0) throw new TaskPublishException($"Periodic task '{name}' was recorded as task {send.TaskId} but not confirmed by the broker: {error}", failed);
        return send.TaskId;
    }

    /// <summary>
    /// The loop a hosted service runs: looks for due tasks every <paramref name="pollInterval"/>, backing off
    /// after a pass that failed or found the broker unreachable (it claims no run then), until cancelled.
    /// </summary>
    public PollingLoop CreateLoop(TimeSpan pollInterval, TimeSpan? maxBackoff = null) =>
        new("Periodic scheduler", PassAsync, pollInterval, maxBackoff, _logger, _tasks.Tasks.Options.Clock);

    private async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        if (!await _publisher.IsReadyAsync(cancellationToken))
        {
            _logger.LogWarning("The broker is not reachable: no periodic run was claimed; due runs are sent once it is");
            return false;
        }
        var runs = await RunOnceAsync(null, cancellationToken);
        foreach (var run in runs)
            _logger.LogInformation("Periodic task {Name} sent as {TaskId} (due {DueAt:o}, confirmed: {Sent})", run.Name, run.TaskId, run.DueAt, run.Sent);
        return runs.All(run => run.Sent);
    }

    private static TaskRecord NewTask(PeriodicTask task)
    {
        var id = Guid.NewGuid().ToString();
        return new TaskRecord
        {
            TaskId = id,
            TaskName = task.TaskName,
            Status = TaskStates.Pending,
            Args = task.Args,
            Kwargs = task.Kwargs,
            Exchange = task.Exchange,
            RoutingKey = task.RoutingKey,
            Queue = task.Queue,
            Priority = task.Priority,
            RootId = id,
        };
    }
}
