using System.Text.Json;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Interop;

/// <summary>Python code waiting with Celery 5.2's rpc:// backend (AsyncResult.get) on tasks our worker runs.</summary>
public sealed class RpcResultInteropTests
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    [Fact]
    public async Task AsyncResult_get_in_python_returns_the_value_our_worker_stored_after_a_started_reply()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("interop.add", (int x, int y) => x + y));

        var outcome = Call(running.Queue, "interop.add", "[2, 3]", "{}").Single();

        Assert.Equal(5, outcome.GetProperty("value").GetInt32());
        Assert.Equal(["STARTED", "SUCCESS"], States(outcome));
        var row = await store.GetAsync(outcome.GetProperty("id").GetString()!);
        Assert.Equal((TaskStates.Success, "5"), (row!.Status, row.Result));
    }

    [Fact]
    public async Task AsyncResult_get_in_python_raises_the_exception_our_worker_recorded_with_its_type_name_and_message()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store,
            w => w.Register("interop.fail", new Func<string, int>(text => throw new InvalidOperationException(text))));

        var outcome = Call(running.Queue, "interop.fail", """["boom"]""", "{}").Single();

        Assert.Equal("InvalidOperationException", outcome.GetProperty("error").GetString());
        Assert.Equal(["boom"], outcome.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["STARTED", "FAILURE"], States(outcome));
        Assert.Equal(TaskStates.Failure, (await store.GetAsync(outcome.GetProperty("id").GetString()!))!.Status);
    }

    [Fact]
    public async Task AsyncResult_get_in_python_sees_a_retry_and_then_the_value_of_the_retried_run_under_the_same_id()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("interop.flaky",
            (int x, TaskContext context) => context.Retries == 0 ? throw context.Retry(TimeSpan.Zero, reason: "not yet") : x * 2));

        var outcome = Call(running.Queue, "interop.flaky", "[21]", "{}").Single();

        Assert.Equal(42, outcome.GetProperty("value").GetInt32());
        Assert.Equal(["STARTED", "RETRY", "STARTED", "SUCCESS"], States(outcome));
        var row = await store.GetAsync(outcome.GetProperty("id").GetString()!);
        Assert.Equal((TaskStates.Success, 1), (row!.Status, row.Retries));
    }

    [Fact]
    public async Task AsyncResult_get_in_python_raises_not_registered_style_failure_for_a_task_our_worker_does_not_know()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("interop.add", (int x, int y) => x + y));

        var outcome = Call(running.Queue, "interop.unknown", "[]", "{}").Single();

        Assert.Equal("UnknownTask", outcome.GetProperty("error").GetString());
        Assert.Equal(["FAILURE"], States(outcome));
    }

    [Fact]
    public async Task AsyncResult_get_in_python_returns_the_value_of_a_countdown_task_our_worker_stored_and_the_dispatcher_sent_under_the_same_id()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("interop.add", (int x, int y) => x + y));
        await using var publisher = new RabbitMqTaskPublisher(running.Connection);
        using var stop = new CancellationTokenSource();
        var dispatching = new ScheduledDispatcher(store, publisher).CreateLoop(TimeSpan.FromMilliseconds(200)).RunAsync(stop.Token);

        var outcome = Call(running.Queue, "interop.add", "[20, 22]", """{"countdown": 2}""").Single();
        await stop.CancelAsync();
        await dispatching;

        Assert.Equal(42, outcome.GetProperty("value").GetInt32());
        Assert.Equal(["STARTED", "SUCCESS"], States(outcome));
        var row = (await store.GetAsync(outcome.GetProperty("id").GetString()!))!;
        Assert.Equal((TaskStates.Success, "42", null), (row.Status, row.Result, row.RetriedAs));
        Assert.NotNull(row.Eta);
        Assert.NotNull(row.ScheduledId);
    }

    private static List<JsonElement> Call(string queue, params string[] calls)
    {
        var run = CeleryPython.RunScript(Path.Combine(PythonDirectory, "rpc_get.py"), [queue, .. calls],
            new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = Broker.Url });
        Assert.True(run.Succeeded, run.ToString());
        return run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
    }

    private static List<string> States(JsonElement outcome) =>
        outcome.GetProperty("states").EnumerateArray().Select(s => s.GetString()!).ToList();
}
