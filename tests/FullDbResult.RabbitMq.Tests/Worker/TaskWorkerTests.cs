using System.Text.Json;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Worker;

/// <summary>TaskWorker running tasks from a real RabbitMQ into real databases.</summary>
public sealed class TaskWorkerTests : IAsyncLifetime
{
    private readonly RabbitMqConnection _producerConnection = Broker.Connect();
    private RabbitMqTaskPublisher _publisher = null!;

    public Task InitializeAsync()
    {
        _publisher = new RabbitMqTaskPublisher(_producerConnection);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _producerConnection.DisposeAsync();
    }

    private TaskClient Client(TaskStore store) => new(store, _publisher);

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_task_runs_and_its_row_records_success_with_the_json_result_worker_and_start_time(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (double x, double y) => x + y));

        var id = await Client(store).SendAsync("demo.add", "[2, 3.5]", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal("5.5", row.Result);
        Assert.Equal(running.Worker.Options.WorkerName, row.Worker);
        Assert.NotNull(row.DateStarted);
        Assert.NotNull(row.DateDone);
        Assert.True(row.DateStarted <= row.DateDone);
    }

    [Fact]
    public async Task Kwargs_bind_by_name_and_async_handlers_return_objects_as_json()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.greet",
            async (string name, int times, TaskContext context, string punctuation = "!") =>
            {
                await Task.Yield();
                return new { text = string.Concat(Enumerable.Repeat(name, times)) + punctuation, id = context.TaskId };
            }));

        var id = await Client(store).SendAsync("demo.greet", """["ab"]""", """{"times": 2}""", new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal($$"""{"text":"abab!","id":"{{id}}"}""", row.Result);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_handler_that_throws_is_recorded_as_failure_with_exception_type_message_and_traceback(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.fail",
            object (string why) => throw new InvalidOperationException(why)));

        var id = await Client(store).SendAsync("demo.fail", """["on purpose"]""", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Failure);
        using var result = JsonDocument.Parse(row.Result!);
        Assert.Equal("InvalidOperationException", result.RootElement.GetProperty("exc_type").GetString());
        Assert.Equal("on purpose", result.RootElement.GetProperty("exc_message").GetString());
        Assert.Contains("InvalidOperationException: on purpose", row.Traceback);
        Assert.Contains(nameof(A_handler_that_throws_is_recorded_as_failure_with_exception_type_message_and_traceback), row.Traceback);
    }

    [Theory]
    [InlineData("""["two", 3]""", "{}", "args[0]")]
    [InlineData("[1]", "{}", "missing the required argument 'y'")]
    [InlineData("[1, 2, 3]", "{}", "takes 2 positional arguments but 3 were given")]
    [InlineData("[1, 2]", """{"z": 1}""", "unexpected keyword arguments: z")]
    [InlineData("[1]", """{"x": 1}""", "multiple values for argument 'x'")]
    public async Task Arguments_that_do_not_bind_are_recorded_as_a_failure_that_says_why(string args, string kwargs, string expected)
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var ran = false;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => { ran = true; return x + y; }));

        var id = await Client(store).SendAsync("demo.add", args, kwargs, new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Failure);
        Assert.Contains(nameof(TaskArgumentException), row.Result);
        Assert.Contains(expected, row.Result);
        Assert.False(ran);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_handler_that_asks_for_a_retry_runs_again_with_its_retries_counted(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.flaky",
            (TaskContext context) => context.Retries == 0 ? throw context.Retry(TimeSpan.Zero) : "second time lucky"));

        var id = await Client(store).SendAsync("demo.flaky", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal(1, row.Retries);
        Assert.Equal("\"second time lucky\"", row.Result);
    }

    [Fact]
    public async Task A_retry_past_its_limit_is_recorded_as_a_failure()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.hopeless",
            object (TaskContext context) => throw context.Retry(TimeSpan.Zero, maxRetries: 2)));

        var id = await Client(store).SendAsync("demo.hopeless", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Failure);
        Assert.Equal(2, row.Retries);
        Assert.Contains("MaxRetriesExceededError", row.Result);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task With_scheduling_on_a_retry_with_a_countdown_becomes_a_scheduled_row(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        await using var running = await RunningWorker.StartAsync(store,
            w => w.Register("demo.later", object (TaskContext context) => throw context.Retry(TimeSpan.FromMinutes(5))),
            options: new TaskWorkerOptions { ScheduleDelayedTasks = true });
        var before = DateTime.UtcNow;

        var id = await Client(store).SendAsync("demo.later", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Scheduled);
        Assert.Equal(1, row.Retries);
        Assert.InRange(row.Eta!.Value, before.AddMinutes(5), DateTime.UtcNow.AddMinutes(5));
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(0u, await Broker.CountAsync(channel, running.Queue));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task An_expired_task_is_recorded_revoked_and_not_run(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var ran = false;
        var queue = Broker.NewQueue("expired");
        // Sent before any worker consumes, with an expiry that passes while it waits.
        var id = await Client(store).SendAsync("demo.add", "[1, 2]",
            sendOptions: new SendOptions { Queue = queue, Expires = DateTimeOffset.UtcNow.AddMilliseconds(300) });
        await Task.Delay(500);
        await using var channel = await Broker.RawChannelAsync();
        // RabbitMQ drops a message whose per-message TTL passed; publish it again without one to reach the worker.
        await RepublishWithoutTtlAsync(channel, store, id, queue);

        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => { ran = true; return x + y; }), queue);

        var row = await Eventually.StatusAsync(store, id, TaskStates.Revoked);
        Assert.Contains("TaskRevokedError", row.Result);
        Assert.False(ran);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_message_with_a_future_eta_is_stored_scheduled_and_acknowledged_not_held(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var ran = false;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => { ran = true; return x + y; }));
        var eta = DateTimeOffset.UtcNow.AddHours(1);

        // Tracking off: like a Python producer, which writes no row.
        var id = await new TaskClient(store, _publisher, new TaskClientOptions { TrackPublish = false })
            .SendAsync("demo.add", "[1, 2]", sendOptions: new SendOptions { Queue = running.Queue, Eta = eta });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Scheduled);
        Assert.Equal(("demo.add", "[1, 2]"), (row.TaskName, row.Args));
        Assert.Equal(eta.UtcDateTime, row.Eta!.Value, TimeSpan.FromMilliseconds(1));
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 0 && running.Worker.Running == 0, "the message to be acknowledged");
        Assert.False(ran);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_redelivered_task_whose_outcome_is_already_stored_is_acknowledged_without_running_again(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var runs = 0;
        var queue = Broker.NewQueue("once");
        string id;
        await using (var first = await RunningWorker.StartAsync(store, w => w.Register("demo.once", () => Interlocked.Increment(ref runs)), queue))
        {
            id = await Client(store).SendAsync("demo.once", sendOptions: new SendOptions { Queue = queue });
            await Eventually.StatusAsync(store, id, TaskStates.Success);
        }

        // The same message again, as a redelivery after a lost ack brings it: delivered once, not acknowledged,
        // back on the queue with the broker's redelivered flag.
        await _publisher.PublishAsync([TaskMessages.ToMessage((await store.GetAsync(id))!)]);
        await using var channel = await Broker.RawChannelAsync();
        var delivered = await channel.BasicGetAsync(queue, autoAck: false);
        await channel.BasicNackAsync(delivered!.DeliveryTag, multiple: false, requeue: true);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.once", () => Interlocked.Increment(ref runs)), queue);

        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, queue) == 0 && running.Worker.Running == 0, "the redelivery to be acknowledged");
        Assert.Equal(1, runs);
        Assert.Equal(TaskStates.Success, (await store.GetAsync(id))!.Status);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task With_started_before_run_a_second_message_for_a_finished_task_is_acknowledged_without_running_again(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var runs = 0;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.once", () => Interlocked.Increment(ref runs)),
            options: new TaskWorkerOptions { StartedBeforeRun = true });
        var id = await Client(store).SendAsync("demo.once", sendOptions: new SendOptions { Queue = running.Queue });
        await Eventually.StatusAsync(store, id, TaskStates.Success);

        // The same message again, as a producer that sent it twice would: not flagged redelivered.
        await _publisher.PublishAsync([TaskMessages.ToMessage((await store.GetAsync(id))!)]);

        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 0 && running.Worker.Running == 0, "the duplicate to be acknowledged");
        Assert.Equal(1, runs);
        Assert.Equal(TaskStates.Success, (await store.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task Tasks_run_concurrently_up_to_the_configured_concurrency()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var current = 0;
        var peak = 0;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.sleep", async (double seconds) =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            Interlocked.Decrement(ref current);
        }), options: new TaskWorkerOptions { Concurrency = 3 });

        var ids = await Client(store).SendManyAsync(Enumerable.Range(0, 9)
            .Select(_ => new TaskSend("demo.sleep", "[0.3]", Options: new SendOptions { Queue = running.Queue })).ToList());

        foreach (var id in ids) await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal(3, peak);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task The_worker_writes_heartbeats_and_marks_its_graceful_stop(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var running = await RunningWorker.StartAsync(store, _ => { }, options: new TaskWorkerOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(200) });
        var name = running.Worker.Options.WorkerName;

        var first = (await new WorkerStore(store).GetWorkersAsync()).Single(w => w.WorkerName == name);
        await Eventually.WaitAsync(async () => (await new WorkerStore(store).GetWorkersAsync()).Single(w => w.WorkerName == name).LastHeartbeat > first.LastHeartbeat, "a later heartbeat");
        await running.DisposeAsync();

        var last = (await new WorkerStore(store).GetWorkersAsync()).Single(w => w.WorkerName == name);
        Assert.Equal((Environment.ProcessId, running.Queue), (last.Pid, last.Queues));
        Assert.False(string.IsNullOrEmpty(last.Hostname));
        Assert.NotNull(last.StoppedAt);
    }

    private static async Task RepublishWithoutTtlAsync(RabbitMQ.Client.IChannel channel, TaskStore store, string id, string queue)
    {
        var message = TaskMessages.ToMessage((await store.GetAsync(id))!);
        var wire = Protocol.CeleryProtocol.Encode(message, new FrozenClock(message.Expires!.Value.AddSeconds(-1)));
        await channel.BasicPublishAsync("", queue, false, RabbitMqWire.ToProperties(wire with { Expiration = null }), wire.Body);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
