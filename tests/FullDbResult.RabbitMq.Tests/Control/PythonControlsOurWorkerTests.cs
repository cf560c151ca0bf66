using System.Text.Json;
using FullDbResult.Control;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Control;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Control;

/// <summary>Celery 5.2's remote control from Python (app.control and the celery CLI) against our worker, on a real RabbitMQ.</summary>
public sealed class PythonControlsOurWorkerTests
{
    internal static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Control", "python");

    internal static Dictionary<string, string?> PythonEnvironment => new() { ["CELERY_BROKER_URL"] = Broker.Url };

    internal static TaskWorkerOptions Options(TimeSpan? terminateTimeout = null) => new()
    {
        WorkerName = $"ours-{Guid.NewGuid():N}@test",
        TerminateTimeout = terminateTimeout ?? TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Python_inspect_ping_registered_and_active_queues_get_the_answers_celery_expects_from_our_worker()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.b", () => 1).Register("demo.a", () => 2), options: Options());
        var name = running.Worker.Options.WorkerName;

        Assert.Equal("""{"ok": "pong"}""", Python("ping", name).GetProperty(name).GetRawText());
        Assert.Equal(["demo.a", "demo.b"], Python("registered", name).GetProperty(name).EnumerateArray().Select(e => e.GetString()));
        var queue = Assert.Single(Python("active_queues", name).GetProperty(name).EnumerateArray());
        Assert.Equal(running.Queue, queue.GetProperty("name").GetString());

        var cli = CeleryPython.RunCelery(["-A", "control_app", "inspect", "ping", "-d", name, "-j"], PythonDirectory, PythonEnvironment);
        Assert.True(cli.Succeeded, cli.ToString());
        Assert.Contains($"\"{name}\": {{\"ok\": \"pong\"}}", cli.StandardOutput);
    }

    [Fact]
    public async Task Python_inspect_active_lists_the_task_our_worker_runs_with_its_id_name_and_args()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var release = new TaskCompletionSource();
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.wait", async (int n) => { await release.Task; return n; }), options: Options());
        var name = running.Worker.Options.WorkerName;
        var id = await SendAsync(store, running.Queue, "demo.wait", "[7]");
        await Eventually.StatusAsync(store, id, TaskStates.Started);

        var active = Assert.Single(Python("active", name).GetProperty(name).EnumerateArray());
        release.SetResult();

        Assert.Equal((id, "demo.wait", "[7]", name), (active.GetProperty("id").GetString(), active.GetProperty("name").GetString(), active.GetProperty("args").GetRawText(), active.GetProperty("hostname").GetString()));
        Assert.Equal(running.Queue, active.GetProperty("delivery_info").GetProperty("routing_key").GetString());
        await Eventually.StatusAsync(store, id, TaskStates.Success);
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Celery_control_revoke_from_the_cli_makes_our_worker_record_the_task_revoked_when_it_arrives_without_running_it(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var ran = 0;
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int a, int b) => { Interlocked.Increment(ref ran); return a + b; }), options: Options());
        var name = running.Worker.Options.WorkerName;
        var id = Guid.NewGuid().ToString();

        var reply = CeleryPython.RunCelery(["-A", "control_app", "control", "revoke", id, "-d", name, "-j"], PythonDirectory, PythonEnvironment);
        await SendAsync(store, running.Queue, "demo.add", "[1, 2]", id);
        var after = await SendAsync(store, running.Queue, "demo.add", "[3, 4]");

        Assert.True(reply.Succeeded, reply.ToString());
        Assert.Contains($"\"{name}\": {{\"ok\": \"tasks {id} flagged as revoked\"}}", reply.StandardOutput);
        var row = await Eventually.StatusAsync(store, id, TaskStates.Revoked);
        Assert.Contains("TaskRevokedError", row.Result);
        await Eventually.StatusAsync(store, after, TaskStates.Success);
        Assert.Equal(1, ran);
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 0, "the revoked message to be acknowledged");
    }

    [Fact]
    public async Task Python_terminate_cancels_the_running_handlers_token_records_revoked_and_frees_the_slot()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var cancelled = new TaskCompletionSource();
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.long", async (CancellationToken token) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(5), token);
            }
            finally
            {
                cancelled.TrySetResult();
            }
        }), options: Options());
        var name = running.Worker.Options.WorkerName;
        var id = await SendAsync(store, running.Queue, "demo.long", "[]");
        await Eventually.StatusAsync(store, id, TaskStates.Started);

        var reply = Python("terminate", name, id, "SIGKILL");

        Assert.Equal($"terminate: {id}", reply[0].GetProperty(name).GetProperty("ok").GetString());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var row = await Eventually.StatusAsync(store, id, TaskStates.Revoked);
        Assert.Contains("SIGKILL", row.Result);
        await Eventually.WaitAsync(() => Task.FromResult(running.Worker.Running == 0), "the slot to be free");
    }

    [Fact]
    public async Task A_handler_that_ignores_terminate_is_logged_abandoned_after_the_timeout_and_recorded_revoked()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var logger = new RecordingLogger<TaskWorker>();
        await using var connection = Broker.Connect();
        var queue = Broker.NewQueue("ignores");
        await using var worker = new TaskWorker(connection, store, Options(TimeSpan.FromSeconds(1)) with { Queues = [queue] }, logger);
        worker.Register("demo.stubborn", async () => { await Task.Delay(TimeSpan.FromSeconds(60)); return "done"; });
        await worker.StartAsync();
        var id = await SendAsync(store, queue, "demo.stubborn", "[]");
        await Eventually.StatusAsync(store, id, TaskStates.Started);

        await using var broadcaster = new RabbitMqControlBroadcaster(connection);
        var replies = await broadcaster.CallAsync(ControlCommand.Revoke([id], terminate: true) with { Destination = [worker.Options.WorkerName] }, TimeSpan.FromSeconds(5));

        Assert.Equal($"terminate: {id}", Assert.Single(replies).OkText);
        await Eventually.StatusAsync(store, id, TaskStates.Revoked);
        await Eventually.WaitAsync(() => Task.FromResult(worker.Running == 0), "the slot to be free");
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"[{id}] ignored its cancellation"));
    }

    [Fact]
    public async Task Malformed_unknown_and_misdirected_control_messages_are_logged_and_skipped_and_never_run_a_task()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var logger = new RecordingLogger<TaskWorker>();
        await using var connection = Broker.Connect();
        var queue = Broker.NewQueue("control-bad");
        var ran = 0;
        await using var worker = new TaskWorker(connection, store, Options() with { Queues = [queue] }, logger);
        worker.Register("demo.add", (int a, int b) => { Interlocked.Increment(ref ran); return a + b; });
        await worker.StartAsync();
        var name = worker.Options.WorkerName;
        var channel = await Broker.RawChannelAsync();

        // Not JSON; a command Celery has but we do not answer; a reply aimed at the task queue through the default exchange.
        foreach (var body in new[]
        {
            "not json",
            """{"method": "shutdown", "arguments": {}, "destination": null}""",
            $$$"""{"method": "ping", "arguments": {}, "destination": ["{{{name}}}"], "ticket": "t", "reply_to": {"exchange": "", "routing_key": "{{{queue}}}"}}""",
        })
            await channel.BasicPublishAsync("celery.pidbox", "", System.Text.Encoding.UTF8.GetBytes(body));
        await Eventually.WaitAsync(() => Task.FromResult(logger.Entries.Count(e => e.Level == LogLevel.Warning) >= 3), "three warnings");

        Assert.Equal($$$"""{"{{{name}}}": {"ok": "pong"}}""", Python("ping", name).GetRawText());
        Assert.Contains(logger.Entries, e => e.Message.Contains("malformed control message skipped"));
        Assert.Contains(logger.Entries, e => e.Message.Contains("no such control command: shutdown"));
        Assert.Contains(logger.Entries, e => e.Message.Contains("only reply.celery.pidbox is answered"));
        Assert.Equal(0u, await Broker.CountAsync(channel, queue));
        Assert.Equal(0, ran);
    }

    internal static JsonElement Python(string command, string worker, string? taskId = null, string? signal = null)
    {
        var args = new List<string> { command, worker };
        if (taskId is not null) args.Add(taskId);
        if (signal is not null) args.Add(signal);
        var result = CeleryPython.RunScript(Path.Combine(PythonDirectory, "control_client.py"), args, PythonEnvironment);
        Assert.True(result.Succeeded, result.ToString());
        return JsonSerializer.Deserialize<JsonElement>(result.StandardOutput);
    }

    internal static async Task<string> SendAsync(TaskStore store, string queue, string name, string args, string? id = null)
    {
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);
        return await new TaskClient(store, publisher).SendAsync(name, args, null, new SendOptions { Queue = queue, TaskId = id });
    }
}
