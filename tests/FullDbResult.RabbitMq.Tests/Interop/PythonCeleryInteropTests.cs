using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Interop;

/// <summary>Our producer and worker beside Debian's Python Celery 5.2, both ways, on a real RabbitMQ.</summary>
public sealed class PythonCeleryInteropTests
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    private static Dictionary<string, string?> PythonEnvironment => new() { ["CELERY_BROKER_URL"] = Broker.Url };

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Tasks_a_python_producer_sends_run_on_our_worker_with_their_args_and_kwargs(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("from-python");
        await using var running = await RunningWorker.StartAsync(store,
            w => w.Register("interop.add", (double x, double y, double z = 0) => x + y + z), queue);
        var (plain, countdown, expires) = (Guid.NewGuid().ToString(), "countdown-" + Guid.NewGuid(), "expires-" + Guid.NewGuid());

        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_tasks.py"), [queue, plain, countdown, expires], PythonEnvironment);
        Assert.True(sent.Succeeded, sent.ToString());

        var plainRow = await Eventually.StatusAsync(store, plain, TaskStates.Success);
        Assert.Equal(("interop.add", "[2, 3]", """{"z": 10}""", "15"), (plainRow.TaskName, plainRow.Args, plainRow.Kwargs, plainRow.Result));
        var expiresRow = await Eventually.StatusAsync(store, expires, TaskStates.Success);
        Assert.Equal(("[1.5, 2]", """{"z": 0.5}""", "4"), (expiresRow.Args, expiresRow.Kwargs, expiresRow.Result));
        Assert.InRange(expiresRow.Expires!.Value, DateTime.UtcNow.AddSeconds(200), DateTime.UtcNow.AddSeconds(301));
        var countdownRow = await Eventually.StatusAsync(store, countdown, TaskStates.Scheduled);
        Assert.Equal(("[4, 5]", "{}"), (countdownRow.Args, countdownRow.Kwargs));
        Assert.InRange(countdownRow.Eta!.Value, DateTime.UtcNow.AddSeconds(30), DateTime.UtcNow.AddSeconds(61));
    }

    [Fact]
    public async Task A_task_our_producer_sends_runs_on_a_python_celery_worker_with_no_warnings()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("to-python");
        using var celery = CeleryPython.StartWorker(PythonDirectory, "interop_app", [queue], ["--pool", "solo"], PythonEnvironment);
        var readyAt = celery.Output.Length;
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var path = Path.Combine(Path.GetTempPath(), $"fulldbresult-interop-{Guid.NewGuid():N}.txt");

        var id = await new TaskClient(store, publisher).SendAsync("interop.write", $"[\"{path}\", \"h\\u00e9llo\"]", """{"suffix": " 42"}""",
            new SendOptions { Queue = queue, Expires = DateTimeOffset.UtcNow.AddMinutes(5), TimeLimit = TimeSpan.FromSeconds(30) });

        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(path) && celery.Output.Contains($"[{id}] succeeded")), "the Python task to write its file");
        Assert.Equal("héllo 42", await File.ReadAllTextAsync(path));
        var log = celery.Output[readyAt..];
        Assert.Contains($"Task interop.write[{id}] received", log);
        Assert.DoesNotContain("WARNING", log);
        Assert.DoesNotContain("ERROR", log);
    }
}
