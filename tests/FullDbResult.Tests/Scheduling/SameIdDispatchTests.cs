using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Storage;
using FullDbResult.Tests.Worker;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.Tests.Scheduling;

/// <summary>
/// A task that reaches our worker with a future eta keeps its id: the worker stores it SCHEDULED, the dispatcher
/// sends it under that id once it is due, and its outcome lands on that same row.
/// </summary>
public sealed class SameIdDispatchTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_future_eta_message_is_sent_when_due_under_its_own_id_with_its_reply_to_once_and_its_outcome_lands_on_that_row(DatabaseProvider provider)
    {
        await using var setup = await Setup.StartAsync(provider);
        var id = Guid.NewGuid().ToString();
        await setup.HandleAsync(EtaMessage(id, setup.Clock.GetUtcNow().AddMinutes(10)));
        Assert.Equal(TaskStates.Scheduled, (await setup.Store.GetAsync(id))!.Status);

        Assert.Equal(0, (await setup.Dispatcher.RunOnceAsync()).Claimed);
        setup.Clock.Advance(TimeSpan.FromMinutes(10));
        var summary = await setup.Dispatcher.RunOnceAsync();
        var again = await setup.Dispatcher.RunOnceAsync();

        Assert.Equal((1, 1, 0), (summary.Claimed, summary.Sent, again.Claimed));
        var sent = Assert.Single(setup.Broker.Sent).Message;
        Assert.Equal((id, "demo.add", "[2, 3]", "replies.python", null), (sent.Id, sent.Name, sent.Args, sent.ReplyTo, sent.Eta));
        var dispatched = (await setup.Store.GetAsync(id))!;
        Assert.Equal(TaskStates.Pending, dispatched.Status);
        Assert.NotNull(dispatched.ScheduledId);
        Assert.Null(dispatched.RetriedAs);

        var settled = await setup.HandleAsync(CeleryProtocol.Encode(sent, setup.Clock));
        Assert.Equal("ack", settled.Action);
        var done = (await setup.Store.GetAsync(id))!;
        Assert.Equal((TaskStates.Success, "5", 1), (done.Status, done.Result, setup.Runs));
        Assert.NotNull(done.Eta);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_redelivered_eta_message_whose_row_the_dispatcher_owns_is_acknowledged_and_not_run(DatabaseProvider provider)
    {
        await using var setup = await Setup.StartAsync(provider);
        var (waiting, dispatched) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var soon = setup.Clock.GetUtcNow().AddMinutes(1);
        await setup.HandleAsync(EtaMessage(waiting, soon.AddMinutes(5)));
        await setup.HandleAsync(EtaMessage(dispatched, soon));
        setup.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, (await setup.Dispatcher.RunOnceAsync()).Sent);

        // Their first deliveries' acks were lost: the broker hands both over again, one of them now past its eta.
        var first = await setup.HandleAsync(EtaMessage(waiting, soon.AddMinutes(5)), redelivered: true);
        var second = await setup.HandleAsync(EtaMessage(dispatched, soon), redelivered: true);

        Assert.Equal(("ack", "ack", 0), (first.Action, second.Action, setup.Runs));
        Assert.Equal(TaskStates.Scheduled, (await setup.Store.GetAsync(waiting))!.Status);
        Assert.Equal(TaskStates.Pending, (await setup.Store.GetAsync(dispatched))!.Status);
        Assert.Single(setup.Broker.Sent);
    }

    [Fact]
    public void Only_rows_the_worker_stored_from_an_eta_message_are_sent_under_their_own_id()
    {
        var message = new TaskMessage { Id = "t", Name = "demo.add", ReplyTo = "q", IgnoreResult = true };
        var stored = new TaskRecord { TaskId = "t", TaskName = "demo.add", Meta = SameIdDispatch.MetaFor(message) };

        Assert.True(SameIdDispatch.Applies(stored));
        Assert.False(SameIdDispatch.Applies(new TaskRecord { TaskId = "t", TaskName = "demo.add" }));
        Assert.False(SameIdDispatch.Applies(new TaskRecord { TaskId = "t", TaskName = "demo.add", Meta = """{"publish_error": "dispatch_same_id"}""" }));
        Assert.Equal(("q", true), (TaskMessages.ToMessage(stored).ReplyTo, TaskMessages.ToMessage(stored).IgnoreResult));
    }

    private static WireMessage EtaMessage(string id, DateTimeOffset eta) =>
        CeleryProtocol.Encode(new TaskMessage { Id = id, Name = "demo.add", Args = "[2, 3]", Eta = eta, ReplyTo = "replies.python" });

    private sealed class Setup : IAsyncDisposable
    {
        private int _runs;

        private Setup(DatabaseProvider provider)
        {
            Store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = Clock });
            Broker = new RecordingPublisher(Clock);
            Dispatcher = new ScheduledDispatcher(Store, Broker);
            Engine = new WorkerEngine(Store, Broker, new WorkerOptions { WorkerName = "same-id@test", Clock = Clock, HeartbeatInterval = TimeSpan.FromMinutes(1) });
            Engine.Register("demo.add", (int x, int y) =>
            {
                Interlocked.Increment(ref _runs);
                return x + y;
            });
        }

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);
        public TaskStore Store { get; }
        public RecordingPublisher Broker { get; }
        public ScheduledDispatcher Dispatcher { get; }
        public WorkerEngine Engine { get; }
        public int Runs => Volatile.Read(ref _runs);

        public static async Task<Setup> StartAsync(DatabaseProvider provider)
        {
            var setup = new Setup(provider);
            await setup.Engine.StartAsync();
            return setup;
        }

        public async Task<FakeDelivery.Settlement> HandleAsync(WireMessage message, bool redelivered = false)
        {
            var delivery = new FakeDelivery(message, Store, redelivered: redelivered);
            await Engine.HandleAsync(delivery);
            return await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DrainAsync(() => Task.CompletedTask);
            await Engine.StopAsync();
            await Engine.DisposeAsync();
        }
    }
}
