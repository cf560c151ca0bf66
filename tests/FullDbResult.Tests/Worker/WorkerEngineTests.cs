using System.Text;
using FullDbResult.Protocol;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Scheduling;
using FullDbResult.Tests.Storage;
using FullDbResult.Worker;
using Microsoft.Data.Sqlite;
using Xunit;

namespace FullDbResult.Tests.Worker;

/// <summary>
/// The worker's decisions without a broker: what each delivered message means, and that it is settled only
/// once its outcome row has committed. A real SQLite store, an in-memory delivery.
/// </summary>
public sealed class WorkerEngineTests : IAsyncLifetime
{
    private readonly TaskStore _store = TestStores.NewStore(DatabaseProvider.Sqlite);
    private readonly RecordingPublisher _publisher = new();
    private WorkerEngine _engine = null!;
    private int _runs;

    public async Task InitializeAsync()
    {
        _engine = new WorkerEngine(_store, _publisher, new WorkerOptions { WorkerName = "engine@test", HeartbeatInterval = TimeSpan.FromMinutes(1) });
        _engine.Register("demo.add", (int x, int y) =>
        {
            Interlocked.Increment(ref _runs);
            return x + y;
        });
        await _engine.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _engine.DrainAsync(() => Task.CompletedTask);
        await _engine.StopAsync();
        await _engine.DisposeAsync();
    }

    [Fact]
    public async Task An_outcome_is_settled_only_after_its_row_commits()
    {
        var delivery = Deliver(Message("[2, 3]"));

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ack", settled.Action);
        // What the acknowledgement stood on: the committed row, already SUCCESS with the result.
        Assert.Equal((TaskStates.Success, "5", "engine@test"), (settled.RowAtSettle?.Status, settled.RowAtSettle?.Result, settled.RowAtSettle?.Worker));
        Assert.Equal(1, delivery.Settlements);
    }

    [Fact]
    public async Task A_message_whose_outcome_write_fails_is_requeued_not_acked()
    {
        await RefuseWritesOfStatusAsync(TaskStates.Success);
        var message = Message("[2, 3]");
        var delivery = Deliver(message);

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("requeue", settled.Action);
        Assert.Equal(1, _runs);
        Assert.Equal(TaskStates.Started, (await _store.GetAsync(message.CorrelationId!))!.Status);
        Assert.Equal(1, delivery.Settlements);
    }

    [Fact]
    public async Task A_malformed_message_is_dead_lettered_with_its_reason_and_its_FAILURE_row()
    {
        var message = Message("[2, 3]") with { Body = Encoding.UTF8.GetBytes("[[2, 3], {}]") };
        var delivery = Deliver(message);

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("dead-letter", nameof(DecodeFailureReason.InvalidBodyShape)), (settled.Action, settled.Reason));
        Assert.False(string.IsNullOrEmpty(settled.Error));
        var row = settled.RowAtSettle!;
        Assert.Equal((TaskStates.Failure, "demo.add"), (row.Status, row.TaskName));
        Assert.Contains(nameof(DecodeFailureReason.InvalidBodyShape), row.Result);
        Assert.Contains(delivery.DeadLetterQueue, row.Meta);
        Assert.Equal(0, _runs);
    }

    [Fact]
    public async Task A_message_for_an_unregistered_task_is_dead_lettered_with_its_reason_and_its_FAILURE_row()
    {
        var delivery = Deliver(Message("[1]", name: "demo.nobody"));

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("dead-letter", "UnknownTask"), (settled.Action, settled.Reason));
        Assert.Equal((TaskStates.Failure, "demo.nobody", "[1]"), (settled.RowAtSettle?.Status, settled.RowAtSettle?.TaskName, settled.RowAtSettle?.Args));
    }

    [Fact]
    public async Task A_malformed_message_that_cannot_be_dead_lettered_goes_back_to_its_queue_instead_of_being_held()
    {
        var message = Message("[2, 3]") with { Body = Encoding.UTF8.GetBytes("[[2, 3], {}]") };
        var delivery = new FakeDelivery(message, _store) { DeadLetterFails = true };

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("requeue", TaskStates.Failure), (settled.Action, settled.RowAtSettle?.Status));
        Assert.Equal(1, delivery.Settlements);
    }

    [Fact]
    public async Task An_expired_task_is_REVOKED_and_not_run()
    {
        var expired = DateTimeOffset.UtcNow.AddMinutes(-1);
        var delivery = Deliver(Message("[2, 3]", expires: expired));

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ack", settled.Action);
        Assert.Equal(TaskStates.Revoked, settled.RowAtSettle?.Status);
        Assert.Contains("TaskRevokedError", settled.RowAtSettle?.Result);
        Assert.Equal(0, _runs);
    }

    [Fact]
    public async Task An_eta_message_is_stored_SCHEDULED_and_acked()
    {
        var eta = DateTimeOffset.UtcNow.AddHours(1);
        var delivery = Deliver(Message("[2, 3]", eta: eta));

        await _engine.HandleAsync(delivery);

        var settled = await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ack", settled.Action);
        var row = settled.RowAtSettle!;
        Assert.Equal((TaskStates.Scheduled, "[2, 3]"), (row.Status, row.Args));
        Assert.Equal(eta.UtcDateTime, row.Eta!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _runs);
        Assert.Empty(_publisher.Sent);
    }

    [Fact]
    public async Task A_redelivered_task_whose_outcome_is_stored_is_acked_without_running_again()
    {
        var message = Message("[2, 3]");
        var first = Deliver(message);
        await _engine.HandleAsync(first);
        await first.Settled.WaitAsync(TimeSpan.FromSeconds(10));

        var again = Deliver(message, redelivered: true);
        await _engine.HandleAsync(again);

        var settled = await again.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("ack", TaskStates.Success), (settled.Action, settled.RowAtSettle?.Status));
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_stopping_engine_finishes_the_running_task_and_requeues_what_arrives_after()
    {
        var release = new TaskCompletionSource();
        await using var engine = new WorkerEngine(_store, _publisher, new WorkerOptions { ShutdownTimeout = TimeSpan.FromSeconds(10) });
        engine.Register("demo.wait", async () => await release.Task);
        await engine.StartAsync();
        var running = Deliver(Message("[]", name: "demo.wait"));
        var handling = engine.HandleAsync(running);
        await Eventually(async () => (await _store.GetAsync(running.Message.CorrelationId!))?.Status == TaskStates.Started);

        var late = Deliver(Message("[]", name: "demo.wait"));
        var draining = engine.DrainAsync(async () =>
        {
            await engine.HandleAsync(late);
            release.SetResult();
        });
        await draining;
        await handling;

        Assert.Equal(("ack", TaskStates.Success), ((await running.Settled).Action, (await running.Settled).RowAtSettle?.Status));
        Assert.Equal(("requeue", null), ((await late.Settled).Action, (await late.Settled).RowAtSettle?.Status));
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_stop_its_caller_cuts_short_cancels_the_running_task_and_requeues_it()
    {
        await using var engine = new WorkerEngine(_store, _publisher, new WorkerOptions { ShutdownTimeout = TimeSpan.FromMinutes(5) });
        engine.Register("demo.forever", async (CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken));
        await engine.StartAsync();
        var running = Deliver(Message("[]", name: "demo.forever"));
        var handling = engine.HandleAsync(running);
        await Eventually(async () => (await _store.GetAsync(running.Message.CorrelationId!))?.Status == TaskStates.Started);

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.DrainAsync(() => Task.CompletedTask, impatient.Token));

        await handling.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("requeue", (await running.Settled.WaitAsync(TimeSpan.FromSeconds(10))).Action);
        await engine.StopAsync();
    }

    private FakeDelivery Deliver(WireMessage message, bool redelivered = false) => new(message, _store, redelivered: redelivered);

    private static WireMessage Message(string args, string name = "demo.add", DateTimeOffset? eta = null, DateTimeOffset? expires = null) =>
        CeleryProtocol.Encode(new TaskMessage { Id = Guid.NewGuid().ToString(), Name = name, Args = args, Eta = eta, Expires = expires });

    // A database that refuses one state: the fault a full disk or a lost connection would be, at the moment it matters.
    private async Task RefuseWritesOfStatusAsync(string status)
    {
        await using var connection = new SqliteConnection(_store.Connection.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TRIGGER refuse_insert BEFORE INSERT ON fulldbresult_task WHEN NEW.status = '{status}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            CREATE TRIGGER refuse_update BEFORE UPDATE ON fulldbresult_task WHEN NEW.status = '{status}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 10 s.");
            await Task.Delay(20);
        }
    }
}
