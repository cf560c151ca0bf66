using System.Text;
using FullDbResult.Events;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Storage;
using Xunit;

namespace FullDbResult.Tests.Events;

/// <summary>Celery's events written into the store: precedence whatever the order, reprs kept apart from JSON, workers.</summary>
public class CeleryEventStoreTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    private static readonly string[] CapturedTaskIds = ["cap-add-1", "cap-fail-1", "cap-retry-1", "cap-add-bad"];

    [Theory, MemberData(nameof(Providers))]
    public async Task Captured_events_in_the_order_sent_leave_each_task_at_its_outcome_with_name_reprs_and_worker(DatabaseProvider provider)
    {
        var store = await NewStoreAsync(provider);
        var result = await new CeleryEventRecorder(store).RecordAsync(CapturedEvents.All.Select(m => m.ToEventMessage()).ToList());

        Assert.Empty(result.Malformed);
        var add = (await store.GetAsync("cap-add-1"))!;
        Assert.Equal((TaskStates.Success, "cap.add", "5", null, "[2, 3]", "{}", "cap@h13m"),
            (add.Status, add.TaskName, add.ResultRepr, add.Result, add.ArgsRepr, add.KwargsRepr, add.Worker));
        Assert.Equal(("[]", "{}", TaskStore.CreatedByEventsMeta), (add.Args, add.Kwargs, add.Meta));
        Assert.Equal(("capq", ""), (add.Queue, add.Exchange));
        Assert.NotNull(add.DateStarted);
        Assert.NotNull(add.DateDone);
        var fail = (await store.GetAsync("cap-fail-1"))!;
        Assert.Equal((TaskStates.Failure, "ValueError('boom')"), (fail.Status, fail.ResultRepr));
        Assert.Contains("raise ValueError(msg)", fail.Traceback);
        Assert.Equal(TaskStates.Failure, (await store.GetAsync("cap-add-bad"))!.Status);
        var retried = (await store.GetAsync("cap-retry-1"))!;
        Assert.Equal((TaskStates.Failure, 1), (retried.Status, retried.Retries));
        var worker = Assert.Single(await new WorkerStore(store).GetWorkersAsync());
        Assert.Equal(("cap@h13m", 6873), (worker.WorkerName, worker.Pid));
        Assert.NotNull(worker.StoppedAt);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Events_in_any_order_never_move_a_row_back_and_end_where_the_ordered_stream_ends(DatabaseProvider provider)
    {
        var events = CapturedEvents.SingleEvents();
        var ordered = await FinalRowsAsync(await NewStoreAsync(provider), events, batch: events.Count);
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var store = await NewStoreAsync(provider);
            var recorder = new CeleryEventRecorder(store);
            var shuffled = events.OrderBy(_ => 0).ToArray();
            new Random(seed).Shuffle(shuffled);
            var strongest = new Dictionary<string, int>();
            // One event at a time, so that every intermediate state is seen.
            foreach (var e in shuffled)
            {
                await recorder.RecordAsync([e]);
                foreach (var id in CapturedTaskIds)
                {
                    if (await store.GetAsync(id) is not { } row) continue;
                    var rank = TaskStates.Rank(row.Status);
                    Assert.True(rank <= strongest.GetValueOrDefault(id, int.MaxValue), $"seed {seed}: {id} moved back to {row.Status}");
                    strongest[id] = rank;
                }
            }
            Assert.Equal(ordered, await FinalRowsAsync(store, [], batch: 1));
        }
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Events_for_a_task_our_producer_stored_keep_its_json_args_and_result_and_add_the_outcome(DatabaseProvider provider)
    {
        var store = await NewStoreAsync(provider);
        await store.InsertAsync(new TaskRecord { TaskId = "ours", TaskName = "cap.add", Args = "[2, 3]", Kwargs = """{"z": 1}""", Queue = "capq" });

        await new CeleryEventRecorder(store).RecordAsync([
            Event("""{"type": "task-received", "uuid": "ours", "name": "cap.add", "args": "[2, 3]", "kwargs": "{'z': 1}", "hostname": "py@h", "timestamp": 1795989548.1}"""),
            Event("""{"type": "task-succeeded", "uuid": "ours", "result": "6", "hostname": "py@h", "timestamp": 1795989549.1}"""),
        ]);

        var row = (await store.GetAsync("ours"))!;
        Assert.Equal((TaskStates.Success, "[2, 3]", """{"z": 1}""", null, "6", "{'z': 1}", null), (row.Status, row.Args, row.Kwargs, row.Result, row.ResultRepr, row.KwargsRepr, row.Meta));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_event_for_an_unknown_task_creates_its_row_and_a_later_named_event_fills_the_name(DatabaseProvider provider)
    {
        var store = await NewStoreAsync(provider);
        var recorder = new CeleryEventRecorder(store);

        await recorder.RecordAsync([Event("""{"type": "task-succeeded", "uuid": "late", "result": "'ok'", "hostname": "py@h", "timestamp": 1795989549.5}""")]);
        Assert.Equal((TaskStore.UnknownTaskName, TaskStates.Success), ((await store.GetAsync("late"))!.TaskName, (await store.GetAsync("late"))!.Status));

        await recorder.RecordAsync([Event("""{"type": "task-received", "uuid": "late", "name": "py.task", "args": "(1,)", "kwargs": "{}", "hostname": "py@h", "timestamp": 1795989549.1}""")]);
        var row = (await store.GetAsync("late"))!;
        Assert.Equal(("py.task", TaskStates.Success, "(1,)", "'ok'"), (row.TaskName, row.Status, row.ArgsRepr, row.ResultRepr));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_started_task_whose_python_worker_stopped_sending_heartbeats_is_possibly_aborted(DatabaseProvider provider)
    {
        var store = await NewStoreAsync(provider, new TaskStoreOptions { HeartbeatTimeout = TimeSpan.FromMinutes(1) });
        var longAgo = (DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await new CeleryEventRecorder(store).RecordAsync([
            Event($$"""{"type": "worker-heartbeat", "hostname": "dead@h", "pid": 10, "timestamp": {{longAgo}}}"""),
            Event($$"""{"type": "worker-heartbeat", "hostname": "alive@h", "pid": 11, "timestamp": {{now}}}"""),
            Event($$"""
                [{"type": "task-received", "uuid": "on-dead", "name": "t", "hostname": "dead@h", "timestamp": {{longAgo}}},
                 {"type": "task-started", "uuid": "on-dead", "hostname": "dead@h", "timestamp": {{longAgo}}},
                 {"type": "task-received", "uuid": "on-alive", "name": "t", "hostname": "alive@h", "timestamp": {{now}}},
                 {"type": "task-started", "uuid": "on-alive", "hostname": "alive@h", "timestamp": {{now}}}]
                """),
        ]);

        var stale = await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero }).ToListAsync();
        Assert.True(stale.Single(t => t.TaskId == "on-dead").PossiblyAborted);
        Assert.False(stale.Single(t => t.TaskId == "on-alive").PossiblyAborted);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_late_heartbeat_never_moves_a_worker_back_and_an_event_keeps_the_queues_a_worker_wrote(DatabaseProvider provider)
    {
        var store = await NewStoreAsync(provider);
        var workers = new WorkerStore(store);
        var newer = new DateTime(2026, 11, 29, 22, 0, 10, DateTimeKind.Utc);
        await workers.RecordHeartbeatAsync(new WorkerHeartbeat { WorkerName = "w@h", Hostname = "h", Pid = 1, Queues = "celery,other", StartedAt = newer, LastHeartbeat = newer });
        var recorder = new CeleryEventRecorder(store);

        await recorder.RecordAsync([Event("""{"type": "worker-offline", "hostname": "w@h", "pid": 1, "timestamp": 1795989500.0}""")]);
        var afterLate = Assert.Single(await workers.GetWorkersAsync());
        Assert.Equal((newer, null), (afterLate.LastHeartbeat, afterLate.StoppedAt));

        await recorder.RecordAsync([Event("""{"type": "worker-heartbeat", "hostname": "w@h", "pid": 2, "timestamp": 1795989620.0}""")]);
        var afterNewer = Assert.Single(await workers.GetWorkersAsync());
        Assert.Equal((2, "celery,other", DateTime.UnixEpoch.AddSeconds(1795989620)), (afterNewer.Pid, afterNewer.Queues, afterNewer.LastHeartbeat));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_malformed_message_is_reported_and_the_good_events_of_the_batch_are_stored(DatabaseProvider provider)
    {
        var store = await NewStoreAsync(provider);
        var result = await new CeleryEventRecorder(store).RecordAsync([
            Event("""{"type": "task-received", "uuid": "good", "name": "t", "hostname": "w@h", "timestamp": 1795989549.1}"""),
            Event("{not json"),
            Event("""[{"type": "task-started", "uuid": "good", "hostname": "w@h", "timestamp": 1795989549.2}, {"type": "task-started"}]"""),
        ]);

        Assert.Equal([1, 2], result.Malformed.Select(m => m.MessageIndex));
        Assert.Equal((2, 0), (result.TaskEvents, result.WorkerEvents));
        Assert.Equal(TaskStates.Started, (await store.GetAsync("good"))!.Status);
    }

    private static CeleryEventMessage Event(string json) => new(Encoding.UTF8.GetBytes(json), "application/json");

    private static async Task<TaskStore> NewStoreAsync(DatabaseProvider provider, TaskStoreOptions? options = null)
    {
        var store = TestStores.NewStore(provider, options);
        await store.MigrateAsync();
        return store;
    }

    private static async Task<List<string>> FinalRowsAsync(TaskStore store, IReadOnlyList<CeleryEventMessage> events, int batch)
    {
        foreach (var chunk in events.Chunk(batch)) await new CeleryEventRecorder(store).RecordAsync(chunk);
        var rows = new List<string>();
        foreach (var id in CapturedTaskIds)
        {
            var r = (await store.GetAsync(id))!;
            rows.Add($"{r.TaskId} {r.Status} {r.TaskName} {r.ArgsRepr} {r.KwargsRepr} {r.ResultRepr} {r.Worker}");
        }
        return rows;
    }
}
