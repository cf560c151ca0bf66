using FullDbResult.Control;
using FullDbResult.RabbitMq.Control;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Xunit;
using static FullDbResult.RabbitMq.Tests.Control.PythonControlsOurWorkerTests;

namespace FullDbResult.RabbitMq.Tests.Control;

/// <summary>
/// Stop-Task's and Get-TaskWorker's services (<see cref="TaskControl"/>, <see cref="WorkerDirectory"/>) against
/// Celery 5.2 workers and ours, on a real RabbitMQ.
/// </summary>
public sealed class OurControlReachesWorkersTests
{
    [Fact]
    public async Task Stopping_a_queued_task_records_revoked_and_a_python_worker_discards_it_when_it_arrives()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("stop-to-python");
        using var celery = CeleryPython.StartWorker(PythonDirectory, "control_app", [queue], ["-c", "1"], PythonEnvironment);
        var (busy, target) = (Marker(), Marker());
        await SendAsync(store, queue, "control.sleep", $"[4, \"{busy}\"]");
        var id = await SendAsync(store, queue, "control.sleep", $"[0, \"{target}\"]");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(busy + ".started")), "the first task to occupy the Python worker");

        var result = await StopAsync(store, id);

        Assert.Equal(TaskStopAction.RevokedQueued, result.Action);
        Assert.Equal(TaskStates.Revoked, (await store.GetAsync(id))!.Status);
        celery.WaitForOutput($"Discarding revoked task: control.sleep[{id}]", TimeSpan.FromSeconds(30));
        Assert.False(File.Exists(target + ".started"));
    }

    [Fact]
    public async Task Stopping_a_running_task_with_terminate_sends_a_python_worker_the_requested_signal()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("terminate-python");
        using var celery = CeleryPython.StartWorker(PythonDirectory, "control_app", [queue], ["-c", "1"], PythonEnvironment);
        var marker = Marker();
        var id = await SendAsync(store, queue, "control.sleep", $"[60, \"{marker}\"]");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(marker + ".started")), "the Python task to start");
        // Our store learns STARTED from an event monitor in production; here the test writes it.
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = id, Status = TaskStates.Started });

        var result = await StopAsync(store, id, terminate: true, signal: "SIGKILL");

        Assert.Equal(TaskStopAction.TerminateSent, result.Action);
        Assert.Single(result.TerminatedBy);
        celery.WaitForOutput($"Terminating {id} (9)", TimeSpan.FromSeconds(10));
        Assert.Equal(TaskStates.Revoked, (await store.GetAsync(id))!.Status);
        Assert.False(File.Exists(marker + ".finished"));
    }

    [Fact]
    public async Task Stopping_a_running_task_of_our_worker_with_terminate_cancels_its_token_and_says_which_worker_stopped_it()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        await using var running = await RunningWorker.StartAsync(store,
            w => w.Register("demo.long", (CancellationToken token) => Task.Delay(TimeSpan.FromMinutes(5), token)), options: Options());
        var id = await SendAsync(store, running.Queue, "demo.long", "[]");
        await Eventually.StatusAsync(store, id, TaskStates.Started);

        var result = await StopAsync(store, id, terminate: true);

        Assert.Equal((TaskStopAction.TerminateSent, running.Worker.Options.WorkerName), (result.Action, Assert.Single(result.TerminatedBy)));
        var row = await Eventually.StatusAsync(store, id, TaskStates.Revoked);
        Assert.Contains("SIGTERM", row.Result);
        await Eventually.WaitAsync(() => Task.FromResult(running.Worker.Running == 0), "the slot to be free");
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_worker_started_after_a_revoke_skips_the_task_from_the_stores_revoked_rows(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("revoked-before-start");
        await using var channel = await Broker.RawChannelAsync();
        await Broker.DeclareAsync(channel, queue);
        var id = await SendAsync(store, queue, "demo.add", "[1, 2]");
        Assert.Equal(TaskStopAction.RevokedQueued, (await StopAsync(store, id)).Action);
        var next = await SendAsync(store, queue, "demo.add", "[3, 4]");
        var ran = new List<int>();

        // TrackStarted off: no STARTED write can refuse the run, only the revoked set read from the store. One
        // task at a time, in order: when the next one is done, the revoked one was handled.
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int a, int b) => { lock (ran) ran.Add(a + b); return a + b; }),
            queue, Options() with { TrackStarted = false, Concurrency = 1 });

        await Eventually.StatusAsync(store, next, TaskStates.Success);
        Assert.Equal([7], ran);
        Assert.Equal(TaskStates.Revoked, (await store.GetAsync(id))!.Status);
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, queue) == 0, "the queue to be empty");
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Stopping_says_per_task_what_it_did_and_leaves_finished_and_unknown_tasks_as_they_are(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var now = DateTime.UtcNow;
        await store.InsertAsync(new TaskRecord { TaskId = "scheduled", TaskName = "t", Status = TaskStates.Scheduled, Eta = now.AddDays(1) });
        await store.InsertAsync(new TaskRecord { TaskId = "done", TaskName = "t", Status = TaskStates.Success });
        await store.InsertAsync(new TaskRecord { TaskId = "running", TaskName = "t", Status = TaskStates.Started, Worker = "w@h" });
        await store.InsertAsync(new TaskRecord { TaskId = "queued", TaskName = "t", Status = TaskStates.Pending });

        var actions = new List<(TaskStopAction, string?)>();
        foreach (var id in new[] { "scheduled", "done", "running", "queued", "unknown" })
        {
            var result = await StopAsync(store, id);
            actions.Add((result.Action, result.Status));
        }

        Assert.Equal(
            [(TaskStopAction.CancelledScheduled, TaskStates.Revoked), (TaskStopAction.AlreadyFinished, TaskStates.Success),
             (TaskStopAction.RevokeSentRunning, TaskStates.Started), (TaskStopAction.RevokedQueued, TaskStates.Revoked), (TaskStopAction.RevokeSentUnknown, null)],
            actions);
        Assert.Equal(TaskStates.Started, (await store.GetAsync("running"))!.Status);
        Assert.Null(await store.GetAsync("unknown"));
    }

    [Fact]
    public async Task The_worker_directory_lists_our_worker_with_its_heartbeat_and_a_python_worker_from_its_answers()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var pythonQueue = Broker.NewQueue("directory-python");
        using var celery = CeleryPython.StartWorker(PythonDirectory, "control_app", [pythonQueue], ["-c", "1"], PythonEnvironment);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int a, int b) => a + b), options: Options());
        await using var connection = Broker.Connect();
        await using var broadcaster = new RabbitMqControlBroadcaster(connection);

        var workers = await new WorkerDirectory(store, broadcaster).GetWorkersAsync(TimeSpan.FromSeconds(2));

        var ours = Assert.Single(workers, w => w.Name == running.Worker.Options.WorkerName);
        Assert.True(ours.Answered);
        Assert.NotNull(ours.LastHeartbeat);
        Assert.Equal([running.Queue], ours.Queues);
        Assert.Equal(0, ours.ActiveTasks);
        var python = Assert.Single(workers, w => w.Queues.Contains(pythonQueue));
        Assert.True(python.Answered);
        Assert.Null(python.LastHeartbeat);
        Assert.Equal(0, python.ActiveTasks);
        Assert.StartsWith("fdbr", python.Name);
    }

    private static async Task<TaskStopResult> StopAsync(TaskStore store, string id, bool terminate = false, string? signal = null)
    {
        await using var connection = Broker.Connect();
        await using var broadcaster = new RabbitMqControlBroadcaster(connection);
        return await new TaskControl(store, broadcaster).StopAsync(id, terminate, signal);
    }

    private static string Marker() => Path.Combine(Path.GetTempPath(), $"fulldbresult-control-{Guid.NewGuid():N}");
}
