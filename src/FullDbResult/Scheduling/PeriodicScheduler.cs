using FullDbResult.Publishing;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FullDbResult.Scheduling;

/// <summary>
/// Sends each enabled periodic task when it is due. Several schedulers may run against one database for
/// high availability: each due run is claimed in the database (a conditional update of last_run_at) before
/// it is published, so one of them sends it. The run's PENDING row is written with the claim, so a crash
/// before the publish leaves a row the stale-task query reports. Misfire policy: see <see cref="PeriodicSchedule"/>.
/// </summary>
public sealed class PeriodicScheduler
{
    private readonly PeriodicTaskStore tasks;
    private readonly ITaskPublisher publisher;
    private readonly ILogger logger;

    // Without a logger in the signature: a caller that cannot load Microsoft.Extensions.Logging (the PowerShell
    // cmdlets, whose assembly sits outside the module's load context) still binds to this one.
    public PeriodicScheduler(PeriodicTaskStore tasks, ITaskPublisher publisher)
        : this(tasks, publisher, null)
    {
    }

    public PeriodicScheduler(PeriodicTaskStore tasks, ITaskPublisher publisher, ILogger<PeriodicScheduler>? logger = null)
    {
        this.tasks = tasks ?? throw new ArgumentNullException(nameof(tasks));
        this.publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        this.logger = logger ?? NullLogger<PeriodicScheduler>.Instance;
    }

    /// <summary>
    /// Sends every enabled task due at <paramref name="now"/> (the store's clock when not given) whose run
    /// this scheduler claims; returns those runs. Cancellation stops claiming; runs already claimed are sent.
    /// </summary>
    public async Task<IReadOnlyList<PeriodicRun>> RunOnceAsync(DateTimeOffset? now = null, CancellationToken cancellationToken = default)
    {
        var at = (now ?? tasks.Tasks.Options.Clock.GetUtcNow()).UtcDateTime;
        var claimed = new List<(string Name, DateTime DueAt, TaskRecord Task)>();
        foreach (var task in await tasks.ListAsync(enabledOnly: true, cancellationToken))
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
                logger.LogError(ex, "Periodic task {Name} has an invalid schedule and is not sent", task.Name);
                continue;
            }
            if (due is null || due > at) continue;
            var send = NewTask(task);
            if (await tasks.ClaimRunAsync(task, at, send, CancellationToken.None)) claimed.Add((task.Name, due.Value, send));
        }

        var (failed, error) = await ConfirmedPublish.PublishAsync(publisher, tasks.Tasks, claimed.Select(c => c.Task).ToList(), logger);
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
        var task = await tasks.GetAsync(name, cancellationToken) ?? throw new PeriodicTaskNotFoundException(name);
        var send = NewTask(task);
        if (!await tasks.RecordManualRunAsync(name, send, cancellationToken)) throw new PeriodicTaskNotFoundException(name);
        var (failed, error) = await ConfirmedPublish.PublishAsync(publisher, tasks.Tasks, [send], logger);
        if (failed.Count > 0) throw new TaskPublishException($"Periodic task '{name}' was recorded as task {send.TaskId} but not confirmed by the broker: {error}", failed);
        return send.TaskId;
    }

    /// <summary>Checks for due tasks every <paramref name="pollInterval"/> until cancelled; a failed pass is logged and the loop carries on.</summary>
    public async Task RunAsync(TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        if (pollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(pollInterval), pollInterval, "The poll interval must be positive.");
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var run in await RunOnceAsync(null, cancellationToken))
                    logger.LogInformation("Periodic task {Name} sent as {TaskId} (due {DueAt:o}, confirmed: {Sent})", run.Name, run.TaskId, run.DueAt, run.Sent);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A periodic-scheduler pass failed; the next one runs in {Interval}", pollInterval);
            }
            try
            {
                await Task.Delay(pollInterval, tasks.Tasks.Options.Clock, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
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
