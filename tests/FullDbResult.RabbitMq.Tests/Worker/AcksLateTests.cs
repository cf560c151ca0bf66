using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Worker;

/// <summary>Acknowledgement after the outcome is stored: what a crash or a stop leaves behind.</summary>
public sealed class AcksLateTests
{
    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_task_whose_worker_dies_mid_run_is_redelivered_and_run_by_another_worker(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var queue = Broker.NewQueue("crash");
        // A connection that does not recover, closed by the broker below: the worker's process as good as died.
        var clientName = "crashing worker " + Guid.NewGuid().ToString("N");
        var firstConnection = new RabbitMqConnection(Broker.Url, clientName) { AutomaticRecovery = false };
        var first = new TaskWorker(firstConnection, store, new TaskWorkerOptions { Queues = [queue], WorkerName = "first@test" });
        first.Register("demo.slow", async () =>
        {
            started.TrySetResult();
            await release.Task;
            return "first";
        });
        await first.StartAsync();
        await using var producer = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(producer);

        var id = await new TaskClient(store, publisher).SendAsync("demo.slow", sendOptions: new SendOptions { Queue = queue });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // STARTED is queued as the task starts, not awaited before it: it shows a moment later.
        Assert.Equal("first@test", (await Eventually.StatusAsync(store, id, TaskStates.Started)).Worker);
        CloseConnection(clientName);

        await using var second = await RunningWorker.StartAsync(store, w => w.Register("demo.slow", () => "second"), queue,
            new TaskWorkerOptions { WorkerName = "second@test" });
        var row = await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal(("second@test", "\"second\""), (row.Worker, row.Result));

        release.SetResult();
        await first.DisposeAsync();
        await firstConnection.DisposeAsync();
        Assert.Equal("\"second\"", (await store.GetAsync(id))!.Result);
    }

    [Fact]
    public async Task A_graceful_stop_finishes_the_running_task_and_returns_the_waiting_ones_to_the_queue()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var started = new TaskCompletionSource();
        var running = await RunningWorker.StartAsync(store, w => w.Register("demo.sleep", async (double seconds) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
        }), options: new TaskWorkerOptions { Concurrency = 1, Prefetch = 5 });
        await using var producer = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(producer);

        var ids = await new TaskClient(store, publisher).SendManyAsync(Enumerable.Range(0, 3)
            .Select(_ => new TaskSend("demo.sleep", "[1]", Options: new SendOptions { Queue = running.Queue })).ToList());
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await running.Worker.StopAsync();

        Assert.Equal(TaskStates.Success, (await store.GetAsync(ids[0]))!.Status);
        Assert.Equal(TaskStates.Pending, (await store.GetAsync(ids[1]))!.Status);
        Assert.Equal(TaskStates.Pending, (await store.GetAsync(ids[2]))!.Status);
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 2, "two messages back in the queue");
        await running.DisposeAsync();
    }

    [Fact]
    public async Task A_stop_that_runs_out_of_time_cancels_the_task_and_returns_it_to_the_queue_unrecorded()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var started = new TaskCompletionSource();
        var running = await RunningWorker.StartAsync(store, w => w.Register("demo.stubborn", async (CancellationToken cancellationToken) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromMinutes(5), cancellationToken);
        }), options: new TaskWorkerOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
        await using var producer = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(producer);

        var id = await new TaskClient(store, publisher).SendAsync("demo.stubborn", sendOptions: new SendOptions { Queue = running.Queue });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await running.DisposeAsync();

        Assert.Equal(TaskStates.Started, (await store.GetAsync(id))!.Status);
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 1, "the task back in the queue");
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Without_started_tracking_the_row_is_written_once_with_the_outcome_and_its_start_time(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        string? statusWhileRunning = null;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.peek", async (TaskContext context) =>
            statusWhileRunning = (await store.GetAsync(context.TaskId))!.Status), options: new TaskWorkerOptions { TrackStarted = false });
        await using var producer = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(producer);

        var id = await new TaskClient(store, publisher).SendAsync("demo.peek", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Success);
        Assert.Equal(TaskStates.Pending, statusWhileRunning);
        Assert.Equal(running.Worker.Options.WorkerName, row.Worker);
        Assert.NotNull(row.DateStarted);
        Assert.True(row.DateStarted <= row.DateDone);
    }

    [Fact]
    public async Task Without_started_tracking_a_redelivered_task_whose_outcome_is_stored_does_not_run_again()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("redelivered");
        var done = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "demo.count", RoutingKey = queue };
        var fresh = done with { Id = Guid.NewGuid().ToString() };
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = done.Id, TaskName = "demo.count", Status = TaskStates.Success, Result = "1" });
        await using (var producer = Broker.Connect())
        await using (var publisher = new RabbitMqTaskPublisher(producer))
            await publisher.PublishAsync([done]);
        // Taken and not acknowledged by a consumer that goes away: the broker redelivers it, flagged redelivered.
        await using (var connection = await new RabbitMQ.Client.ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            Assert.NotNull(await channel.BasicGetAsync(queue, autoAck: false));

        var runs = new List<string>();
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.count", (TaskContext context) =>
        {
            lock (runs) runs.Add(context.TaskId);
        }), queue, new TaskWorkerOptions { TrackStarted = false });
        await using (var producer = Broker.Connect())
        await using (var publisher = new RabbitMqTaskPublisher(producer))
            await publisher.PublishAsync([fresh]);

        await Eventually.StatusAsync(store, fresh.Id, TaskStates.Success);
        await using var check = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(check, queue) == 0 && running.Worker.Running == 0, "both messages acknowledged");
        Assert.Equal([fresh.Id], runs);
        Assert.Equal("1", (await store.GetAsync(done.Id))!.Result);
    }

    [Fact]
    public async Task A_message_whose_outcome_could_not_be_stored_goes_back_to_the_queue_and_runs_again()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var runs = 0;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.flaky_store", async () =>
        {
            // The first run's outcome is refused by the database; the second run removes the obstacle.
            await ExecuteAsync(store, Interlocked.Increment(ref runs) == 1
                ? "ALTER TABLE fulldbresult_task ADD CONSTRAINT refuse_success CHECK (status <> 'SUCCESS')"
                : "ALTER TABLE fulldbresult_task DROP CONSTRAINT refuse_success");
            return "stored";
        }));
        await using var producer = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(producer);

        var id = await new TaskClient(store, publisher).SendAsync("demo.flaky_store", sendOptions: new SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Success, TimeSpan.FromSeconds(30));
        Assert.Equal(2, runs);
        Assert.Equal("\"stored\"", row.Result);
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 0, "the message acknowledged after the second run");
    }

    private static async Task ExecuteAsync(TaskStore store, string sql)
    {
        await using var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static void CloseConnection(string clientName)
    {
        var connections = RabbitMqServer.Shared.RunCtl("list_connections", "pid", "client_properties", "--no-table-headers", "--silent");
        var pid = connections.Split('\n').Single(line => line.Contains(clientName)).Split('\t')[0].Trim();
        RabbitMqServer.Shared.RunCtl("close_connection", pid, "simulated worker crash");
    }
}
