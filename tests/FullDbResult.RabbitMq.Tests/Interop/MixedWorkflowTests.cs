using System.Text.Json;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using FullDbResult.Workflows;
using Xunit;
using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Interop;

/// <summary>
/// Workflows that cross between our worker and a real Celery 5.2 worker on a real RabbitMQ. A Python worker
/// writes nothing to our store, so py.add records what it ran (id, lineage, args, result) in a file.
/// </summary>
public sealed class MixedWorkflowTests(ITestOutputHelper output)
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    [Fact]
    public async Task A_python_chain_runs_its_middle_step_on_our_worker_and_goes_back_to_python_with_its_lineage()
    {
        await using var mixed = await MixedWorkers.StartAsync(w => w.Register("net.add", (long x, long y) => x + y));

        var ids = mixed.SendFromPython("chain");

        var last = await mixed.PythonRunAsync(ids[2]);
        Assert.Equal(("[6, 4]", 10, ids[1], ids[0]), (last.GetProperty("args").GetRawText(), last.GetProperty("result").GetInt32(),
            last.GetProperty("parent_id").GetString(), last.GetProperty("root_id").GetString()));
        var middle = await mixed.Store.GetAsync(ids[1]);
        Assert.Equal((TaskStates.Success, "[3, 3]", "6", ids[0], ids[0]), (middle?.Status, middle?.Args, middle?.Result, middle?.ParentId, middle?.RootId));
        var sent = await mixed.Store.GetAsync(ids[2]);
        Assert.Equal((TaskStates.Pending, "[6, 4]", ids[1], ids[0]), (sent?.Status, sent?.Args, sent?.ParentId, sent?.RootId));
        await mixed.WriteRowsAsync(output, ids);
    }

    [Fact]
    public async Task A_chain_our_client_sends_runs_on_our_worker_then_python_then_ours_again()
    {
        await using var mixed = await MixedWorkers.StartAsync(w => w.Register("net.add", (long x, long y) => x + y));

        var ids = await mixed.Client.SendChainAsync(
        [
            new TaskSignature("net.add", "[1, 2]") { Options = new SendOptions { Queue = mixed.NetQueue } },
            new TaskSignature("py.add", "[3]") { Options = new SendOptions { Queue = mixed.PythonQueue } },
            new TaskSignature("net.add", "[4]") { Options = new SendOptions { Queue = mixed.NetQueue } },
        ]);

        var last = await Eventually.StatusAsync(mixed.Store, ids[2], TaskStates.Success, TimeSpan.FromSeconds(60));
        Assert.Equal(("[6, 4]", "10", ids[1], ids[0]), (last.Args, last.Result, last.ParentId, last.RootId));
        var python = await mixed.PythonRunAsync(ids[1]);
        Assert.Equal((ids[0], ids[0], 6), (python.GetProperty("parent_id").GetString(), python.GetProperty("root_id").GetString(), python.GetProperty("result").GetInt32()));
        var first = await mixed.Store.GetAsync(ids[0]);
        Assert.Equal((TaskStates.Success, "3", (string?)null, ids[0]), (first?.Status, first?.Result, first?.ParentId, first?.RootId));
        await mixed.WriteRowsAsync(output, ids);
    }

    [Fact]
    public async Task A_python_callback_runs_once_after_our_task_succeeds_on_its_automatic_retry()
    {
        var attempts = 0;
        await using var mixed = await MixedWorkers.StartAsync(
            w => w.Register("net.flaky", (string key) => Interlocked.Increment(ref attempts) == 1 ? throw new TimeoutException($"{key} not yet") : 5L,
                new TaskHandlerOptions { AutoRetryFor = [typeof(TimeoutException)], RetryBackoff = TimeSpan.FromMilliseconds(200), RetryJitter = false }),
            scheduleDelayedTasks: true);

        var first = mixed.SendFromPython("retry_link")[0];

        var retried = await Eventually.StatusAsync(mixed.Store, first, TaskStates.ScheduledSent, TimeSpan.FromSeconds(60));
        var second = await Eventually.StatusAsync(mixed.Store, retried.RetriedAs!, TaskStates.Success, TimeSpan.FromSeconds(60));
        var callback = await mixed.PythonRunWithParentAsync(second.TaskId);
        Assert.Equal(("[5, 100]", 105, first), (callback.GetProperty("args").GetRawText(), callback.GetProperty("result").GetInt32(), callback.GetProperty("root_id").GetString()));
        Assert.Equal((1, first, first), (second.Retries, second.RootId, second.RetriedFrom));
        Assert.Contains("TimeoutException", retried.Meta + retried.Result);
        await Task.Delay(1000);
        Assert.Single(mixed.PythonRuns());
        await mixed.WriteRowsAsync(output, [first, second.TaskId, callback.GetProperty("id").GetString()!]);
    }

    [Fact]
    public async Task A_chord_with_members_on_our_worker_and_on_python_fires_its_callback_once_with_every_result_in_order()
    {
        await using var mixed = await MixedWorkers.StartAsync(w => w
            .Register("net.add", (long x, long y) => x + y)
            .Register("net.sum", (long[] values) => values.Sum()));
        TaskSignature On(string queue, string name, string args) => new(name, args) { Options = new SendOptions { Queue = queue } };

        var (groupId, ids, callbackId) = await mixed.Client.SendChordAsync(
            [On(mixed.NetQueue, "net.add", "[1, 2]"), On(mixed.PythonQueue, "py.add", "[3, 4]"), On(mixed.NetQueue, "net.add", "[5, 6]"), On(mixed.PythonQueue, "py.add", "[7, 8]")],
            On(mixed.NetQueue, "net.sum", "[]"), counterQueue: mixed.NetQueue);

        var callback = await Eventually.StatusAsync(mixed.Store, callbackId, TaskStates.Success, TimeSpan.FromSeconds(60));
        Assert.Equal(("[[3, 7, 11, 15]]", "36"), (callback.Args, callback.Result));
        Assert.Contains(callback.ParentId, ids);
        var members = new List<TaskRecord>();
        foreach (var id in ids) members.Add((await mixed.Store.GetAsync(id))!);
        Assert.All(members, m => Assert.Equal((TaskStates.Success, groupId, m.TaskId), (m.Status, m.GroupId, m.RootId)));
        Assert.Equal(["3", "7", "11", "15"], members.Select(m => m.Result));
        Assert.All(mixed.PythonRuns(), run => Assert.Equal(groupId, run.GetProperty("group").GetString()));
        Assert.Equal(2, mixed.PythonRuns().Count);
        await mixed.WriteRowsAsync(output, [.. ids, callbackId]);
    }

    /// <summary>Our worker on one queue, a Celery 5.2 worker of workflow_app on another, a client and a dispatcher.</summary>
    private sealed class MixedWorkers : IAsyncDisposable
    {
        private readonly string _record = Path.Combine(Path.GetTempPath(), $"fulldbresult-workflow-{Guid.NewGuid():N}.jsonl");
        private readonly CancellationTokenSource _stop = new();
        private RunningWorker _worker = null!;
        private CeleryWorker _celery = null!;
        private RabbitMqConnection _connection = null!;
        private RabbitMqTaskPublisher _publisher = null!;
        private Task _dispatching = Task.CompletedTask;

        public TaskStore Store { get; } = Stores.New(DatabaseProvider.Sqlite);
        public string NetQueue { get; } = Broker.NewQueue("wf-net");
        public string PythonQueue { get; } = Broker.NewQueue("wf-py");
        public TaskClient Client { get; private set; } = null!;

        private Dictionary<string, string?> Environment => new() { ["CELERY_BROKER_URL"] = Broker.Url, ["WORKFLOW_RECORD"] = _record };

        public static async Task<MixedWorkers> StartAsync(Action<TaskWorker> register, bool scheduleDelayedTasks = false)
        {
            var mixed = new MixedWorkers();
            mixed._worker = await RunningWorker.StartAsync(mixed.Store, register, mixed.NetQueue, new TaskWorkerOptions { ScheduleDelayedTasks = scheduleDelayedTasks });
            mixed._celery = CeleryPython.StartWorker(PythonDirectory, "workflow_app", [mixed.PythonQueue], ["--pool", "solo"], mixed.Environment);
            mixed._connection = Broker.Connect();
            mixed._publisher = new RabbitMqTaskPublisher(mixed._connection);
            mixed.Client = new TaskClient(mixed.Store, mixed._publisher);
            mixed._dispatching = new ScheduledDispatcher(mixed.Store, mixed._publisher).CreateLoop(TimeSpan.FromMilliseconds(100)).RunAsync(mixed._stop.Token);
            return mixed;
        }

        public IReadOnlyList<string> SendFromPython(string workflow)
        {
            var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_workflows.py"), [workflow, PythonQueue, NetQueue], Environment);
            Assert.True(sent.Succeeded, sent.ToString());
            return JsonSerializer.Deserialize<List<string>>(sent.StandardOutput.Trim().Split('\n')[^1])!;
        }

        public IReadOnlyList<JsonElement> PythonRuns() =>
            File.Exists(_record) ? File.ReadAllLines(_record).Select(line => JsonDocument.Parse(line).RootElement).ToList() : [];

        public Task<JsonElement> PythonRunAsync(string taskId) => WaitForRunAsync(run => run.GetProperty("id").GetString() == taskId);

        public Task<JsonElement> PythonRunWithParentAsync(string parentId) => WaitForRunAsync(run => run.GetProperty("parent_id").GetString() == parentId);

        /// <summary>Every row of <paramref name="ids"/> with its state and lineage, for the record.</summary>
        public async Task WriteRowsAsync(ITestOutputHelper output, IEnumerable<string> ids)
        {
            foreach (var id in ids)
            {
                var row = await Store.GetAsync(id);
                output.WriteLine(row is null
                    ? $"{id}: no row (ran on Python)"
                    : $"{row.TaskId} {row.TaskName} {row.Status} args={row.Args} result={row.Result} root={row.RootId} parent={row.ParentId} retries={row.Retries} retried_from={row.RetriedFrom} retried_as={row.RetriedAs}");
            }
            foreach (var run in PythonRuns()) output.WriteLine($"python ran: {run.GetRawText()}");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _dispatching;
            _celery.Dispose();
            await _worker.DisposeAsync();
            await _publisher.DisposeAsync();
            await _connection.DisposeAsync();
            _stop.Dispose();
            File.Delete(_record);
        }

        private async Task<JsonElement> WaitForRunAsync(Func<JsonElement, bool> match)
        {
            JsonElement found = default;
            await Eventually.WaitAsync(() => Task.FromResult(PythonRuns().Where(match).Select(run => (JsonElement?)run).FirstOrDefault() is { } run && (found = run).ValueKind != JsonValueKind.Undefined),
                "the Python task to run", TimeSpan.FromSeconds(60));
            return found;
        }
    }
}
