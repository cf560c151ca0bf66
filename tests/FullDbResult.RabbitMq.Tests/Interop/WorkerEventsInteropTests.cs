using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Interop;

/// <summary>Our worker's events seen by Celery 5.2's own event receiver and state (what `celery events` and Flower use), beside a Python worker's.</summary>
public sealed class WorkerEventsInteropTests
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    private static Dictionary<string, string?> PythonEnvironment => new() { ["CELERY_BROKER_URL"] = Broker.Url, ["PYTHONUNBUFFERED"] = "1", ["PYTHONDONTWRITEBYTECODE"] = "1" };

    [Fact]
    public async Task Celerys_event_receiver_sees_our_worker_beside_a_python_worker_with_the_same_fields_and_the_same_task_states()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var (ourQueue, pythonQueue) = (Broker.NewQueue("events-ours"), Broker.NewQueue("events-python"));
        using var receiver = Receiver.Start();
        using var celery = CeleryPython.StartWorker(PythonDirectory, "events_app", [pythonQueue], ["-E", "--pool", "solo"], PythonEnvironment);
        var running = await RunningWorker.StartAsync(store, w => w
            .Register("events.add", (int x, int y) => x + y)
            .Register("events.fail", new Func<string, int>(text => throw new InvalidOperationException(text)))
            .Register("events.flaky", (int x, TaskContext context) => context.Retries == 0 ? throw context.Retry(TimeSpan.Zero, reason: "not yet") : x),
            ourQueue, new TaskWorkerOptions { SendEvents = true });
        Dictionary<string, string> ours, theirs;
        try
        {
            (ours, theirs) = (Send(ourQueue), Send(pythonQueue));
            await Eventually.StatusAsync(store, ours["events.flaky"], TaskStates.Success);
            await Eventually.StatusAsync(store, ours["events.reject"], TaskStates.Failure);
            await Eventually.WaitAsync(() => Task.FromResult(celery.Output.Contains($"[{theirs["events.flaky"]}] succeeded")), "the Python worker to finish its tasks");
            // Both workers beat every 2 s: a quick run can end before the first beat of either.
            var ourHost = running.Worker.Options.WorkerName;
            await Eventually.WaitAsync(() => Task.FromResult(receiver.Saw("worker-heartbeat", host => host != ourHost)), "a heartbeat from the Python worker");
            await Eventually.WaitAsync(() => Task.FromResult(receiver.Saw("worker-heartbeat", host => host == ourHost)), "a heartbeat from our worker");
        }
        finally
        {
            await running.DisposeAsync();
        }
        var (events, state) = receiver.WaitForState();

        var ourName = running.Worker.Options.WorkerName;
        var fromUs = events.Where(e => e.GetProperty("hostname").GetString() == ourName).ToList();
        var fromPython = events.Where(e => e.GetProperty("hostname").GetString() != ourName).ToList();
        foreach (var type in new[] { "worker-online", "worker-heartbeat", "task-received", "task-started", "task-succeeded", "task-failed", "task-retried", "task-revoked" })
        {
            var python = fromPython.FirstOrDefault(e => Type(e) == type && (type != "task-failed" || e.GetProperty("uuid").GetString() == theirs["events.fail"]));
            Assert.True(python.ValueKind == JsonValueKind.Object, $"Celery's receiver got no {type} from the Python worker");
            var our = fromUs.FirstOrDefault(e => Type(e) == type && (type != "task-failed" || e.GetProperty("uuid").GetString() == ours["events.fail"]));
            Assert.True(our.ValueKind == JsonValueKind.Object, $"Celery's receiver got no {type} from our worker");
            Assert.Equal(Keys(python), Keys(our));
        }
        Assert.Contains(fromUs, e => Type(e) == "worker-offline");

        var tasks = state.GetProperty("tasks");
        string? Field(string id, string name) => tasks.GetProperty(id).GetProperty(name).ValueKind == JsonValueKind.Null ? null : tasks.GetProperty(id).GetProperty(name).ToString();
        Assert.Equal(("SUCCESS", "5", ourName), (Field(ours["events.add"], "state"), Field(ours["events.add"], "result"), Field(ours["events.add"], "worker")));
        Assert.Equal(("FAILURE", "InvalidOperationException('boom')"), (Field(ours["events.fail"], "state"), Field(ours["events.fail"], "exception")));
        Assert.Equal(("SUCCESS", "7", "1"), (Field(ours["events.flaky"], "state"), Field(ours["events.flaky"], "result"), Field(ours["events.flaky"], "retries")));
        Assert.Equal("REVOKED", Field(ours["expired"], "state"));
        Assert.Equal(("FAILURE", "NotRegistered('events.reject')"), (Field(ours["events.reject"], "state"), Field(ours["events.reject"], "exception")));
        Assert.Equal(("SUCCESS", "5"), (Field(theirs["events.add"], "state"), Field(theirs["events.add"], "result")));
        var workers = state.GetProperty("workers");
        Assert.Equal(("fulldbresult", false), (workers.GetProperty(ourName).GetProperty("sw_ident").GetString(), workers.GetProperty(ourName).GetProperty("alive").GetBoolean()));
        Assert.Contains(workers.EnumerateObject(), w => w.Value.GetProperty("sw_ident").GetString() == "py-celery");
    }

    private static Dictionary<string, string> Send(string queue)
    {
        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_event_tasks.py"), [queue], PythonEnvironment);
        Assert.True(sent.Succeeded, sent.ToString());
        return JsonSerializer.Deserialize<Dictionary<string, string>>(sent.StandardOutput)!;
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    private static List<string> Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>receive_events.py running in the background: Celery's Receiver and State, stopping once our worker goes offline.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _errors = new();

        private Receiver(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _errors.Enqueue(e.Data); };
        }

        public static Receiver Start()
        {
            var start = new ProcessStartInfo(CeleryPython.Interpreter)
            {
                ArgumentList = { Path.Combine(PythonDirectory, "receive_events.py"), "120", "fulldbresult" },
                WorkingDirectory = PythonDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (name, value) in PythonEnvironment) start.Environment[name] = value;
            var process = new Process { StartInfo = start };
            var receiver = new Receiver(process);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            receiver.WaitFor(() => receiver._lines.Contains("ready"), "the receiver to bind its queue");
            return receiver;
        }

        /// <summary>Whether the receiver has delivered a <paramref name="type"/> event from a worker whose hostname <paramref name="host"/> accepts.</summary>
        public bool Saw(string type, Func<string?, bool> host) =>
            _lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
                .Any(d => d.TryGetProperty("event", out var e) && Type(e) == type && host(e.GetProperty("hostname").GetString()));

        /// <summary>Every event Celery's receiver delivered, and its State's view at the end.</summary>
        public (List<JsonElement> Events, JsonElement State) WaitForState()
        {
            WaitFor(() => _process.HasExited, "the receiver to see our worker go offline");
            var documents = _lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            return (documents.Where(d => d.TryGetProperty("event", out _)).Select(d => d.GetProperty("event")).ToList(),
                documents.Single(d => d.TryGetProperty("state", out _)).GetProperty("state"));
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }

        private void WaitFor(Func<bool> condition, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(120) || (_process.HasExited && !condition()))
                    throw new TimeoutException($"Waited for {what}:\n{string.Join('\n', _lines)}\n{string.Join('\n', _errors)}");
                Thread.Sleep(100);
            }
        }
    }
}
