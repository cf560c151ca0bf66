using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Events;

/// <summary>
/// The event monitor on a real broker beside Debian's Celery 5.2: workers started with -E, producers with
/// task_send_sent_event. Every monitor here has a queue of its own bound to celeryev, so it also sees the
/// events of other tests; each test looks only at its own tasks and workers.
/// </summary>
public sealed partial class CeleryEventMonitorTests
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Events", "python");

    private static Dictionary<string, string?> PythonEnvironment => new() { ["CELERY_BROKER_URL"] = Broker.Url };

    [Fact]
    public async Task Tasks_our_producer_sends_to_a_python_worker_end_success_or_failure_in_the_store_with_no_pending_row()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("events-to-python");
        await using var connection = Broker.Connect();
        await using var monitor = await StartMonitorAsync(connection, store);
        using var celery = CeleryPython.StartWorker(PythonDirectory, "events_app", [queue], ["-E", "--concurrency", "1"], PythonEnvironment);
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var client = new TaskClient(store, publisher);

        var add = await client.SendAsync("events.add", "[2, 3]", "{}", new SendOptions { Queue = queue });
        var fail = await client.SendAsync("events.fail", """["boom"]""", "{}", new SendOptions { Queue = queue });

        var added = await Eventually.StatusAsync(store, add, TaskStates.Success);
        Assert.Equal(("[2, 3]", "5", NodeName(celery)), (added.Args, added.ResultRepr, added.Worker));
        var failed = await Eventually.StatusAsync(store, fail, TaskStates.Failure);
        Assert.Equal("ValueError('boom')", failed.ResultRepr);
        Assert.Contains("raise ValueError(message)", failed.Traceback);
        var pending = await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Pending] }).ToListAsync();
        Assert.DoesNotContain(pending, r => r.TaskId == add || r.TaskId == fail);
    }

    [Fact]
    public async Task A_task_a_python_producer_sends_to_a_python_worker_appears_in_the_store_with_its_outcome()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("events-python-both");
        await using var connection = Broker.Connect();
        await using var monitor = await StartMonitorAsync(connection, store);
        using var celery = CeleryPython.StartWorker(PythonDirectory, "events_app", [queue], ["-E", "--concurrency", "1"], PythonEnvironment);
        var id = "py-" + Guid.NewGuid();

        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_events_tasks.py"), [queue, id], PythonEnvironment);
        Assert.True(sent.Succeeded, sent.ToString());

        var row = await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal(("events.add", "[20, 22]", "{}", "42", queue, NodeName(celery)),
            (row.TaskName, row.ArgsRepr, row.KwargsRepr, row.ResultRepr, row.Queue, row.Worker));
        Assert.Equal(("[]", "{}", TaskStore.CreatedByEventsMeta), (row.Args, row.Kwargs, row.Meta));
    }

    [Fact]
    public async Task Captured_events_published_in_shuffled_order_end_each_task_at_its_outcome()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        await using var connection = Broker.Connect();
        await using var monitor = await StartMonitorAsync(connection, store, batchSize: 7);
        var events = SingleCapturedEvents().ToArray();
        new Random(13).Shuffle(events);

        var channel = await Broker.RawChannelAsync();
        foreach (var (routingKey, body) in events) await PublishEventAsync(channel, routingKey, body);

        await Eventually.WaitAsync(async () => await store.GetAsync("cap-add-bad") is { TaskName: "cap.add", ArgsRepr: "[1]" }, "the named events of cap-add-bad");
        await Eventually.StatusAsync(store, "cap-add-1", TaskStates.Success);
        await Eventually.StatusAsync(store, "cap-fail-1", TaskStates.Failure);
        await Eventually.StatusAsync(store, "cap-retry-1", TaskStates.Failure);
        await Eventually.StatusAsync(store, "cap-add-bad", TaskStates.Failure);
    }

    [Fact]
    public async Task A_monitor_stopped_mid_stream_and_started_again_loses_no_event()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        await using var connection = Broker.Connect();
        var queue = Broker.NewQueue("events-restart");
        var ids = Enumerable.Range(0, 3000).Select(i => $"restart-{i}-{Guid.NewGuid():N}").ToList();
        // A small prefetch: the first monitor holds few messages when it stops, the rest wait in the queue.
        await using (var first = await StartMonitorAsync(connection, store, batchSize: 5, queue: queue, prefetch: 10))
        {
            var channel = await Broker.RawChannelAsync();
            foreach (var chunk in ids.Chunk(20)) await PublishEventAsync(channel, "task.multi", SucceededEvents(chunk));
            await Eventually.WaitAsync(() => Task.FromResult(first.Batches >= 2), "the first monitor to commit a batch or two");
        }
        var afterFirst = await CountAsync(store, ids);
        Assert.True(afterFirst < ids.Count, $"The first monitor stored all {afterFirst} before it stopped: the test proves nothing.");

        await using var second = await StartMonitorAsync(connection, store, batchSize: 5, queue: queue, prefetch: 10);
        await Eventually.WaitAsync(async () => await CountAsync(store, ids) == ids.Count, "every task from the second monitor", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_malformed_event_is_skipped_counted_and_dead_lettered_with_its_reason_and_the_monitor_goes_on()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var connection = Broker.Connect();
        var queue = Broker.NewQueue("events-malformed");
        await using var monitor = await StartMonitorAsync(connection, store, queue: queue);
        var channel = await Broker.RawChannelAsync();
        var id = "after-garbage-" + Guid.NewGuid();

        await PublishEventAsync(channel, "task.succeeded", "{not json"u8.ToArray());
        await PublishEventAsync(channel, "task.succeeded", SucceededEvents([id]));

        await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.True(monitor.Malformed >= 1);
        var deadLetter = await Broker.GetAsync(channel, queue + ".dead_letter");
        Assert.NotNull(deadLetter);
        Assert.Equal("{not json", Encoding.UTF8.GetString(deadLetter.Body.Span));
        Assert.Contains("not JSON", Encoding.UTF8.GetString((byte[])deadLetter.BasicProperties.Headers![TaskWorker.ErrorHeader]!));
    }

    [Fact]
    public async Task Python_worker_heartbeats_fill_the_worker_table_and_a_killed_workers_started_task_is_possibly_aborted()
    {
        var store = new TaskStore(Stores.New(DatabaseProvider.PostgreSql).Connection, new TaskStoreOptions { HeartbeatTimeout = TimeSpan.FromSeconds(6) });
        var queue = Broker.NewQueue("events-killed");
        await using var connection = Broker.Connect();
        await using var monitor = await StartMonitorAsync(connection, store);
        var celery = CeleryPython.StartWorker(PythonDirectory, "events_app", [queue], ["-E", "--concurrency", "1"], PythonEnvironment);
        var node = NodeName(celery);
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var id = await new TaskClient(store, publisher).SendAsync("events.sleep", "[300]", "{}", new SendOptions { Queue = queue });
        await Eventually.StatusAsync(store, id, TaskStates.Started);
        await Eventually.WaitAsync(async () => (await new WorkerStore(store).GetWorkersAsync()).Any(w => w.WorkerName == node), "the Python worker's heartbeat");
        Assert.False((await StaleAsync(store, id)).PossiblyAborted);

        celery.Dispose();

        await Eventually.WaitAsync(async () => (await StaleAsync(store, id)).PossiblyAborted, "the task on the killed worker to be possibly aborted");
        var worker = (await new WorkerStore(store).GetWorkersAsync()).Single(w => w.WorkerName == node);
        Assert.Null(worker.StoppedAt);
    }

    private static async Task<StaleTask> StaleAsync(TaskStore store, string id) =>
        (await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero }).ToListAsync()).Single(t => t.TaskId == id);

    private static async Task<CeleryEventMonitor> StartMonitorAsync(RabbitMqConnection connection, TaskStore store, int batchSize = 500, string? queue = null, int prefetch = 2000)
    {
        await store.MigrateAsync();
        var monitor = new CeleryEventMonitor(connection, store,
            new CeleryEventMonitorOptions { Queue = queue ?? Broker.NewQueue("events-monitor"), BatchSize = batchSize, Prefetch = prefetch });
        await monitor.StartAsync();
        return monitor;
    }

    private static async Task PublishEventAsync(IChannel channel, string routingKey, byte[] body) =>
        await channel.BasicPublishAsync("celeryev", routingKey, mandatory: false,
            new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8", DeliveryMode = DeliveryModes.Transient }, body);

    private static byte[] SucceededEvents(IEnumerable<string> ids) => JsonSerializer.SerializeToUtf8Bytes(ids.Select(id => new Dictionary<string, object>
    {
        ["type"] = "task-succeeded",
        ["uuid"] = id,
        ["result"] = "1",
        ["hostname"] = "w@h",
        ["timestamp"] = 1795989548.5,
    }).ToList());

    private static async Task<int> CountAsync(TaskStore store, IReadOnlyList<string> ids) =>
        (await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Success] }).ToListAsync()).Count(r => ids.Contains(r.TaskId));

    /// <summary>The captured messages split into single events, each with the routing key Celery gives it.</summary>
    private static List<(string RoutingKey, byte[] Body)> SingleCapturedEvents()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "celery_events.json")));
        var events = new List<(string, byte[])>();
        foreach (var message in document.RootElement.EnumerateArray())
        {
            using var body = JsonDocument.Parse(Convert.FromBase64String(message.GetProperty("body").GetString()!));
            var items = body.RootElement.ValueKind == JsonValueKind.Array ? body.RootElement.EnumerateArray().ToList() : [body.RootElement];
            events.AddRange(items.Select(e => (e.GetProperty("type").GetString()!.Replace('-', '.'), JsonSerializer.SerializeToUtf8Bytes(e))));
        }
        return events;
    }

    /// <summary>The worker's node name (what its events carry as hostname), from its "NAME ready." line.</summary>
    private static string NodeName(CeleryWorker celery) => ReadyLine().Match(celery.Output).Groups["node"].Value;

    [GeneratedRegex(@"(?<node>\S+@\S+) ready\.")]
    private static partial Regex ReadyLine();
}
