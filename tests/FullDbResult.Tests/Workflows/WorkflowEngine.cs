using FullDbResult.Protocol;
using FullDbResult.Storage;
using FullDbResult.Tests.Scheduling;
using FullDbResult.Tests.Storage;
using FullDbResult.Tests.Worker;
using FullDbResult.Worker;

namespace FullDbResult.Tests.Workflows;

/// <summary>A started engine over a SQLite store and a recording publisher, with the workflow tests' tasks.</summary>
internal sealed class WorkflowEngine : IAsyncDisposable
{
    private WorkflowEngine(TaskStore store, RecordingPublisher publisher, WorkerEngine engine)
    {
        Store = store;
        Publisher = publisher;
        Engine = engine;
    }

    public TaskStore Store { get; }
    public RecordingPublisher Publisher { get; }
    public WorkerEngine Engine { get; }

    public static async Task<WorkflowEngine> StartAsync(WorkerOptions? options = null, Action<WorkerEngine>? register = null, TaskStore? store = null)
    {
        store ??= TestStores.NewStore(DatabaseProvider.Sqlite);
        var publisher = new RecordingPublisher();
        var engine = new WorkerEngine(store, publisher, (options ?? new WorkerOptions()) with { WorkerName = "workflow@test", HeartbeatInterval = TimeSpan.FromMinutes(1) });
        engine.Register("wf.add", (long x, long y) => x + y);
        engine.Register("wf.fail", new Func<long, long>(x => throw new InvalidOperationException($"bad {x}")));
        engine.Register("wf.sum", (long[] values) => values.Sum());
        register?.Invoke(engine);
        await engine.StartAsync();
        return new WorkflowEngine(store, publisher, engine);
    }

    /// <summary>Handles <paramref name="message"/> and returns how it was settled, once it was.</summary>
    public async Task<FakeDelivery.Settlement> RunAsync(WireMessage message)
    {
        var delivery = new FakeDelivery(message, Store);
        await Engine.HandleAsync(delivery);
        return await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public Task<FakeDelivery.Settlement> RunAsync(TaskMessage message) => RunAsync(CeleryProtocol.Encode(message));

    public async ValueTask DisposeAsync()
    {
        await Engine.DrainAsync(() => Task.CompletedTask);
        await Engine.StopAsync();
        await Engine.DisposeAsync();
    }
}
